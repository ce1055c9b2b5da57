#!/usr/bin/env bash
# Runs dbcache's local development stack: a Redis primary, a Redis replica of it and a
# MariaDB server, as background processes of the current user under one folder, bound
# to 127.0.0.1 on ports that avoid the usual ones. See usage() below.
set -euo pipefail
# The mariadb clients read these; after `eval "$(local-stack.sh env)"` MYSQL_HOST
# would send the socket-only admin login over TCP. This script names its server
# explicitly every time.
unset MYSQL_HOST MYSQL_TCP_PORT MYSQL_PWD MYSQL_UNIX_PORT

readonly PROGRAM=local-stack.sh
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
readonly REPO_DIR

usage() {
  cat <<EOF
Usage: scripts/$PROGRAM start|stop|status|env|--help

Runs a Redis primary, a Redis replica (replicaof the primary) and a MariaDB server for
dbcache as background processes of the current user, bound to 127.0.0.1 only.

Commands:
  start   start whatever is not running (idempotent) and return once every server
          answers, the replica's link to the primary is up and the application user
          can log in to MariaDB over TCP. The first start initializes MariaDB.
  stop    stop the servers this stack started (by the PIDs in its pid files) and wait
          for them to exit; idempotent.
  status  one line per server: running/stopped, pid, port. Exit 0 if all run, else 3.
  env     print export lines for dbcache's programs:  eval "\$(scripts/$PROGRAM env)"

Environment:
  DBCACHE_STACK_DIR       stack folder (config, data, pid and log files)
                          default: <repo>/.stack
  DBCACHE_REDIS_PORT      Redis primary port         default: 16379
  DBCACHE_REPLICA_PORT    Redis replica port         default: 16380
  DBCACHE_MYSQL_PORT      MariaDB port               default: 13306
  DBCACHE_MYSQL_USER      application user           default: dbcache
  DBCACHE_MYSQL_PASSWORD  its password; default: generated on first start and kept
                          in <stack>/mysql.password (mode 600)
start records the ports and user in <stack>/stack.env; later commands default to them,
and a start that asks for other ports while the stack runs is refused.

MariaDB's root account has no TCP login: it authenticates by unix socket only, over the
socket named in <stack>/mariadb/socket.path. Logs: <stack>/*/*.log.
EOF
}

# --- settings ---------------------------------------------------------------------

STACK_DIR=${DBCACHE_STACK_DIR:-$REPO_DIR/.stack}
# What the last start ran with (see record_settings): the defaults of status, env and
# a later start, so that they need only DBCACHE_STACK_DIR.
SETTINGS_FILE=$STACK_DIR/stack.env
RECORDED_REDIS_PORT="" RECORDED_REPLICA_PORT="" RECORDED_MYSQL_PORT="" RECORDED_USER=""
if [[ -r $SETTINGS_FILE ]]; then
  while IFS='=' read -r key value; do
    case $key in
    DBCACHE_REDIS_PORT) RECORDED_REDIS_PORT=$value ;;
    DBCACHE_REPLICA_PORT) RECORDED_REPLICA_PORT=$value ;;
    DBCACHE_MYSQL_PORT) RECORDED_MYSQL_PORT=$value ;;
    DBCACHE_MYSQL_USER) RECORDED_USER=$value ;;
    esac
  done <"$SETTINGS_FILE"
fi
REDIS_PORT=${DBCACHE_REDIS_PORT:-${RECORDED_REDIS_PORT:-16379}}
REPLICA_PORT=${DBCACHE_REPLICA_PORT:-${RECORDED_REPLICA_PORT:-16380}}
MYSQL_PORT=${DBCACHE_MYSQL_PORT:-${RECORDED_MYSQL_PORT:-13306}}
APP_USER=${DBCACHE_MYSQL_USER:-${RECORDED_USER:-dbcache}}
readonly HOST=127.0.0.1
readonly DATABASE=reviews
# Deadlines, in seconds, for conditions we wait on.
readonly REDIS_DEADLINE=30
readonly MARIADB_INIT_DEADLINE=120
readonly MARIADB_DEADLINE=60
readonly STOP_DEADLINE=60
readonly KILL_DEADLINE=10

die() {
  echo "$PROGRAM: $*" >&2
  exit 1
}

check_port() {
  local name=$1 value=$2
  if ! [[ $value =~ ^[0-9]{1,5}$ ]] || ((10#$value < 1 || 10#$value > 65535)); then
    die "$name='$value' is not a port number (1..65535)"
  fi
}

check_settings() {
  check_port DBCACHE_REDIS_PORT "$REDIS_PORT"
  check_port DBCACHE_REPLICA_PORT "$REPLICA_PORT"
  check_port DBCACHE_MYSQL_PORT "$MYSQL_PORT"
  if ((REDIS_PORT == REPLICA_PORT || REDIS_PORT == MYSQL_PORT ||
    REPLICA_PORT == MYSQL_PORT)); then
    die "the three ports must differ (redis $REDIS_PORT, replica $REPLICA_PORT," \
      "mysql $MYSQL_PORT)"
  fi
  # The name goes into SQL and config files unquoted-safe only if it is plain.
  [[ $APP_USER =~ ^[A-Za-z0-9_]{1,32}$ ]] ||
    die "DBCACHE_MYSQL_USER='$APP_USER' must be 1-32 characters of [A-Za-z0-9_]"
}

# Makes the stack folder and sets the paths under it. The folder is canonicalized so
# that the working directory a server reports (/proc/PID/cwd) compares equal.
init_paths() {
  mkdir -p "$STACK_DIR"
  STACK_DIR=$(cd "$STACK_DIR" && pwd -P)
  PRIMARY_DIR=$STACK_DIR/redis-primary
  REPLICA_DIR=$STACK_DIR/redis-replica
  MARIADB_DIR=$STACK_DIR/mariadb
  MARIADB_DATA=$MARIADB_DIR/data
  MARIADB_CNF=$MARIADB_DIR/my.cnf
  MARIADB_PID=$MARIADB_DIR/mariadbd.pid
  MARIADB_LOG=$MARIADB_DIR/mariadbd.log
  MARIADB_INITIALIZED=$MARIADB_DIR/initialized
  ADMIN_USER_FILE=$MARIADB_DIR/admin.user
  CLIENT_CNF=$MARIADB_DIR/client-app.cnf
  PASSWORD_FILE=$STACK_DIR/mysql.password
  SOCKET_PATH_FILE=$MARIADB_DIR/socket.path
  # A unix socket path must fit in sun_path (108 bytes with its NUL). A long stack
  # path gets a socket under /tmp whose name is unique to this user and stack folder.
  local socket=$MARIADB_DIR/mysqld.sock
  if ((${#socket} > 100)); then
    local sum
    sum=$(printf '%s' "$STACK_DIR" | cksum | cut -d' ' -f1)
    socket=/tmp/dbcache-stack-$(id -u)-$sum.sock
  fi
  MARIADB_SOCKET=$socket
}

# --- processes --------------------------------------------------------------------

read_pid() {
  local file=$1 pid
  [[ -r $file ]] || return 1
  pid=$(head -c 32 "$file" | tr -dc '0-9')
  [[ -n $pid ]] || return 1
  echo "$pid"
}

# True when PID is alive and is the server we expect: its command line names the
# binary and, where we may look, it runs in the expected folder. This keeps a stale
# pid file, whose PID the kernel has since given to another process, from making us
# signal that process.
is_our_server() {
  local pid=$1 pattern=$2 dir=$3 cmdline cwd
  [[ -r /proc/$pid/cmdline ]] || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline =~ $pattern ]] || return 1
  if cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null); then
    [[ $cwd == "$dir" ]] || return 1
  fi
  return 0
}

# Prints the PID of the running server described by the arguments, or fails.
running_pid() {
  local pid_file=$1 pattern=$2 dir=$3 pid
  pid=$(read_pid "$pid_file") || return 1
  is_our_server "$pid" "$pattern" "$dir" || return 1
  echo "$pid"
}

redis_pid() { running_pid "$1/redis.pid" 'redis-server' "$1/data"; }
mariadb_pid() { running_pid "$MARIADB_PID" '(mariadbd|mysqld)' "$MARIADB_DATA"; }

# True while PID runs. A server that has exited but not yet been reaped (a zombie:
# its parent is init, and some inits reap lazily) counts as gone.
process_alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

# True when something accepts TCP connections on 127.0.0.1:PORT.
port_in_use() {
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

# Says that PORT is taken by a process that is not ours, naming it if ss can.
port_taken() {
  local what=$1 port=$2 variable=$3 who=""
  if command -v ss >/dev/null 2>&1; then
    who=$(ss -Hltnp "sport = :$port" 2>/dev/null | head -n 1 || true)
  fi
  echo "$PROGRAM: cannot start $what: port $port on $HOST is already in use by" \
    "another process${who:+ ($who)}; stop it or choose another port with" \
    "$variable" >&2
  exit 1
}

print_log_tail() {
  local what=$1 log=$2
  if [[ -s $log ]]; then
    echo "--- last 20 lines of $log ---" >&2
    tail -n 20 "$log" >&2
    echo "---" >&2
  else
    echo "($what wrote nothing to $log)" >&2
  fi
}

fail_start() {
  local what=$1 log=$2 why=$3
  echo "$PROGRAM: $what failed to start: $why" >&2
  print_log_tail "$what" "$log"
  exit 1
}

# Runs a server in the background in a session of its own, so that a terminal's
# signals (Ctrl-C, hang-up) do not reach it, with no descriptor of ours left open: a
# caller that waits for our output to end (ctest, $(...)) is not kept waiting, and the
# server does not go on holding the stack's lock (fd 9). Sets LAUNCHED_PID.
launch() {
  local log=$1
  shift
  setsid "$@" </dev/null >>"$log" 2>&1 9>&- &
  LAUNCHED_PID=$!
}

# Sends SIGTERM to a server of ours, waits for it to exit, and sends SIGKILL if it is
# still there after the deadline.
stop_server() {
  local what=$1 pid_file=$2 pattern=$3 dir=$4 pid
  if ! pid=$(running_pid "$pid_file" "$pattern" "$dir"); then
    if [[ -e $pid_file ]]; then
      rm -f "$pid_file"
      echo "$what: not running (removed stale pid file)"
    else
      echo "$what: not running"
    fi
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_DEADLINE))
  while process_alive "$pid" && ((SECONDS < deadline)); do
    sleep 0.1
  done
  if process_alive "$pid"; then
    echo "$what: pid $pid still running ${STOP_DEADLINE}s after SIGTERM; sending" \
      "SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
    deadline=$((SECONDS + KILL_DEADLINE))
    while process_alive "$pid" && ((SECONDS < deadline)); do
      sleep 0.1
    done
    if process_alive "$pid"; then
      echo "$PROGRAM: $what: pid $pid survived SIGKILL" >&2
      return 1
    fi
  fi
  rm -f "$pid_file"
  echo "$what: stopped (pid $pid)"
}

# --- Redis ------------------------------------------------------------------------

redis_cli() {
  local port=$1
  shift
  redis-cli -h "$HOST" -p "$port" "$@"
}

redis_answers() {
  [[ $(redis_cli "$1" PING 2>/dev/null) == PONG ]]
}

replica_link_up() {
  redis_cli "${1:-$REPLICA_PORT}" INFO replication 2>/dev/null |
    grep -q '^master_link_status:up'
}

write_redis_conf() {
  local dir=$1 port=$2 replica_of=${3:-}
  mkdir -p "$dir/data"
  {
    echo "# Written by $PROGRAM at every start; edits are lost."
    echo "bind $HOST"
    echo "port $port"
    echo "protected-mode yes"
    echo "daemonize no"
    echo "pidfile $dir/redis.pid"
    echo "logfile \"\""
    echo "dir $dir/data"
    # A cache of a demo: nothing is worth persisting across restarts.
    echo "save \"\""
    echo "appendonly no"
    # Sync a new replica at once rather than waiting 5 s for others to join it.
    echo "repl-diskless-sync-delay 0"
    if [[ -n $replica_of ]]; then
      echo "replicaof $HOST $replica_of"
      echo "replica-read-only yes"
    fi
  } >"$dir/redis.conf"
}

# Starts one Redis server unless it runs; waits until it answers PING.
start_redis() {
  local what=$1 dir=$2 port=$3 variable=$4 replica_of=${5:-}
  local log=$dir/redis.log pid
  if pid=$(redis_pid "$dir"); then
    wait_for_redis "$what" "$dir" "$port" "$pid"
    echo "$what: already running (pid $pid, port $port)"
    return 0
  fi
  rm -f "$dir/redis.pid"
  port_in_use "$port" && port_taken "$what" "$port" "$variable"
  write_redis_conf "$dir" "$port" "$replica_of"
  launch "$log" redis-server "$dir/redis.conf"
  wait_for_redis "$what" "$dir" "$port" "$LAUNCHED_PID"
  echo "$what: started (pid $LAUNCHED_PID, port $port)"
}

wait_for_redis() {
  local what=$1 dir=$2 port=$3 pid=$4
  local deadline=$((SECONDS + REDIS_DEADLINE))
  until redis_answers "$port" && [[ -s $dir/redis.pid ]]; do
    process_alive "$pid" ||
      fail_start "$what" "$dir/redis.log" "the process (pid $pid) exited"
    ((SECONDS < deadline)) ||
      fail_start "$what" "$dir/redis.log" \
        "no PONG on port $port within ${REDIS_DEADLINE}s"
    sleep 0.1
  done
}

wait_for_replica_link() {
  local deadline=$((SECONDS + REDIS_DEADLINE))
  until replica_link_up; do
    ((SECONDS < deadline)) ||
      fail_start "redis replica" "$REPLICA_DIR/redis.log" \
        "master_link_status not up within ${REDIS_DEADLINE}s"
    sleep 0.1
  done
}

# --- MariaDB ----------------------------------------------------------------------

find_mariadbd() {
  local candidate
  for candidate in mariadbd /usr/sbin/mariadbd mysqld /usr/sbin/mysqld; do
    if command -v "$candidate" >/dev/null 2>&1; then
      command -v "$candidate"
      return 0
    fi
  done
  die "no MariaDB server found (mariadbd, /usr/sbin/mariadbd, mysqld);" \
    "see scripts/install-deps.sh"
}

require_tools() {
  local tool
  for tool in redis-server redis-cli mariadb-install-db mariadb mariadb-admin setsid \
    flock cksum; do
    command -v "$tool" >/dev/null 2>&1 ||
      die "$tool not found; see scripts/install-deps.sh"
  done
}

write_mariadb_conf() {
  mkdir -p "$MARIADB_DATA" "$MARIADB_DIR/tmp"
  printf '%s\n' "$MARIADB_SOCKET" >"$SOCKET_PATH_FILE"
  {
    echo "# Written by $PROGRAM at every start; edits are lost."
    echo "[mysqld]"
    # mariadbd refuses to run as root unless told to; as anyone else it must not be.
    if ((EUID == 0)); then echo "user=root"; fi
    echo "datadir=$MARIADB_DATA"
    echo "tmpdir=$MARIADB_DIR/tmp"
    echo "socket=$MARIADB_SOCKET"
    echo "pid-file=$MARIADB_PID"
    echo "log-error=$MARIADB_LOG"
    echo "port=$MYSQL_PORT"
    echo "bind-address=$HOST"
    echo "skip-name-resolve"
    echo "character-set-server=utf8mb4"
    echo "collation-server=utf8mb4_general_ci"
    echo "local-infile=1"
    echo "max_allowed_packet=64M"
    # Sized for bulk loads on a laptop; durability per commit is not needed locally.
    echo "innodb_buffer_pool_size=256M"
    echo "innodb_log_file_size=256M"
    echo "innodb_flush_log_at_trx_commit=2"
  } >"$MARIADB_CNF"
}

admin_user() {
  cat "$ADMIN_USER_FILE" 2>/dev/null || id -un
}

# The administrative client: unix socket, authenticated as the OS user (unix_socket).
mariadb_admin_sql() {
  mariadb --no-defaults --protocol=socket --socket="$MARIADB_SOCKET" \
    --user="$(admin_user)" --batch --skip-column-names "$@"
}

mariadb_socket_answers() {
  mariadb-admin --no-defaults --protocol=socket --socket="$MARIADB_SOCKET" \
    --user="$(admin_user)" --connect-timeout=2 ping >/dev/null 2>&1 &&
    mariadb_admin_sql -e 'SELECT 1' >/dev/null 2>&1
}

app_login_works() {
  [[ -r $CLIENT_CNF ]] &&
    mariadb --defaults-file="$CLIENT_CNF" --batch --skip-column-names \
      -e 'SELECT 1' >/dev/null 2>&1
}

# Prints the application password: DBCACHE_MYSQL_PASSWORD, else the kept one.
app_password() {
  if [[ -n ${DBCACHE_MYSQL_PASSWORD:-} ]]; then
    printf '%s' "$DBCACHE_MYSQL_PASSWORD"
  elif [[ -s $PASSWORD_FILE ]]; then
    head -n 1 "$PASSWORD_FILE" | tr -d '\n'
  else
    return 1
  fi
}

# Makes sure the password file holds the password to use, generating one the first
# time. Only the owner may read it.
ensure_password() {
  local password
  if ! password=$(app_password); then
    password=$(head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)
  fi
  (
    umask 077
    printf '%s\n' "$password" >"$PASSWORD_FILE.tmp"
  )
  mv -f "$PASSWORD_FILE.tmp" "$PASSWORD_FILE"
  chmod 600 "$PASSWORD_FILE"
}

# Escapes a value for a single-quoted SQL string literal.
sql_quote() {
  local value=${1//\\/\\\\}
  printf "'%s'" "${value//\'/\\\'}"
}

write_client_cnf() {
  local password
  password=$(app_password)
  (
    umask 077
    {
      echo "[client]"
      echo "protocol=tcp"
      echo "host=$HOST"
      echo "port=$MYSQL_PORT"
      echo "user=$APP_USER"
      echo "password=\"${password//\"/\\\"}\""
      echo "database=$DATABASE"
    } >"$CLIENT_CNF"
  )
}

# Creates (or updates) the application user, idempotently, as the socket-only admin.
provision_app_user() {
  local password host sql=""
  password=$(sql_quote "$(app_password)")
  sql+="CREATE DATABASE IF NOT EXISTS \`$DATABASE\`;"
  for host in 127.0.0.1 localhost; do
    sql+="CREATE USER IF NOT EXISTS '$APP_USER'@'$host' IDENTIFIED BY $password;"
    sql+="ALTER USER '$APP_USER'@'$host' IDENTIFIED BY $password;"
    sql+="GRANT ALL PRIVILEGES ON \`$DATABASE\`.* TO '$APP_USER'@'$host';"
  done
  mariadb_admin_sql -e "$sql" >>"$MARIADB_LOG" 2>&1 ||
    fail_start mariadb "$MARIADB_LOG" "could not create the application user"
  write_client_cnf
}

# First start: system tables, with root (and the OS user running this) authenticated
# by unix socket only, no test database, and no anonymous accounts.
initialize_mariadb() {
  local me
  me=$(id -un)
  if [[ -e $MARIADB_DATA && ! -e $MARIADB_INITIALIZED ]]; then
    # A previous initialization stopped half-way; start it over.
    [[ $MARIADB_DATA == "$STACK_DIR"/* ]] || die "refusing to clear $MARIADB_DATA"
    rm -rf "${MARIADB_DATA:?}"
    mkdir -p "$MARIADB_DATA"
  fi
  echo "mariadb: initializing $MARIADB_DATA (first start)"
  local extra_sql=$MARIADB_DIR/init.sql
  cat >"$extra_sql" <<'EOF'
DELETE FROM mysql.global_priv WHERE User = '';
DELETE FROM mysql.proxies_priv WHERE Host <> 'localhost';
FLUSH PRIVILEGES;
EOF
  local -a args=(--defaults-file="$MARIADB_CNF" --auth-root-authentication-method=socket
    --auth-root-socket-user="$me" --skip-test-db --skip-name-resolve
    --extra-file="$extra_sql")
  if ((EUID == 0)); then args+=(--user=root); fi
  if ! timeout "$MARIADB_INIT_DEADLINE" mariadb-install-db "${args[@]}" \
    >>"$MARIADB_DIR/install.log" 2>&1; then
    fail_start mariadb "$MARIADB_DIR/install.log" \
      "mariadb-install-db failed (or took over ${MARIADB_INIT_DEADLINE}s)"
  fi
  printf '%s\n' "$me" >"$ADMIN_USER_FILE"
  touch "$MARIADB_INITIALIZED"
}

wait_for_mariadb() {
  local pid=$1 deadline=$((SECONDS + MARIADB_DEADLINE))
  until mariadb_socket_answers; do
    process_alive "$pid" ||
      fail_start mariadb "$MARIADB_LOG" "the process (pid $pid) exited"
    ((SECONDS < deadline)) ||
      fail_start mariadb "$MARIADB_LOG" \
        "no answer on $MARIADB_SOCKET within ${MARIADB_DEADLINE}s"
    sleep 0.2
  done
  # The pid file is how stop finds the server again; mariadbd writes it early.
  until [[ -s $MARIADB_PID ]]; do
    ((SECONDS < deadline)) ||
      fail_start mariadb "$MARIADB_LOG" "no pid file $MARIADB_PID"
    sleep 0.1
  done
}

start_mariadb() {
  local pid mariadbd
  ensure_password
  if pid=$(mariadb_pid); then
    wait_for_mariadb "$pid"
    app_login_works || provision_app_user
    echo "mariadb: already running (pid $pid, port $MYSQL_PORT)"
  else
    rm -f "$MARIADB_PID"
    port_in_use "$MYSQL_PORT" && port_taken mariadb "$MYSQL_PORT" DBCACHE_MYSQL_PORT
    if [[ -S $MARIADB_SOCKET ]]; then
      # Left by a server that died; a live one would have been found above.
      rm -f "$MARIADB_SOCKET"
    fi
    mariadbd=$(find_mariadbd)
    write_mariadb_conf
    [[ -e $MARIADB_INITIALIZED ]] || initialize_mariadb
    launch "$MARIADB_LOG" "$mariadbd" --defaults-file="$MARIADB_CNF"
    pid=$LAUNCHED_PID
    wait_for_mariadb "$pid"
    pid=$(read_pid "$MARIADB_PID")
    provision_app_user
    echo "mariadb: started (pid $pid, port $MYSQL_PORT)"
  fi
  app_login_works ||
    fail_start mariadb "$MARIADB_LOG" \
      "user '$APP_USER' cannot log in over TCP at $HOST:$MYSQL_PORT"
}

# --- commands ---------------------------------------------------------------------

lock_stack() {
  exec 9>"$STACK_DIR/.lock"
  flock -w 120 9 || die "another $PROGRAM is working on $STACK_DIR"
}

# Refuses to start with other ports or user than the running servers were given, and
# records the settings for later commands.
record_settings() {
  if redis_pid "$PRIMARY_DIR" >/dev/null || redis_pid "$REPLICA_DIR" >/dev/null ||
    mariadb_pid >/dev/null; then
    local now="$REDIS_PORT/$REPLICA_PORT/$MYSQL_PORT/$APP_USER"
    local recorded="$RECORDED_REDIS_PORT/$RECORDED_REPLICA_PORT/$RECORDED_MYSQL_PORT"
    recorded+="/$RECORDED_USER"
    if [[ -n $RECORDED_REDIS_PORT && $now != "$recorded" ]]; then
      die "the stack in $STACK_DIR runs with ports/user $recorded, not $now;" \
        "run '$PROGRAM stop' first to change them"
    fi
  fi
  {
    echo "# Written by $PROGRAM start: the settings this stack runs with."
    echo "DBCACHE_REDIS_PORT=$REDIS_PORT"
    echo "DBCACHE_REPLICA_PORT=$REPLICA_PORT"
    echo "DBCACHE_MYSQL_PORT=$MYSQL_PORT"
    echo "DBCACHE_MYSQL_USER=$APP_USER"
  } >"$SETTINGS_FILE"
}

cmd_start() {
  require_tools
  init_paths
  lock_stack
  record_settings
  start_redis "redis primary" "$PRIMARY_DIR" "$REDIS_PORT" DBCACHE_REDIS_PORT
  start_redis "redis replica" "$REPLICA_DIR" "$REPLICA_PORT" DBCACHE_REPLICA_PORT \
    "$REDIS_PORT"
  start_mariadb
  wait_for_replica_link
  echo "stack ready in $STACK_DIR; eval \"\$(scripts/$PROGRAM env)\" to use it"
}

cmd_stop() {
  init_paths
  lock_stack
  local status=0
  stop_server mariadb "$MARIADB_PID" '(mariadbd|mysqld)' "$MARIADB_DATA" || status=1
  stop_server "redis replica" "$REPLICA_DIR/redis.pid" redis-server \
    "$REPLICA_DIR/data" || status=1
  stop_server "redis primary" "$PRIMARY_DIR/redis.pid" redis-server \
    "$PRIMARY_DIR/data" || status=1
  return "$status"
}

# The port a server was configured with at its last start: the truth for a running
# one, whatever the environment now says.
configured_port() {
  local file=$1 pattern=$2 fallback=$3 port
  port=$(sed -n "s/$pattern//p" "$file" 2>/dev/null | head -n 1)
  echo "${port:-$fallback}"
}

cmd_status() {
  init_paths
  local status=0 pid
  report() {
    local what=$1 port=$2 pid_fn=$3 note=""
    shift 3
    if pid=$("$pid_fn" "$@"); then
      case $what in
      redis*) port=$(configured_port "$1/redis.conf" '^port ' "$port") ;;
      mariadb) port=$(configured_port "$MARIADB_CNF" '^port=' "$port") ;;
      esac
      if [[ $what == "redis replica" ]]; then
        if replica_link_up "$port"; then
          note=", link up"
        else
          note=", link down"
        fi
      fi
      printf '%-14s running  pid %-8s port %s%s\n' "$what" "$pid" "$port" "$note"
    else
      printf '%-14s stopped  %-12s port %s\n' "$what" "" "$port"
      status=3
    fi
  }
  report "redis primary" "$REDIS_PORT" redis_pid "$PRIMARY_DIR"
  report "redis replica" "$REPLICA_PORT" redis_pid "$REPLICA_DIR"
  report mariadb "$MYSQL_PORT" mariadb_pid
  echo "stack dir: $STACK_DIR"
  return "$status"
}

cmd_env() {
  init_paths
  local password
  password=$(app_password) ||
    die "no MySQL password yet in $PASSWORD_FILE: run '$PROGRAM start' first"
  printf 'export REDIS_MASTER_HOST=%s\n' "$HOST"
  printf 'export REDIS_MASTER_PORT=%s\n' "$REDIS_PORT"
  printf 'export REDIS_READER_HOST=%s\n' "$HOST"
  printf 'export REDIS_READER_PORT=%s\n' "$REPLICA_PORT"
  printf 'export MYSQL_HOST=%s\n' "$HOST"
  printf 'export MYSQL_PORT=%s\n' "$MYSQL_PORT"
  printf 'export MYSQL_USER=%s\n' "$APP_USER"
  printf 'export MYSQL_PASSWORD=%q\n' "$password"
  printf 'export MYSQL_DATABASE=%s\n' "$DATABASE"
}

main() {
  if (($# != 1)); then
    usage >&2
    exit 2
  fi
  case $1 in
  -h | --help | help)
    usage
    ;;
  start | stop | status | env)
    check_settings
    "cmd_$1"
    ;;
  *)
    echo "$PROGRAM: unknown command '$1'" >&2
    usage >&2
    exit 2
    ;;
  esac
}

main "$@"
