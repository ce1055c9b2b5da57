#!/usr/bin/env bash
# Deployment checks, one per ctest (see CMakeLists.txt):
#
#   deploy_test.sh install    cmake --install into a temporary prefix: the expected files
#   deploy_test.sh verify     systemd-analyze verify on the installed units (offline)
#   deploy_test.sh security   systemd-analyze security --offline=true: exposure <= 2.0
#   deploy_test.sh compose    docker-compose config -q on docker-compose.yaml (no engine)
#   deploy_test.sh runtime    every library the programs link comes with
#                             scripts/install-deps.sh --run (the image's runtime stage)
#
# Environment (from CMake): DBCACHE_BUILD_DIR, DBCACHE_SOURCE_DIR,
# DBCACHE_PROGRAMS (the programs this build has), DBCACHE_WORK_DIR (scratch).
set -euo pipefail

readonly kUnits=(dbcached.service dbcache-web.service dbcache-stunnel.service)
readonly kMaxExposure=2.0
: "${DBCACHE_BUILD_DIR:?}" "${DBCACHE_SOURCE_DIR:?}" "${DBCACHE_PROGRAMS:?}"
: "${DBCACHE_WORK_DIR:?}"

fail() { echo "FAIL: $*" >&2; exit 1; }

need() {
  command -v "$1" >/dev/null ||
    fail "$1 not found: run scripts/install-deps.sh (it installs $2)"
}

# Installs the build into a fresh prefix under the work dir; prints the prefix.
install_prefix() {
  local prefix=$DBCACHE_WORK_DIR/$1-prefix
  rm -rf "$prefix"
  mkdir -p "$prefix"
  cmake --install "$DBCACHE_BUILD_DIR" --prefix "$prefix" >"$prefix.log" 2>&1 ||
    { cat "$prefix.log" >&2; fail "cmake --install failed"; }
  printf '%s\n' "$prefix"
}

test_install() {
  local prefix
  prefix=$(install_prefix install)
  local expected=() program unit
  for program in $DBCACHE_PROGRAMS; do
    expected+=("bin/$program" "share/doc/dbcache/$program.1.txt")
  done
  for unit in "${kUnits[@]}"; do expected+=("lib/systemd/system/$unit"); done
  expected+=(share/doc/dbcache/dbcache.env.example
             share/doc/dbcache/stunnel-elasticache.conf.example
             share/doc/dbcache/deploy.md
             share/dbcache/workloads.yaml)
  echo "installed into $prefix:"
  (cd "$prefix" && find . -type f | sed 's|^\./|  |' | sort)
  local path errors=0
  for path in "${expected[@]}"; do
    [[ -f $prefix/$path ]] || { echo "missing: $path" >&2; errors=$((errors + 1)); }
  done
  for program in $DBCACHE_PROGRAMS; do
    [[ -x $prefix/bin/$program ]] || { echo "not executable: bin/$program" >&2; errors=$((errors + 1)); }
    grep -q -- "--help" "$prefix/share/doc/dbcache/$program.1.txt" ||
      { echo "$program.1.txt does not look like --help output" >&2; errors=$((errors + 1)); }
  done
  # The installed workload file is one the installed programs read.
  "$prefix/bin/dbcachectl" workloads --workloads "$prefix/share/dbcache/workloads.yaml" |
    grep -q '^category_stats: ' ||
    { echo "the installed workloads.yaml does not list category_stats" >&2; errors=$((errors + 1)); }
  # Nothing else: a stray file is as much a packaging bug as a missing one.
  local extra
  extra=$(cd "$prefix" && find . -type f | sed 's|^\./||' | sort |
          comm -23 - <(printf '%s\n' "${expected[@]}" | sort))
  [[ -z $extra ]] || { printf 'unexpected files:\n%s\n' "$extra" >&2; errors=$((errors + 1)); }
  # The units start the programs of this prefix, and document this prefix's docs.
  grep -qx "ExecStart=$prefix/bin/dbcached" "$prefix/lib/systemd/system/dbcached.service" ||
    { echo "dbcached.service does not start $prefix/bin/dbcached" >&2; errors=$((errors + 1)); }
  grep -qx "ExecStart=$prefix/bin/dbcache-web" "$prefix/lib/systemd/system/dbcache-web.service" ||
    { echo "dbcache-web.service does not start $prefix/bin/dbcache-web" >&2; errors=$((errors + 1)); }
  if grep -l '@[A-Z_]*@' "$prefix"/lib/systemd/system/*.service; then
    echo "unsubstituted @VARIABLE@ left in the units above" >&2; errors=$((errors + 1))
  fi
  [[ $errors -eq 0 ]] || fail "$errors problem(s) with the installed files"
  echo "PASS: ${#expected[@]} expected files installed, nothing else"
}

test_verify() {
  need systemd-analyze systemd
  local prefix unit errors=0 output
  prefix=$(install_prefix verify)
  for unit in "${kUnits[@]}"; do
    local file=$prefix/lib/systemd/system/$unit
    if [[ $unit == dbcache-stunnel.service && ! -x /usr/bin/stunnel ]]; then
      # verify checks that ExecStart's program exists; stunnel is an optional
      # runtime dependency that this machine need not have. Check everything else.
      mkdir -p "$DBCACHE_WORK_DIR/verify-stunnel"
      sed "s|^ExecStart=/usr/bin/stunnel |ExecStart=$(command -v true) |" "$file" \
        >"$DBCACHE_WORK_DIR/verify-stunnel/$unit"
      file=$DBCACHE_WORK_DIR/verify-stunnel/$unit
      echo "note: /usr/bin/stunnel is not installed; $unit verified with ExecStart=true"
    fi
    # --man=false: no man pages are looked up. Any message at all is a failure:
    # verify reports unknown directives as warnings with exit status 0.
    if ! output=$(systemd-analyze verify --man=false "$file" 2>&1) || [[ -n $output ]]; then
      echo "$unit:" >&2
      printf '%s\n' "$output" >&2
      errors=$((errors + 1))
    else
      echo "ok: systemd-analyze verify $unit"
    fi
  done
  [[ $errors -eq 0 ]] || fail "$errors unit(s) failed systemd-analyze verify"
  echo "PASS: ${#kUnits[@]} units verified"
}

test_security() {
  need systemd-analyze systemd
  local prefix unit errors=0 output score
  prefix=$(install_prefix security)
  for unit in "${kUnits[@]}"; do
    output=$(systemd-analyze security --offline=true --no-pager \
               "$prefix/lib/systemd/system/$unit" 2>&1) || true
    # "→ Overall exposure level for dbcached.service: 1.2 OK 🙂"
    score=$(printf '%s\n' "$output" |
            sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
    if [[ -z $score ]]; then
      printf '%s\n' "$output" >&2
      echo "$unit: no exposure score in systemd-analyze's output" >&2
      errors=$((errors + 1))
      continue
    fi
    # What still counts against the unit, for the log.
    printf '%s\n' "$output" | grep '✗' | sed "s/^/  $unit: /" || true
    echo "exposure $unit: $score (at most $kMaxExposure)"
    if ! awk -v s="$score" -v m="$kMaxExposure" 'BEGIN { exit !(s <= m) }'; then
      echo "$unit: exposure $score is above $kMaxExposure" >&2
      errors=$((errors + 1))
    fi
  done
  [[ $errors -eq 0 ]] || fail "$errors unit(s) above exposure $kMaxExposure"
  echo "PASS: every unit at most $kMaxExposure"
}

test_compose() {
  local compose=()
  if command -v docker-compose >/dev/null; then
    compose=(docker-compose)
  elif docker compose version >/dev/null 2>&1; then
    compose=(docker compose)
  else
    fail "neither docker-compose nor the docker compose plugin: run scripts/install-deps.sh (it installs docker-compose)"
  fi
  cd "$DBCACHE_SOURCE_DIR"
  "${compose[@]}" -f docker-compose.yaml config -q ||
    fail "${compose[*]} config -q rejected docker-compose.yaml"
  echo "ok: ${compose[*]} config -q"
  local services expected
  services=$("${compose[@]}" -f docker-compose.yaml config --services | sort | tr '\n' ' ')
  expected="dbcache-web dbcached mariadb redis-primary redis-replica seed "
  [[ $services == "$expected" ]] ||
    fail "services are '$services', expected '$expected'"
  echo "ok: services $services"
  # Only the web port is published.
  local config published
  config=$("${compose[@]}" -f docker-compose.yaml config)
  published=$(printf '%s\n' "$config" | awk '
    /^  [a-z0-9-]+:$/ { service = $1; sub(":", "", service) }
    /^    ports:/ { print service }' | sort -u | tr '\n' ' ')
  [[ $published == "dbcache-web " ]] ||
    fail "services publishing ports: '$published' (only dbcache-web may)"
  echo "ok: only dbcache-web publishes a port"
  # The image builds with the README's script, not steps of its own.
  grep -q 'scripts/build.sh' Dockerfile || fail "Dockerfile does not run scripts/build.sh"
  echo "PASS: docker-compose.yaml and Dockerfile"
}

# The image's runtime stage installs only install-deps.sh --run on debian:bookworm-slim:
# each shared library the programs link (ldd) must come from one of those packages,
# from what they depend on, or from a package every Debian system has (Priority:
# required, e.g. libc6).
test_runtime() {
  need apt-cache "apt"
  local runtime closure program lib package missing=()
  runtime=$("$DBCACHE_SOURCE_DIR/scripts/install-deps.sh" --run --list) ||
    fail "install-deps.sh --run --list failed"
  mapfile -t runtime <<<"$runtime"
  ((${#runtime[@]} >= 5)) || fail "install-deps.sh --run lists only: ${runtime[*]}"
  closure=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances "${runtime[@]}" 2>/dev/null |
    grep -v '^ ' | sed 's/:.*//' | sort -u)
  local libs checked=0
  for program in $DBCACHE_PROGRAMS; do
    [[ -x $DBCACHE_BUILD_DIR/bin/$program ]] || fail "$program is not built"
    libs=$(ldd "$DBCACHE_BUILD_DIR/bin/$program" | awk '$3 ~ /^\// { print $3 }') ||
      fail "ldd $program failed"
    [[ -n $libs ]] || fail "ldd lists no library of $program"
    while read -r lib; do
      ((++checked))
      package=$(dpkg-query -S "$(readlink -f "$lib")" 2>/dev/null | head -n1 | sed 's/:.*//') ||
        true
      [[ -n $package ]] || package=$(dpkg-query -S "$lib" 2>/dev/null | head -n1 | sed 's/:.*//') ||
        true
      [[ -n $package ]] || fail "$program links $lib, which no package owns"
      grep -qx "$package" <<<"$closure" && continue
      # A sanitizer build's runtimes: the image never ships that build.
      [[ $package == libasan* || $package == libubsan* ]] && continue
      [[ $(dpkg-query -W -f='${Priority}' "$package") == required ]] && continue
      missing+=("$package (for $program's $(basename "$lib"))")
    done <<<"$libs"
  done
  ((${#missing[@]} == 0)) ||
    fail "not in scripts/install-deps.sh --run or what it depends on: ${missing[*]}"
  echo "PASS: the $checked libraries of $DBCACHE_PROGRAMS come with install-deps.sh --run"
}

case "${1:-}" in
  install) test_install ;;
  verify) test_verify ;;
  security) test_security ;;
  compose) test_compose ;;
  runtime) test_runtime ;;
  *) echo "usage: $0 install|verify|security|compose|runtime" >&2; exit 2 ;;
esac
