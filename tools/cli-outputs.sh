#!/usr/bin/env bash
# Regenerates what the chapter "Checkpoints and the command line" (book/src/cli.md) shows:
#
#   book/src/generated/cli-*.txt   what the commands print (help texts, the training log, the
#                                  head of a small checkpoint, the error messages, ...)
#   book/src/img/cli-loss.svg      the loss plot of a 3000-iteration run with --val-fraction 0.1
#
#   tools/cli-outputs.sh           regenerate them all (works from any directory)
#   tools/cli-outputs.sh --check   regenerate into a temporary directory and compare with the
#                                  committed files; exits 1 and shows the differences if any
#                                  file is out of date
#
# Every command is deterministic: a fixed seed gives the same log, checkpoint and plot, bit for
# bit, every time (on the same platform: the last bits of exp, ln and tanh come from the
# system's maths library). The commands run in the fixed directory /tmp/min-char-rnn-book,
# made afresh and removed at the end, so the absolute paths that some messages print are the
# same on every machine. Nothing is written to the repository except the files above.
#
# Two files are regenerated but never compared by --check, because they contain the order in
# which parallel tests finish (it varies from run to run): cli-test-cli.txt and
# cli-test-checkpoint.txt, the output of `cargo test --test cli` and `--test checkpoint`.
#
# Needs cargo, and python3 with numpy for cli-python.txt (the chapter's Python loader, taken
# from the ```python blocks of book/src/cli.md that start with `# load_checkpoint.py`, run
# against a real checkpoint). Without numpy, --check skips that one file and says so.
set -euo pipefail
# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_check_args "$@"

WORK="/tmp/min-char-rnn-book"

# Outputs go to a scratch directory first; without --check they are then copied into place.
make_scratch_dir OUT

# --- the binary -----------------------------------------------------------------------------------

BIN="$(release_binary --bin min-char-rnn)"

fresh_dir "$WORK"
mkdir -p "$WORK/data"
cp "$ROOT/data/corpus.txt" "$WORK/data/corpus.txt"
cd "$WORK"

# --- helpers --------------------------------------------------------------------------------------

# Prints a command line as a reader would type it: arguments with spaces or quotes in
# double quotes.
shown() {
    local out="" arg
    for arg in "$@"; do
        if [[ "$arg" =~ ^[A-Za-z0-9_./=:,+-]+$ ]]; then
            out+=" $arg"
        else
            out+=" \"$arg\""
        fi
    done
    printf '$%s\n' "$out"
}

# `mcr ARGS…`: runs min-char-rnn with ARGS and prints a transcript: the command line, then
# stdout and stderr as they come, then the exit code if it is not 0.
mcr() {
    shown min-char-rnn "$@"
    local status=0
    "$BIN" "$@" 2>&1 || status=$?
    if [[ "$status" -ne 0 ]]; then
        printf '[exit code %s]\n' "$status"
    fi
}

# `sh_line 'COMMAND'`: prints `$ COMMAND`, then runs it with bash and prints what it prints.
sh_line() {
    printf '$ %s\n' "$1"
    bash -c "$1" 2>&1
}

# --- help texts -----------------------------------------------------------------------------------

say "help texts"
"$BIN" train --help >"$OUT/cli-train-help.txt"
"$BIN" sample --help >"$OUT/cli-sample-help.txt"

# --- a tiny checkpoint, and the file format -------------------------------------------------------

say "a tiny checkpoint"
"$BIN" train data/corpus.txt --hidden-size 4 --seq-length 5 --iterations 10 \
    --checkpoint tiny.ckpt --plot tiny.svg >/dev/null 2>&1
{
    sh_line 'head -n 23 tiny.ckpt | cut -c 1-88'
} >"$OUT/cli-tiny-head.txt"
{
    sh_line "grep -n -e '^@' -e '^end' tiny.ckpt"
    sh_line 'tail -n 9 tiny.ckpt'
} >"$OUT/cli-tiny-blocks.txt"

# --- bad input ------------------------------------------------------------------------------------

say "bad input"
: >empty.txt
printf 'hello\nw\xffrld\n' >bad.txt
printf 'too short\n' >short.txt
head -c 2000 tiny.ckpt >cut.ckpt
sed 's/^version 1$/version 3/' tiny.ckpt >v3.ckpt
cp tiny.ckpt run.ckpt
{
    printf '%s\n' '$ : > empty.txt' \
        "$ printf 'hello\\nw\\xffrld\\n' > bad.txt" \
        "$ printf 'too short\\n' > short.txt"
    echo
    mcr train missing.txt
    echo
    mcr train empty.txt
    echo
    mcr train bad.txt
    echo
    mcr train short.txt
} >"$OUT/cli-errors-text.txt"
{
    mcr train --hidden-size 0
    echo
    mcr train --learning-rate nan
    echo
    mcr train --iteratons 5000
    echo
    mcr book.txt
    echo
    mcr sample --temperature 0
} >"$OUT/cli-errors-usage.txt"
{
    echo '$ head -c 2000 tiny.ckpt > cut.ckpt'
    echo "\$ sed 's/^version 1\$/version 3/' tiny.ckpt > v3.ckpt"
    echo
    mcr sample
    echo
    mcr sample --checkpoint cut.ckpt
    echo
    mcr sample --checkpoint v3.ckpt
    echo
    mcr sample --checkpoint tiny.ckpt --prime "Zebra"
    echo
    echo '$ cp tiny.ckpt run.ckpt'
    mcr train --resume run.ckpt --iterations 20 --learning-rate 1e300
    echo
    sh_line 'cmp tiny.ckpt run.ckpt && echo "run.ckpt is unchanged"'
} >"$OUT/cli-errors-checkpoint.txt"

# --- the default run: the log, the status lines, sampling ------------------------------------------

say "the default run (20 000 iterations: a few seconds)"
"$BIN" >log.txt 2>status.txt
head -n 12 log.txt >"$OUT/cli-log-head.txt"
sed -n '/^iter 18900,/,/^iter 19000,/p' log.txt >"$OUT/cli-log-19000.txt"
[[ -s "$OUT/cli-log-19000.txt" ]] || die "the default run's log has no iteration 18900"
cp status.txt "$OUT/cli-log-status.txt"
mcr sample --checkpoint min-char-rnn.ckpt --temperature 0.7 --prime "The town" >"$OUT/cli-sample.txt"
{
    mcr sample --length 200 --temperature 0.5
    echo
    mcr sample --length 200 --temperature 1.5
} >"$OUT/cli-sample-temperatures.txt"

# --- the Python loader of the chapter, against the default run's checkpoint ------------------------

python_ok=1
if ! python3 -c 'import numpy' >/dev/null 2>&1; then
    python_ok=0
    if [[ "$CHECK" -eq 0 ]]; then
        die "python3 with numpy is needed for cli-python.txt (pip install -r tools/requirements.txt)"
    fi
    say "note: python3 with numpy is not available: cli-python.txt is NOT checked"
fi
if [[ "$python_ok" -eq 1 ]]; then
    say "the chapter's Python loader"
    awk '
        /^```python$/ { fence = 1; next }
        fence == 1 { fence = 0; keep = ($0 ~ /^# load_checkpoint\.py/) }
        /^```$/ { keep = 0; next }
        keep { print }
    ' "$ROOT/book/src/cli.md" >load_checkpoint.py
    grep -q 'def load_checkpoint' load_checkpoint.py \
        || die "no \`\`\`python block starting with '# load_checkpoint.py' in book/src/cli.md"
    {
        sh_line 'python3 load_checkpoint.py min-char-rnn.ckpt'
        mcr sample --argmax --prime "The " --length 60
    } >"$OUT/cli-python.txt"
    from_python="$(python3 load_checkpoint.py min-char-rnn.ckpt | tail -n 1)"
    from_rust="$("$BIN" sample --argmax --prime "The " --length 60)"
    [[ "$from_python" == "$from_rust" ]] \
        || die "the Python loader's argmax text differs from min-char-rnn's:
  python: $from_python
  rust:   $from_rust"
fi

# --- resuming is bit for bit ------------------------------------------------------------------------

say "resuming"
mkdir resume && cd resume
"$BIN" train --iterations 2000 --checkpoint whole.ckpt >whole.log 2>/dev/null
"$BIN" train --iterations 1000 --checkpoint half.ckpt >half.log 2>/dev/null
{
    echo '$ min-char-rnn train --iterations 2000 --checkpoint whole.ckpt > whole.log'
    echo '$ min-char-rnn train --iterations 1000 --checkpoint half.ckpt > half.log'
    echo '$ min-char-rnn train --resume half.ckpt --iterations 2000 > rest.log'
    { "$BIN" train --resume half.ckpt --iterations 2000 >rest.log; } 2>&1
    sh_line 'tail -n 2 whole.log'
    sh_line 'tail -n 2 rest.log'
    sh_line 'cmp whole.ckpt half.ckpt && echo "the same bytes"'
} >"$OUT/cli-resume.txt"
cd "$WORK"

# --- validation and the loss plot -----------------------------------------------------------------

say "validation and the loss plot (3000 iterations)"
mkdir val && cd val
"$BIN" train --iterations 3000 --val-fraction 0.1 --eval-every 100 --sample-every 0 >log.txt 2>/dev/null
{
    echo '$ min-char-rnn train --iterations 3000 --val-fraction 0.1 --eval-every 100 --sample-every 0'
    head -n 5 log.txt
    echo '...'
    tail -n 4 log.txt
} >"$OUT/cli-val.txt"
cp loss.svg "$OUT/cli-loss.svg"
cd "$WORK"

# --- the tests (regenerated, never compared: parallel tests finish in any order) -------------------

if [[ "$CHECK" -eq 0 ]]; then
    for test in cli checkpoint; do
        say "cargo test --test $test"
        (cd "$ROOT" && cargo test --test "$test" 2>&1) \
            | sed -n '/^running /,/^test result: /p' \
            | sed -E 's/; finished in [0-9.]+s$//' >"$OUT/cli-test-$test.txt"
        grep -q '^test result: ok' "$OUT/cli-test-$test.txt" || die "cargo test --test $test failed"
    done
fi

# --- compare or install ---------------------------------------------------------------------------

# The plot goes with the book's images, the rest with the generated files.
committed_place() {
    case "$1" in
        *.svg) echo "book/src/img/$1" ;;
        *) echo "$GENERATED/$1" ;;
    esac
}

publish "$OUT"
