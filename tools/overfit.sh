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
# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_check_args "$@"

make_scratch_dir OUT

say "building and running the example (about two minutes)"
cargo build --quiet --release --example overfit
{
    echo '$ cargo run --release --example overfit'
    cargo run --quiet --release --example overfit -- --svg "$OUT/overfit.svg"
} >"$OUT/overfit.txt"
publish "$OUT" overfit.txt overfit.svg
