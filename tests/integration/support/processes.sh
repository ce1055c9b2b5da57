# Sourced by the shell integration tests that run dbcached and dbcache-web on
# the fixture's stack (tests/integration/load, tests/integration/web): waiting
# on a condition with a deadline, the two readiness checks, the programs'
# environment and their cleanup.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/../support/processes.sh"
#   dbcache-web --listen=127.0.0.1:0 >"$work/web.log" 2>&1 &
#   wait_until 15 web_listening "$work/web.log" || exit 1   # sets $web_port
#   wait_until 15 daemon_subscribed "$redis_port" "${prefix}control" || exit 1

# wait_until SECONDS COMMAND...: polls until COMMAND succeeds; 1 past the deadline.
wait_until() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.05
  done
}

# web_listening LOG: whether dbcache-web has said where it listens (port 0 lets
# the kernel pick one); sets web_port (wait_until runs it in this shell).
web_listening() {
  web_port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$1" | head -n1)
  [[ -n $web_port ]]
}

# daemon_subscribed PORT CHANNEL: whether a dbcached listens on CHANNEL.
daemon_subscribed() {
  [[ $(redis-cli -p "$1" PUBSUB NUMSUB "$2" | tail -n1) -ge 1 ]]
}

# point_programs_at_stack PREFIX: exports what dbcached, dbcache-web and dbcachectl
# read to use the fixture's stack (DBCACHE_STACK_DIR, DBCACHE_*_PORT) under PREFIX.
point_programs_at_stack() {
  export REDIS_MASTER_PORT=${DBCACHE_REDIS_PORT:?} REDIS_READER_PORT=${DBCACHE_REPLICA_PORT:?}
  export MYSQL_PORT=${DBCACHE_MYSQL_PORT:?} MYSQL_USER=dbcache MYSQL_DATABASE=reviews
  MYSQL_PASSWORD=$(<"${DBCACHE_STACK_DIR:?}/mysql.password")
  export MYSQL_PASSWORD DBCACHE_PREFIX=$1
}

# stop_programs PREFIX WORK: TERMs and reaps every pid in the pids array, deletes
# the keys under PREFIX and removes the folder WORK (for an EXIT trap).
stop_programs() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  redis-cli -p "$DBCACHE_REDIS_PORT" --scan --pattern "$1*" |
    xargs -r redis-cli -p "$DBCACHE_REDIS_PORT" DEL >/dev/null
  rm -rf "$2"
}
