#!/usr/bin/env bash
# Regenerates what the chapter "What the network learned" (book/src/what-it-learned.md) shows:
#
#   book/src/generated/explain-train.txt      the training run the pages come from (its
#                                             validation figures)
#   book/src/generated/explain-run.txt        `min-char-rnn explain` with no text: the start of
#                                             the corpus, what it prints
#   book/src/generated/explain-held-out.txt   `explain` on the held-out part of the corpus, whose
#                                             loss is the run's final validation loss
#   book/src/generated/explain-errors.txt     what it says about a text with characters the
#                                             network never saw, and about a file it may not
#                                             replace
#   book/src/generated/explain-*.png          screenshots of the held-out page in headless
#                                             Chromium: shaded by surprise with one character's
#                                             guesses, shaded by the best units, and on a phone
#
#   tools/explain-screenshots.sh           regenerate them all (works from any directory)
#   tools/explain-screenshots.sh --check   regenerate into a temporary directory and compare the
#                                          text files with the committed ones (the screenshots
#                                          are not compared: fonts differ between machines);
#                                          exits 1 and shows the differences if any is out of date
#
# The run trains the default network (H = 100, T = 25) on the built-in corpus for 200 000
# iterations with a tenth held out: about half a minute on one core. Every command is
# deterministic (a fixed seed), and runs in the fixed directory /tmp/min-char-rnn-explain, made
# afresh and removed at the end, so the paths the messages print are the same everywhere.
#
# Needs cargo and Chromium (`apt-get install -y chromium`; the script looks for chromium,
# chromium-browser and google-chrome). Without Chromium, --check still compares the text files.
set -euo pipefail
# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_check_args "$@"

WORK="/tmp/min-char-rnn-explain"
ITERATIONS=200000
VAL_FRACTION=0.1

make_scratch_dir OUT

CHROMIUM=""
for candidate in chromium chromium-browser google-chrome; do
    if command -v "$candidate" >/dev/null 2>&1; then
        CHROMIUM="$(command -v "$candidate")"
        break
    fi
done
if [[ -z "$CHROMIUM" && "$CHECK" -eq 0 ]]; then
    die "no Chromium found for the screenshots (apt-get install -y chromium)"
fi

# --- the binary -----------------------------------------------------------------------------------

BIN="$(release_binary --bin min-char-rnn)"

fresh_dir "$WORK"
mkdir -p "$WORK/data"
cp "$ROOT/data/corpus.txt" "$WORK/data/corpus.txt"
cd "$WORK"

# `mcr ARGS…`: runs min-char-rnn with ARGS and prints a transcript: the command line, then
# stdout and stderr as they come, then the exit code if it is not 0.
mcr() {
    printf '$ min-char-rnn %s\n' "$*"
    local status=0
    "$BIN" "$@" 2>&1 || status=$?
    if [[ "$status" -ne 0 ]]; then
        printf '[exit code %s]\n' "$status"
    fi
}

# --- the network ------------------------------------------------------------------------------------

say "training ($ITERATIONS iterations on the corpus, a tenth held out)"
train_args=(train --iterations "$ITERATIONS" --val-fraction "$VAL_FRACTION" --eval-every 20000
    --sample-every 0 --print-every 0)
"$BIN" "${train_args[@]}" >train.log 2>/dev/null
{
    printf '$ min-char-rnn %s\n' "${train_args[*]}"
    cat train.log
} >"$OUT/explain-train.txt"
grep -q '^final val ' train.log || die "the training log has no final validation figures"

# --- the pages --------------------------------------------------------------------------------------

say "explaining the start of the corpus and the held-out part"
mcr explain >"$OUT/explain-run.txt"
# The held-out part is the last tenth of the corpus (ASCII: as many bytes as characters).
chars="$(wc -c <data/corpus.txt)"
held_out="$(awk -v n="$chars" -v f="$VAL_FRACTION" 'BEGIN { printf "%d", n * f + 0.5 }')"
tail -c "$held_out" data/corpus.txt >held-out.txt
{
    printf '$ tail -c %s data/corpus.txt > held-out.txt\n' "$held_out"
    mcr explain held-out.txt --out held-out.html
    printf '$ grep "final val" train.log\n'
    grep 'final val' train.log
} >"$OUT/explain-held-out.txt"
page_loss="$(sed -n 's/^\(loss\/char: [0-9.]*\).*/\1/p' "$OUT/explain-held-out.txt")"
val_loss="$(sed -n 's/^final val \(loss\/char: [0-9.]*\).*/\1/p' train.log)"
[[ -n "$page_loss" && "$page_loss" == "$val_loss" ]] \
    || die "the page's loss ($page_loss) is not the run's final validation loss ($val_loss)"

say "bad input"
printf 'The cat sat.\nZebra, Zebra and \xc3\xa9mus!\n' >odd.txt
printf 'my notes\n' >notes.html
{
    printf '%s\n' "\$ printf 'The cat sat.\\nZebra, Zebra and émus!\\n' > odd.txt"
    mcr explain odd.txt
    echo
    printf '%s\n' "\$ printf 'my notes\\n' > notes.html"
    mcr explain held-out.txt --out notes.html
} >"$OUT/explain-errors.txt"

# --- the screenshots --------------------------------------------------------------------------------

# The best unit of a feature, as the page's address names it: "h[81]" -> "h81".
best_unit() {
    sed -n "s/^  $1 *\([a-z0-9 ]*\)\[\([0-9]*\)\].*/\1\2/p" "$OUT/explain-held-out.txt" \
        | tr -d ' ' | head -n 1
}
# The number (counted from 1, as the page counts) of the character just after the first
# occurrence of $1 in the held-out text: its byte offset (from 0) plus the length, plus 1.
after() {
    local at
    at="$(grep -b -o -F -- "$1" held-out.txt | head -n 1 | cut -d: -f1)"
    [[ -n "$at" ]] || die "'$1' is not in the held-out text"
    echo $((at + ${#1} + 1))
}
shot() { # shot NAME WIDTH,HEIGHT FRAGMENT
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --mute-audio \
        --no-first-run --force-device-scale-factor=1 --virtual-time-budget=3000 \
        --window-size="$2" --screenshot="$OUT/$1" "file://$WORK/held-out.html#$3" \
        >/dev/null 2>&1
    [[ -s "$OUT/$1" ]] || die "Chromium wrote no $1"
}

if [[ -n "$CHROMIUM" && "$CHECK" -eq 0 ]]; then
    say "screenshots with $CHROMIUM"
    word_unit="$(best_unit 'position in the word')"
    stop_unit="$(best_unit 'after a full stop')"
    [[ -n "$word_unit" && -n "$stop_unit" ]] || die "no ranked units in explain's output"
    # After "said ", the network must guess who said it: a name, a capital letter.
    shot explain-surprise.png 1000,820 "focus=$(after ' said ')"
    shot explain-unit-word.png 1000,620 "unit=$word_unit"
    shot explain-unit-stop.png 1000,620 "unit=$stop_unit"
    shot explain-phone.png 390,1100 "focus=$(after 'until ')"
fi

# --- compare or install -----------------------------------------------------------------------------

# With --check no screenshot was taken: the text files alone are compared.
[[ "$CHECK" -eq 0 ]] || say "the screenshots are not compared (fonts differ between machines)"
publish "$OUT"
