#!/usr/bin/env bash
# Regenerates what the chapters "The LSTM: forward" and "The LSTM: backward" show from the
# program and the tests, so that it is never typed by hand:
#
#   book/src/generated/lstm-step.txt           cargo run --example lstm_step (all of it)
#   book/src/generated/lstm-step-forward.txt   its first part: the layer and the forward step
#   book/src/generated/lstm-step-backward.txt  its second part, from `== the output layer`:
#                                              the output layer and the backward step
#   book/src/generated/lstm-test.txt           cargo test --test lstm -- --test-threads=1, from
#                                              `running` to `test result`, without the time
#
# Usage, from any directory:
#
#   tools/lstm-step.sh           # rewrite the files above
#   tools/lstm-step.sh --check   # regenerate into a temporary folder and fail, showing the diff,
#                                # if a committed file differs from what the code prints now
#
# Everything here is deterministic: the example's weights are written out, the tests use fixed
# seeds, `--test-threads=1` runs the tests one after the other in the order of their names, and
# the time a test run took is cut from its last line.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

GENERATED="book/src/generated"
FILES=(lstm-step.txt lstm-step-forward.txt lstm-step-backward.txt lstm-test.txt)
say() { printf 'lstm-step: %s\n' "$*" >&2; }
die() { printf 'lstm-step: error: %s\n' "$*" >&2; exit 1; }

check=false
case "${1:-}" in
    "") ;;
    --check) check=true ;;
    -h | --help)
        sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *) die "unknown argument '$1' (usage: tools/lstm-step.sh [--check])" ;;
esac

# Writes every output into the folder $1.
generate() {
    local out="$1"
    mkdir -p "$out"
    say "cargo run --example lstm_step"
    cargo run --quiet --example lstm_step >"$out/lstm-step.txt"
    grep -q '^== the output layer' "$out/lstm-step.txt" \
        || die "no '== the output layer' header in the output of lstm_step"
    sed '/^== the output layer/,$d' "$out/lstm-step.txt" >"$out/lstm-step-forward.txt"
    sed -n '/^== the output layer/,$p' "$out/lstm-step.txt" >"$out/lstm-step-backward.txt"
    say "cargo test --test lstm -- --test-threads=1"
    cargo test --test lstm -- --test-threads=1 2>&1 \
        | sed -n '/^running /,/^test result: /p' \
        | sed -E 's/; finished in [0-9.]+s$//' >"$out/lstm-test.txt" || true
    grep -q '^test result: ok' "$out/lstm-test.txt" || die "cargo test --test lstm failed"
}

if ! $check; then
    generate "$GENERATED"
    say "wrote ${FILES[*]} in $GENERATED/"
    exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
generate "$tmp"

stale=()
for file in "${FILES[@]}"; do
    if [[ ! -f "$GENERATED/$file" ]]; then
        say "$GENERATED/$file is missing"
        stale+=("$file")
    elif ! diff -u --label "$GENERATED/$file (committed)" --label "$file (what the code prints now)" \
        "$GENERATED/$file" "$tmp/$file" >&2; then
        stale+=("$file")
    fi
done

if [[ "${#stale[@]}" -gt 0 ]]; then
    die "stale book output: ${stale[*]} (diff above); run tools/lstm-step.sh to update"
fi
say "up to date: ${FILES[*]}"
