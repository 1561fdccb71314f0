#!/usr/bin/env bash
# Regenerates the monitoring figures the book shows in "Reading the monitoring panels":
#
#   book/src/generated/monitor.svg            the plot of the default run with --monitor
#                                             (20,000 iterations on the built-in corpus): the
#                                             loss, the gradient norms, the update ratios
#   book/src/generated/monitor.txt            its log at iterations 0, 100, 1000, 5000, 19900
#   book/src/generated/monitor-clipping.txt   how many of its printed steps the clipping
#                                             acted on, and on which parameters
#   book/src/generated/monitor-dead.txt       the same with --learning-rate 5 (5000
#                                             iterations): a run whose hidden layer dies
#   book/src/generated/monitor-diverged.txt   the same with --learning-rate 1, printed every
#                                             10 iterations: a run that diverges
#
#   tools/monitor-plot.sh            regenerate them all (works from any directory)
#   tools/monitor-plot.sh --check    regenerate into a temporary directory and compare with the
#                                    committed files; exits 1 and shows the differences if any
#                                    file is out of date
#
# The runs are deterministic (seed 42): the same plots and logs, bit for bit, every time on
# the same platform. They take a few seconds with the release build. They run in the fixed
# directory /tmp/min-char-rnn-monitor, made afresh and removed at the end; nothing is written
# to the repository except the files above.
set -euo pipefail
# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_check_args "$@"

WORK="/tmp/min-char-rnn-monitor"
make_scratch_dir OUT
BIN="$(release_binary --bin min-char-rnn)"

fresh_dir "$WORK"
cd "$WORK"

say "training 20000 iterations with --monitor"
"$BIN" train --monitor >log.txt 2>/dev/null
{
    echo '$ min-char-rnn train --monitor > log.txt'
    echo "\$ grep -E '^iter (0|100|1000|5000|19900), ' log.txt"
    grep -E '^iter (0|100|1000|5000|19900), ' log.txt
} >"$OUT/monitor.txt"
cp loss.svg "$OUT/monitor.svg"
{
    echo "\$ grep -c 'iter .*, grad norm' log.txt"
    grep -c 'iter .*, grad norm' log.txt
    echo "\$ grep -c 'clipped to' log.txt"
    grep -c 'clipped to' log.txt
    echo '$ for w in w_xh w_hh w_hy b_h b_y; do echo "$w $(grep -c "clipped to.*$w " log.txt)"; done'
    for w in w_xh w_hh w_hy b_h b_y; do echo "$w $(grep -c "clipped to.*$w " log.txt || true)"; done
} >"$OUT/monitor-clipping.txt"

say "training 5000 iterations with --learning-rate 5"
mkdir dead && cd dead
"$BIN" train --monitor --iterations 5000 --learning-rate 5 --sample-every 0 >log.txt 2>/dev/null
{
    echo '$ min-char-rnn train --monitor --iterations 5000 --learning-rate 5 --sample-every 0 > log.txt'
    echo "\$ grep -E '^iter (1000|4900), ' log.txt"
    grep -E '^iter (1000|4900), ' log.txt
} >"$OUT/monitor-dead.txt"
cd "$WORK"

say "training with --learning-rate 1 until it diverges"
mkdir diverged && cd diverged
status=0
"$BIN" train --monitor --learning-rate 1 --print-every 10 --sample-every 0 >log.txt 2>err.txt \
    || status=$?
[[ "$status" -eq 1 ]] || die "the run with --learning-rate 1 did not diverge (exit $status)"
{
    echo '$ min-char-rnn train --monitor --learning-rate 1 --print-every 10 --sample-every 0 > log.txt'
    grep '^error: ' err.txt
    echo "\$ grep -E '^iter (0|10|100|110), ' log.txt"
    grep -E '^iter (0|10|100|110), ' log.txt
} >"$OUT/monitor-diverged.txt"
cd "$WORK"

publish "$OUT" monitor.svg monitor.txt monitor-clipping.txt monitor-dead.txt monitor-diverged.txt
