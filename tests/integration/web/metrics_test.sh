#!/usr/bin/env bash
# /metrics as Prometheus reads it, from a real dbcached and dbcache-web on the
# fixture's stack:
# - `promtool check metrics` finds nothing to say, after a cached run and after a
#   cache=off run;
# - the counters are the daemon's totals: after each run, the sum of
#   dbcache_queries_total is every query finished so far (both runs), the error
#   kinds add up to the errors, and dbcache_runs_total counts the runs;
# - each latency histogram's buckets never decrease, its +Inf bucket is its
#   count, and end_to_end's count is every query finished;
# - the per-run series (dbcache_run_*) are gauges of the last run only.
set -euo pipefail

bin=${DBCACHE_BIN_DIR:?}
redis_port=${DBCACHE_REDIS_PORT:?}
for tool in promtool jq redis-cli curl; do
  command -v "$tool" >/dev/null ||
    { echo "metrics_test: $tool is not installed (scripts/install-deps.sh)"; exit 1; }
done

prefix="metrics$$:"
# wait_until, web_listening, daemon_subscribed, point_programs_at_stack,
# stop_programs.
source "$(dirname "${BASH_SOURCE[0]}")/../support/processes.sh"
point_programs_at_stack "$prefix"
work=$(mktemp -d)
pids=()
cleanup() { stop_programs "$prefix" "$work"; }
trap cleanup EXIT

failures=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then echo "ok   - $what"; else echo "FAIL - $what"; failures=$((failures + 1)); fi
}

"$bin/dbcachectl" seed --rows 20000 >/dev/null
"$bin/dbcached" --cache_reads=primary >"$work/dbcached.log" 2>&1 &
pids+=($!)
"$bin/dbcache-web" --listen=127.0.0.1:0 >"$work/web.log" 2>&1 &
pids+=($!)
web_port=""
wait_until 15 web_listening "$work/web.log" || { cat "$work/web.log"; exit 1; }
wait_until 15 daemon_subscribed "$redis_port" "${prefix}control" ||
  { cat "$work/dbcached.log"; exit 1; }

# The value of one sample line, exactly as named with its labels.
sample() { awk -v k="$1" '$1 == k { print $2 }' "$work/metrics"; }
# The sum of a family's samples (any labels).
family_sum() {
  awk -v n="$1" '$1 == n || index($1, n "{") == 1 { s += $2 } END { printf "%.0f", s }' "$work/metrics"
}
# Fetches /metrics until it shows run $1 finished.
shows_finished() {
  curl -fsS "http://127.0.0.1:$web_port/metrics" >"$work/metrics" &&
    grep -qF "dbcache_run_info{run_id=\"$1\",state=\"finished\"} 1" "$work/metrics"
}
histograms_consistent() {  # every source: buckets cumulative, +Inf == count
  awk '
    /^dbcache_latency_seconds_bucket\{/ {
      match($1, /source="[^"]*"/); s = substr($1, RSTART, RLENGTH)
      if ((s in last) && $2 < last[s]) bad = 1
      last[s] = $2
      if ($1 ~ /le="\+Inf"/) inf[s] = $2
    }
    /^dbcache_latency_seconds_count\{/ {
      match($1, /source="[^"]*"/); count[substr($1, RSTART, RLENGTH)] = $2
    }
    END {
      n = 0
      for (s in count) { n++; if (!(s in inf) || inf[s] != count[s]) bad = 1 }
      exit (bad || n != 9)
    }' "$work/metrics"
}

total=0
run=0
for args in "--cache on" "--cache off"; do
  run=$((run + 1))
  id="metrics-$$-$run"
  # shellcheck disable=SC2086  # two words, on purpose
  "$bin/dbcachectl" run --id "$id" --queries 2000 --concurrency 8 --ttl-ms 600000 \
    $args --wait >"$work/run.txt" 2>&1 || { cat "$work/run.txt"; exit 1; }
  stats=$(redis-cli -p "$redis_port" --raw GET "${prefix}stats")
  done_now=$(jq '.hits + .misses + .coalesced + .writes + .errors' <<<"$stats")
  check "run $run adds up: done = issued = 2000" \
    jq -e '.done == .hits + .misses + .coalesced + .writes + .errors
           and .done == .issued and .issued == 2000 and .in_flight == 0' <<<"$stats"
  total=$((total + done_now))
  wait_until 10 shows_finished "$id" ||
    { echo "FAIL - /metrics never showed $id finished"; cat "$work/metrics"; exit 1; }

  promtool check metrics <"$work/metrics" >"$work/promtool.txt" 2>&1 && lint=ok || lint=bad
  check "run $run: promtool check metrics is clean" \
    test "$lint" = ok -a ! -s "$work/promtool.txt"
  [[ $lint == ok && ! -s $work/promtool.txt ]] || cat "$work/promtool.txt"
  check "run $run: dbcache_queries_total sums to every query so far ($total)" \
    test "$(family_sum dbcache_queries_total)" = "$total"
  check "run $run: dbcache_errors_total adds up to the errors" \
    test "$(family_sum dbcache_errors_total)" = "$(sample 'dbcache_queries_total{result="error"}')"
  check "run $run: dbcache_runs_total is $run" test "$(sample dbcache_runs_total)" = "$run"
  check "run $run: end_to_end's histogram counts every query so far" \
    test "$(sample 'dbcache_latency_seconds_count{source="end_to_end"}')" = "$total"
  check "run $run: histogram buckets are cumulative and end at their count" \
    histograms_consistent
  check "run $run: the run's own figures are a gauge of this run only" \
    test "$(family_sum dbcache_run_queries_done)" = "$done_now"
  check "run $run: dbcache_queries_total is typed a counter" \
    grep -qx '# TYPE dbcache_queries_total counter' "$work/metrics"
done
check "cache=off sent its 2000 queries to MySQL: db histogram counts them" \
  test "$(sample 'dbcache_latency_seconds_count{source="db"}')" -ge 2000
check "no microseconds left" bash -c "! grep -q microseconds '$work/metrics'"

if ((failures)); then
  echo "metrics_test: $failures check(s) failed"
  exit 1
fi
echo "metrics_test: all checks passed"
