#!/usr/bin/env bash
# Runs the crate under rust-gdb and writes what a reader would see at the terminal, for the
# debugger chapter:
#
#   book/src/generated/gdb-transcript.txt   the notebook example (dev profile), stopped in the
#                                           forward pass (the tanh line of hidden_step's loop,
#                                           at t = 0 and t = 1: the arguments, the locals, h,
#                                           and h_0 through the buffer of the Vec cache.hs,
#                                           which gdb cannot index) and in the backward pass
#                                           (the line that computes dhraw, at the last two time
#                                           steps: the locals, dy, dhraw, dhnext), with a `step`
#                                           from backward into the plain loop of
#                                           Matrix::matvec_transposed
#   book/src/generated/gdb-test-locals.txt  `info locals` at that line of backward in the test
#                                           binary of tests/backward.rs, built as `cargo test`
#                                           builds it (opt-level 2) and with opt-level 0
#
#   tools/gdb-transcript.sh           # from any directory; writes both files
#   tools/gdb-transcript.sh OUT_DIR   # writes them into OUT_DIR (tools/book-outputs.sh --check)
#
# The breakpoints are found from the anchors in src/ (`hidden_step` in src/forward.rs,
# `tanh_backward` in src/backward.rs, `matvec_transposed` in src/matrix.rs), not by line
# numbers, so the script keeps working when lines move. Memory addresses change from machine
# to machine (the stack's position depends on the environment), so every hexadecimal address
# is replaced by `0x…`, and the lines that name a process or a thread are dropped.
#
# Needs gdb (Debian: `apt-get install -y gdb`) and rust-gdb, which rustup installs with the
# toolchain; rust-gdb starts gdb with Rust's pretty printers (a Vec prints as a list).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

die() { printf 'gdb-transcript: error: %s\n' "$*" >&2; exit 1; }

OUT_DIR="${1:-book/src/generated}"
command -v gdb >/dev/null 2>&1 || die "gdb is not installed (Debian/Ubuntu: apt-get install -y gdb)"
command -v rust-gdb >/dev/null 2>&1 || die "rust-gdb is not on PATH (it comes with a rustup toolchain)"
mkdir -p "$OUT_DIR"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT

# Prints the number of the first line of the file $3 that matches the awk pattern $2 after the
# line `// ANCHOR: $1`, or fails naming what it looked for.
line_after() {
    local anchor="$1" pattern="$2" file="$3" n
    n="$(awk -v anchor="ANCHOR: $anchor" -v pattern="$pattern" \
        'index($0, anchor) {found = 1; next} found && $0 ~ pattern {print NR; exit}' "$file")"
    [[ -n "$n" ]] || die "no line matching '$pattern' after the $anchor anchor in $file"
    echo "$n"
}
# h[i] = math::tanh(…) in hidden_step's loop: the memory's contribution is in h, the tanh not yet.
tanh_line="$(line_after hidden_step 'h\\[i\\] = math::tanh' src/forward.rs)"
# dhraw[i] = …, the gradient back through the tanh.
line="$(line_after tanh_backward 'dhraw\\[i\\] =' src/backward.rs)"
# dhnext = Whhᵀ·dhraw, a call of the plain Matrix::matvec_transposed.
dhnext_line="$(line_after tanh_backward 'matvec_transposed\\(&dhraw' src/backward.rs)"
# out[c] = sum, the end of one column's running sum in Matrix::matvec_transposed.
sum_line="$(line_after matvec_transposed 'out\\[c\\] = sum' src/matrix.rs)"

# Runs rust-gdb in batch mode on the program $1 with the gdb commands $3…, each echoed after a
# `(gdb) ` prompt so that the transcript reads like an interactive session, and appends the
# result, addresses masked, to the file $2.
session() {
    local program="$1" out="$2"
    shift 2
    local args=(-batch -nx -q) command
    for command in "$@"; do
        args+=(-ex "echo (gdb) $command\\n" -ex "$command")
    done
    rust-gdb "${args[@]}" "$program" >"$tmp" 2>&1 || die "rust-gdb failed on $program:
$(cat "$tmp")"
    sed -E \
        -e 's/0x[0-9a-f]{4,}/0x…/g' \
        -e '/^\[Inferior [0-9]+ \(process [0-9]+\)/d' \
        -e '/^\[(New |Switching to )?Thread /d' \
        -e '/libthread_db/d' \
        -e 's/^Thread [0-9]+ "[^"]*" hit //' \
        "$tmp" >>"$out"
}

# --- 1. the notebook example, in the dev profile -------------------------------------------------

# The dev profile: unoptimised, so no variable is `<optimized out>`.
cargo build --quiet --example notebook
binary="${CARGO_TARGET_DIR:-target}/debug/examples/notebook"
[[ -x "$binary" ]] || die "$binary was not built"

out="$OUT_DIR/gdb-transcript.txt"
{
    echo "\$ cargo build --example notebook"
    echo "\$ rust-gdb -q target/debug/examples/notebook"
} >"$out"
# The example's own output goes to /dev/null (`run > /dev/null`); what remains is gdb's.
# The notebook samples (cell 5) before its first forward pass (cell 6), and sampling calls
# hidden_step too: so the breakpoint in hidden_step is set only once forward has been reached.
# gdb cannot index a Vec (`print cache.hs[t]` fails), so `$hs` is set to the Vec's buffer, cast
# to a pointer to Vector. The path to that pointer (`buf.inner.ptr.pointer.pointer`) is private
# to the standard library and changes between Rust versions: if it does, `print/r cache.hs` in
# the transcript shows the new one; update it here and in book/src/debugger.md (the walk through
# this session and its rust-lldb table).
session "$binary" "$out" \
    "set print elements 6" \
    "break min_char_rnn::forward::forward" \
    "run > /dev/null" \
    "break src/forward.rs:$tanh_line if i == 0" \
    "continue" \
    "info args" \
    "info locals" \
    "print *h" \
    "backtrace" \
    "finish" \
    "print t" \
    "print cache.hs[t]" \
    "print/r cache.hs" \
    "set \$hs = cache.hs.buf.inner.ptr.pointer.pointer as *mut min_char_rnn::vector::Vector" \
    "print \$hs[t]" \
    "continue" \
    "print *h_prev" \
    "print *h" \
    "delete" \
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
echo "gdb-transcript: wrote $out" >&2

# --- 2. a test binary, optimised and not ---------------------------------------------------------

out="$OUT_DIR/gdb-test-locals.txt"
: >"$out"
for level in 2 0; do
    if [[ "$level" == 2 ]]; then
        build="cargo test --no-run --test backward"
        env=(-u CARGO_PROFILE_TEST_OPT_LEVEL) # as `cargo test` builds it, whatever the shell says
    else
        build="CARGO_PROFILE_TEST_OPT_LEVEL=0 cargo test --no-run --test backward"
        env=(CARGO_PROFILE_TEST_OPT_LEVEL=0)
    fi
    # Cargo names the test binary with a hash (target/debug/deps/backward-<hash>) and prints it.
    test_binary="$(env "${env[@]}" cargo test --no-run --test backward 2>&1 \
        | sed -nE 's/^ *Executable tests\/backward\.rs \((.*)\)$/\1/p')"
    [[ -x "$test_binary" ]] || die "could not find the test binary of tests/backward.rs"
    [[ "$level" == 2 ]] || echo >>"$out"
    {
        echo "\$ $build"
        echo "\$ rust-gdb -q target/debug/deps/backward-<hash>"
    } >>"$out"
    session "$test_binary" "$out" \
        "break src/backward.rs:$line" \
        "run --test-threads=1 > /dev/null" \
        "info locals"
done
echo "gdb-transcript: wrote $out" >&2
