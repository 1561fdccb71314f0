#!/usr/bin/env bash
# Runs the crate under rust-gdb and writes what a reader would see at the terminal, for the
# debugger chapter:
#
#   book/src/generated/gdb-transcript.txt   the notebook example (the `debugging` profile),
#                                           stopped in the forward pass (the tanh line of
#                                           hidden_step's loop, at t = 0 and t = 1: the
#                                           arguments, the locals, h, and h_0 through `$at`,
#                                           since gdb cannot index the Vec cache.hs) and in the
#                                           backward pass (the line that computes dhraw, at the
#                                           last two time steps: the locals, dy, dhraw, dhnext),
#                                           with a `step` from backward into the plain loop of
#                                           Matrix::matvec_transposed; `list` shows the lines
#                                           with their numbers first
#   book/src/generated/gdb-test-locals.txt  `info locals` at that line of backward in the test
#                                           binary of tests/backward.rs, built as `cargo test`
#                                           builds it (opt-level 2) and with the `debugging`
#                                           profile (opt-level 0)
#   book/src/generated/gdb-traps.txt        the traps the chapter names, each with its way out:
#                                           `break` with a full path or a bare name, in a release
#                                           and in a debugging build; `h_prev[1]` on a reference;
#                                           `step` into the standard library, and `skip`; `finish`
#                                           with a breakpoint still set in the loop
#
#   tools/gdb-transcript.sh           # from any directory; writes the three files
#   tools/gdb-transcript.sh OUT_DIR   # writes them into OUT_DIR (tools/book-outputs.sh --check)
#
# The breakpoints are found from the anchors in src/ (`hidden_step` in src/forward.rs,
# `backward` and `tanh_backward` in src/backward.rs, `matvec_transposed` in src/matrix.rs), not
# by line numbers, so the script keeps working when lines move; and where the chapter cites one
# of these lines by its number (`break src/backward.rs:193`, in its rust-lldb table and its
# challenges), the script checks that the number is still right. Addresses and the like are
# masked (tools/gdb-session.sh).
#
# The crate's own pretty-printers (src/debugger/min_char_rnn_gdb.py) are embedded in the
# binaries; gdb runs them because the sessions add the target folder to gdb's auto-load safe
# path, as the chapter tells the reader to.
#
# Needs gdb (Debian: `apt-get install -y gdb`) and rust-gdb, which rustup installs with the
# toolchain; rust-gdb starts gdb with Rust's pretty printers (a Vec prints as a list).
set -euo pipefail
# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT_DIR="${1:-book/src/generated}"
command -v gdb >/dev/null 2>&1 || die "gdb is not installed (Debian/Ubuntu: apt-get install -y gdb)"
command -v rust-gdb >/dev/null 2>&1 || die "rust-gdb is not on PATH (it comes with a rustup toolchain)"
mkdir -p "$OUT_DIR"
# shellcheck source=tools/gdb-session.sh
source "$ROOT/tools/gdb-session.sh"

# hidden_step, whole, as the chapter shows it: the lines between its anchors.
step_first="$(line_after hidden_step '.' src/forward.rs)"
step_last="$(line_after hidden_step '^}' src/forward.rs)"
# h[i] = math::tanh(…) in hidden_step's loop: the memory's contribution is in h, the tanh not yet.
tanh_line="$(line_after hidden_step 'h\\[i\\] = math::tanh' src/forward.rs)"
# backward's loop over time, from its `for` line to its closing brace (one past the dhnext line).
loop_first="$(line_after backward 'for t in \\(0\\.\\.cache\\.len\\(\\)\\)\\.rev' src/backward.rs)"
# let h_t = cache.hs[t][i]; and dhraw[i] = …, the gradient back through the tanh.
h_t_line="$(line_after tanh_backward 'let h_t = ' src/backward.rs)"
line="$(line_after tanh_backward 'dhraw\\[i\\] =' src/backward.rs)"
# dhnext = Whhᵀ·dhraw, a call of the plain Matrix::matvec_transposed.
dhnext_line="$(line_after tanh_backward 'matvec_transposed\\(&dhraw' src/backward.rs)"
loop_last="$((dhnext_line + 1))"
# out[c] = sum, the end of one column's running sum in Matrix::matvec_transposed.
sum_line="$(line_after matvec_transposed 'out\\[c\\] = sum' src/matrix.rs)"

# The chapter cites some of these lines by number, in its prose, its rust-lldb table and its
# challenges, as `src/backward.rs:193` or `--file backward.rs --line 193`. Each such number
# must still be the line this script stops at; if lines moved, the chapter needs the new ones.
declare -A cited_ok=(
    [forward.rs]=" $tanh_line "
    [backward.rs]=" $h_t_line $line $dhnext_line "
    [matrix.rs]=" $sum_line "
)
while read -r file number; do
    [[ -n "$file" ]] || continue
    [[ "${cited_ok[$file]:-}" == *" $number "* ]] || die "book/src/debugger.md cites \
$file:$number, but the lines this script stops at in src/$file are now:${cited_ok[$file]:- none}"
done < <(grep -oE '(forward|backward|matrix)\.rs(:| --line )[0-9]+' book/src/debugger.md \
    | sed -E 's/(:| --line )/ /')

# --- 1. the notebook example, in the debugging profile -------------------------------------------

# The `debugging` profile of Cargo.toml: unoptimised, so no variable is `<optimized out>`, and
# in its own folder, target/debugging/, which `cargo test` does not overwrite.
cargo build --quiet --profile debugging --example notebook
binary="${CARGO_TARGET_DIR:-target}/debugging/examples/notebook"
[[ -x "$binary" ]] || die "$binary was not built"

out="$OUT_DIR/gdb-transcript.txt"
{
    echo "\$ cargo build --profile debugging --example notebook"
    echo "\$ rust-gdb -q -iex \"add-auto-load-safe-path target\" target/debugging/examples/notebook"
} >"$out"
# The example's own output goes to /dev/null (`run > /dev/null`); what remains is gdb's.
# The notebook samples (cell 5) before its first forward pass (cell 6), and sampling calls
# hidden_step too: so the breakpoint in hidden_step is set only once forward has been reached.
# gdb cannot index a Vec (`print cache.hs[t]` fails); `$at`, a function of the crate's gdb
# script, can.
session "$binary" "$out" \
    "set print elements 6" \
    "break min_char_rnn::forward::forward" \
    "run > /dev/null" \
    "list src/forward.rs:$step_first,$step_last" \
    "break src/forward.rs:$tanh_line if i == 0" \
    "continue" \
    "info args" \
    "info locals" \
    "print *h" \
    "backtrace" \
    "finish" \
    "print t" \
    "print cache.hs[t]" \
    "print \$at(cache.hs, t)" \
    "continue" \
    "print *h_prev" \
    "print *h" \
    "delete" \
    "list src/backward.rs:$loop_first,$loop_last" \
    "break src/backward.rs:$line if i == 0" \
    "continue" \
    "info locals" \
    "print targets[t]" \
    "print dy.as_slice()[targets[t]]" \
    "print dy.sum()" \
    "print (1.0 - h_t * h_t) * dh.as_slice()[i]" \
    "next" \
    "print dhraw.as_slice()[0]" \
    "advance $dhnext_line" \
    "step" \
    "backtrace" \
    "advance $sum_line" \
    "info locals" \
    "finish" \
    "print dhnext" \
    "continue" \
    "print t" \
    "print dhnext"
say "wrote $out"

# --- 2. a test binary, optimised and not ---------------------------------------------------------

out="$OUT_DIR/gdb-test-locals.txt"
: >"$out"
for profile in test debugging; do
    if [[ "$profile" == test ]]; then
        build=(cargo test --no-run --test backward) # as `cargo test` builds it
    else
        build=(cargo test --profile debugging --no-run --test backward)
        echo >>"$out"
    fi
    # Cargo names the test binary with a hash (target/…/deps/backward-<hash>) and prints it.
    test_binary="$(env -u CARGO_PROFILE_TEST_OPT_LEVEL "${build[@]}" 2>&1 \
        | sed -nE 's/^ *Executable tests\/backward\.rs \((.*)\)$/\1/p')"
    [[ -x "$test_binary" ]] || die "could not find the test binary of tests/backward.rs"
    folder="$([[ "$profile" == test ]] && echo debug || echo debugging)"
    {
        echo "\$ ${build[*]}"
        echo "\$ rust-gdb -q -iex \"add-auto-load-safe-path target\" \
target/$folder/deps/backward-<hash>"
    } >>"$out"
    session "$test_binary" "$out" \
        "break src/backward.rs:$line" \
        "run --test-threads=1 > /dev/null" \
        "info locals"
done
say "wrote $out"

# --- 3. the traps -------------------------------------------------------------------------------

out="$OUT_DIR/gdb-traps.txt"
# A function's name: a full path works in a build with full debug info, a bare name in a build
# with line tables only (the release profile), and never the other way round.
cargo build --quiet --release --example notebook
release="${CARGO_TARGET_DIR:-target}/release/examples/notebook"
[[ -x "$release" ]] || die "$release was not built"
{
    echo "\$ cargo build --release --example notebook"
    echo "\$ rust-gdb -q target/release/examples/notebook"
} >"$out"
session "$release" "$out" \
    "break min_char_rnn::backward::backward" \
    "break backward"
{
    echo
    echo "\$ rust-gdb -q -iex \"add-auto-load-safe-path target\" target/debugging/examples/notebook"
} >>"$out"
# Then, in the debugging build: the names; `h_prev[1]` on a reference, at t = 1, when h_prev
# is h_0 and not zero; `step` into the standard library, then with `skip`; `finish` out of
# backward with the conditional breakpoint still set, then deleted.
session "$binary" "$out" \
    "break min_char_rnn::backward::backward" \
    "break backward" \
    "delete" \
    "set print elements 6" \
    "break min_char_rnn::forward::forward" \
    "run > /dev/null" \
    "break src/forward.rs:$tanh_line if i == 0" \
    "continue" \
    "continue" \
    "print *h_prev" \
    "print h_prev[1]" \
    "print h_prev.as_slice()[1]" \
    "print \$at(h_prev, 1)" \
    "delete" \
    "break src/backward.rs:$line if i == 0" \
    "continue" \
    "step" \
    "step" \
    "finish" \
    "skip -rfu ^(core|alloc|std)::" \
    "step" \
    "step" \
    "step" \
    "print t" \
    "finish" \
    "print t" \
    "delete" \
    "finish"
say "wrote $out"
