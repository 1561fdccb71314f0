#!/usr/bin/env bash
# Regenerates the measurement of overfitting in the chapter "Training like char-rnn":
#
#   book/src/generated/overfit.txt   what `cargo run --release --example overfit` prints: the
#                                    training and validation losses of char-rnn's default
#                                    model (2 x 128 LSTM) on the shipped corpus, every 200
#                                    iterations, without dropout and with dropout 0.3, and a
#                                    summary (best validation loss, the gap at the end)
#   book/src/generated/overfit.svg   the figure of the same four curves
#
#   tools/overfit.sh            regenerate both (works from any directory)
#   tools/overfit.sh --check    regenerate into a temporary directory and compare both files
#                               with the committed ones; exits 1 and shows the differences if
#                               they are out of date
#
# The run is deterministic (seed 42): the same numbers, bit for bit, every time on the same
# platform. It trains two networks for 4000 iterations each, one per thread: about two
# minutes on two cores with the release build (1 min 43 s measured on an idle 2-core AMD
# EPYC, 3 min 17 s of CPU; longer when other work shares the cores).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf 'overfit: %s\n' "$*" >&2; }
die() { printf 'overfit: error: %s\n' "$*" >&2; exit 1; }

CHECK=0
case "${1:-}" in
    "") ;;
    --check) CHECK=1 ;;
    -h | --help)
        sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *) die "unknown argument '$1' (use --check, or nothing to regenerate)" ;;
esac

GENERATED="$ROOT/book/src/generated"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

say "building and running the example (about two minutes)"
cargo build --quiet --release --example overfit
{
    echo '$ cargo run --release --example overfit'
    cargo run --quiet --release --example overfit -- --svg "$OUT/overfit.svg"
} >"$OUT/overfit.txt"

if [[ "$CHECK" -eq 1 ]]; then
    stale=0
    for file in overfit.txt overfit.svg; do
        committed="$GENERATED/$file"
        [[ -f "$committed" ]] || die "missing: book/src/generated/$file"
        if ! diff -u --label "book/src/generated/$file (committed)" \
            --label "$file (now)" "$committed" "$OUT/$file" >&2; then
            say "out of date: $file (differences above)"
            stale=1
        fi
    done
    if [[ "$stale" -eq 1 ]]; then
        die "out of date; run tools/overfit.sh to regenerate, and check the chapter's prose still fits"
    fi
    say "ok: overfit.txt and overfit.svg match"
else
    mkdir -p "$GENERATED"
    cp "$OUT/overfit.txt" "$OUT/overfit.svg" "$GENERATED/"
    say "wrote book/src/generated/overfit.txt and overfit.svg"
fi
