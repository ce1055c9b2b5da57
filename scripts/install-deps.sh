#!/usr/bin/env bash
# Installs dbcache's dependencies from Debian/Ubuntu packages, by purpose, quietly:
# one line per step, apt's output in a log that is shown only when apt fails.
# Idempotent: when everything is present it only checks (a second or two) and exits.
#
#   scripts/install-deps.sh            everything: --test (what scripts/test.sh needs)
#   scripts/install-deps.sh --run      the shared libraries the installed programs link
#   scripts/install-deps.sh --stack    the local stack's servers and the scripts' tools
#   scripts/install-deps.sh --build    compilers, CMake and the -dev packages (and --run)
#   scripts/install-deps.sh --test     all of the above, and the test and bench tools
#   scripts/install-deps.sh --check    exit 1 and list what is missing, install nothing
#   scripts/install-deps.sh --list     print the purposes' packages, one per line
#   scripts/install-deps.sh --al2023   print the Amazon Linux 2023 dnf equivalents
#
# Purposes combine (scripts/demo.sh uses --build --stack); --check and --list go with
# any.
set -euo pipefail

# Debian packages by purpose. Keep in step with the dnf list below and with the
# Dockerfile (its build stage takes --build, its runtime stage --run).
readonly kRun=(
  ca-certificates libabsl20220623 libcpp-httplib0.11 libevent-core-2.1-7
  libhiredis0.14 libmariadb3 libsystemd0 libxxhash0 libyaml-cpp0.7
)
readonly kStack=(
  redis-server redis-tools mariadb-server mariadb-client
  procps iproute2 util-linux curl jq
)
readonly kBuild=(
  build-essential cmake pkg-config git
  libevent-dev libhiredis-dev libmariadb-dev libcpp-httplib-dev libabsl-dev
  nlohmann-json3-dev libsystemd-dev libxxhash-dev libyaml-cpp-dev
  # Chart.js, embedded in dbcache-web at build time
  libjs-chart.js
)
readonly kTest=(
  clang-format libgtest-dev libgmock-dev libbenchmark-dev
  # the fuzz targets and the sanitizer runtime
  clang libclang-rt-14-dev
  systemd docker-compose chromium wrk
  # promtool, which integration.web.metrics runs on /metrics (the server stays off)
  prometheus
  # the MySQL TLS test makes its own CA and server certificates
  openssl
)

readonly kAl2023='sudo dnf install -y gcc-c++ cmake pkgconf-pkg-config git clang-tools-extra \
  libevent-devel hiredis-devel mariadb-connector-c-devel cpp-httplib-devel abseil-cpp-devel \
  gtest-devel gmock-devel json-devel systemd-devel xxhash-devel yaml-cpp-devel google-benchmark-devel \
  redis6 mariadb105-server mariadb105 jq
# cpp-httplib-devel and abseil-cpp-devel come from EPEL-compatible repos on some AMIs;
# dbcache needs only the runtime libraries on a host that runs the installed binaries.'

usage() {
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
}

# The packages of the chosen purposes that are not installed, one per line.
missing_packages() {
  local pkg
  if ((want_test)); then
    # Node.js (the browser test's driver) may come from Debian (nodejs + npm) or from a
    # vendor build whose nodejs package already carries npm and conflicts with Debian's;
    # either is fine.
    command -v node >/dev/null || printf 'nodejs\n'
    command -v npm >/dev/null || printf 'npm\n'
  fi
  for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
      printf '%s\n' "$pkg"
  done
}

say() { echo "install-deps.sh: $*"; }

main() {
  local mode=install purposes=() want_run=0 want_stack=0 want_build=0
  want_test=0
  while (($#)); do
    case $1 in
      --run) want_run=1 ;;
      --stack) want_stack=1 ;;
      --build) want_build=1 ;;
      --test) want_test=1 ;;
      --check) mode=check ;;
      --list) mode=list ;;
      --al2023) printf 'Amazon Linux 2023 equivalent:\n%s\n' "$kAl2023"; return 0 ;;
      -h|--help) usage; return 0 ;;
      *) echo "install-deps.sh: unknown option '$1' (try --help)" >&2; return 2 ;;
    esac
    shift
  done
  ((want_run + want_stack + want_build + want_test)) || want_test=1
  ((want_test)) && want_build=1 want_stack=1
  ((want_build)) && want_run=1
  packages=()
  ((want_run)) && packages+=("${kRun[@]}") purposes+=(run)
  ((want_stack)) && packages+=("${kStack[@]}") purposes+=(stack)
  ((want_build)) && packages+=("${kBuild[@]}") purposes+=(build)
  ((want_test)) && packages+=("${kTest[@]}") purposes+=(test)
  local what="${purposes[*]}"
  if [[ $mode == list ]]; then
    printf '%s\n' "${packages[@]}"
    return 0
  fi

  if ! command -v dpkg-query >/dev/null; then
    echo "install-deps.sh: this script needs a Debian or Ubuntu system (dpkg/apt)." >&2
    printf 'On Amazon Linux 2023 use:\n%s\n' "$kAl2023" >&2
    return 1
  fi

  local missing
  missing=$(missing_packages)
  if [[ -z "$missing" ]]; then
    say "all ${#packages[@]} packages for ${what// /, } present."
    return 0
  fi
  if [[ $mode == check ]]; then
    echo "install-deps.sh: missing for ${what// /, }:" $missing >&2
    return 1
  fi

  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "install-deps.sh: need root or sudo to install:" $missing >&2; return 1; }
    sudo=(sudo)
  fi
  local log
  log=$(mktemp "${TMPDIR:-/tmp}/install-deps.XXXXXX.log")
  # apt's own output is hundreds of lines; it stays in the log unless apt fails.
  apt_step() {
    local title=$1; shift
    say "$title"
    [[ $title == installing* ]] && echo "  "$missing
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "$@" >>"$log" 2>&1; then
      echo "install-deps.sh: failed: $*; the end of $log:" >&2
      tail -n 30 "$log" >&2
      return 1
    fi
  }
  apt_step "apt-get update (log: $log)" apt-get update -qq
  # shellcheck disable=SC2086
  apt_step "installing $(wc -w <<<"$missing") packages for ${what// /, }:" \
    apt-get install -y -qq --no-install-recommends $missing
  # Debian starts packaged servers on install where an init system runs; dbcache runs its
  # own instances (scripts/local-stack.sh) and never needs the system ones.
  missing=$(missing_packages)
  if [[ -n "$missing" ]]; then
    echo "install-deps.sh: still missing after install:" $missing >&2
    return 1
  fi
  rm -f "$log"
  say "done."
}

main "$@"
