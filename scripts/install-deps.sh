#!/usr/bin/env bash
# Installs every build and test dependency of dbcache from Debian/Ubuntu packages.
# Idempotent: when everything is present it only checks (a second or two) and exits.
#
#   scripts/install-deps.sh            install what is missing (uses sudo when not root)
#   scripts/install-deps.sh --check    exit 1 and list what is missing, install nothing
#   scripts/install-deps.sh --al2023   print the Amazon Linux 2023 dnf equivalents
set -euo pipefail

# Debian package -> what it brings. Keep in step with the dnf list below.
readonly kPackages=(
  build-essential cmake pkg-config git ca-certificates clang-format
  libevent-dev libhiredis-dev libmariadb-dev libcpp-httplib-dev libabsl-dev
  libgtest-dev libgmock-dev nlohmann-json3-dev libsystemd-dev libxxhash-dev
  libyaml-cpp-dev
  libbenchmark-dev
  clang libclang-rt-14-dev
  redis-server redis-tools mariadb-server mariadb-client
  procps iproute2 curl jq systemd docker-compose
  chromium libjs-chart.js wrk
  # promtool, which integration.web.metrics runs on /metrics (the server stays off)
  prometheus
)

readonly kAl2023='sudo dnf install -y gcc-c++ cmake pkgconf-pkg-config git clang-tools-extra \
  libevent-devel hiredis-devel mariadb-connector-c-devel cpp-httplib-devel abseil-cpp-devel \
  gtest-devel gmock-devel json-devel systemd-devel xxhash-devel yaml-cpp-devel google-benchmark-devel \
  redis6 mariadb105-server mariadb105 jq
# cpp-httplib-devel and abseil-cpp-devel come from EPEL-compatible repos on some AMIs;
# dbcache needs only the runtime libraries on a host that runs the installed binaries.'

usage() {
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
}

missing_packages() {
  local pkg
  # Node.js may come from Debian (nodejs + npm) or from a vendor build whose nodejs
  # package already carries npm and conflicts with Debian's; either is fine.
  command -v node >/dev/null || printf 'nodejs\n'
  command -v npm >/dev/null || printf 'npm\n'
  for pkg in "${kPackages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
      printf '%s\n' "$pkg"
  done
}

main() {
  local mode=install
  case "${1:-}" in
    "") ;;
    --check) mode=check ;;
    --al2023) printf 'Amazon Linux 2023 equivalent:\n%s\n' "$kAl2023"; return 0 ;;
    -h|--help) usage; return 0 ;;
    *) echo "install-deps.sh: unknown option '$1' (try --help)" >&2; return 2 ;;
  esac

  if ! command -v dpkg-query >/dev/null; then
    echo "install-deps.sh: this script needs a Debian or Ubuntu system (dpkg/apt)." >&2
    printf 'On Amazon Linux 2023 use:\n%s\n' "$kAl2023" >&2
    return 1
  fi

  local missing
  missing=$(missing_packages)
  if [[ -z "$missing" ]]; then
    echo "install-deps.sh: all ${#kPackages[@]} packages present."
    return 0
  fi
  if [[ $mode == check ]]; then
    echo "install-deps.sh: missing packages:" $missing >&2
    return 1
  fi

  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "install-deps.sh: need root or sudo to install:" $missing >&2; return 1; }
    sudo=(sudo)
  fi
  echo "install-deps.sh: installing:" $missing
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  # shellcheck disable=SC2086
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends $missing
  # Debian starts packaged servers on install where an init system runs; dbcache runs its
  # own instances (scripts/local-stack.sh) and never needs the system ones.
  missing=$(missing_packages)
  if [[ -n "$missing" ]]; then
    echo "install-deps.sh: still missing after install:" $missing >&2
    return 1
  fi
  echo "install-deps.sh: done."
  printf '\nOn Amazon Linux 2023 (EC2) the equivalent is:\n%s\n' "$kAl2023"
}

main "$@"
