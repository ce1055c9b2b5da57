#!/usr/bin/env bash
# TLS to MySQL against a real MariaDB that requires it (require_secure_transport=ON),
# started here with a CA and a server certificate made here with openssl, for
# 127.0.0.1 only; the server also listens on 127.0.0.2, an address its
# certificate does not name. dbcachectl seed and dbcached share the settings
# (--mysql_ssl_mode, --mysql_ssl_ca); each case checks the exit and the message:
# - verify_identity with the right CA connects; a run through dbcached finishes
#   with every query answered and its counts adding up;
# - verify_identity at 127.0.0.2 is refused naming --mysql_host, verify_ca there
#   connects (it checks the chain only); a wrong CA is refused naming
#   --mysql_ssl_ca; disabled is refused by the server, and the message says why;
#   required against the fixture's MariaDB, which offers no TLS, is refused
#   (Connector/C 3.3 itself would connect in plain text);
# - a dbcached whose every connect fails verification counts each query as an
#   error, keeps its counts adding up and keeps answering.
#
# Needs the fixture's Redis (DBCACHE_* environment) for dbcached. The MariaDB
# takes the first free port from DBCACHE_TLS_MYSQL_PORT on, so that two build
# trees can run it at once. On a failure the work folder (the servers' and
# programs' logs) is kept.
set -euo pipefail

bin=${DBCACHE_BIN_DIR:?}
first_port=${DBCACHE_TLS_MYSQL_PORT:?}
work=${DBCACHE_TLS_DIR:?}
# It is removed at the start and the end: refuse anything but a folder of ours.
[[ $(basename "$work") == mysql-tls-test ]] || { echo "tls_test: refusing DBCACHE_TLS_DIR=$work"; exit 1; }
for tool in openssl jq redis-cli mariadb-install-db mariadb ss; do
  command -v "$tool" >/dev/null || { echo "tls_test: $tool is not installed (scripts/install-deps.sh)"; exit 1; }
done
mariadbd=$(command -v mariadbd || echo /usr/sbin/mariadbd)

prefix="tls$$:"
source "$(dirname "${BASH_SOURCE[0]}")/../support/processes.sh"
point_programs_at_stack "$prefix"
pids=()
mariadbd_pid=""
failures=0
fail() { echo "tls_test: FAIL: $*" >&2; failures=$((failures + 1)); }
cleanup() {
  local status=$?
  # dbcached first (stop_programs also removes our keys), then our MariaDB, a
  # child of this shell: $! is known before any pid file is written.
  local keep_logs=$work/programs
  ((status == 0)) || keep_logs=$(mktemp -d)
  stop_programs "$prefix" "$keep_logs"
  if [[ -n $mariadbd_pid ]]; then
    kill -TERM "$mariadbd_pid" 2>/dev/null || true
    wait_until 30 bash -c "! kill -0 $mariadbd_pid" || kill -KILL "$mariadbd_pid" 2>/dev/null || true
    wait "$mariadbd_pid" 2>/dev/null || true
  fi
  if ((status == 0)); then
    rm -rf "$work"
  else
    echo "tls_test: logs kept in $work (mariadbd.log, openssl.log, programs/)"
    tail -n 15 "$work/mariadbd.log" 2>/dev/null || true
  fi
}
trap cleanup EXIT
rm -rf "$work"
mkdir -p "$work/data" "$work/programs"

port=""
for candidate in $(seq "$first_port" $((first_port + 20))); do
  if ! ss -Htln "sport = :$candidate" | grep -q .; then port=$candidate; break; fi
done
[[ -n $port ]] || { echo "tls_test: no free port in $first_port..$((first_port + 20))"; exit 1; }

# --- a CA, a server certificate for 127.0.0.1, and a CA that signed nothing ---
cert() { openssl "$@" >>"$work/openssl.log" 2>&1; }
cert req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=dbcache test CA" \
  -keyout "$work/ca-key.pem" -out "$work/ca.pem"
cert req -newkey rsa:2048 -nodes -subj "/CN=dbcache test server" \
  -keyout "$work/server-key.pem" -out "$work/server.csr"
printf 'subjectAltName=IP:127.0.0.1\n' >"$work/san.cnf"
cert x509 -req -days 2 -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca-key.pem" \
  -CAcreateserial -extfile "$work/san.cnf" -out "$work/server-cert.pem"
cert req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=another CA" \
  -keyout "$work/other-key.pem" -out "$work/other-ca.pem"

# --- a MariaDB that takes TLS connections only ---
{
  echo "[mysqld]"
  if ((EUID == 0)); then echo "user=root"; fi
  echo "datadir=$work/data"
  echo "socket=$work/mariadbd.sock"
  echo "pid-file=$work/mariadbd.pid"
  echo "log-error=$work/mariadbd.log"
  echo "port=$port"
  echo "bind-address=127.0.0.1,127.0.0.2"
  echo "skip-name-resolve"
  echo "local-infile=1"
  echo "ssl-ca=$work/ca.pem"
  echo "ssl-cert=$work/server-cert.pem"
  echo "ssl-key=$work/server-key.pem"
  echo "require_secure_transport=ON"
} >"$work/my.cnf"
# The admin is whoever runs the test, by unix socket (as in scripts/local-stack.sh).
me=$(id -un)
install_args=(--defaults-file="$work/my.cnf" --auth-root-authentication-method=socket
  --auth-root-socket-user="$me" --skip-test-db)
((EUID == 0)) && install_args+=(--user=root)
mariadb-install-db "${install_args[@]}" >"$work/install.log" 2>&1 ||
  { tail -n 20 "$work/install.log"; exit 1; }
"$mariadbd" --defaults-file="$work/my.cnf" >/dev/null 2>&1 </dev/null &
mariadbd_pid=$!
admin() { mariadb --no-defaults --socket="$work/mariadbd.sock" -u "$me" "$@"; }
wait_until 60 admin -e "SELECT 1" || { echo "tls_test: MariaDB did not start"; tail -n 20 "$work/mariadbd.log"; exit 1; }
# The account takes either address the server listens on.
admin -e "CREATE DATABASE reviews;
  CREATE USER 'dbcache'@'127.0.0.%' IDENTIFIED BY '$MYSQL_PASSWORD';
  GRANT ALL ON reviews.* TO 'dbcache'@'127.0.0.%';" >/dev/null
[[ $(admin -N -e "SELECT @@require_secure_transport") == 1 ]] ||
  { echo "tls_test: the server does not require secure transport"; exit 1; }

# seed_with HOST PORT MODE [CA]: dbcachectl seed of 100 rows; output in $out.
seed_with() {
  local -a env=(MYSQL_HOST="$1" MYSQL_PORT="$2" MYSQL_SSL_MODE="$3" MYSQL_SSL_CA="${4:-}")
  set +e
  out=$(env "${env[@]}" "$bin/dbcachectl" seed --rows 100 2>&1)
  status=$?
  set -e
}
expect_refused() {  # WHAT TEXT...: the last seed failed and said each TEXT
  local what=$1 text; shift
  ((status != 0)) || fail "$what: connected (exit 0)"
  for text in "$@"; do
    [[ $out == *"$text"* ]] || fail "$what: no '$text' in: $out"
  done
  echo "tls_test: $what: refused (exit $status): ${out:0:300}"
}

# The account and password work: a refusal below is about TLS, not them.
seed_with 127.0.0.1 "$port" verify_identity "$work/ca.pem"
if ((status == 0)); then
  echo "tls_test: verify_identity: connected and seeded"
else
  fail "verify_identity with the right CA: exit $status: $out"
fi
seed_with 127.0.0.1 "$port" preferred
((status == 0)) || fail "preferred: exit $status: $out"
seed_with 127.0.0.2 "$port" verify_identity "$work/ca.pem"
expect_refused "verify_identity at 127.0.0.2" "--mysql_host=127.0.0.2" "verify_identity"
seed_with 127.0.0.2 "$port" verify_ca "$work/ca.pem"
((status == 0)) || fail "verify_ca at 127.0.0.2 (the chain only): exit $status: $out"
seed_with 127.0.0.1 "$port" verify_ca "$work/other-ca.pem"
expect_refused "verify_ca with another CA" "--mysql_ssl_ca=$work/other-ca.pem"
seed_with 127.0.0.1 "$port" disabled
expect_refused "disabled" "Access denied" "require_secure_transport" "--mysql_ssl_mode=verify_identity"
seed_with 127.0.0.1 "$port" verify_ca "$work/missing.pem"
expect_refused "verify_ca with a CA that is not there" "--mysql_ssl_ca=$work/missing.pem: cannot be read"
seed_with 127.0.0.1 "$DBCACHE_MYSQL_PORT" required
expect_refused "required against a server without TLS" "offers no TLS" "--mysql_ssl_mode=required"
seed_with 127.0.0.1 "$port" verify_ca ""
expect_refused "verify_ca without a CA" "needs --mysql_ssl_ca"

# check_run ID WANT_ERRORS: the run's summary adds up; WANT_ERRORS: none (and it
# finished), or all (it failed, saying why).
check_run() {
  local summary
  summary=$(redis-cli -p "$DBCACHE_REDIS_PORT" LINDEX "${prefix}runs" 0)
  jq -e --arg id "$1" --arg want "$2" '
    .run_id == $id and .issued == .queries and .in_flight == 0 and
    (.hits + .misses + .coalesced + .writes + .errors) == .done and .done == .queries and
    ([.errors_by_kind[]] | add // 0) == .errors and
    (if $want == "none" then .state == "finished" and .errors == 0 and .db_queries > 0
     else .state == "failed" and .errors == .queries end)
  ' <<<"$summary" >/dev/null || fail "run $1 ($2 errors): $summary"
  jq -c '{run_id, state, done, hits, misses, errors, db_queries, last_error}' <<<"$summary"
  last_error=$(jq -r .last_error <<<"$summary")
}

# start_daemon HOST: a dbcached with verify_identity at HOST.
start_daemon() {
  MYSQL_HOST=$1 MYSQL_PORT=$port MYSQL_SSL_MODE=verify_identity MYSQL_SSL_CA=$work/ca.pem \
    "$bin/dbcached" --cache_reads=primary >"$work/programs/dbcached-$1.log" 2>&1 &
  pids+=($!)
  wait_until 15 daemon_subscribed "$DBCACHE_REDIS_PORT" "${prefix}control" ||
    { fail "dbcached at $1 did not subscribe"; return 1; }
}
stop_daemon() {
  kill -TERM "${pids[-1]}"
  wait "${pids[-1]}" || fail "dbcached exited $?"
  unset 'pids[-1]'
  wait_until 10 bash -c "! redis-cli -p $DBCACHE_REDIS_PORT PUBSUB NUMSUB ${prefix}control | tail -n1 | grep -qx 1"
}

start_daemon 127.0.0.1
"$bin/dbcachectl" run --queries 300 --concurrency 4 --id tls-ok --wait >/dev/null ||
  fail "the run over TLS did not finish"
check_run tls-ok none
stop_daemon

start_daemon 127.0.0.2
# From an empty cache: every query needs MySQL.
"$bin/dbcachectl" flush >/dev/null || fail "flush"
set +e
"$bin/dbcachectl" run --queries 50 --concurrency 2 --id tls-name --wait >/dev/null
set -e
check_run tls-name all
[[ $last_error == *"--mysql_host=127.0.0.2"* && $last_error == *"Validation of SSL server certificate failed"* ]] ||
  fail "the run's last error does not say why: $last_error"
"$bin/dbcachectl" status >/dev/null || fail "dbcached stopped answering after the failed connects"
stop_daemon

if ((failures)); then
  echo "tls_test: $failures failure(s)"
  exit 1
fi
echo "tls_test: all cases passed"
