#!/usr/bin/env bash
# Runs the crate under rust-gdb and writes what a reader would see at the terminal, for the
# debugger chapter:
#
#   book/src/generated/gdb-transcript.txt   the notebook example (dev profile), stopped in the
#                                           forward pass (finish_hidden_step, at t = 0 and
#                                           t = 1) and in the backward pass (the line that
#                                           computes dhraw, at the last two time steps): the
#                                           arguments, the locals, h, dy_t (through the buffer
#                                           of the Vec dys, which gdb cannot index), dh, dhraw
#                                           and dhnext
#   book/src/generated/gdb-test-locals.txt  `info locals` at that line of backward in the test
#                                           binary of tests/backward.rs, built as `cargo test`
#                                           builds it (opt-level 2) and with opt-level 0
#
#   tools/gdb-transcript.sh           # from any directory; writes both files
#   tools/gdb-transcript.sh OUT_DIR   # writes them into OUT_DIR (tools/book-outputs.sh --check)
#
# The breakpoint in backward is found by the anchor `tanh_backward` in src/backward.rs, not by a
# line number, so the script keeps working when lines move. Memory addresses change from
# machine to machine (the stack's position depends on the environment), so every hexadecimal
# address is replaced by `0x…`, and the lines that name a process or a thread are dropped.
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

# The line of `dhraw[i] = …`: the first line after `// ANCHOR: tanh_backward` that assigns dhraw.
line="$(awk '/ANCHOR: tanh_backward/ {found = 1; next} found && /dhraw\[i\] =/ {print NR; exit}' src/backward.rs)"
[[ -n "$line" ]] || die "no 'dhraw[i] =' line after the tanh_backward anchor in src/backward.rs"

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
# gdb cannot index a Vec (`print dys[t]` fails), so `$dys` is set to the Vec's buffer, cast to
# a pointer to Vector. The path to that pointer (`buf.inner.ptr.pointer.pointer`) is private to
# the standard library and changes between Rust versions: if it does, `print/r dys` in the
# transcript shows the new one; update it here, in the challenge of book/src/debugger.md and in
# its rust-lldb table.
session "$binary" "$out" \
    "set print elements 6" \
    "break min_char_rnn::forward::forward" \
    "run > /dev/null" \
    "break min_char_rnn::forward::finish_hidden_step" \
    "continue" \
    "info args" \
    "print *h" \
    "backtrace" \
    "finish" \
    "print t" \
    "print *h_t" \
    "continue" \
    "print *h" \
    "delete" \
    "break src/backward.rs:$line if i == 0" \
    "continue" \
    "info locals" \
    "print h_t[0]" \
    "print targets[t]" \
    "print dys[t]" \
    "print/r *dys" \
    "set \$dys = (*dys).buf.inner.ptr.pointer.pointer as *mut min_char_rnn::vector::Vector" \
    "print \$dys[t]" \
    "print \$dys[t].as_slice()[targets[t]]" \
    "print \$dys[t].sum()" \
    "print dhnext" \
    "next" \
    "next" \
    "print dhraw[0]" \
    "print (1.0 - h_t[0] * h_t[0]) * dh[0]" \
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
