#!/usr/bin/env bash
# Builds dbcache from this repository: dependencies, configure, build, install.
# The README, docs/deploy.md (EC2) and the Dockerfile all build with this script.
#
#   scripts/build.sh                        deps + configure + build into build/
#   scripts/build.sh --prefix /usr/local    ... then install there (units, docs too)
#
# Options:
#   --no-deps          do not run scripts/install-deps.sh (dependencies are present)
#   --build-dir DIR    build tree (default: build)
#   --type TYPE        CMAKE_BUILD_TYPE (default: RelWithDebInfo)
#   --prefix DIR       after building, cmake --install into DIR
#   --no-tests         do not build the tests (what an install needs is faster)
#   --jobs N           parallel build jobs (default: number of CPUs)
#   -h, --help         this text
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
readonly REPO_DIR

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }

die() { echo "build.sh: $*" >&2; exit 2; }

main() {
  local deps=1 build_dir=build type=RelWithDebInfo prefix="" tests=ON
  local jobs
  jobs=$(nproc 2>/dev/null || echo 2)
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --no-deps) deps=0 ;;
      --build-dir) [[ $# -ge 2 ]] || die "--build-dir needs a value"; build_dir=$2; shift ;;
      --build-dir=*) build_dir=${1#*=} ;;
      --type) [[ $# -ge 2 ]] || die "--type needs a value"; type=$2; shift ;;
      --type=*) type=${1#*=} ;;
      --prefix) [[ $# -ge 2 ]] || die "--prefix needs a value"; prefix=$2; shift ;;
      --prefix=*) prefix=${1#*=} ;;
      --no-tests) tests=OFF ;;
      --jobs|-j) [[ $# -ge 2 ]] || die "$1 needs a value"; jobs=$2; shift ;;
      --jobs=*) jobs=${1#*=} ;;
      -h|--help) usage; return 0 ;;
      *) die "unknown option '$1' (try --help)" ;;
    esac
    shift
  done
  [[ $jobs =~ ^[1-9][0-9]*$ ]] || die "--jobs must be a positive number, not '$jobs'"
  [[ $build_dir = /* ]] || build_dir=$REPO_DIR/$build_dir

  if [[ $deps -eq 1 ]]; then
    # Without the tests, only what compiling needs.
    if [[ $tests == OFF ]]; then
      "$REPO_DIR/scripts/install-deps.sh" --build
    else
      "$REPO_DIR/scripts/install-deps.sh"
    fi
  fi

  local configure=(cmake -S "$REPO_DIR" -B "$build_dir"
                   -DCMAKE_BUILD_TYPE="$type" -DDBCACHE_BUILD_TESTS="$tests")
  [[ -z $prefix ]] || configure+=(-DCMAKE_INSTALL_PREFIX="$prefix")
  echo "build.sh: ${configure[*]}"
  "${configure[@]}"
  echo "build.sh: cmake --build $build_dir -j $jobs"
  cmake --build "$build_dir" -j "$jobs"

  if [[ -n $prefix ]]; then
    echo "build.sh: cmake --install $build_dir --prefix $prefix"
    cmake --install "$build_dir" --prefix "$prefix"
    echo "build.sh: installed into $prefix (programs in $prefix/bin," \
         "units in $prefix/lib/systemd/system, docs in $prefix/share/doc/dbcache)"
  else
    echo "build.sh: built into $build_dir/bin"
  fi
}

main "$@"
