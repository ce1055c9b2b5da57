#!/usr/bin/env bash
# Load on the web while a run goes: wrk polls /api/stats and /metrics at a paced
# rate, about 7,000 requests/s (what 1,750 open pages polling four times a second
# would send), during 64-concurrency runs. It asserts only what the product
# controls, whatever the machine:
# - wrk sees no error and no non-2xx answer;
# - dbcache-web answers at least 1,000 requests/s during each run;
# - every run finishes with hits + misses + errors = issued = queries;
# - dbcache-web's open file descriptors are the same before and after, and its
#   RSS grew by at most 2 MB (after a warm-up burst).
# It prints the run's queries/s with and without the load and their ratio, and the
# web's request rate: those are benchmark figures (scripts/bench.sh has them as rows
# with their targets), not gates, because on a 2-vCPU machine they depend on how
# the host schedules the vCPUs. DBCACHE_LOAD_STRICT=1 (for a quiet, dedicated
# machine) also enforces them: a drop of at most 10% (DBCACHE_LOAD_MAX_DROP) and
# at least 5,000 requests/s, over five pairs instead of three.
#
# Each pair is an unloaded run and then a loaded one; the ratio printed is the
# median of the pairs' ratios.
#
# How the processes are placed is part of what is measured:
# - dbcache-web runs at the Nice= of systemd/dbcache-web.service, as deployed;
# - wrk stands for browsers on other machines. Under DBCACHE_LOAD_STRICT=1 it runs
#   SCHED_IDLE, so that it takes only CPU nobody else wants and the ratio is the
#   web's cost alone. Otherwise it runs at normal priority: at SCHED_IDLE on a
#   machine that is busy with anything else (a build beside the tests) it gets no
#   CPU at all, and the 1,000 requests/s floor would measure wrk's starvation
#   (one such run saw 43 requests/s), not dbcache-web.
#
# Runs against the ctest fixture's stack (DBCACHE_* environment), alone
# (RUN_SERIAL): other tests running beside it would be measured too.
set -euo pipefail

bin=${DBCACHE_BIN_DIR:?}
redis_port=${DBCACHE_REDIS_PORT:?}
replica_port=${DBCACHE_REPLICA_PORT:?}
max_drop=${DBCACHE_LOAD_MAX_DROP:-0.10}
queries=${DBCACHE_LOAD_QUERIES:-1000000}
strict=${DBCACHE_LOAD_STRICT:-0}
pairs=3
((strict)) && pairs=5
readonly kMinRate=1000 kStrictRate=5000 kRssGrowthKb=2048
for tool in wrk jq redis-cli ss; do
  command -v "$tool" >/dev/null || { echo "load_test: $tool is not installed (scripts/install-deps.sh)"; exit 1; }
done

prefix="load$$:"
# wait_until, web_listening, daemon_subscribed, point_programs_at_stack,
# stop_programs.
source "$(dirname "${BASH_SOURCE[0]}")/../support/processes.sh"
point_programs_at_stack "$prefix"
work=$(mktemp -d)
pids=() wrk_pid=""
cleanup() {
  [[ -z $wrk_pid ]] || kill -INT "$wrk_pid" 2>/dev/null || true
  stop_programs "$prefix" "$work"
}
trap cleanup EXIT


unit=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/systemd/dbcache-web.service
web_nice=$(sed -n 's/^Nice=//p' "$unit")
[[ $web_nice =~ ^-?[0-9]+$ ]] || { echo "load_test: no Nice= in $unit"; exit 1; }
command -v chrt >/dev/null || { echo "load_test: chrt (util-linux) is not installed"; exit 1; }

"$bin/dbcachectl" seed --rows 20000 >/dev/null
"$bin/dbcached" --cache_reads=primary >"$work/dbcached.log" 2>&1 &
pids+=($!)
# Port 0: the kernel picks a free one, and the web says which when it listens.
nice -n "$web_nice" "$bin/dbcache-web" --listen=127.0.0.1:0 >"$work/web.log" 2>&1 &
pids+=($!)
web_port=""
wait_until 15 web_listening "$work/web.log" || { cat "$work/web.log"; exit 1; }
wait_until 15 daemon_subscribed "$redis_port" "${prefix}control" ||
  { cat "$work/dbcached.log"; exit 1; }
wait_until 15 curl -fsS "http://127.0.0.1:$web_port/healthz" || { cat "$work/web.log"; exit 1; }

rcli() { redis-cli -p "$redis_port" "$@"; }
run_counter=0
# One all-hit run at concurrency 64; prints its queries/s. Fails unless the run
# finished and its counts add up (the jq twin of the C++ tests'
# ExpectCountsAddUp).
run_qps() {
  local id="load-$$-$((++run_counter))" stats
  "$bin/dbcachectl" run --id "$id" --queries "$queries" --concurrency 64 \
    --ttl-ms 600000 --wait >"$work/run.txt" 2>&1 ||
    { echo "FAIL: run $id" >&2; cat "$work/run.txt" >&2; return 1; }
  stats=$(rcli --raw GET "${prefix}stats")
  jq -e --arg id "$id" '
    .run_id == $id and .state == "finished"
    and .hits + .misses + .coalesced + .errors + .in_flight == .issued
    and .done == .hits + .misses + .coalesced + .errors and .in_flight == 0
    and .issued == .queries
    and ([.errors_by_kind[]] | add) == .errors' <<<"$stats" >/dev/null ||
    { echo "FAIL: run $id does not add up: $stats" >&2; return 1; }
  jq -r '.throughput_qps | floor' <<<"$stats"
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

connections=${DBCACHE_LOAD_CONNECTIONS:-12}
web_connections() { ss -Htn state established "( dport = :$web_port )" | wc -l; }
connected() { (($(web_connections) >= connections)); }  # all of wrk's are up
# No connection left open on the web's side: wrk's are gone and the web has
# closed its ends (an end in CLOSE-WAIT still holds a descriptor).
disconnected() {
  (($(ss -Htn state established state close-wait "( sport = :$web_port or dport = :$web_port )" |
    wc -l) == 0))
}
web_pid=${pids[1]}
web_fds() { find "/proc/$web_pid/fd" -mindepth 1 -maxdepth 1 | wc -l; }
# The web's connections to Redis: its pool holds one per caller that ever ran
# at the same time as another (at most RedisPool::kMaxIdle idle), so their number
# may settle a little later than a warm-up; everything else must not change.
readonly kMaxRedisConnections=16
web_redis_connections() {
  ss -Htnp state established "( dport = :$redis_port or dport = :$replica_port )" |
    grep -c "pid=$web_pid," || true
}
web_rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$web_pid/status"; }
# wrk LENGTH: the paced load for LENGTH (or until SIGINT), its summary in wrk.txt.
start_wrk() {
  local idle=()
  ((strict)) && idle=(chrt --idle 0)
  "${idle[@]}" wrk -t2 -c"$connections" -d"$1" -s "$(dirname "$unit")/../bench/web_poll.lua" \
    "http://127.0.0.1:$web_port/" >"$work/wrk.txt" 2>&1 &
  wrk_pid=$!
}

run_qps >/dev/null  # warm the cache
# A warm-up burst, so that the "before" figures include the web's buffers and
# threads at work.
start_wrk 2s
wait "$wrk_pid" || true
wrk_pid=""
wait_until 15 disconnected || { echo "FAIL: wrk's connections did not close"; exit 1; }
fds_before=$(web_fds) redis_before=$(web_redis_connections) rss_before=$(web_rss_kb)
ls -l "/proc/$web_pid/fd" >"$work/fds-before.txt"

ratios=() baselines=() loadeds=() web_rates=() web_bad=0
for ((pair = 1; pair <= pairs; pair++)); do
  baseline=$(run_qps)
  start_wrk 600s
  wait_until 15 connected || { echo "FAIL: wrk did not connect"; cat "$work/wrk.txt"; exit 1; }
  loaded=$(run_qps)
  kill -INT "$wrk_pid"  # wrk prints its summary on SIGINT
  wait "$wrk_pid" || true
  wrk_pid=""
  rate=$(awk '/Requests\/sec/ {print int($2)}' "$work/wrk.txt")
  bad=$(awk '/Non-2xx|Socket errors/ {n++} END {print n+0}' "$work/wrk.txt")
  ratio=$(awk -v a="$loaded" -v b="$baseline" 'BEGIN {printf "%.3f", (b > 0 ? a / b : 0)}')
  echo "pair $pair: $baseline queries/s without load, $loaded with (ratio $ratio); web ${rate:-0} requests/s, error lines $bad"
  ((bad == 0)) || cat "$work/wrk.txt"
  ratios+=("$ratio") baselines+=("$baseline") loadeds+=("$loaded") web_rates+=("${rate:-0}")
  web_bad=$((web_bad + bad))
done
wait_until 15 disconnected || { echo "FAIL: wrk's connections did not close"; exit 1; }
fds_after=$(web_fds) redis_after=$(web_redis_connections) rss_after=$(web_rss_kb)

ratio=$(printf '%s\n' "${ratios[@]}" | median)
web_rps=$(printf '%s\n' "${web_rates[@]}" | median)
web_lowest=$(printf '%s\n' "${web_rates[@]}" | sort -n | head -n1)
echo "run queries/s without load (median of $pairs): $(printf '%s\n' "${baselines[@]}" | median)"
echo "run queries/s with web load (median of $pairs): $(printf '%s\n' "${loadeds[@]}" | median)"
echo "median ratio of the pairs: $ratio (a benchmark figure; scripts/bench.sh W1)"
echo "web requests/s: median $web_rps, lowest $web_lowest; error lines: $web_bad"
echo "dbcache-web: $fds_before open files before ($redis_before to Redis), $fds_after after ($redis_after to Redis); RSS $rss_before kB before, $rss_after kB after"

status=0
if ((web_bad != 0)); then echo "FAIL: wrk saw errors or non-2xx answers"; status=1; fi
if ((web_lowest < kMinRate)); then
  echo "FAIL: web answered $web_lowest requests/s during a run (< $kMinRate)"; status=1
fi
if ((fds_after - redis_after != fds_before - redis_before || redis_after > kMaxRedisConnections)); then
  echo "FAIL: dbcache-web has $fds_after open files ($redis_after to Redis), $fds_before before the load ($redis_before to Redis)"
  echo "--- before"; cat "$work/fds-before.txt"; echo "--- after"; ls -l "/proc/$web_pid/fd"
  status=1
fi
if ((rss_after - rss_before > kRssGrowthKb)); then
  echo "FAIL: dbcache-web's RSS grew by $((rss_after - rss_before)) kB (> $kRssGrowthKb)"; status=1
fi
if ((strict)); then
  if ((web_rps < kStrictRate)); then
    echo "FAIL (strict): web answered $web_rps requests/s (< $kStrictRate)"; status=1
  fi
  if ! awk -v r="$ratio" -v d="$max_drop" 'BEGIN {exit !(r >= 1 - d)}'; then
    echo "FAIL (strict): the run's queries/s dropped by more than $(awk -v d="$max_drop" 'BEGIN {print d*100}')% under web load"
    status=1
  fi
fi
exit $status
