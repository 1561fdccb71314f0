#!/usr/bin/env bash
# Tests the crate's gdb pretty-printers (src/debugger/min_char_rnn_gdb.py, embedded in every
# binary by src/lib.rs) and writes what they show, for the debugger chapter:
#
#   book/src/generated/gdb-printers.txt   the notebook example (the `debugging` profile) under
#                                         rust-gdb, stopped in backward at the first iteration:
#                                         gdb reports the embedded script as loaded; a Vector
#                                         (dy), a Matrix (w_hh) as a grid, a ForwardCache; one
#                                         entry of a Matrix three ways (`m[(0, 1)]`, which gdb
#                                         cannot parse, `m.row(0)[1]` and `$at(m, 0, 1)`); and,
#                                         once backward has returned, the Grads it computed
#
#   tools/gdb-printers.sh           # from any directory; writes the file
#   tools/gdb-printers.sh OUT_DIR   # writes it into OUT_DIR (tools/book-outputs.sh --check)
#
# Then it checks the file and fails, naming what is wrong, unless: the script was loaded; the
# Vector prints as `Vector(71) [` and six numbers, then `...]`; the Matrix prints as
# `Matrix(100 x 100)` and a grid of six rows of six right-aligned numbers and `...`, then a
# line `...`; the ForwardCache and the Grads print one line per field, each field with its
# shape; `row(0)[1]` and `$at` give the same number. (Six because the session sets
# `print elements` to 6, as the chapter does.)
#
# Needs gdb (Debian: `apt-get install -y gdb`) and rust-gdb, which rustup installs with the
# toolchain.
set -euo pipefail
# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT_DIR="${1:-book/src/generated}"
command -v gdb >/dev/null 2>&1 || die "gdb is not installed (Debian/Ubuntu: apt-get install -y gdb)"
command -v rust-gdb >/dev/null 2>&1 || die "rust-gdb is not on PATH (it comes with a rustup toolchain)"
mkdir -p "$OUT_DIR"
# shellcheck source=tools/gdb-session.sh
source "$ROOT/tools/gdb-session.sh"

# dhraw[i] = …: by then, at the first iteration, dy, the cache and the parameters are all set.
line="$(line_after tanh_backward 'dhraw\\[i\\] =' src/backward.rs)"

cargo build --quiet --profile debugging --example notebook
binary="${CARGO_TARGET_DIR:-target}/debugging/examples/notebook"
[[ -x "$binary" ]] || die "$binary was not built"

out="$OUT_DIR/gdb-printers.txt"
{
    echo "\$ cargo build --profile debugging --example notebook"
    echo "\$ rust-gdb -q -iex \"add-auto-load-safe-path target\" target/debugging/examples/notebook"
} >"$out"
session "$binary" "$out" \
    "info auto-load python-scripts notebook" \
    "set print elements 6" \
    "break src/backward.rs:$line if i == 0" \
    "run > /dev/null" \
    "print dy" \
    "print params.w_hh" \
    "print params.w_hh[(0, 1)]" \
    "print params.w_hh.row(0)[1]" \
    "print \$at(params.w_hh, 0, 1)" \
    "print *cache" \
    "delete" \
    "finish" \
    "print *grads"
say "wrote $out"

# --- the checks ----------------------------------------------------------------------------------

mapfile -t lines <"$out"
fail() { die "$out: $* (the whole session is in that file)"; }

# Prints the index in `lines` of the first line matching the regex $1, or fails with $2.
find_line() {
    local k
    for k in "${!lines[@]}"; do
        if [[ "${lines[$k]}" =~ $1 ]]; then
            echo "$k"
            return
        fi
    done
    fail "$2"
}

# Checks that the lines after index $1 match the regexes $2…, one for one.
expect_after() {
    local k="$1" regex
    shift
    for regex in "$@"; do
        k=$((k + 1))
        [[ "${lines[$k]:-}" =~ $regex ]] \
            || fail "line $((k + 1)) is '${lines[$k]:-}', where '$regex' was expected"
    done
}

number='-?[0-9]+(\.[0-9]+)?(e-?[0-9]+)?'
find_line '^Yes +pretty-printer-notebook-0$' \
    "gdb did not load the embedded pretty-printers (no 'Yes pretty-printer-notebook-0')" >/dev/null

find_line "^\\\$[0-9]+ = Vector\\(71\\) \\[($number, ){6}\\.\\.\\.\\]\$" \
    "dy does not print as 'Vector(71) [' and six numbers, then '...]'" >/dev/null

row="^  \\[ *$number(, +$number){5}, \\.\\.\\.\\]\$"
k="$(find_line '^\$[0-9]+ = Matrix\(100 x 100\)$' "w_hh does not print as 'Matrix(100 x 100)'")"
expect_after "$k" "$row" "$row" "$row" "$row" "$row" "$row" '^  \.\.\.$'
# The grid is aligned: every row as long as the first.
for j in 2 3 4 5 6; do
    [[ "${#lines[$((k + j))]}" == "${#lines[$((k + 1))]}" ]] \
        || fail "the rows of the grid of w_hh are not aligned (line $((k + j + 1)))"
done

k="$(find_line '^\$[0-9]+ = ForwardCache \{$' "*cache does not print as 'ForwardCache {'")"
expect_after "$k" \
    '^  inputs = \[[0-9]+, [0-9]+, [0-9]+, [0-9]+, \.\.\.\] \(25 of them\)$' \
    '^  h_prev = Vector\(100\) \[' \
    '^  hs     = 25 x Vector\(100\): \[0\] \[.*\], \.\.\., \[24\] \[' \
    '^  ys     = 25 x Vector\(71\): \[0\] \[' \
    '^  ps     = 25 x Vector\(71\): \[0\] \[' \
    '^}$'

k="$(find_line '^\$[0-9]+ = Grads \{$' "*grads does not print as 'Grads {'")"
expect_after "$k" \
    '^  dw_xh = Matrix\(100 x 71\) \[\[.*\], \.\.\.\], largest \|entry\| [0-9.e-]+ at \([0-9, ]+\)$' \
    '^  dw_hh = Matrix\(100 x 100\) \[\[' \
    '^  dw_hy = Matrix\(71 x 100\) \[\[' \
    '^  db_h  = Vector\(100\) \[.*\], largest \|entry\| [0-9.e-]+ at [0-9]+$' \
    '^  db_y  = Vector\(71\) \[' \
    '^}$'

# `row(0)[1]` and `$at(m, 0, 1)` print the same number: the two answers after their commands.
k="$(find_line '^\(gdb\) print params\.w_hh\.row\(0\)\[1\]$' "no 'print params.w_hh.row(0)[1]'")"
by_row="${lines[$((k + 1))]#*= }"
k="$(find_line '^\(gdb\) print \$at\(params\.w_hh, 0, 1\)$' "no 'print \$at(params.w_hh, 0, 1)'")"
by_at="${lines[$((k + 1))]#*= }"
[[ "$by_row" =~ ^$number$ && "$by_row" == "$by_at" ]] \
    || fail "row(0)[1] gives '$by_row' and \$at(m, 0, 1) gives '$by_at'"

say "the pretty-printers print as designed"
