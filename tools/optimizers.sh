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
# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_check_args "$@"

make_scratch_dir OUT
say "cargo run --example optimizers"
cargo run --quiet --example optimizers >"$OUT/optimizers.txt" \
    || die "cargo run --example optimizers failed"
publish "$OUT" optimizers.txt
