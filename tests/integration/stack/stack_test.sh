#!/usr/bin/env bash
# Integration test of scripts/local-stack.sh against real servers, on a stack folder and
# ports of its own so that it never touches the `local_stack` fixture or a developer's
# stack.
#
#   stack_test.sh lifecycle      start, restart, status, env, logins, replication, stop
#   stack_test.sh unprivileged   start/login/stop as user nobody (skipped unless root)
#
# Environment: DBCACHE_SOURCE_DIR, DBCACHE_STACK_DIR, DBCACHE_REDIS_PORT,
# DBCACHE_REPLICA_PORT, DBCACHE_MYSQL_PORT (set by tests/integration/stack).
set -euo pipefail

readonly SKIP=77
: "${DBCACHE_SOURCE_DIR:?}" "${DBCACHE_STACK_DIR:?}" "${DBCACHE_REDIS_PORT:?}"
: "${DBCACHE_REPLICA_PORT:?}" "${DBCACHE_MYSQL_PORT:?}"
readonly STACK=$DBCACHE_SOURCE_DIR/scripts/local-stack.sh

failures=0
check() {
  local what=$1
  shift
  if "$@"; then
    echo "ok   - $what"
  else
    echo "FAIL - $what"
    failures=$((failures + 1))
  fi
}

not() {
  ! "$@"
}

fatal() {
  echo "FAIL - $*"
  exit 1
}

# Alive and not a zombie (an exited server may wait a while for init to reap it).
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

pid_files() {
  echo "$DBCACHE_STACK_DIR/redis-primary/redis.pid" \
    "$DBCACHE_STACK_DIR/redis-replica/redis.pid" \
    "$DBCACHE_STACK_DIR/mariadb/mariadbd.pid"
}

read_pids() {
  local file
  for file in $(pid_files); do
    [[ -s $file ]] || fatal "no pid file $file"
    tr -dc '0-9' <"$file"
    echo
  done
}

# Waits up to $1 seconds for the command that follows to succeed.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

mysql_tcp() {
  mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$DBCACHE_MYSQL_PORT" \
    --connect-timeout=5 --batch --skip-column-names "$@"
}

replica_has() {
  [[ $(redis-cli -h 127.0.0.1 -p "$DBCACHE_REPLICA_PORT" GET "$1" 2>/dev/null) == "$2" ]]
}

none_alive() {
  local pid
  for pid in "$@"; do
    if alive "$pid"; then
      echo "pid $pid still alive: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
      return 1
    fi
  done
}

env_has_every_variable() {
  local name
  for name in REDIS_MASTER_HOST REDIS_MASTER_PORT REDIS_READER_HOST \
    REDIS_READER_PORT MYSQL_HOST MYSQL_PORT MYSQL_USER MYSQL_PASSWORD MYSQL_DATABASE; do
    grep -q "^export $name=" <<<"$1" || {
      echo "env lacks $name"
      return 1
    }
  done
}

# Logs in over TCP as USER with PASSWORD and runs SQL; prints the result.
login_tcp() {
  local user=$1 password=$2 sql=$3
  MYSQL_PWD=$password mysql_tcp -u "$user" -e "$sql"
}

login_tcp_quietly() {
  login_tcp "$@" >/dev/null 2>&1
}

root_tcp_refused_without_password() {
  ! mysql_tcp -u root --skip-password -e "SELECT 1" 2>/dev/null
}

root_tcp_refused_with_empty_password() {
  ! MYSQL_PWD="" mysql_tcp -u root -e "SELECT 1" 2>/dev/null
}

replica_link_up() {
  redis-cli -h 127.0.0.1 -p "$DBCACHE_REPLICA_PORT" INFO replication |
    grep -q '^master_link_status:up'
}

no_pid_files() {
  local file
  for file in $(pid_files); do
    [[ ! -e $file ]] || return 1
  done
}

env_from_stack_dir_only() {
  env -u DBCACHE_REDIS_PORT -u DBCACHE_REPLICA_PORT -u DBCACHE_MYSQL_PORT \
    "$STACK" env
}

start_on_another_port() {
  DBCACHE_MYSQL_PORT=$((DBCACHE_MYSQL_PORT + 1)) "$STACK" start >/dev/null 2>&1
}

redis_answers() {
  [[ $(redis-cli -h 127.0.0.1 -p "$1" PING 2>/dev/null) == PONG ]]
}

test_lifecycle() {
  trap '"$STACK" stop >/dev/null 2>&1 || true' EXIT
  "$STACK" stop >/dev/null # A leftover of an interrupted earlier run.

  check "start succeeds" "$STACK" start
  local -a pids
  mapfile -t pids < <(read_pids)
  check "three distinct server pids recorded" \
    test "$(printf '%s\n' "${pids[@]}" | sort -u | wc -l)" -eq 3

  # A second start is a no-op: it starts nothing and says so for each server
  # (what makes it fast, whatever the machine's speed).
  local second rc=0
  second=$("$STACK" start 2>&1) || rc=$?
  check "second start succeeds" test "$rc" -eq 0
  check "second start finds all three running" \
    test "$(grep -c ': already running (pid ' <<<"$second")" -eq 3
  check "second start starts nothing" not grep -q ': started (pid ' <<<"$second"
  local -a pids_again
  mapfile -t pids_again < <(read_pids)
  check "second start leaves the same pids" \
    test "${pids[*]}" == "${pids_again[*]}"

  check "status exits 0 while all run" "$STACK" status

  local env_text
  env_text=$("$STACK" env)
  check "env prints every variable" env_has_every_variable "$env_text"
  check "env needs only DBCACHE_STACK_DIR (start recorded the rest)" \
    test "$(env_from_stack_dir_only)" == "$env_text"
  check "start asking for another port while running is refused" \
    not start_on_another_port
  (
    eval "$env_text"
    check "env points at this stack's ports" test \
      "$REDIS_MASTER_PORT/$REDIS_READER_PORT/$MYSQL_PORT/$MYSQL_DATABASE" == \
      "$DBCACHE_REDIS_PORT/$DBCACHE_REPLICA_PORT/$DBCACHE_MYSQL_PORT/reviews"
    check "app user logs in over TCP with the env's password" \
      test "$(login_tcp "$MYSQL_USER" "$MYSQL_PASSWORD" 'SELECT CURRENT_USER()')" \
      == "$MYSQL_USER@127.0.0.1"
    check "app user may create and use the reviews database" \
      login_tcp "$MYSQL_USER" "$MYSQL_PASSWORD" "CREATE DATABASE IF NOT EXISTS reviews;
        CREATE TABLE reviews.stack_probe (x INT); DROP TABLE reviews.stack_probe"
    check "app user is refused with a wrong password" \
      not login_tcp_quietly "$MYSQL_USER" wrong-password "SELECT 1"
    exit "$failures"
  ) || failures=$((failures + $?))
  check "password file is private (mode 600)" \
    test "$(stat -c %a "$DBCACHE_STACK_DIR/mysql.password")" == 600
  check "root cannot log in over TCP without a password" \
    root_tcp_refused_without_password
  check "root cannot log in over TCP with an empty password" \
    root_tcp_refused_with_empty_password

  check "replica reports master_link_status:up" replica_link_up
  local value="v$RANDOM$RANDOM"
  redis-cli -h 127.0.0.1 -p "$DBCACHE_REDIS_PORT" SET stack_test:key "$value" >/dev/null
  check "replica sees a key set on the primary (10s deadline)" \
    wait_until 10 replica_has stack_test:key "$value"

  check "stop succeeds" "$STACK" stop
  check "no recorded server pid is alive after stop" none_alive "${pids[@]}"
  check "stop removes the pid files" no_pid_files
  local status_rc=0
  "$STACK" status >/dev/null || status_rc=$?
  check "status exits 3 after stop" test "$status_rc" -eq 3
  check "stop again is harmless" "$STACK" stop

  # A stale pid file naming a live process that is not a server of ours (this shell)
  # must be neither signalled nor trusted.
  echo $$ >"$DBCACHE_STACK_DIR/redis-primary/redis.pid"
  echo $$ >"$DBCACHE_STACK_DIR/mariadb/mariadbd.pid"
  check "start over stale pid files succeeds" "$STACK" start
  check "stop after that succeeds" "$STACK" stop

  # A port taken by something else is reported as such.
  redis-server --bind 127.0.0.1 --port "$DBCACHE_REPLICA_PORT" --save "" \
    --logfile "" >/dev/null 2>&1 &
  local intruder=$!
  wait_until 10 redis_answers "$DBCACHE_REPLICA_PORT" || fatal "could not start the intruder redis"
  local output rc=0
  output=$("$STACK" start 2>&1) || rc=$?
  kill "$intruder"
  wait "$intruder" || true
  "$STACK" stop >/dev/null
  check "start fails when a port is taken" test "$rc" -ne 0
  check "and says which port is in use" \
    grep -q "port $DBCACHE_REPLICA_PORT on 127.0.0.1 is already in use" <<<"$output"

  trap - EXIT
}

owned_by_nobody() {
  local file
  for file in "$@"; do
    [[ $(stat -c %U "/proc/$(cat "$file")") == nobody ]] || return 1
  done
}

test_unprivileged() {
  if ((EUID != 0)) || ! command -v runuser >/dev/null 2>&1; then
    echo "skipped: needs root and runuser to switch to user nobody"
    exit "$SKIP"
  fi
  # nobody needs a folder of its own along a path it can traverse.
  local dir=$DBCACHE_STACK_DIR
  mkdir -p "$dir"
  chown nobody "$dir"
  if ! runuser -u nobody -- test -w "$dir"; then
    echo "skipped: user nobody cannot write $dir"
    exit "$SKIP"
  fi
  as_nobody() {
    runuser -u nobody -- env HOME="$dir" DBCACHE_STACK_DIR="$dir/stack" \
      DBCACHE_REDIS_PORT="$DBCACHE_REDIS_PORT" \
      DBCACHE_REPLICA_PORT="$DBCACHE_REPLICA_PORT" \
      DBCACHE_MYSQL_PORT="$DBCACHE_MYSQL_PORT" "$@"
  }
  trap 'as_nobody "$STACK" stop >/dev/null 2>&1 || true' EXIT
  check "start as nobody succeeds" as_nobody "$STACK" start
  check "servers run as nobody" owned_by_nobody \
    "$dir/stack/redis-primary/redis.pid" "$dir/stack/redis-replica/redis.pid" \
    "$dir/stack/mariadb/mariadbd.pid"
  local env_text
  env_text=$(as_nobody "$STACK" env)
  (
    eval "$env_text"
    check "app user logs in over TCP" \
      login_tcp_quietly "$MYSQL_USER" "$MYSQL_PASSWORD" "SELECT 1"
    exit "$failures"
  ) || failures=$((failures + $?))
  check "stop as nobody succeeds" as_nobody "$STACK" stop
  trap - EXIT
}

case ${1:-} in
lifecycle) test_lifecycle ;;
unprivileged) test_unprivileged ;;
*)
  echo "usage: $0 lifecycle|unprivileged" >&2
  exit 2
  ;;
esac

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
