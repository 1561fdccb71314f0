#!/usr/bin/env bash
# Regenerates the real run of the chapter "Training like char-rnn": char-rnn's default model
# (2 layers of 128 LSTM units, 50 streams of 50 characters, RMSprop) trained for five epochs on
# a novel, with the elapsed time on every line of the log.
#
#   tools/anna-run.sh TEXT            train on TEXT and write, in book/src/generated/:
#       anna-run.txt      the command, the machine, and the log, each line after its elapsed
#                         time in seconds (the validation loss after every epoch)
#       anna-run.svg      the run's loss plot: the training and validation curves
#       anna-sample.txt   600 characters from the best checkpoint, at temperature 0.8
#   tools/anna-run.sh TEXT --torch    also train the same model twice with PyTorch in float64
#                         (tools/torch_charrnn.py, one thread), and write its curves:
#       anna-torch.txt        from PyTorch's own draw of the weights, with nn.LSTM's two
#                             biases per layer (char-rnn's model as PyTorch users build it)
#       anna-torch-same.txt   from the run's own initial weights, with one bias per layer
#                             (the crate's model exactly)
#                         (20 to 30 minutes each)
#
# The book's figures come from TEXT = Anna Karenina in Constance Garnett's translation
# (public domain, 1.98 MB, 83 distinct characters; not part of this repository). The run takes
# four to five minutes on two cores and needs about 200 MB of memory. Timings depend on the
# machine and on what else runs, so this is not a CI check: run it by hand on a quiet machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { printf 'anna-run: %s\n' "$*" >&2; }
die() { printf 'anna-run: error: %s\n' "$*" >&2; exit 1; }

TEXT="" TORCH=0
for arg in "$@"; do
    case "$arg" in
        --torch) TORCH=1 ;;
        -h | --help)
            sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        -*) die "unknown option '$arg' (use --torch, or nothing)" ;;
        *)
            [[ -z "$TEXT" ]] || die "one TEXT only (got '$TEXT' and '$arg')"
            TEXT="$arg"
            ;;
    esac
done
[[ -n "$TEXT" ]] || die "give the text to train on: tools/anna-run.sh TEXT [--torch]"
[[ -r "$TEXT" ]] || die "cannot read '$TEXT'"
TEXT="$(cd "$(dirname "$TEXT")" && pwd)/$(basename "$TEXT")"
if [[ "$TORCH" -eq 1 ]]; then
    python3 -c "import torch" 2>/dev/null ||
        die "--torch needs PyTorch: python3 -m pip install -r tools/requirements-torch.txt"
fi

GENERATED="$ROOT/book/src/generated"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$ROOT"
say "building the release binary"
cargo build --quiet --release
BIN="$ROOT/target/release/min-char-rnn"
cd "$WORK"

# One epoch is the number of training chunks, which the untrained run's log states. The run
# validates after iteration 0 and every EPOCH iterations (iteration n is the (n+1)-th step), so
# one iteration more than five epochs puts the last validation in the log and the plot too.
"$BIN" train "$TEXT" --cell lstm --iterations 0 --checkpoint init.ckpt --plot init.svg \
    >init.txt 2>&1 || die "the untrained run failed: $(cat init.txt)"
EPOCH="$(sed -n 's/.*: \([0-9]*\) to train on (one epoch).*/\1/p' init.txt)"
[[ -n "$EPOCH" ]] || die "no epoch size in the log: $(cat init.txt)"
ITERATIONS=$((5 * EPOCH + 1))
CPU="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
CORES="$(nproc)"

COMMAND="min-char-rnn train $(basename "$TEXT") --cell lstm --iterations $ITERATIONS --eval-every $EPOCH --sample-every 0"
say "training for $ITERATIONS iterations (five epochs and one): four to five minutes"
{
    echo "\$ $COMMAND"
    echo "# machine: $CPU, $CORES cores; seconds since the start, then the log"
    start=$EPOCHREALTIME
    "$BIN" train "$TEXT" --cell lstm --iterations "$ITERATIONS" --eval-every "$EPOCH" \
        --sample-every 0 --checkpoint anna.ckpt --plot anna-run.svg 2>/dev/null |
        while IFS= read -r line; do
            now=$EPOCHREALTIME
            printf '%6.1f  %s\n' "$(awk -v a="$start" -v b="$now" 'BEGIN { print b - a }')" "$line"
        done
} >anna-run.txt
grep -q "best val" anna-run.txt || die "the run did not finish: $(tail -n 5 anna-run.txt)"

{
    echo "\$ min-char-rnn sample --checkpoint anna.best.ckpt --length 600 --temperature 0.8"
    "$BIN" sample --checkpoint anna.best.ckpt --length 600 --temperature 0.8
} >anna-sample.txt

mkdir -p "$GENERATED"
cp anna-run.txt anna-run.svg anna-sample.txt "$GENERATED/"
say "wrote book/src/generated/anna-run.txt, anna-run.svg and anna-sample.txt"

if [[ "$TORCH" -eq 1 ]]; then
    torch_run() { # the output file, then the options
        local out="$1"
        shift
        say "training the same model with PyTorch, float64, one thread (20 to 30 minutes)"
        {
            echo "\$ python3 tools/torch_charrnn.py $(basename "$TEXT") --epochs 5 --threads 1 $*"
            python3 "$ROOT/tools/torch_charrnn.py" "$TEXT" --epochs 5 --threads 1 "$@"
        } >"$out"
        cp "$out" "$GENERATED/"
        say "wrote book/src/generated/$out"
    }
    torch_run anna-torch.txt
    torch_run anna-torch-same.txt --init init.ckpt --one-bias
fi
