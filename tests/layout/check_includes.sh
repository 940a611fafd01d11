#!/usr/bin/env bash
# Layout check: product and tool code never includes test code, and the library folders never
# include tool code.
#   1. No file outside tests/ includes anything under tests/ ("tests/..." includes).
#   2. The folders that make up libsyncagent.so and the static libraries (include/ common/
#      platform/ config/ storage/ net/ agent/ except agent/cli/) include nothing under tools/.
#      The CLI (agent/cli/) may: it ships the mock server as `syncagent mock-server`.
# Prints each offending line as "PATH:LINE: includes tests/..." (or tools/...) and exits 1;
# exits 0 and prints a one-line summary when the tree is clean.
#
# Usage: check_includes.sh [SOURCE_ROOT]    (default: the repository this script is in)
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root"

sources=(--include='*.h' --include='*.hh' --include='*.hpp' --include='*.c' --include='*.cc'
  --include='*.cpp' --include='*.m' --include='*.mm')
include_of() {  # include_of PREFIX DIR...: the #include lines naming PREFIX/..., as PATH:LINE:TEXT
  local prefix=$1
  shift
  [ $# -gt 0 ] || return 0
  grep -rnE "${sources[@]}" "^[[:space:]]*#[[:space:]]*(include|import)[[:space:]]*[<\"]${prefix}/" \
    "$@" || true
}

failed=0
report() {  # report RULE: prints the offending lines read from stdin, if any (in this shell)
  local rule=$1 line
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    echo "${line%%:*}:$(cut -d: -f2 <<<"$line"): includes ${rule}: $(cut -d: -f3- <<<"$line")"
    failed=1
  done
}

# Rule 1: every top-level folder but tests/ and build trees.
outside_tests=()
for dir in */; do
  dir=${dir%/}
  case "$dir" in
    tests | build | build-* | build_*) ;;
    *) outside_tests+=("$dir") ;;
  esac
done
report "tests/ (test code) from outside tests/" < <(include_of tests "${outside_tests[@]}")

# Rule 2: the library folders.
library_dirs=()
for dir in include common platform config storage net agent; do
  [ -d "$dir" ] && library_dirs+=("$dir")
done
report "tools/ from a library folder" \
  < <(include_of tools "${library_dirs[@]}" | grep -v '^agent/cli/' || true)

if [ "$failed" -ne 0 ]; then
  echo "layout: FAILED (see above; the layout rules are in README.md, Layout)" >&2
  exit 1
fi
echo "layout: ok: nothing outside tests/ includes tests/, no library folder includes tools/" \
  "(${#outside_tests[@]} folders read)"
