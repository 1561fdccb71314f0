#!/usr/bin/env bash
# Regenerates what the chapter "Training like char-rnn" shows from the optimizers example, so
# that it is never typed by hand:
#
#   book/src/generated/optimizers.txt   cargo run --example optimizers: one weight, the same
#                                       gradients through SGD, Adagrad, RMSprop and Adam
#
# Usage, from any directory:
#
#   tools/optimizers.sh           # rewrite the file above
#   tools/optimizers.sh --check   # regenerate into a temporary folder and fail, showing the
#                                 # diff, if the committed file differs from what the code
#                                 # prints now
#
# The example is deterministic (no random numbers, no timings).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

GENERATED="book/src/generated"
FILE="optimizers.txt"
say() { printf 'optimizers: %s\n' "$*" >&2; }
die() { printf 'optimizers: error: %s\n' "$*" >&2; exit 1; }

check=false
case "${1:-}" in
    "") ;;
    --check) check=true ;;
    -h | --help)
        sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *) die "unknown argument '$1' (usage: tools/optimizers.sh [--check])" ;;
esac

# Writes the output into the folder $1.
generate() {
    local out="$1"
    mkdir -p "$out"
    say "cargo run --example optimizers"
    cargo run --quiet --example optimizers >"$out/$FILE" || die "cargo run --example optimizers failed"
}

if ! $check; then
    generate "$GENERATED"
    say "wrote $GENERATED/$FILE"
    exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
generate "$tmp"

if [[ ! -f "$GENERATED/$FILE" ]]; then
    die "$GENERATED/$FILE is missing; run tools/optimizers.sh to create it"
fi
if ! diff -u --label "$GENERATED/$FILE (committed)" --label "$FILE (what the code prints now)" \
    "$GENERATED/$FILE" "$tmp/$FILE" >&2; then
    die "stale book output: $FILE (diff above); run tools/optimizers.sh to update"
fi
say "up to date: $FILE"
