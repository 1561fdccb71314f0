# Shared by tools/gdb-transcript.sh and tools/gdb-printers.sh, which source it (it is not a
# program of its own): finding a line by its anchor, and recording a rust-gdb session.
#
# The sourcing script has sourced tools/lib.sh (for `die`) and runs from the crate's root.

# Prints the number of the first line of the file $3 that matches the awk pattern $2 after the
# line `// ANCHOR: $1`, or fails naming what it looked for.
line_after() {
    local anchor="$1" pattern="$2" file="$3" n
    n="$(awk -v anchor="ANCHOR: $anchor" -v pattern="$pattern" \
        'index($0, anchor) {found = 1; next} found && $0 ~ pattern {print NR; exit}' "$file")"
    [[ -n "$n" ]] || die "no line matching '$pattern' after the $anchor anchor in $file"
    echo "$n"
}

# The folder whose binaries gdb may run the embedded scripts of (the crate's pretty-printers,
# src/debugger/min_char_rnn_gdb.py): the target folder. A reader types the relative form,
# `-iex "add-auto-load-safe-path target"`, from the crate's root.
GDB_SAFE_PATH="$(realpath -m "${CARGO_TARGET_DIR:-target}")"

# Runs rust-gdb in batch mode on the program $1 with the gdb commands $3…, each echoed after a
# `(gdb) ` prompt so that the transcript reads like an interactive session, and appends the
# result to the file $2. What changes from machine to machine is masked: memory addresses
# become `0x…`, the commit in the path of the standard library's sources `<commit>`, and the
# lines that name a process or a thread are dropped. (-nx: no ~/.config/gdb/gdbinit, so that
# the reader's settings do not leak in.)
session() {
    local program="$1" out="$2" tmp
    shift 2
    tmp="$(mktemp)"
    local args=(-batch -nx -q -iex "add-auto-load-safe-path $GDB_SAFE_PATH") command
    for command in "$@"; do
        args+=(-ex "echo (gdb) $command\\n" -ex "$command")
    done
    rust-gdb "${args[@]}" "$program" >"$tmp" 2>&1 || {
        cat "$tmp" >&2
        rm -f "$tmp"
        die "rust-gdb failed on $program (its output is above)"
    }
    sed -E \
        -e 's/0x[0-9a-f]{4,}/0x…/g' \
        -e 's#/rustc/[0-9a-f]{40}/#/rustc/<commit>/#g' \
        -e '/^\[Inferior [0-9]+ \(process [0-9]+\)/d' \
        -e '/^\[(New |Switching to )?Thread /d' \
        -e '/libthread_db/d' \
        -e 's/^Thread [0-9]+ "[^"]*" hit //' \
        -e 's/ +$//' \
        "$tmp" >>"$out"
    rm -f "$tmp"
}
