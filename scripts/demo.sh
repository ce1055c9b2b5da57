#!/usr/bin/env bash
# The main job, end to end on this machine, no cloud and no Docker: installs what is
# missing to build and run (not the test tools), builds the three programs, starts the
# local stack (Redis primary + replica, MariaDB), seeds 100,000 reviews, starts
# dbcached and dbcache-web, and runs 1000 cache-aside queries. It writes the stack's
# settings to your settings file (~/.config/dbcache/env, unless you keep one of your
# own there), so that build/bin/dbcachectl in a new shell talks to this stack.
#
#   scripts/demo.sh             run it all (again: what already runs is reused)
#   scripts/demo.sh stop        stop dbcache-web, dbcached and the local stack
#   scripts/demo.sh --no-deps   skip scripts/install-deps.sh
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
stack_dir=${DBCACHE_STACK_DIR:-$repo/.stack}
export DBCACHE_STACK_DIR=$stack_dir
web_listen=${DBCACHE_WEB_LISTEN:-127.0.0.1:8080}

say() { printf '\n== %s\n' "$*"; }

# Stops one of our background programs by the PID it was started with.
stop_program() {
  local name=$1 pid_file="$stack_dir/$1.pid" pid
  [[ -f $pid_file ]] || return 0
  pid=$(<"$pid_file")
  if kill -0 "$pid" 2>/dev/null && grep -q "$name" "/proc/$pid/cmdline" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    echo "$name: stopped (pid $pid)"
  fi
  rm -f "$pid_file"
}

# Starts a program in the background unless it already runs; waits for `ready`.
start_program() {
  local name=$1 ready=$2; shift 2
  local pid_file="$stack_dir/$name.pid" log="$stack_dir/$name.log"
  if [[ -f $pid_file ]] && kill -0 "$(<"$pid_file")" 2>/dev/null; then
    echo "$name: already running (pid $(<"$pid_file"))"
    return 0
  fi
  "$@" >>"$log" 2>&1 &
  echo $! >"$pid_file"
  for _ in $(seq 150); do
    if eval "$ready"; then echo "$name: started (pid $(<"$pid_file"), log $log)"; return 0; fi
    if ! kill -0 "$(<"$pid_file")" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "$name: failed to start; the end of $log:" >&2
  tail -n 20 "$log" >&2
  return 1
}

# The user's settings file, as the programs find it (daemon/config/env_file.h).
settings_file() {
  if [[ -n ${DBCACHE_ENV_FILE+set} ]]; then
    echo "$DBCACHE_ENV_FILE"
  elif [[ -n ${XDG_CONFIG_HOME:-} ]]; then
    echo "$XDG_CONFIG_HOME/dbcache/env"
  elif [[ -n ${HOME:-} ]]; then
    echo "$HOME/.config/dbcache/env"
  fi
}
readonly kSettingsMarker="# written by scripts/demo.sh"
ours() { [[ -f $1 ]] && [[ $(head -n1 "$1") == "$kSettingsMarker"* ]]; }

if [[ ${1:-} == stop ]]; then
  stop_program dbcache-web
  stop_program dbcached
  scripts/local-stack.sh stop
  file=$(settings_file)
  if [[ -n $file ]] && ours "$file"; then
    rm -f "$file"
    echo "settings: removed $file"
  fi
  exit 0
fi
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  exit 0
fi

if [[ ${1:-} != --no-deps ]]; then
  say "dependencies"
  scripts/install-deps.sh --build --stack
fi

say "build"
mkdir -p "$stack_dir"
build_log=$stack_dir/build.log
# A first configure leaves out the tests and benchmarks (their packages are
# scripts/test.sh's); an existing build directory keeps its own configuration.
configure=(cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo)
[[ -f build/CMakeCache.txt ]] ||
  configure+=(-DDBCACHE_BUILD_TESTS=OFF -DDBCACHE_BUILD_BENCH=OFF)
build_started=$SECONDS
if ! "${configure[@]}" >"$build_log" 2>&1 ||
  ! cmake --build build -j"${DBCACHE_BUILD_JOBS:-2}" \
    --target dbcached dbcachectl dbcache-web >>"$build_log" 2>&1; then
  echo "build failed; what the compiler said (all of it in $build_log):" >&2
  grep -E -A4 'error|Error' "$build_log" | head -n 60 >&2 || true
  exit 1
fi
echo "built dbcached, dbcachectl and dbcache-web in $((SECONDS - build_started)) s" \
  "(log: $build_log)"

say "local stack"
scripts/local-stack.sh start
eval "$(scripts/local-stack.sh env)"
file=$(settings_file)
if [[ -z $file ]]; then
  echo "settings: no settings file (DBCACHE_ENV_FILE is empty, or no HOME); in a new" \
    "shell, first: eval \"\$(scripts/local-stack.sh env)\""
elif [[ -f $file ]] && ! ours "$file"; then
  echo "settings: $file is yours and stays as it is; the programs read it in a new" \
    "shell, so point it at this stack or run: eval \"\$(scripts/local-stack.sh env)\""
else
  mkdir -p "$(dirname "$file")"
  # Mode 600 from the start: it holds the stack's MySQL password.
  (umask 077
   { echo "$kSettingsMarker for the stack in $stack_dir; 'scripts/demo.sh stop' removes it"
     scripts/local-stack.sh env; } >"$file.tmp")
  mv "$file.tmp" "$file"
  echo "settings: $file (the programs read it in any shell)"
fi

say "seed"
build/bin/dbcachectl seed

say "dbcached"
start_program dbcached \
  '[[ $(redis-cli -p "$REDIS_MASTER_PORT" PUBSUB NUMSUB dbcache:control | tail -n1) -ge 1 ]]' \
  build/bin/dbcached
say "dbcache-web"
start_program dbcache-web "curl -fsS http://$web_listen/healthz >/dev/null 2>&1" \
  build/bin/dbcache-web --listen="$web_listen"

say "a 1000-query run"
build/bin/dbcachectl run --queries 1000 --wait

say "what next"
cat <<TEXT
Watch it live:     http://$web_listen/  (click Query DB)
Start a run:       redis-cli -p $REDIS_MASTER_PORT PUBLISH dbcache:control run
                   build/bin/dbcachectl run --queries 1000 --concurrency 8 --wait
See the stats:     redis-cli -p $REDIS_READER_PORT GET dbcache:stats
                   build/bin/dbcachectl status
Logs:              $stack_dir/dbcached.log, $stack_dir/dbcache-web.log
Use this stack:    eval "\$(scripts/local-stack.sh env)"
Stop everything:   scripts/demo.sh stop
TEXT
