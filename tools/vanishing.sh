#!/usr/bin/env bash
# Regenerates the measurement of the chapter "Why gates":
#
#   book/src/generated/vanishing.txt   what `cargo run --release --example vanishing` prints:
#                                      the losses, the table of ‖∂L_99/∂h_t‖ against the
#                                      distance for the RNN and the LSTM, at initialization
#                                      and trained, the fitted decay per step, the forget gates
#   book/src/generated/vanishing.svg   the figure of the same curves, on a logarithmic axis
#
#   tools/vanishing.sh            regenerate both (works from any directory)
#   tools/vanishing.sh --check    regenerate into a temporary directory and compare the text
#                                 with the committed one (the figure follows from the same
#                                 numbers); exits 1 and shows the differences if it is out of
#                                 date
#
# The run is deterministic (seed 42): the same numbers, bit for bit, every time on the same
# platform. It trains two networks of 100 units for 10,000 iterations each: about a minute of
# one core with the release build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf 'vanishing: %s\n' "$*" >&2; }
die() { printf 'vanishing: error: %s\n' "$*" >&2; exit 1; }

CHECK=0
case "${1:-}" in
    "") ;;
    --check) CHECK=1 ;;
    -h | --help)
        sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *) die "unknown argument '$1' (use --check, or nothing to regenerate)" ;;
esac

GENERATED="$ROOT/book/src/generated"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

say "building and running the example (about a minute)"
cargo build --quiet --release --example vanishing
{
    echo '$ cargo run --release --example vanishing'
    cargo run --quiet --release --example vanishing -- --svg "$OUT/vanishing.svg"
} >"$OUT/vanishing.txt"

if [[ "$CHECK" -eq 1 ]]; then
    committed="$GENERATED/vanishing.txt"
    [[ -f "$committed" ]] || die "missing: book/src/generated/vanishing.txt"
    if ! diff -u --label "book/src/generated/vanishing.txt (committed)" \
        --label "vanishing.txt (now)" "$committed" "$OUT/vanishing.txt" >&2; then
        die "out of date: vanishing.txt (differences above); run tools/vanishing.sh to regenerate, and check the chapter's prose still fits"
    fi
    say "ok: vanishing.txt matches"
else
    mkdir -p "$GENERATED"
    cp "$OUT/vanishing.txt" "$OUT/vanishing.svg" "$GENERATED/"
    say "wrote book/src/generated/vanishing.txt and vanishing.svg"
fi
