#!/usr/bin/env bash
# Mutation testing of a change: cargo-mutants makes small edits ("mutants") to the lines of
# src/ that differ from BASE (replace `+` with `-`, `>` with `>=`, a function body with a
# default value, …), runs the tests against each, and lists the mutants no test caught. A
# missed mutant is a line whose behaviour no test pins down.
#
#   tools/mutants.sh              # the lines changed since origin/main (else since HEAD~1)
#   tools/mutants.sh BASE         # the lines changed since BASE (a commit, a branch, a tag)
#   tools/mutants.sh --all FILE…  # every mutant of the named files, changed or not
#
# Results land in mutants.out/ (missed.txt, caught.txt, timeout.txt, unviable.txt). It takes
# minutes to an hour, depending on the change (each mutant is one build and one test run), so
# it is not part of CI: run it before handing in a change to src/ that tests should pin down.
# Installs cargo-mutants with `cargo install --locked cargo-mutants` if it is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if ! cargo mutants --version >/dev/null 2>&1; then
    echo "mutants: installing cargo-mutants" >&2
    cargo install --locked cargo-mutants
fi

if [[ "${1:-}" == "--all" ]]; then
    shift
    [[ $# -gt 0 ]] || { echo "mutants: --all needs at least one file" >&2; exit 2; }
    files=()
    for f in "$@"; do files+=(--file "$f"); done
    exec cargo mutants "${files[@]}"
fi

base="${1:-}"
if [[ -z "$base" ]]; then
    if git rev-parse --verify --quiet origin/main >/dev/null; then base=origin/main; else base=HEAD~1; fi
fi
diff="$(mktemp)"
trap 'rm -f "$diff"' EXIT
git diff "$base" -- src > "$diff"
if [[ ! -s "$diff" ]]; then
    echo "mutants: no change to src/ since $base" >&2
    exit 0
fi
echo "mutants: the lines of src/ changed since $base" >&2
cargo mutants --in-diff "$diff"
