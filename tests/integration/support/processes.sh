# Sourced by the shell integration tests that run dbcached and dbcache-web on
# the fixture's stack (tests/integration/load, tests/integration/web): waiting
# on a condition with a deadline, and the two readiness checks.
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
