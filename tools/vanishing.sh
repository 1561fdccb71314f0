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
# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_check_args "$@"

make_scratch_dir OUT

say "building and running the example (about a minute)"
cargo build --quiet --release --example vanishing
{
    echo '$ cargo run --release --example vanishing'
    cargo run --quiet --release --example vanishing -- --svg "$OUT/vanishing.svg"
} >"$OUT/vanishing.txt"

# The figure follows from the same numbers as the text: --check compares the text only.
if [[ "$CHECK" -eq 1 ]]; then
    compare_generated "$OUT" vanishing.txt
else
    install_generated "$OUT" vanishing.txt vanishing.svg
fi
