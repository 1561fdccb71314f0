#!/usr/bin/env bash
# Regenerates the program output that the book shows, so that it is never typed by hand and
# never goes stale:
#
#   book/src/generated/notebook.txt        cargo run --release --example notebook
#   book/src/generated/notebook-cell-NN.txt   the same, one file per cell (`== NN. title ==` and
#                                          what follows it), for chapters that show one cell
#   book/src/generated/intro-sample.txt    cargo run --release --example sample_after_training
#   book/src/generated/dbg-backward.txt    the lines `dbg!(t, &dy, &dhnext);` prints when it is
#                                          added to backward (in a copy of the crate) and
#                                          `cargo test --test backward output_bias_gradient_sums_to_zero
#                                          -- --nocapture` runs
#   book/src/generated/gdb-transcript.txt  tools/gdb-transcript.sh (only where gdb is installed)
#   book/src/generated/gdb-test-locals.txt tools/gdb-transcript.sh (only where gdb is installed)
#   book/src/generated/gdb-traps.txt       tools/gdb-transcript.sh (only where gdb is installed)
#   book/src/generated/gdb-printers.txt    tools/gdb-printers.sh, which also checks that the
#                                          crate's pretty-printers print as designed (only where
#                                          gdb is installed)
#
# Usage, from any directory:
#
#   tools/book-outputs.sh           # rewrite the files above
#   tools/book-outputs.sh --check   # regenerate into a temporary folder and fail, showing the
#                                   # diff, if a committed file differs from what the code prints
#
# Every output here is deterministic: fixed seeds, and sums written with a fixed order of
# additions, so the numbers do not depend on the build (debug or release, with or without the
# `-C target-cpu=native` of .cargo/config.toml: checked, byte for byte). They could differ in
# the last digits on another operating system, whose C library computes exp, ln and tanh.
# The gdb transcripts have their memory addresses masked; they are compared only where gdb and
# rust-gdb are installed (elsewhere the check says it skipped them), and their layout depends
# on the versions of gdb and of Rust's pretty printers.
#
# The other files in book/src/generated/ (timings, the drift experiment, …) come from their own
# scripts and are not checked here.
set -euo pipefail
# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_check_args "$@"

# Splits the notebook's output $1 into $2/notebook-cell-NN.txt, one file per `== N. title ==`
# header, without the blank lines that separate the cells.
split_cells() {
    rm -f "$2"/notebook-cell-*.txt
    awk -v dir="$2" '
        /^== [0-9]+\. .* ==$/ {
            if (file != "") close(file)
            n = $2
            sub(/\.$/, "", n)
            file = sprintf("%s/notebook-cell-%02d.txt", dir, n)
            blanks = 0
        }
        file == "" { next }
        /^$/ { blanks++; next }
        {
            for (; blanks > 0; blanks--) print "" >file
            print >file
        }
    ' "$1"
    compgen -G "$2/notebook-cell-*.txt" >/dev/null || die "no '== N. title ==' cell headers in $1"
}

# The dbg! demonstration: a copy of the crate with one line added to src/backward.rs, just
# before the tanh_backward loop, and the lines it prints during one backward test. The copy and
# its build live under the target folder, and a file that did not change keeps its timestamp,
# so that a second run does not rebuild.
dbg_output() {
    local out="$1" target work edited
    target="$(realpath -m "${CARGO_TARGET_DIR:-target}")/book-outputs"
    work="$target/crate"
    edited="$target/backward.rs.edited"
    mkdir -p "$work"
    rm -rf "$work/src" "$work/tests" "$work/examples" "$work/data" "$work/.cargo"
    cp -p -R Cargo.toml Cargo.lock .cargo src tests data examples "$work/"
    sed '/ANCHOR: tanh_backward/a\        dbg!(t, \&dy, \&dhnext);' src/backward.rs >"$target/backward.rs.new"
    grep -q 'dbg!(t, &dy, &dhnext);' "$target/backward.rs.new" \
        || die "could not add dbg! after the tanh_backward anchor in src/backward.rs"
    if ! cmp -s "$target/backward.rs.new" "$edited"; then
        mv "$target/backward.rs.new" "$edited"
    fi
    cp -p "$edited" "$work/src/backward.rs"
    say "cargo test --test backward output_bias_gradient_sums_to_zero -- --nocapture (with dbg!)"
    (cd "$work" && CARGO_TARGET_DIR="$target/target" cargo test --quiet --test backward \
        output_bias_gradient_sums_to_zero -- --nocapture 2>&1) \
        | grep -E '^\[src/backward\.rs:[0-9]+:[0-9]+\] ' >"$out" \
        || die "the dbg! run printed nothing"
}

have_gdb() { command -v gdb >/dev/null 2>&1 && command -v rust-gdb >/dev/null 2>&1; }

# Writes every output into the folder $1.
generate() {
    local out="$1"
    mkdir -p "$out"
    say "cargo run --release --example notebook"
    cargo run --quiet --release --example notebook >"$out/notebook.txt"
    split_cells "$out/notebook.txt" "$out"
    say "cargo run --release --example sample_after_training"
    cargo run --quiet --release --example sample_after_training >"$out/intro-sample.txt"
    dbg_output "$out/dbg-backward.txt"
    if have_gdb; then
        tools/gdb-transcript.sh "$out"
        tools/gdb-printers.sh "$out"
    fi
}

# Without --check the outputs are written in place: split_cells also removes the files of cells
# that no longer exist, and the gdb transcripts stay as they are where gdb is missing.
if [[ "$CHECK" -eq 0 ]]; then
    generate "$GENERATED"
    have_gdb || say "gdb or rust-gdb not found: $GENERATED/gdb-*.txt were left as they are"
    say "wrote $GENERATED/"
    exit 0
fi

make_scratch_dir tmp
generate "$tmp"

files=(notebook.txt intro-sample.txt dbg-backward.txt)
# The cells, as made now and as committed (a cell that no longer exists is stale too).
cells="$( (cd "$tmp" && ls notebook-cell-*.txt; cd "$ROOT/$GENERATED" && ls notebook-cell-*.txt 2>/dev/null) | sort -u)"
for cell in $cells; do
    files+=("$cell")
done
gdb_files=(gdb-transcript.txt gdb-test-locals.txt gdb-traps.txt gdb-printers.txt)
if have_gdb; then
    files+=("${gdb_files[@]}")
else
    say "skipped ${gdb_files[*]}: gdb or rust-gdb is not installed"
fi

compare_generated "$tmp" "${files[@]}"
