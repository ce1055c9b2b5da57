#!/usr/bin/env bash
# dbcache-web's CPU per request, two binaries at the same paced load, alternately:
# what a change of the HTTP transport costs (docs/performance.md, "dbcache-web on
# cpp-httplib"). Needs a running stack (scripts/local-stack.sh, or the tests') and
# wrk; writes nothing but a key of its own prefix.
#
#   bench/web_cpu_ab.sh OLD/dbcache-web NEW/dbcache-web [PAIRS]
#
# Each pair runs OLD then NEW: a 2 s warm-up, then 8 s of wrk with 12 connections
# paced by bench/web_poll.lua (about 8,000 requests/s here), and the CPU the
# process spent (all threads, /proc/PID/task/*/schedstat) over the requests wrk
# counted. Prints each measurement, then the medians and the median of the
# pairs' NEW/OLD ratios. DBCACHE_REDIS_PORT / DBCACHE_REDIS_READER_PORT pick the
# stack (6379 / 6380).
set -euo pipefail
[[ $# -ge 2 ]] || { sed -n '2,14p' "$0"; exit 2; }
old=$1 new=$2 pairs=${3:-5}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
redis=${DBCACHE_REDIS_PORT:-6379} reader=${DBCACHE_REDIS_READER_PORT:-6380}
prefix="webcpu-ab-$$:"
for tool in wrk redis-cli; do
  command -v "$tool" >/dev/null || { echo "web_cpu_ab: $tool is not installed" >&2; exit 1; }
done
# A finished run's snapshot, so that the answers have their usual size.
redis-cli -p "$redis" SET "${prefix}stats" '{"run_id":"ab","state":"finished","queries":1000,"done":1000,"issued":1000,"hits":900,"misses":100,"coalesced":0,"errors":0,"in_flight":0,"hit_ratio":0.9,"latency_us":{"cache_hit":{"count":900,"mean":70,"p50":69,"p90":80,"p99":120,"p999":150,"max":151},"db":{"count":100,"mean":862,"p50":800,"p90":1200,"p99":2000,"p999":2100,"max":2101}}}' >/dev/null
trap 'redis-cli -p "$redis" DEL "${prefix}stats" >/dev/null' EXIT

cpu_ns() { awk '{ s += $1 } END { print s }' /proc/"$1"/task/*/schedstat; }
# measure BINARY: prints the µs of CPU per request.
measure() {
  local log pid port="" c0 c1 out requests
  log=$(mktemp)
  "$1" --listen=127.0.0.1:0 --redis_port="$redis" --redis_reader_port="$reader" \
    --prefix="$prefix" --web_token= >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 200); do
    port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$log" | head -n1)
    [[ -n $port ]] && break
    sleep 0.05
  done
  [[ -n $port ]] || { cat "$log" >&2; kill "$pid" 2>/dev/null; exit 1; }
  wrk -t1 -c12 -d2s -s "$repo/bench/web_poll.lua" "http://127.0.0.1:$port/" >/dev/null
  c0=$(cpu_ns "$pid")
  out=$(wrk -t1 -c12 -d8s -s "$repo/bench/web_poll.lua" "http://127.0.0.1:$port/")
  c1=$(cpu_ns "$pid")
  kill -TERM "$pid"
  wait "$pid" || true
  rm -f "$log"
  if grep -q "Non-2xx\|Socket errors" <<<"$out"; then
    echo "web_cpu_ab: wrk saw errors from $1:" >&2
    echo "$out" >&2
    exit 1
  fi
  requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  awk -v c=$((c1 - c0)) -v r="$requests" 'BEGIN { printf "%.2f\n", c / 1000 / r }'
}
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

olds=() news=() ratios=()
for ((i = 1; i <= pairs; i++)); do
  a=$(measure "$old") || exit 1
  b=$(measure "$new") || exit 1
  olds+=("$a") news+=("$b") ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b / a }')")
  echo "pair $i: old $a µs/request, new $b µs/request (new/old ${ratios[-1]})"
done
echo "median: old $(printf '%s\n' "${olds[@]}" | median) µs/request," \
  "new $(printf '%s\n' "${news[@]}" | median) µs/request;" \
  "median new/old $(printf '%s\n' "${ratios[@]}" | median)"
