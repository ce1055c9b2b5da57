#!/usr/bin/env bash
# The one test command: installs what is missing, builds dbcache twice (normal, and
# with AddressSanitizer + UndefinedBehaviorSanitizer), and runs every test in both
# builds. The ctest fixture starts and stops the local stack on test ports; nothing
# of ours is left running afterwards.
#
#   scripts/test.sh               everything
#   scripts/test.sh --no-sanitize skip the sanitizer build (faster, for a quick look)
#   scripts/test.sh --no-deps     do not run scripts/install-deps.sh
#   scripts/test.sh --no-fuzz     skip fuzzing each fuzzer for 60 s (scripts/fuzz.sh)
#   scripts/test.sh --soak        the full soak (5,000,000 queries; default 1,000,000)
#   scripts/test.sh -R regex      pass a test filter to ctest
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

sanitize=1
deps=1
fuzz=1
ctest_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-sanitize) sanitize=0 ;;
    --no-deps) deps=0 ;;
    --no-fuzz) fuzz=0 ;;
    --soak) export DBCACHE_SOAK_QUERIES=5000000 ;;
    -R|-E|-L) ctest_args+=("$1" "$2"); shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "test.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

jobs=${DBCACHE_BUILD_JOBS:-2}
started=$SECONDS
# The tests say every setting their programs get; a settings file of the user's
# own (~/.config/dbcache/env, e.g. from scripts/demo.sh) must not fill a gap.
export DBCACHE_ENV_FILE=""
step() { printf '\n=== %s (%ds)\n' "$*" $((SECONDS - started)); }

# Whatever happens, stop the stacks the fixtures may have started.
cleanup() {
  local dir
  for dir in build build-asan; do
    if [[ -d "$repo/$dir/test-stack" ]]; then
      DBCACHE_STACK_DIR="$repo/$dir/test-stack" "$repo/scripts/local-stack.sh" stop \
        >/dev/null 2>&1 || true
    fi
  done
}
trap cleanup EXIT

if [[ $deps == 1 ]]; then
  step "dependencies"
  scripts/install-deps.sh
fi

step "format"
scripts/check-format.sh

run_suite() {
  local dir=$1; shift
  step "configure and build $dir"
  # Tests and benchmarks on explicitly: a build directory scripts/demo.sh made has
  # them off in its cache.
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDBCACHE_BUILD_TESTS=ON \
    -DDBCACHE_BUILD_BENCH=ON "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  step "tests in $dir"
  # Unit tests run in parallel; integration tests hold a resource lock on the stack.
  ctest --test-dir "$dir" --output-on-failure --no-tests=error -j2 --timeout 600 \
    "${ctest_args[@]}"
}

run_suite build
# A small benchmark on its own stack: fails unless every row and ratio of the report
# is produced and well-formed. Its figures are not measurements (--quick); the table
# is printed so that a failure shows what was there.
step "benchmark smoke test in build (scripts/bench.sh --quick)"
scripts/bench.sh --quick --build-dir build
if [[ $sanitize == 1 ]]; then
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export LSAN_OPTIONS=suppressions="$repo/tests/lsan.supp"
  run_suite build-asan -DDBCACHE_SANITIZE=ON
fi
if [[ $fuzz == 1 ]]; then
  step "fuzzing (clang + libFuzzer in build-fuzz)"
  scripts/fuzz.sh --seconds 60
fi
step "all tests passed"
