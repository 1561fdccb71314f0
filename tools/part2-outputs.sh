#!/usr/bin/env bash
# Regenerates the training runs that Part II's chapters show under "Run it", from
# examples/part2.rs (the plain path, default sizes H = 64, B = 8, T = 50, 1500 iterations,
# learning rate 0.1, seed 42, except where a run says otherwise):
#
#   book/src/generated/part2-lstm.txt     --cell lstm              one LSTM layer (lstm-forward.md)
#   book/src/generated/part2-gru.txt      --cell gru               one GRU layer, the same sizes:
#                                                                  compare its loss with the LSTM's (gru.md)
#   book/src/generated/part2-layers.txt   --cell lstm --layers 2   two LSTM layers (layers.md)
#   book/src/generated/part2-batch.txt    --cell lstm --batch 16   one LSTM layer, 16 streams instead
#                                                                  of 8: twice the text per update
#                                                                  and per iteration (minibatches.md)
#
#   tools/part2-outputs.sh           regenerate them (works from any directory)
#   tools/part2-outputs.sh --check   regenerate into a temporary directory and compare with the
#                                    files in book/src/generated; exits 1 and shows the
#                                    differences if any file is out of date
#
# Each file starts with the command line, `$ cargo run --release --example part2 -- …`, then
# what the program prints on standard output: the sizes, the loss every 100 iterations, the
# amount of text read and a sample. The wall time goes to standard error, so it is shown here
# while the script runs but never written to a file. A fixed seed gives the same output, bit
# for bit, on every run (exp and tanh are the crate's own; only the logarithm of the printed
# loss comes from the system's maths library, whose last bit may differ between platforms).
#
# Takes three to four minutes: the four runs go one after the other, on one core each (on an
# AMD EPYC core, about 30 s for each of the first two and a minute for each of the last two).
# Needs cargo only.
set -euo pipefail
# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_check_args "$@"

make_scratch_dir OUT
BIN="$(release_binary --example part2)"

# generated file name → the arguments of its run
NAMES=(part2-lstm part2-gru part2-layers part2-batch)
declare -A ARGS=(
    [part2-lstm]="--cell lstm"
    [part2-gru]="--cell gru"
    [part2-layers]="--cell lstm --layers 2"
    [part2-batch]="--cell lstm --batch 16"
)

for name in "${NAMES[@]}"; do
    args="${ARGS[$name]}"
    say "$name: part2 $args"
    out="$OUT/$name.txt"
    status=0
    {
        printf '$ cargo run --release --example part2 -- %s\n' "$args"
        # shellcheck disable=SC2086 # the arguments are split on purpose
        "$BIN" $args
    } >"$out" || status=$?
    [[ "$status" -eq 0 ]] || die "part2 $args failed (exit $status)"
    grep -q '^iter 1499, loss: ' "$out" || die "part2 $args printed no loss at iteration 1499"
done

publish "$OUT" "${NAMES[@]/%/.txt}"
