#!/usr/bin/env bash
# Regenerates the test outputs that Part II's chapters show under "Run it":
#
#   book/src/generated/part2-test-gru.txt      cargo test --test gru             (gru.md)
#   book/src/generated/part2-test-layers.txt   cargo test --test layers          (layers.md)
#   book/src/generated/part2-test-batch.txt    cargo test --test batch           (minibatches.md)
#   book/src/generated/part2-test-torch.txt    cargo test --test torch_reference (minibatches.md)
#
#   tools/part2-tests.sh           regenerate them (works from any directory)
#   tools/part2-tests.sh --check   regenerate into a temporary directory and compare with the
#                                  files in book/src/generated; exits 1 and shows the
#                                  differences if any file is out of date
#
# Each file starts with the command line, `$ cargo test --test NAME -- --test-threads=1`, then
# what the test binary prints from `running N tests` to `test result: …`, without the time it
# took. The tests run on one thread, so they are listed in the order of their names, the same
# on every run. A failing test fails the script: the book shows only passing runs.
#
# Needs cargo only: the PyTorch fixtures the last file's tests read are checked in.
set -euo pipefail
# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_check_args "$@"

make_scratch_dir OUT

# test file (tests/NAME.rs) → generated file name
TESTS=(gru layers batch torch_reference)
declare -A FILE=(
    [gru]=part2-test-gru.txt
    [layers]=part2-test-layers.txt
    [batch]=part2-test-batch.txt
    [torch_reference]=part2-test-torch.txt
)

for test in "${TESTS[@]}"; do
    out="$OUT/${FILE[$test]}"
    say "cargo test --test $test"
    log="$OUT/$test.log"
    status=0
    cargo test --test "$test" -- --test-threads=1 >"$log" 2>&1 || status=$?
    if [[ "$status" -ne 0 ]]; then
        cat "$log" >&2
        die "cargo test --test $test failed (exit $status)"
    fi
    {
        printf '$ cargo test --test %s -- --test-threads=1\n' "$test"
        sed -n '/^running /,/^test result: /p' "$log" | sed -E 's/; finished in [0-9.]+s$//'
    } >"$out"
    grep -q '^test result: ok' "$out" || die "no 'test result: ok' line in the output of $test"
done

names=()
for test in "${TESTS[@]}"; do
    names+=("${FILE[$test]}")
done
publish "$OUT" "${names[@]}"
