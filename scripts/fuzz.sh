#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build-fuzz/ (ASan + UBSan + coverage) and
# runs each for a bounded time, on a copy of its seed corpus kept in build-fuzz/fuzz/
# (the repository is never written; the copy grows from run to run). Exits 1 if any
# fuzzer crashed, leaked, timed out or ran out of memory, and prints the saved input.
#
#   scripts/fuzz.sh                  every fuzzer for 60 s
#   scripts/fuzz.sh --seconds 600    longer, on demand
#   scripts/fuzz.sh --only codec     one fuzzer (control_parser or codec)
#   scripts/fuzz.sh --fresh          start again from the committed seeds
#   scripts/fuzz.sh --no-build       use the binaries already in build-fuzz/
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

# name:corpus folder:-max_len. The control parser takes up to 64 KiB, but its size
# check is one comparison; 8 KiB leaves room for 1,000-level JSON nesting.
readonly kFuzzers=(control_parser:control:8192 codec:codec:4096)

seconds=60
only=""
fresh=0
build=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=$2; shift ;;
    --only) only=$2; shift ;;
    --fresh) fresh=1 ;;
    --no-build) build=0 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "fuzz.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz.sh: --seconds needs a positive integer, got '$seconds'" >&2
  exit 2
fi

if [[ -n $only && " ${kFuzzers[*]} " != *" $only:"* ]]; then
  echo "fuzz.sh: no fuzzer '$only' (control_parser, codec)" >&2
  exit 2
fi

dir=build-fuzz
work=$dir/fuzz
jobs=${DBCACHE_BUILD_JOBS:-2}

if [[ $build == 1 ]]; then
  if ! command -v clang++ >/dev/null; then
    echo "fuzz.sh: clang++ not found; scripts/install-deps.sh installs it" >&2
    exit 1
  fi
  CC=clang CXX=clang++ cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DDBCACHE_FUZZ=ON -DDBCACHE_SANITIZE=ON -DDBCACHE_BUILD_TESTS=OFF >/dev/null
  targets=()
  for spec in "${kFuzzers[@]}"; do targets+=("${spec%%:*}_fuzzer"); done
  cmake --build "$dir" -j"$jobs" --target "${targets[@]}"
fi

# LSan is on (leaks fail the run); UBSan findings abort, as in the sanitizer build.
export ASAN_OPTIONS=detect_stack_use_after_return=1:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

failed=()
for spec in "${kFuzzers[@]}"; do
  IFS=: read -r name corpus max_len <<<"$spec"
  [[ -z $only || $only == "$name" ]] || continue
  binary=$dir/fuzz/${name}_fuzzer
  [[ -x $binary ]] || { echo "fuzz.sh: $binary is not built" >&2; exit 1; }
  corpus_dir=$work/corpus/$name
  crash_dir=$work/crashes/$name
  log=$work/$name.log
  [[ $fresh == 1 ]] && rm -rf "$corpus_dir"
  mkdir -p "$corpus_dir" "$crash_dir"
  # Seeds and every past regression; inputs libFuzzer added earlier stay.
  cp -n tests/fuzz/corpus/"$corpus"/* tests/fuzz/regressions/"$corpus"/* \
    "$corpus_dir"/ 2>/dev/null || true
  dict=()
  [[ -f tests/fuzz/$corpus.dict ]] && dict=(-dict="tests/fuzz/$corpus.dict")

  printf '\n--- %s: %d s, corpus %s, log %s\n' "$name" "$seconds" "$corpus_dir" "$log"
  status=0
  "$binary" "${dict[@]}" -max_total_time="$seconds" -max_len="$max_len" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$crash_dir/" "$corpus_dir" >"$log" 2>&1 || status=$?

  # The last status line reads "#N DONE cov: C ft: F corp: I/Bb ... exec/s: E ...".
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
  printf '%s: %s execs (%s/s), coverage %s edges, %s features, corpus %s\n' \
    "$name" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}"
  if [[ $status != 0 ]]; then
    failed+=("$name")
    # What libFuzzer found (crash, leak, timeout, oom) and where it saved the input.
    grep -E '^==[0-9]+==ERROR|^SUMMARY|fuzz property failed|ALARM|out-of-memory' \
      "$log" | head -n 5 || true
    tail -n 30 "$log" >&2
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    echo "FAIL $name (exit $status); input: ${artifact:-none saved, see $log}" >&2
    if [[ -n $artifact ]]; then
      echo "  replay: $binary $artifact" >&2
      echo "  after the fix: cp $artifact tests/fuzz/regressions/$corpus/" >&2
    fi
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz.sh: failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: no crashes"
