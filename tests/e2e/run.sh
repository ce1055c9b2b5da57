#!/usr/bin/env bash
# Browser end-to-end tests of dbcache-web: starts dbcache-web and a real dbcached
# against a running local stack (under a Redis prefix of their own), runs the specs in
# headless Debian Chromium through playwright-core, and stops what it started.
#
#   DBCACHE_STACK_DIR=.stack DBCACHE_REDIS_PORT=16379 DBCACHE_REPLICA_PORT=16380 \
#   DBCACHE_MYSQL_PORT=13306 DBCACHE_BIN_DIR=build/bin tests/e2e/run.sh
#
# ctest runs it with the local_stack fixture's environment. Exit codes: 0 pass,
# 1 fail, 77 skip (a program, Node.js or Chromium is missing; under CI=true that is a
# failure instead). Screenshots go to
# $DBCACHE_SCREENSHOT (default <build>/e2e/page.png, plus page-375.png).
set -euo pipefail

readonly here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
readonly source_dir=${DBCACHE_SOURCE_DIR:-$(cd "$here/../.." && pwd -P)}
readonly bin_dir=${DBCACHE_BIN_DIR:-$source_dir/build/bin}
readonly build_dir=$(cd "$bin_dir/.." && pwd -P)
readonly stack_dir=${DBCACHE_STACK_DIR:-$source_dir/.stack}
readonly redis_port=${DBCACHE_REDIS_PORT:-16379}
readonly replica_port=${DBCACHE_REPLICA_PORT:-16380}
readonly mysql_port=${DBCACHE_MYSQL_PORT:-13306}
readonly chromium=${DBCACHE_CHROMIUM:-/usr/bin/chromium}
readonly out_dir=$build_dir/e2e
readonly screenshot=${DBCACHE_SCREENSHOT:-$out_dir/page.png}
# A prefix of our own: the specs write keys, and must not see or touch anyone else's.
readonly prefix="e2e:$$:"
readonly ready_deadline=60

# A developer without a browser may skip; CI may not, or it would pass without
# ever having run the browser test.
skip() {
  if [[ ${CI:-} == true ]]; then
    echo "e2e: FAIL: $* (CI=true: a browser test that cannot run is a failure)" >&2
    exit 1
  fi
  echo "e2e: SKIP: $*"
  exit 77
}
fail() {
  echo "e2e: FAIL: $*" >&2
  exit 1
}

for program in dbcache-web dbcached dbcachectl; do
  [[ -x $bin_dir/$program ]] || skip "$bin_dir/$program is not built yet"
done
command -v node >/dev/null || skip "node is not installed (scripts/install-deps.sh)"
command -v npm >/dev/null || skip "npm is not installed (scripts/install-deps.sh)"
command -v redis-cli >/dev/null || skip "redis-cli is not installed"
command -v curl >/dev/null || skip "curl is not installed"
[[ -x $chromium ]] || skip "$chromium is not installed (Debian package chromium)"
[[ -r $stack_dir/mysql.password ]] ||
  fail "no $stack_dir/mysql.password: is the local stack running? (scripts/local-stack.sh start)"

# playwright-core from the lock file; it never downloads a browser (we point it at
# Debian's Chromium), and --ignore-scripts keeps any install step from trying.
if [[ ! -f $here/node_modules/playwright-core/package.json ]]; then
  echo "e2e: npm ci (playwright-core, from package-lock.json)"
  (cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts --prefer-offline --no-audit \
    --no-fund --loglevel=error) || fail "npm ci failed in $here"
fi

mkdir -p "$out_dir"
web_log=$out_dir/dbcache-web.log
daemon_log=$out_dir/dbcached.log

# Settings for all three programs, through the environment so that the MySQL
# password never shows in a process list.
export REDIS_MASTER_HOST=127.0.0.1 REDIS_MASTER_PORT=$redis_port
export REDIS_READER_HOST=127.0.0.1 REDIS_READER_PORT=$replica_port
export MYSQL_HOST=127.0.0.1 MYSQL_PORT=$mysql_port MYSQL_USER=dbcache MYSQL_DATABASE=reviews
MYSQL_PASSWORD=$(<"$stack_dir/mysql.password")
export MYSQL_PASSWORD
export DBCACHE_PREFIX=$prefix
unset DBCACHE_WEB_TOKEN DBCACHE_WEB_LISTEN

web_pid=
daemon_pid=
stop_pid() {
  local pid=$1 i
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  echo "e2e: pid $pid did not stop on SIGTERM; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local status=$?
  stop_pid "$web_pid"
  stop_pid "$daemon_pid"
  # Our keys only (the prefix holds our PID); cached query results included.
  redis-cli -h 127.0.0.1 -p "$redis_port" --scan --pattern "${prefix}*" 2>/dev/null |
    xargs -r -n 100 redis-cli -h 127.0.0.1 -p "$redis_port" DEL >/dev/null 2>&1 || true
  if [[ $status -ne 0 && $status -ne 77 ]]; then
    echo "--- dbcache-web log (last 30 lines)"; tail -n 30 "$web_log" 2>/dev/null || true
    echo "--- dbcached log (last 30 lines)"; tail -n 30 "$daemon_log" 2>/dev/null || true
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "e2e: seeding the reviews table"
"$bin_dir/dbcachectl" seed --rows 10000 || fail "dbcachectl seed failed"

# A free loopback port, chosen by the kernel.
web_port=$(node -e '
  const s = require("net").createServer();
  s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
readonly web_url="http://127.0.0.1:$web_port/"

# The workloads of this source tree, not an installed file of another version.
"$bin_dir/dbcached" --workloads "$source_dir/share/workloads.yaml" >"$daemon_log" 2>&1 &
daemon_pid=$!
"$bin_dir/dbcache-web" --listen "127.0.0.1:$web_port" >"$web_log" 2>&1 &
web_pid=$!

# Ready when /healthz answers 200: the web reads the reader, and the daemon's
# heartbeat has replicated to it.
deadline=$((SECONDS + ready_deadline))
until curl -fsS -o /dev/null "${web_url}healthz" 2>/dev/null; do
  kill -0 "$web_pid" 2>/dev/null || fail "dbcache-web exited (see $web_log)"
  kill -0 "$daemon_pid" 2>/dev/null || fail "dbcached exited (see $daemon_log)"
  ((SECONDS < deadline)) || fail "not ready within ${ready_deadline}s: $(curl -sS "${web_url}healthz" 2>&1)"
  sleep 0.2
done
echo "e2e: dbcache-web at $web_url, dbcached ready, prefix $prefix"

export DBCACHE_WEB_URL=$web_url DBCACHE_REDIS_PORT=$redis_port DBCACHE_SCREENSHOT=$screenshot
export DBCACHE_BIN_DIR=$bin_dir
export DBCACHE_CHROMIUM=$chromium
failed=0
for spec in page.spec.mjs compare.spec.mjs views.spec.mjs xss.spec.mjs; do
  echo "e2e: $spec"
  node "$here/$spec" || failed=1
done
if ((failed)); then
  fail "some specs failed"
fi
echo "e2e: all specs passed; screenshots: $screenshot ${screenshot%.png}-375.png ${screenshot%.png}-compare.png ${screenshot%.png}-compare-375.png ${screenshot%.png}-views.png"
