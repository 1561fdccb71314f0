# What the scripts in tools/ that regenerate the book's outputs share. It is not a program of
# its own: a script sources it, after `set -euo pipefail`, with
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Sourcing it
#   - sets ROOT to the crate's root and changes to it, so that the script works from any
#     directory (a relative path the script was given must be made absolute before);
#   - sets SCRIPT to the script's absolute path and NAME to its file name without `.sh`;
#   - defines `say MESSAGE…` and `die MESSAGE…`, which print `NAME: MESSAGE` and
#     `NAME: error: MESSAGE` on standard error; `die` then exits with status 1;
#   - sets GENERATED to book/src/generated, the folder of the book's generated files (relative
#     to ROOT);
#   - sets an EXIT trap that removes what `remove_on_exit` names; a script that sets its own
#     EXIT trap loses that.
#
# The functions below (each documented where it is defined) are for the scripts that
# regenerate a set of files or, with --check, compare them with the committed ones. Such a
# script calls `parse_check_args "$@"`, writes everything into a scratch folder
# (`make_scratch_dir OUT`), and ends with `publish "$OUT" FILE…`:
#
#   parse_check_args, print_help      the command line `[--check]`, and `--help`
#   remove_on_exit, make_scratch_dir, fresh_dir
#                                     folders that exist while the script runs
#   release_binary                    `cargo build --release` of a binary or an example
#   publish                           compare_generated with --check, else install_generated
#   compare_generated                 `diff -u` against the committed files; fails if any is stale
#   install_generated                 copies the files to where they are committed
#   committed_place                   where that is: book/src/generated/, unless redefined

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRIPT="$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)/$(basename "${BASH_SOURCE[1]}")"
NAME="$(basename "$SCRIPT" .sh)"
GENERATED="book/src/generated"
cd "$ROOT"

say() { printf '%s: %s\n' "$NAME" "$*" >&2; }
die() {
    printf '%s: error: %s\n' "$NAME" "$*" >&2
    exit 1
}

# Prints the script's header comment, from its second line to the first line that is not a
# comment, without the leading `# `: the script's help.
print_help() {
    awk 'NR == 1 { next } !/^#/ { exit } { sub(/^# ?/, ""); print }' "$SCRIPT"
}

# Reads the command line `[--check]`: sets CHECK to 1 with --check, else to 0. With -h or
# --help it prints the help and exits 0; anything else is an error.
parse_check_args() {
    CHECK=0
    local arg
    for arg in "$@"; do
        case "$arg" in
            --check) CHECK=1 ;;
            -h | --help)
                print_help
                exit 0
                ;;
            *) die "unknown argument '$arg' (use --check, or nothing to regenerate; --help explains)" ;;
        esac
    done
}

_LIB_REMOVE=()
_lib_on_exit() {
    if [[ "${#_LIB_REMOVE[@]}" -gt 0 ]]; then
        rm -rf "${_LIB_REMOVE[@]}"
    fi
}
trap _lib_on_exit EXIT

# Removes the files or folders PATH… when the script exits, whether it succeeds or fails.
remove_on_exit() { _LIB_REMOVE+=("$@"); }

# Makes a new temporary folder, removed on exit, and stores its path in the variable named $1.
make_scratch_dir() {
    local dir
    dir="$(mktemp -d)"
    remove_on_exit "$dir"
    printf -v "$1" '%s' "$dir"
}

# Makes the folder $1 afresh (empty; any earlier content is removed) and removes it on exit:
# for the fixed working folders whose paths the generated transcripts show.
fresh_dir() {
    rm -rf "$1"
    mkdir -p "$1"
    remove_on_exit "$1"
}

# Builds a release binary, `--bin NAME` or `--example NAME`, and prints its path (in the
# target folder cargo uses, CARGO_TARGET_DIR included).
release_binary() {
    local kind="$1" name="$2" target_dir path
    say "building ${kind#--} $name (release)"
    # Called as "$(release_binary …)", where `set -e` does not hold: every failure is checked.
    cargo build --quiet --release "$kind" "$name" || die "cargo build --release $kind $name failed"
    target_dir="$(cargo metadata --format-version 1 --no-deps \
        | sed -E 's/.*"target_directory":"([^"]*)".*/\1/')" || die "cargo metadata failed"
    case "$kind" in
        --bin) path="$target_dir/release/$name" ;;
        --example) path="$target_dir/release/examples/$name" ;;
        *) die "release_binary: '$kind' is neither --bin nor --example" ;;
    esac
    [[ -x "$path" ]] || die "no binary at $path after cargo build"
    printf '%s\n' "$path"
}

# Where the generated file named $1 is committed, relative to ROOT: $GENERATED/$1. A script
# whose files go elsewhere redefines this function after sourcing. The two functions below use
# it from any working directory.
committed_place() { printf '%s/%s\n' "$GENERATED" "$1"; }

# Compares each file NAME… of the folder DIR ($1) with its committed version and shows the
# differences (`diff -u`, on standard error). Fails, naming the stale files and the way to
# regenerate them, if any differs, is missing, or is no longer produced.
compare_generated() {
    local dir="$1" name committed
    shift
    [[ "$#" -gt 0 ]] || die "nothing was generated in $dir to compare"
    local stale=()
    for name in "$@"; do
        committed="$(committed_place "$name")"
        if [[ ! -f "$ROOT/$committed" ]]; then
            say "missing: $committed"
            stale+=("$name")
        elif [[ ! -f "$dir/$name" ]]; then
            say "no longer produced: $committed"
            stale+=("$name")
        elif ! diff -u --label "$committed (committed)" --label "$name (now)" \
            "$ROOT/$committed" "$dir/$name" >&2; then
            stale+=("$name")
        fi
    done
    if [[ "${#stale[@]}" -gt 0 ]]; then
        die "out of date: ${stale[*]} (differences above); run tools/$NAME.sh to regenerate, and check that the prose showing them still fits"
    fi
    say "up to date: $*"
}

# Copies each file NAME… of the folder DIR ($1) to its committed place.
install_generated() {
    local dir="$1" name committed
    shift
    for name in "$@"; do
        committed="$(committed_place "$name")"
        mkdir -p "$(dirname "$ROOT/$committed")"
        cp "$dir/$name" "$ROOT/$committed"
        say "wrote $committed"
    done
}

# With --check, compare_generated; without, install_generated. With no NAME, every file of
# DIR.
publish() {
    local dir="$1"
    shift
    local names=("$@")
    if [[ "${#names[@]}" -eq 0 ]]; then
        local file
        for file in "$dir"/*; do
            if [[ -f "$file" ]]; then
                names+=("$(basename "$file")")
            fi
        done
    fi
    if [[ "$CHECK" -eq 1 ]]; then
        compare_generated "$dir" "${names[@]}"
    else
        install_generated "$dir" "${names[@]}"
    fi
}
