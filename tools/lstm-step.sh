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
# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_check_args "$@"

make_scratch_dir OUT
say "cargo run --example lstm_step"
cargo run --quiet --example lstm_step >"$OUT/lstm-step.txt"
grep -q '^== the output layer' "$OUT/lstm-step.txt" \
    || die "no '== the output layer' header in the output of lstm_step"
sed '/^== the output layer/,$d' "$OUT/lstm-step.txt" >"$OUT/lstm-step-forward.txt"
sed -n '/^== the output layer/,$p' "$OUT/lstm-step.txt" >"$OUT/lstm-step-backward.txt"
say "cargo test --test lstm -- --test-threads=1"
cargo test --test lstm -- --test-threads=1 2>&1 \
    | sed -n '/^running /,/^test result: /p' \
    | sed -E 's/; finished in [0-9.]+s$//' >"$OUT/lstm-test.txt" || true
grep -q '^test result: ok' "$OUT/lstm-test.txt" || die "cargo test --test lstm failed"

publish "$OUT" lstm-step.txt lstm-step-forward.txt lstm-step-backward.txt lstm-test.txt
