#!/usr/bin/env bash
# Checks that every tracked C++ file is clang-formatted (.clang-format: Google base).
#
#   scripts/check-format.sh         list the files that are not formatted; exit 1 if any
#   scripts/check-format.sh --fix   format them in place
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

command -v clang-format >/dev/null ||
  { echo "check-format.sh: clang-format is not installed (scripts/install-deps.sh)" >&2; exit 2; }
fix=0
case "${1:-}" in
  "") ;;
  --fix) fix=1 ;;
  -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
  *) echo "check-format.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
esac

mapfile -t files < <(git ls-files '*.cc' '*.h')
if [[ $fix == 1 ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if ((${#bad[@]} > 0)); then
  printf 'not clang-formatted (fix: scripts/check-format.sh --fix):\n' >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "check-format.sh: ${#files[@]} files formatted"
