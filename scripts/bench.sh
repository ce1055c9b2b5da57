#!/usr/bin/env bash
# Measures dbcached against the physical limits of this machine, in one run: Redis GET
# round trips (redis-benchmark), a serial MariaDB client running the same SQL, and
# dbcached's own runs (cold, warm, all-hit, cache off, memory), and dbcache-web under
# load during a run. Prints one Markdown table and the ratios R1-R6 and W1-W3 with
# their targets; writes both as JSON. See docs/performance.md for what each number
# means.
#
#   scripts/bench.sh                 the full benchmark (2 to 3 minutes)
#   scripts/bench.sh --quick         a small version that checks that every row and ratio
#                                    is produced and well-formed (exit 1 if not)
#   scripts/bench.sh --build-dir DIR binaries from DIR/bin, results in DIR/bench (build)
#   scripts/bench.sh --reps N        repetitions of what the ratios need (3; quick 1)
#   scripts/bench.sh --keep-stack    leave the benchmark's stack running afterwards
#   scripts/bench.sh --no-reader     skip the --cache_reads=reader runs
#   scripts/bench.sh --no-pin        let the scheduler place clients and servers
#   scripts/bench.sh --no-web        skip the dbcache-web rows (W1-W3)
#
# The benchmark runs its own stack (DIR/bench-stack, ports 31379/31380/31306; quick:
# DIR/bench-stack-quick, 31479/31480/31406; DBCACHE_BENCH_REDIS_PORT, _REPLICA_PORT,
# _MYSQL_PORT override; below Linux's ephemeral range, 32768-60999, where a client's
# outgoing connection could hold one and a start fail by chance) so that it never
# touches a developer's stack, and its own dbcached processes. Results: DIR/bench/results.{json,md} (quick: DIR/bench/quick/).
#
# Clients (dbcached, redis-benchmark, the reference client) run on CPU 0 and the
# servers (Redis, MariaDB) on CPU 1: whether a client and its server share a CPU
# changes a round trip several-fold on a VM, so both sides of every ratio must see the
# same placement (docs/performance.md).
set -euo pipefail

readonly PROGRAM=bench.sh
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"

quick=0
build_dir=build
keep_stack=0
reps=""
reader=1
pin=1
web=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --build-dir) build_dir=$2; shift ;;
    --build-dir=*) build_dir=${1#*=} ;;
    --reps) reps=$2; shift ;;
    --reps=*) reps=${1#*=} ;;
    --keep-stack) keep_stack=1 ;;
    --no-reader) reader=0 ;;
    --no-pin) pin=0 ;;
    --no-web) web=0 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "$PROGRAM: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ $build_dir == /* ]] || build_dir=$repo/$build_dir
if [[ -z $reps ]]; then
  reps=3
  ((quick)) && reps=1
fi
[[ $reps =~ ^[1-9][0-9]?$ ]] || { echo "$PROGRAM: --reps must be 1..99" >&2; exit 2; }

# --- sizes ------------------------------------------------------------------------
# Full: what the ratios need. Quick: enough to exercise every step.
if ((quick)); then
  readonly kDefaultQueries=200 kAllHitQueries=2000 kOffQueries=200 kRefQueries=200
  readonly kMemSmall=1000 kMemLarge=10000 kRedisSeconds=0.2 kMicroMinTime=0.01
  readonly kRedisC1Max=5000
  readonly kR6Reps=1 kR6Queries=2000
  readonly kWebPairs=1 kWebQueries=100000
  readonly kPoolQueries=500 kStampedeQueries=2000 kOpenLoopSeconds=1 kR7Reps=1
  default_ports=(31479 31480 31406)
  reader=0
else
  readonly kDefaultQueries=1000 kAllHitQueries=100000 kOffQueries=2000 kRefQueries=2000
  readonly kMemSmall=10000 kMemLarge=1000000 kRedisSeconds=2.5 kMicroMinTime=0.1
  readonly kRedisC1Max=40000
  # R6 compares two throughputs within 3% on a machine whose noise is larger than
  # that: longer runs (over a second each, ten snapshots), more pairs.
  kR6Reps=$((reps > 15 ? reps : 15))
  readonly kR6Reps kR6Queries=300000
  # W1 compares two throughputs too; each loaded run is long enough for wrk's rate.
  kWebPairs=$((reps > 5 ? reps : 5))
  readonly kWebPairs kWebQueries=1000000
  readonly kPoolQueries=20000 kStampedeQueries=200000 kOpenLoopSeconds=2
  kR7Reps=$((reps > 11 ? reps : 11))
  readonly kR7Reps
  default_ports=(31379 31380 31306)
fi
readonly kSeedRows=100000
readonly kLongTtlMs=3600000
# R10's run: enough hits of category_stats's ~20 categories for a steady mean.
readonly kCategoryQueries=$( ((quick)) && echo 100 || echo 400)
readonly kWorkloadSeed=20240601
readonly kHighConcurrency=64

# Quick runs (scripts/test.sh) keep to their own stack and results, so that they can
# run beside a full benchmark and never overwrite its results.
if ((quick)); then
  export DBCACHE_STACK_DIR=$build_dir/bench-stack-quick
  out=$build_dir/bench/quick
else
  export DBCACHE_STACK_DIR=$build_dir/bench-stack
  out=$build_dir/bench
fi
export DBCACHE_REDIS_PORT=${DBCACHE_BENCH_REDIS_PORT:-${default_ports[0]}}
export DBCACHE_REPLICA_PORT=${DBCACHE_BENCH_REPLICA_PORT:-${default_ports[1]}}
export DBCACHE_MYSQL_PORT=${DBCACHE_BENCH_MYSQL_PORT:-${default_ports[2]}}

bin=$build_dir/bin
logs=$out/logs
samples=$out/samples.jsonl
started=$SECONDS

step() { printf '=== %s (%ds)\n' "$*" $((SECONDS - started)) >&2; }
die() {
  echo "$PROGRAM: $*" >&2
  exit 1
}

bench_tools=(redis-cli redis-benchmark jq awk)
((web)) && bench_tools+=(wrk chrt ss)
for tool in "${bench_tools[@]}"; do
  command -v "$tool" >/dev/null || die "$tool not found; run scripts/install-deps.sh"
done

# --- build ------------------------------------------------------------------------
# dbcache_microbench exists only where Google Benchmark is installed.
kTargets=(dbcached dbcachectl dbcache_reference_client)
((web)) && kTargets+=(dbcache-web)
readonly kTargets
missing=0
for target in "${kTargets[@]}" dbcache_microbench; do [[ -x $bin/$target ]] || missing=1; done
if ((missing)); then
  step "building ${kTargets[*]} dbcache_microbench in $build_dir"
  # The benchmarks on explicitly: a build directory scripts/demo.sh made has them off.
  if [[ ! -f $build_dir/CMakeCache.txt ]]; then
    cmake -S "$repo" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DDBCACHE_BUILD_BENCH=ON >/dev/null
  else
    cmake -S "$repo" -B "$build_dir" -DDBCACHE_BUILD_BENCH=ON >/dev/null
  fi
  cmake --build "$build_dir" -j"${DBCACHE_BUILD_JOBS:-2}" --target "${kTargets[@]}" \
    >/dev/null
  cmake --build "$build_dir" -j"${DBCACHE_BUILD_JOBS:-2}" --target dbcache_microbench \
    >/dev/null 2>&1 || true
fi
microbench=1
[[ -x $bin/dbcache_microbench ]] ||
  { microbench=0; echo "$PROGRAM: no dbcache_microbench (libbenchmark-dev?); skipping it" >&2; }

rm -rf "$logs"
rm -f "$out"/results.json "$out"/results.md "$out"/microbench.json "$samples"
mkdir -p "$logs"
: >"$samples"

# --- stack and daemons ------------------------------------------------------------
declare -A daemon_pid=() daemon_prefix=()
stack_was_running=0
ncpu=$(nproc)
((ncpu >= 2)) || pin=0
client=()
if ((pin)); then
  readonly kClientCpu=0 kServerCpu=1
  client=(taskset -c "$kClientCpu")
  placement="clients on CPU $kClientCpu, Redis and MariaDB on CPU $kServerCpu"
else
  placement="unpinned (the scheduler's choice)"
fi
stack_pids() {
  local file
  for file in redis-primary/redis.pid redis-replica/redis.pid mariadb/mariadbd.pid; do
    [[ -s $DBCACHE_STACK_DIR/$file ]] && tr -dc '0-9' <"$DBCACHE_STACK_DIR/$file" && echo
  done
  return 0
}
# pin_stack CPUS: every thread of the stack's servers on CPUS.
pin_stack() {
  local pid
  for pid in $(stack_pids); do
    taskset -a -p -c "$1" "$pid" >/dev/null 2>&1 || true
  done
}
web_pid="" wrk_pid=""
cleanup() {
  local name
  [[ -z $wrk_pid ]] || kill -INT "$wrk_pid" 2>/dev/null || true
  [[ -z $web_pid ]] || { kill -TERM "$web_pid" 2>/dev/null; wait "$web_pid" 2>/dev/null; } || true
  for name in "${!daemon_pid[@]}"; do
    kill -TERM "${daemon_pid[$name]}" 2>/dev/null || true
  done
  for name in "${!daemon_pid[@]}"; do
    wait "${daemon_pid[$name]}" 2>/dev/null || true
  done
  if ((keep_stack == 0 && stack_was_running == 0)); then
    stack stop >"$logs/stack-stop.log" 2>&1 || true
  elif ((pin)); then
    pin_stack "0-$((ncpu - 1))"
  fi
}
trap cleanup EXIT

# local-stack.sh's admin client honours MYSQL_HOST, which `local-stack.sh env` exports:
# with it set, the socket-only root login goes over TCP and fails. Never pass it on.
stack() { env -u MYSQL_HOST "$repo/scripts/local-stack.sh" "$@"; }

step "stack in $DBCACHE_STACK_DIR (ports $DBCACHE_REDIS_PORT $DBCACHE_REPLICA_PORT" \
  "$DBCACHE_MYSQL_PORT)"
if stack status >/dev/null 2>&1; then
  stack_was_running=1  # Someone's --keep-stack: reuse it, and leave it running.
fi
stack start >"$logs/stack-start.log" 2>&1 ||
  { cat "$logs/stack-start.log" >&2; die "could not start the stack"; }
eval "$(stack env)"
# A developer's Redis credentials would not work on this stack.
unset REDIS_PASSWORD REDIS_USERNAME
if ((pin)); then
  pin_stack "$kServerCpu"
fi
step "placement: $placement"

rcli() { redis-cli -h 127.0.0.1 -p "$DBCACHE_REDIS_PORT" "$@"; }

step "seed $kSeedRows rows"
"$bin/dbcachectl" seed --rows="$kSeedRows" >"$logs/seed.log" 2>&1 ||
  { cat "$logs/seed.log" >&2; die "seeding failed"; }

# start_daemon NAME PREFIX FLAGS...: a dbcached of ours, ready once subscribed.
start_daemon() {
  local name=$1 prefix=$2
  shift 2
  if [[ $(rcli PUBSUB NUMSUB "${prefix}control" | sed -n 2p) != 0 ]]; then
    die "a dbcached already listens on ${prefix}control (left by a killed benchmark?);" \
      "its pid is in: redis-cli -p $DBCACHE_REDIS_PORT GET ${prefix}daemon"
  fi
  "${client[@]}" "$bin/dbcached" --prefix="$prefix" --log_level=warning "$@" \
    </dev/null >"$logs/dbcached-$name.log" 2>&1 &
  daemon_pid[$name]=$!
  daemon_prefix[$name]=$prefix
  local deadline=$((SECONDS + 30))
  until [[ $(rcli PUBSUB NUMSUB "${prefix}control" | sed -n 2p) == 1 ]]; do
    kill -0 "${daemon_pid[$name]}" 2>/dev/null ||
      { cat "$logs/dbcached-$name.log" >&2; die "dbcached $name exited"; }
    ((SECONDS < deadline)) || die "dbcached $name did not subscribe within 30 s"
    sleep 0.05
  done
}

# Nanoseconds PID has run on a CPU (first field of /proc/PID/schedstat): the daemon's
# own cost per query, which other load on the machine barely moves.
# Every thread's: dbcached has one, dbcache-web several.
cpu_ns() {
  cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%d\n", s }'
}

rss_mb() {
  awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# The hit-path measurements read the cache from the primary: with the default
# (--cache_reads=reader) a hit needs the fill to have replicated first, and a
# replication lag would turn hits into misses. "reader" repeats some runs that way.
# Each daemon has its own prefix, so its own cache entries: "hit" keeps long-lived
# entries for the all-hit runs while "default" is flushed before every cold run.
step "dbcached x4: hit, nosnap (--snapshot_interval_ms=0), default, reader" \
  "(all --cache_reads=primary but reader)"
start_daemon hit bench: --cache_reads=primary --snapshot_interval_ms=100
start_daemon nosnap bench0: --cache_reads=primary --snapshot_interval_ms=0
start_daemon default benchd: --cache_reads=primary --snapshot_interval_ms=100
if ((reader)); then
  start_daemon reader benchr: --cache_reads=reader --snapshot_interval_ms=100
fi
startup_rss=$(rss_mb "${daemon_pid[default]}")

# --- measurement helpers ----------------------------------------------------------
run_counter=0
# Every scenario that recorded a sample, in order: the rows the report must have.
expected_rows=()
expect_row() {
  local row
  for row in "${expected_rows[@]}"; do [[ $row == "$1" ]] && return 0; done
  expected_rows+=("$1")
}

# ctl DAEMON ARGS...: dbcachectl against that daemon's prefix.
ctl() {
  local daemon=$1
  shift
  "$bin/dbcachectl" --prefix="${daemon_prefix[$daemon]}" "$@" >>"$logs/dbcachectl.log" 2>&1 ||
    { tail -n 20 "$logs/dbcachectl.log" >&2; die "dbcachectl $* failed"; }
}

# dbrun SCENARIO DAEMON REP [dbcachectl run flags...]: one run; appends a sample. With
# REP 0 the run is a warm-up and records nothing.
dbrun() {
  local scenario=$1 daemon=$2 rep=$3
  shift 3
  local prefix=${daemon_prefix[$daemon]}
  local id="bench-$$-$((++run_counter))"
  local cpu_before cpu_after
  cpu_before=$(cpu_ns "${daemon_pid[$daemon]}")
  ctl "$daemon" run --id="$id" --wait "$@"
  cpu_after=$(cpu_ns "${daemon_pid[$daemon]}")
  # The final snapshot is written before run_finished is published.
  local stats="" deadline=$((SECONDS + 10))
  while true; do
    stats=$(rcli --raw GET "${prefix}stats")
    [[ $(jq -r '.run_id + " " + .state' <<<"$stats") == "$id finished" ]] && break
    ((SECONDS < deadline)) || die "no final snapshot for run $id: $stats"
    sleep 0.02
  done
  ((rep > 0)) || return 0
  expect_row "$scenario"
  local rss
  rss=$(rss_mb "${daemon_pid[$daemon]}")
  jq -c --arg scenario "$scenario" --arg daemon "$daemon" --argjson rep "$rep" \
    --argjson rss "$rss" --argjson cpu_ns "$((cpu_after - cpu_before))" '
    def when_any(f): if .count > 0 then f else null end; {
      scenario: $scenario, kind: "dbcache", daemon: $daemon, rep: $rep,
      n: .queries, concurrency: .params.concurrency, wall_ms: .wall_ms,
      qps: .throughput_qps,
      hit_p50: .latency_us.cache_hit | when_any(.p50),
      hit_p99: .latency_us.cache_hit | when_any(.p99),
      hit_mean: .latency_us.cache_hit | when_any(.mean),
      db_p50: .latency_us.db | when_any(.p50), db_p99: .latency_us.db | when_any(.p99),
      db_mean: .latency_us.db | when_any(.mean),
      e2e_p50: .latency_us.end_to_end.p50, e2e_p99: .latency_us.end_to_end.p99,
      e2e_p999: .latency_us.end_to_end.p999,
      response_p99: .latency_us.response | when_any(.p99),
      pool_wait_p50: .latency_us.pool_wait | when_any(.p50),
      achieved_ratio: .load.achieved_ratio, late_starts: .load.late_starts,
      expiries: .stampede.expiries,
      per_expiry_p50: .stampede.db_queries_per_expiry.p50,
      per_expiry_max: .stampede.db_queries_per_expiry.max,
      stale_served: .stampede.stale_served, early_refreshes: .stampede.early_refreshes,
      lock_waits: .stampede.lock_waits,
      hits: .hits, misses: .misses, coalesced: .coalesced, errors: .errors,
      issued: .issued, db_queries: .db_queries,
      in_flight: .in_flight, rss_mb: $rss,
      cpu_us_per_query: ($cpu_ns / 1000 / .queries * 100 | round / 100)}' \
    <<<"$stats" >>"$samples"
}

# Redis-benchmark's GET, calibrated so that each measurement lasts kRedisSeconds.
value_size=0
redis_bench() {
  local scenario=$1 rep=$2 clients=$3 pipeline=$4 n=$5
  local csv
  [[ $scenario == calibration ]] || expect_row "$scenario"
  csv=$("${client[@]}" redis-benchmark -h 127.0.0.1 -p "$DBCACHE_REDIS_PORT" -t get -n "$n" \
    -c "$clients" -P "$pipeline" -d "$value_size" --csv 2>>"$logs/redis-benchmark.log")
  echo "$csv" >>"$logs/redis-benchmark.log"
  # "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms",
  # "p99_latency_ms","max_latency_ms"
  awk -F'"' -v s="$scenario" -v rep="$rep" -v n="$n" -v c="$clients" '
    $2 == "GET" {
      printf "{\"scenario\":\"%s\",\"kind\":\"redis-benchmark\",\"rep\":%d,\"n\":%d,", s, rep, n
      printf "\"concurrency\":%d,\"wall_ms\":%.1f,\"qps\":%s,", c, n / $4 * 1000, $4
      printf "\"hit_p50\":%.1f,\"hit_p99\":%.1f,\"hit_mean\":%.1f}\n", $10 * 1000, $14 * 1000, $6 * 1000
    }' <<<"$csv" >>"$samples"
  rps_last=$(awk -F'"' '$2 == "GET" { print $4 }' <<<"$csv")
  [[ -n $rps_last ]] || die "redis-benchmark printed no GET line (see $logs/redis-benchmark.log)"
}
calibrated_n() {
  local clients=$1 pipeline=$2 probe=$3
  redis_bench calibration 0 "$clients" "$pipeline" "$probe"
  # Calibration samples are not results.
  sed -i '/"scenario":"calibration"/d' "$samples"
  awk -v r="$rps_last" -v s="$kRedisSeconds" 'BEGIN { n = int(r * s); print n < 1000 ? 1000 : n }'
}

reference_client() {
  local rep=$1
  local json
  expect_row "MySQL reference client (serial, 1 connection)"
  json=$("${client[@]}" "$bin/dbcache_reference_client" --queries="$kRefQueries" --seed="$kWorkloadSeed" \
    --limit_max=75 --warmup=50 2>>"$logs/reference.log") || die "reference client failed (see $logs/reference.log)"
  jq -c --argjson rep "$rep" '{scenario: "MySQL reference client (serial, 1 connection)",
    kind: "reference", rep: $rep, n: .queries, concurrency: 1, wall_ms: .wall_ms,
    qps: .qps, db_p50: .p50_us, db_p99: .p99_us, db_mean: .mean_us}' <<<"$json" >>"$samples"
}

# --- 1. microbenchmarks -----------------------------------------------------------
if ((microbench)); then
  step "microbenchmarks (min time ${kMicroMinTime}s each)"
  "$bin/dbcache_microbench" --benchmark_min_time="$kMicroMinTime" \
    --benchmark_out="$out/microbench.json" --benchmark_out_format=json \
    >"$logs/microbench.txt" 2>&1 || { cat "$logs/microbench.txt" >&2; die "microbench failed"; }
fi

# --- 2. warm-ups and the cached value size ----------------------------------------
step "warm-ups; the mean cached value size"
# Opens the default daemon's MySQL connections and warms the buffer pool.
dbrun warmup default 0 --queries="$kOffQueries" --cache=off --concurrency=16
for daemon in hit nosnap ${daemon_prefix[reader]:+reader}; do
  ctl "$daemon" flush
  dbrun warmup "$daemon" 0 --queries=2000 --ttl-ms="$kLongTtlMs"
done
rcli --scan --pattern 'bench:q:*' | awk '{ print "STRLEN " $0 }' >"$logs/strlen.txt"
value_size=$(rcli <"$logs/strlen.txt" | awk '{ s += $1; n++ } END { if (n) printf "%d", s / n + 0.5 }')
cached_keys=$(wc -l <"$logs/strlen.txt")
[[ $value_size -gt 0 ]] || die "no cached values found after the warm-up run"
step "mean cached value: $value_size bytes over $cached_keys keys"
redis-benchmark -h 127.0.0.1 -p "$DBCACHE_REDIS_PORT" -t set -n 1 -c 1 -d "$value_size" -q \
  >>"$logs/redis-benchmark.log" 2>&1
n_c1=$(calibrated_n 1 1 2000)
# A busy machine answers one connection several times faster than an idle one (see
# docs/performance.md): cap -c 1 so that a calibration in the fast state cannot make
# the slow state's repetitions take many seconds.
((n_c1 <= kRedisC1Max)) || n_c1=$kRedisC1Max
n_c64=$(calibrated_n "$kHighConcurrency" 1 20000)
n_p16=$(calibrated_n "$kHighConcurrency" 16 200000)
if ((reader)); then
  # Every entry must be on the replica before the reader's all-hit runs count hits.
  want=$(rcli --scan --pattern 'benchr:q:*' | wc -l)
  deadline=$((SECONDS + 10))
  until [[ $(redis-cli -h 127.0.0.1 -p "$DBCACHE_REPLICA_PORT" --scan \
    --pattern 'benchr:q:*' | wc -l) -ge $want ]]; do
    ((SECONDS < deadline)) || die "the replica did not catch up within 10 s"
    sleep 0.05
  done
fi

# R6: an all-hit run at c=64 with 100 ms snapshots and, right before or after it
# (alternately, so that neither is always first), the same run without.
readonly kR6Snap="R6: all-hit c=$kHighConcurrency, snapshots every 100 ms"
readonly kR6NoSnap="R6: all-hit c=$kHighConcurrency, snapshots off"
r6_pair() {
  local rep=$1 daemon scenario
  local -a order=(hit nosnap)
  ((rep % 2 == 1)) || order=(nosnap hit)
  for daemon in "${order[@]}"; do
    scenario=$kR6Snap
    [[ $daemon == nosnap ]] && scenario=$kR6NoSnap
    dbrun "$scenario" "$daemon" "$rep" --queries="$kR6Queries" \
      --concurrency="$kHighConcurrency" --ttl-ms="$kLongTtlMs" --seed="$kWorkloadSeed"
  done
}

# --- 3. repetitions ---------------------------------------------------------------
# Each ratio's two sides run next to each other in every repetition, so that a change
# in the machine's load between repetitions moves both alike; the ratios are medians
# of these paired ratios.
for ((rep = 1; rep <= reps; rep++)); do
  step "repetition $rep of $reps: serial (c=1)"
  redis_bench "redis-benchmark GET -c 1" "$rep" 1 1 "$n_c1"
  dbrun "all-hit c=1" hit "$rep" --queries="$kAllHitQueries" --concurrency=1 \
    --ttl-ms="$kLongTtlMs" --seed="$kWorkloadSeed"
  ctl default flush
  dbrun "default cold c=1" default "$rep" --queries="$kDefaultQueries" \
    --concurrency=1 --seed="$kWorkloadSeed"
  dbrun "default warm c=1" default "$rep" --queries="$kDefaultQueries" \
    --concurrency=1 --seed="$kWorkloadSeed"

  step "repetition $rep of $reps: concurrent (c=$kHighConcurrency)"
  redis_bench "redis-benchmark GET -c $kHighConcurrency" "$rep" "$kHighConcurrency" 1 "$n_c64"
  redis_bench "redis-benchmark GET -c $kHighConcurrency -P 16" "$rep" "$kHighConcurrency" 16 \
    "$n_p16"
  dbrun "all-hit c=$kHighConcurrency" hit "$rep" --queries="$kAllHitQueries" \
    --concurrency="$kHighConcurrency" --ttl-ms="$kLongTtlMs" --seed="$kWorkloadSeed"
  r6_pair "$rep"

  step "repetition $rep of $reps: the DB path"
  reference_client "$rep"
  dbrun "cache=off c=1" default "$rep" --queries="$kOffQueries" --cache=off \
    --concurrency=1 --seed="$kWorkloadSeed"
  dbrun "cache=off c=16" default "$rep" --queries="$kOffQueries" --cache=off \
    --concurrency=16 --seed="$kWorkloadSeed"
  # Above the pool (16): the queue's wait is pool_wait, not DB time (R8, R8b).
  dbrun "cache=off c=$kHighConcurrency" default "$rep" --queries="$kPoolQueries" \
    --cache=off --concurrency="$kHighConcurrency" --seed="$kWorkloadSeed"
  dbrun "cache=off c=16 (R8b pair)" default "$rep" --queries="$kPoolQueries" \
    --cache=off --concurrency=16 --seed="$kWorkloadSeed"

  step "repetition $rep of $reps: default workload at c=4, 16, $kHighConcurrency"
  for c in 4 16 "$kHighConcurrency"; do
    ctl default flush
    dbrun "default cold c=$c" default "$rep" --queries="$kDefaultQueries" \
      --concurrency="$c" --seed="$kWorkloadSeed"
    dbrun "default warm c=$c" default "$rep" --queries="$kDefaultQueries" \
      --concurrency="$c" --seed="$kWorkloadSeed"
  done
  # The cold start without coalescing, as before it existed (R7's "before").
  ctl default flush
  dbrun "default cold c=16, stampede=none" default "$rep" --queries="$kDefaultQueries" \
    --concurrency=16 --seed="$kWorkloadSeed" --stampede=none

  # R10: an aggregate worth caching (category_stats: a GROUP BY over one category's
  # reviews) from a flushed cache at c=1: its DB mean over its hit mean.
  ctl default flush
  dbrun "category_stats c=1" default "$rep" --workload=category_stats \
    --queries="$kCategoryQueries" --concurrency=1 --ttl-ms="$kLongTtlMs" \
    --seed="$kWorkloadSeed"

  # R9: open loop at half of this repetition's all-hit capacity at c=64.
  capacity=$(jq -s --argjson rep "$rep" --arg s "all-hit c=$kHighConcurrency" \
    '[.[] | select(.scenario == $s and .rep == $rep) | .qps][0] // 0' "$samples")
  r9_rate=$(awk -v c="$capacity" 'BEGIN { printf "%d", c / 2 }')
  if ((r9_rate > 0)); then
    step "repetition $rep of $reps: open loop at $r9_rate queries/s (half of $capacity)"
    dbrun "R9: all-hit open loop at 50% of capacity" hit "$rep" \
      --queries=$((r9_rate * kOpenLoopSeconds)) --concurrency="$kHighConcurrency" \
      --rate="$r9_rate" --ttl-ms="$kLongTtlMs" --seed="$kWorkloadSeed"
  fi

  if ((reader)); then
    step "repetition $rep of $reps: reader (cache reads from the replica)"
    dbrun "reader: all-hit c=1" reader "$rep" --queries=$((kAllHitQueries / 5)) \
      --concurrency=1 --ttl-ms="$kLongTtlMs" --seed="$kWorkloadSeed"
    dbrun "reader: all-hit c=$kHighConcurrency" reader "$rep" \
      --queries="$kAllHitQueries" --concurrency="$kHighConcurrency" \
      --ttl-ms="$kLongTtlMs" --seed="$kWorkloadSeed"
  fi
done

# R6 compares two throughputs within 3%: more pairs.
for ((rep = reps + 1; rep <= kR6Reps; rep++)); do
  step "R6 pair $rep of $kR6Reps"
  r6_pair "$rep"
done
# R7's runs last 10 to 20 ms, where a shared machine's hiccups are the size of the
# effect: more pairs (each from a flushed cache), as for R6.
for ((rep = reps + 1; rep <= kR7Reps; rep++)); do
  step "R7 pair $rep of $kR7Reps"
  ctl default flush
  dbrun "default cold c=16" default "$rep" --queries="$kDefaultQueries" \
    --concurrency=16 --seed="$kWorkloadSeed"
  dbrun "default warm c=16" default "$rep" --queries="$kDefaultQueries" \
    --concurrency=16 --seed="$kWorkloadSeed"
done

# --- 4. stampede strategies -------------------------------------------------------
# The scenario of docs/performance.md: 10 hot keys whose entries expire every 200 ms
# under 64 queries in flight; one run per strategy, each from a flushed cache.
readonly kStampedeArgs=(--concurrency="$kHighConcurrency" --limit-max=10 --ttl-ms=200)
step "stampede strategies: $kStampedeQueries queries, c=$kHighConcurrency, 10 keys, ttl 200 ms"
for strategy in none coalesce lock xfetch swr; do
  ctl default flush
  dbrun "stampede=$strategy" default 1 --queries="$kStampedeQueries" \
    "${kStampedeArgs[@]}" --stampede="$strategy" --seed="$kWorkloadSeed"
done

# --- 5. memory --------------------------------------------------------------------
step "memory: $kMemSmall then $kMemLarge queries (default ttl) at c=$kHighConcurrency"
dbrun "memory: $kMemSmall queries" default 1 --queries="$kMemSmall" \
  --concurrency="$kHighConcurrency"
dbrun "memory: $kMemLarge queries" default 1 --queries="$kMemLarge" \
  --concurrency="$kHighConcurrency"

# --- 6. dbcache-web under load ------------------------------------------------------
# wrk polls /api/stats and /metrics (2:1) at a paced ~7,000 requests/s, what 1,750 open
# pages polling four times a second would send, while the "hit" daemon runs all-hit at
# c=64; each pair is a run without the load and one with it. dbcache-web reads the
# reader endpoint and runs at its unit's Nice= on the client CPU, beside dbcached,
# as on a deployed host whose Redis and MySQL are elsewhere; wrk stands for browsers
# on other machines: unpinned, it takes only idle CPU (SCHED_IDLE). The web's CPU per
# request is the sum over its threads of /proc/PID/task/*/schedstat over wrk's whole
# window: a figure that the host's scheduling barely moves, unlike W1 and W2.
readonly kWebLoaded="W: all-hit c=$kHighConcurrency, dbcache-web under load"
readonly kWebUnloaded="W: all-hit c=$kHighConcurrency, no web load"
readonly kWebRow="W: dbcache-web serving the load (requests/s; CPU µs/request)"
readonly kWebConnections=12
if ((web)); then
  web_nice=$(sed -n 's/^Nice=//p' "$repo/systemd/dbcache-web.service")
  [[ $web_nice =~ ^-?[0-9]+$ ]] || die "no Nice= in systemd/dbcache-web.service"
  step "dbcache-web at Nice=$web_nice; $kWebPairs pair(s) of $kWebQueries-query runs"
  # Made here, not by the background job's redirect, which may not have run when the
  # loop below first reads it (a full run died on "can't read dbcache-web.log").
  : >"$logs/dbcache-web.log"
  "${client[@]}" nice -n "$web_nice" env -u DBCACHE_WEB_TOKEN "$bin/dbcache-web" \
    --listen=127.0.0.1:0 --prefix="${daemon_prefix[hit]}" --log_level=info \
    </dev/null >"$logs/dbcache-web.log" 2>&1 &
  web_pid=$!
  web_port=""
  deadline=$((SECONDS + 30))
  until [[ -n $web_port ]]; do
    web_port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' \
      "$logs/dbcache-web.log" | head -n1)
    kill -0 "$web_pid" 2>/dev/null || { cat "$logs/dbcache-web.log" >&2; die "dbcache-web exited"; }
    ((SECONDS < deadline)) || die "dbcache-web did not listen within 30 s"
    [[ -n $web_port ]] || sleep 0.05
  done
  web_connected() {
    (($(ss -Htn state established "( dport = :$web_port )" | wc -l) >= kWebConnections))
  }
  for ((rep = 1; rep <= kWebPairs; rep++)); do
    dbrun "$kWebUnloaded" hit "$rep" --queries="$kWebQueries" \
      --concurrency="$kHighConcurrency" --ttl-ms="$kLongTtlMs" --seed="$kWorkloadSeed"
    web_cpu_before=$(cpu_ns "$web_pid")
    chrt --idle 0 wrk -t2 -c"$kWebConnections" -d600s -s "$repo/bench/web_poll.lua" \
      "http://127.0.0.1:$web_port/" >"$logs/wrk-$rep.txt" 2>&1 &
    wrk_pid=$!
    deadline=$((SECONDS + 15))
    until web_connected; do
      ((SECONDS < deadline)) || { cat "$logs/wrk-$rep.txt" >&2; die "wrk did not connect"; }
      sleep 0.05
    done
    dbrun "$kWebLoaded" hit "$rep" --queries="$kWebQueries" \
      --concurrency="$kHighConcurrency" --ttl-ms="$kLongTtlMs" --seed="$kWorkloadSeed"
    kill -INT "$wrk_pid"  # wrk prints its summary on SIGINT
    wait "$wrk_pid" || true
    wrk_pid=""
    web_cpu_after=$(cpu_ns "$web_pid")
    requests=$(awk '$2 == "requests" && $3 == "in" { print $1 }' "$logs/wrk-$rep.txt")
    rate=$(awk '/^Requests\/sec/ { print $2 }' "$logs/wrk-$rep.txt")
    bad=$(awk '/Non-2xx|Socket errors/ { n++ } END { print n + 0 }' "$logs/wrk-$rep.txt")
    [[ $requests =~ ^[0-9]+$ && $requests -gt 0 && -n $rate ]] ||
      { cat "$logs/wrk-$rep.txt" >&2; die "wrk printed no request count"; }
    expect_row "$kWebRow"
    jq -nc --arg scenario "$kWebRow" --argjson rep "$rep" --argjson n "$requests" \
      --argjson rate "$rate" --argjson bad "$bad" \
      --argjson cpu_ns "$((web_cpu_after - web_cpu_before))" \
      '{scenario: $scenario, kind: "web", rep: $rep, n: $n, qps: $rate, errors: $bad,
        cpu_us_per_query: ($cpu_ns / 1000 / $n * 100 | round / 100)}' >>"$samples"
  done
fi

# --- report -----------------------------------------------------------------------
step "report"
machine=$(jq -n --arg cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
  --argjson nproc "$(nproc)" \
  --argjson mem "$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)" \
  --arg kernel "$(uname -r)" \
  --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
  --arg placement "$placement" \
  '{cpu: $cpu, nproc: $nproc, memory_gib: $mem, kernel: $kernel, loadavg_at_end: $load,
    placement: $placement}')

# Medians per scenario (each field on its own), in the order scenarios first ran;
# then the ratios from those medians.
jq -s --argjson machine "$machine" --argjson quick "$quick" --argjson reps "$reps" \
  --argjson value_size "$value_size" --argjson startup_rss "$startup_rss" \
  --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  --arg command "scripts/bench.sh$( ((quick)) && echo ' --quick')" \
  --arg mem_small "memory: $kMemSmall queries" --arg mem_large "memory: $kMemLarge queries" \
  --arg c64 "$kHighConcurrency" --argjson default_queries "$kDefaultQueries" \
  --arg r6_snap "$kR6Snap" --arg r6_nosnap "$kR6NoSnap" --argjson web "$web" \
  --arg web_loaded "$kWebLoaded" --arg web_unloaded "$kWebUnloaded" --arg web_row "$kWebRow" '
  def median: sort | if length == 0 then null
    elif length % 2 == 1 then .[length / 2 | floor]
    else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def fields: ["n", "concurrency", "wall_ms", "qps", "hit_p50", "hit_p99", "hit_mean",
    "db_p50", "db_p99", "db_mean", "e2e_p50", "e2e_p99", "hits", "misses", "coalesced", "errors",
    "issued", "db_queries", "rss_mb", "cpu_us_per_query", "e2e_p999", "response_p99",
    "pool_wait_p50", "achieved_ratio", "late_starts", "expiries", "per_expiry_p50",
    "per_expiry_max", "stale_served", "early_refreshes", "lock_waits"];
  . as $samples
  | (reduce $samples[].scenario as $s ([]; if index([$s]) then . else . + [$s] end))
    as $order
  | [$order[] as $s
     | [$samples[] | select(.scenario == $s)] as $rows
     | {scenario: $s, kind: $rows[0].kind, reps: ($rows | length)}
       + (reduce fields[] as $f ({};
           ([$rows[][$f] | select(. != null)] | median) as $m
           | if $m == null then . else . + {($f): $m} end))
       + {samples: [$rows[] | del(.scenario, .kind)]}] as $scenarios
  | def get($s; $f): ([$scenarios[] | select(.scenario == $s)][0] // {})[$f];
    def r3: if . == null then null else (. * 1000 | round) / 1000 end;
    # The ratio of field $fa of scenario $a to field $fb of scenario $b (times $scale)
    # in every repetition that has both: [per-repetition ratios].
    def paired($a; $fa; $b; $fb; $scale):
      [$samples[] | select(.scenario == $a) | . as $x
       | $samples[] | select(.scenario == $b and .rep == $x.rep) | . as $y
       | select($x[$fa] != null and $y[$fb] != null and $y[$fb] != 0)
       | $x[$fa] / ($y[$fb] * $scale) | r3];
    def ratio($id; $name; $what; $a; $fa; $b; $fb; $scale; $op; $target):
      paired($a; $fa; $b; $fb; $scale) as $per
      | ($per | median) as $v
      | {id: $id, name: $name, what: $what, value: $v, per_rep: $per,
         of_medians: (if get($a; $fa) == null or get($b; $fb) == null then null
                      else get($a; $fa) / (get($b; $fb) * $scale) | r3 end),
         target: "\($op) \($target)",
         result: (if $v == null then "n/a"
                  elif ($op == "<=" and $v <= $target) or ($op == ">=" and $v >= $target)
                  then "PASS" else "FAIL" end)};
    "redis-benchmark GET -c 1" as $rb1
  | ("redis-benchmark GET -c " + $c64) as $rb64
  | ("redis-benchmark GET -c " + $c64 + " -P 16") as $rbp16
  | ("all-hit c=" + $c64) as $allhit64
  | (get($mem_small; "rss_mb")) as $rss_small
  | (get($mem_large; "rss_mb")) as $rss_large
  | ([$samples[] | select(.scenario == $web_row)]) as $web_samples
  | [
      ratio("R1"; "overhead per hit";
            "dbcache cache-hit p50, all-hit c=1 / redis-benchmark -c 1 GET p50";
            "all-hit c=1"; "hit_p50"; $rb1; "hit_p50"; 1; "<="; 1.25),
      ratio("R2"; "hit throughput";
            "dbcache all-hit queries/s at c=\($c64) / redis-benchmark -c \($c64) GET requests/s";
            $allhit64; "qps"; $rb64; "qps"; 1; ">="; 1.0),
      ratio("R2b"; "hit throughput vs pipelined";
            "dbcache all-hit queries/s at c=\($c64) / redis-benchmark -c \($c64) -P 16 GET requests/s";
            $allhit64; "qps"; $rbp16; "qps"; 1; ">="; 0.6),
      ratio("R3"; "DB path";
            "dbcache DB p50, cache=off c=1 / serial reference client p50";
            "cache=off c=1"; "db_p50"; "MySQL reference client (serial, 1 connection)";
            "db_p50"; 1; "<="; 1.2),
      ratio("R4"; "serial run";
            "default warm run wall time at c=1 / (\($default_queries) x redis-benchmark -c 1 GET mean)";
            "default warm c=1"; "wall_ms"; $rb1; "hit_mean"; $default_queries / 1000;
            "<="; 1.3),
      {id: "R5", name: "memory",
       what: ("dbcached RSS MB after the " + $mem_large + " run (<= 32) and its growth"
              + " over the " + $mem_small + " run (<= 2)"),
       value: $rss_large, growth_mb: (if $rss_large == null or $rss_small == null then null
                                      else (($rss_large - $rss_small) * 10 | round) / 10 end),
       target: "<= 32 MB, growth <= 2 MB",
       result: (if $rss_large == null or $rss_small == null then "n/a"
                elif $rss_large <= 32 and ($rss_large - $rss_small) <= 2 then "PASS"
                else "FAIL" end)},
      ratio("R7"; "cold start";
            "default cold 1000-query run at c=16 after a flush / warm run, wall time";
            "default cold c=16"; "wall_ms"; "default warm c=16"; "wall_ms"; 1; "<="; 2.0),
      (ratio("R7none"; "cold start without coalescing";
             "the same cold run with stampede=none / warm run, wall time";
             "default cold c=16, stampede=none"; "wall_ms"; "default warm c=16"; "wall_ms";
             1; "<="; 2.0) | .target = "report" | .result = "info"),
      ratio("R10"; "aggregate speed-up";
            "category_stats DB mean / hit mean, c=1 from a flushed cache";
            "category_stats c=1"; "db_mean"; "category_stats c=1"; "hit_mean"; 1;
            ">="; 20),
      ratio("R8"; "fair pool";
            "end-to-end p99.9 / p50 within one cache=off c=\($c64) run, pool 16";
            "cache=off c=\($c64)"; "e2e_p999"; "cache=off c=\($c64)"; "e2e_p50"; 1;
            "<="; 10),
      ratio("R8b"; "pool wait apart";
            "DB p50 at cache=off c=\($c64) / at c=16 (pool 16)";
            "cache=off c=\($c64)"; "db_p50"; "cache=off c=16 (R8b pair)"; "db_p50"; 1;
            "<="; 1.5),
      ([$samples[] | select(.scenario == "R9: all-hit open loop at 50% of capacity")]
       as $r9
       | ([$r9[].achieved_ratio | select(. != null)] | median) as $v
       | {id: "R9", name: "open loop rate",
          what: "achieved / target queries/s, open loop at half the all-hit c=\($c64) capacity",
          value: $v, per_rep: [$r9[].achieved_ratio], target: ">= 0.99",
          result: (if $v == null then "n/a" elif $v >= 0.99 then "PASS" else "FAIL" end)}),
      (ratio("R9b"; "open loop latency";
             "response-time p99 / service-time p99 at that rate";
             "R9: all-hit open loop at 50% of capacity"; "response_p99";
             "R9: all-hit open loop at 50% of capacity"; "e2e_p99"; 1; ">="; 0)
       | .target = "report" | .result = "info"),
      ratio("R6"; "bookkeeping";
            "all-hit queries/s at c=\($c64) with 100 ms snapshots / with snapshots off";
            $r6_snap; "qps"; $r6_nosnap; "qps"; 1; ">="; 0.97),
      # The same from the daemon CPU time, which other load on the machine barely
      # moves: (CPU per query with snapshots off) / (with snapshots).
      (ratio("R6cpu"; "bookkeeping, CPU";
             "dbcached CPU µs per query at c=\($c64), snapshots off / with 100 ms snapshots";
             $r6_nosnap; "cpu_us_per_query"; $r6_snap; "cpu_us_per_query"; 1; ">="; 0.97)
       | .target = "report (>= 0.97 would match R6)" | .result = "info"),
      (if $web == 1 then
        ratio("W1"; "web under load";
              "all-hit queries/s at c=\($c64) while dbcache-web serves ~7,000 requests/s / without";
              $web_loaded; "qps"; $web_unloaded; "qps"; 1; ">="; 0.90),
        ([$web_samples[].qps] | median) as $rate
        | {id: "W2", name: "web rate",
           what: "requests/s dbcache-web answered during the loaded runs (median)",
           value: $rate, per_rep: [$web_samples[].qps | r3], target: ">= 5000",
           result: (if $rate == null then "n/a" elif $rate >= 5000 then "PASS"
                    else "FAIL" end)},
        ([$web_samples[].cpu_us_per_query] | median) as $cpu
        | {id: "W3", name: "web CPU",
           what: "dbcache-web CPU ms per 1,000 requests (= µs per request), from /proc schedstat",
           value: $cpu, per_rep: [$web_samples[].cpu_us_per_query], target: "report",
           result: (if $cpu == null then "n/a" else "info" end)}
       else empty end)
    ] as $ratios
  | {date: $date, command: $command, quick: ($quick == 1), reps: $reps,
     machine: $machine, cached_value_bytes: $value_size,
     startup_rss_mb: $startup_rss,
     notes: ["Hit-path runs use --cache_reads=primary so that replication lag cannot turn hits into misses; the reader rows read from the replica.",
             "Table values are medians over repetitions, each column its own median. A ratio is the median of its per-repetition ratios (both sides measured back to back in each repetition); of_medians is the ratio of the table medians.",
             "MB = MiB; latencies in microseconds."],
     scenarios: $scenarios, ratios: $ratios}
  ' "$samples" >"$out/results.json"

if ((microbench)); then
  jq --slurpfile micro "$out/microbench.json" \
    '.microbench = [$micro[0].benchmarks[]
       | {name, ns_per_op: ((.real_time * (if .time_unit == "us" then 1000
                               elif .time_unit == "ms" then 1000000 else 1 end)) * 10
                             | round / 10)}]' \
    "$out/results.json" >"$out/results.json.tmp"
  mv "$out/results.json.tmp" "$out/results.json"
fi

# The Markdown report, from the JSON.
jq -r '
  def fmt($v; $d): if $v == null then "" else
    (($v * pow(10; $d) | round) / pow(10; $d) | tostring) end;
  def count: if . == null then "" else tostring end;
  "# dbcache benchmark, \(.date)\(if .quick then " (--quick: not a measurement)" else "" end)",
  "",
  "Machine: \(.machine.nproc) CPUs, \(.machine.cpu), \(.machine.memory_gib) GiB;" +
    " load average at the end \(.machine.loadavg_at_end); \(.machine.placement). Medians of \(.reps) repetition(s)" +
    " (R6: of its interleaved pairs). Mean cached value: \(.cached_value_bytes) bytes." +
    " Hit-path runs read the cache from the primary (--cache_reads=primary) so that" +
    " replication lag cannot turn hits into misses; rows marked reader read the replica.",
  "",
  "| scenario | n | reps | wall ms | queries/s | cache-hit p50 µs | cache-hit p99 µs | DB p50 µs | DB p99 µs | RSS MB | CPU µs/query | hits/misses/errors |",
  "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
  (.scenarios[] |
    "| \(.scenario) | \(.n | count) | \(.reps) | \(fmt(.wall_ms; 1)) | \(fmt(.qps; 0)) |" +
    " \(fmt(.hit_p50; 1)) | \(fmt(.hit_p99; 1)) | \(fmt(.db_p50; 1)) | \(fmt(.db_p99; 1)) |" +
    " \(fmt(.rss_mb; 1)) | \(fmt(.cpu_us_per_query; 2)) | \(if .kind == "dbcache" then "\(.hits | count)/\(.misses | count)/\(.errors | count)" else "" end) |"),
  "",
  "| ratio | what | value | per repetition | target | result |",
  "|---|---|--:|---|---|---|",
  (.ratios[] |
    "| \(.id) \(.name) | \(.what) | \(fmt(.value; 3))\(if .growth_mb != null then " MB (growth \(.growth_mb) MB)" else "" end) | \(if .per_rep then (.per_rep | map(tostring) | join(", ")) else "" end) | \(.target) | \(.result) |"),
  "",
  "| stampede (10 keys, ttl 200 ms, c=64) | DB queries | key expiries | DB queries per expiry p50 / max | e2e p50 µs | e2e p99 µs | stale served | early refreshes | lock waits | hits/misses/coalesced/errors |",
  "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|",
  (.scenarios[] | select(.scenario | startswith("stampede=")) |
    "| \(.scenario) | \(.db_queries | count) | \(.expiries | count) | \(.per_expiry_p50 | count) / \(.per_expiry_max | count) | \(fmt(.e2e_p50; 1)) | \(fmt(.e2e_p99; 1)) | \(.stale_served | count) | \(.early_refreshes | count) | \(.lock_waits | count) | \(.hits | count)/\(.misses | count)/\(.coalesced | count)/\(.errors | count) |"),
  (if .microbench then
    "", "| microbenchmark | ns/op |", "|---|--:|",
    (.microbench[] | "| \(.name) | \(.ns_per_op) |")
   else empty end)
' "$out/results.json" | tee "$out/results.md"

# The report must be whole and well-formed, in quick mode too (which checks only
# that, not what the figures say): every scenario that ran has its row in the JSON
# and the Markdown, every sample of it is sound (a dbcache run finished with its
# counts adding up, a reference has its latencies, the web served without errors),
# and every ratio could be computed.
printf '%s\n' "${expected_rows[@]}" | jq -R . | jq -s . >"$logs/expected-rows.json"
problems=$(jq -r --slurpfile expected "$logs/expected-rows.json" '
  def positive(f): (f | type) == "number" and f > 0;
  def sound:
    if .kind == "dbcache" then
      positive(.n) and positive(.qps) and positive(.wall_ms) and .issued == .n
      and .hits + .misses + .coalesced + .errors == .issued and .in_flight == 0
    elif .kind == "redis-benchmark" then positive(.qps) and positive(.hit_p50)
    elif .kind == "reference" then positive(.qps) and positive(.db_p50)
    elif .kind == "web" then positive(.n) and positive(.qps)
      and positive(.cpu_us_per_query) and .errors == 0
    else false end;
  ([.scenarios[].scenario]) as $have
  | ($expected[0][] | select(. as $e | $have | index([$e]) | not)
     | "missing row: \(.)"),
    (.scenarios[] | .scenario as $s | .kind as $k | .samples[]
     | select(. + {kind: $k} | sound | not)
     | "malformed sample of \($s): \(tojson)"),
    (.ratios[] | select(.result == "n/a") | "ratio \(.id) could not be computed"),
    (if (.scenarios | length) != ($expected[0] | length)
     then "the table has \(.scenarios | length) rows, \($expected[0] | length) scenarios ran"
     else empty end)
  ' "$out/results.json")
for row in "${expected_rows[@]}"; do
  grep -qF "| $row |" "$out/results.md" || problems+=$'\n'"no Markdown row: $row"
done
if [[ -n ${problems//$'\n'/} ]]; then
  printf '%s\n' "$problems" | sed '/^$/d; s/^/  /' >&2
  die "the report is incomplete or malformed (see above)"
fi
step "done: $out/results.json, $out/results.md"
