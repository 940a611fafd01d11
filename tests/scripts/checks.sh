# shellcheck shell=bash
# The shell tests' checks: source it, then
#   check NAME COMMAND...   runs COMMAND; prints "ok: NAME" or "FAILED: NAME" and counts it;
#   finish_checks           prints "P passed, F failed" and returns non-zero when one failed
#                           (the script's last command, so it is the script's exit status).
failures=0
passes=0
check() {
  local name=$1
  shift
  if "$@"; then
    echo "ok: $name"
    passes=$((passes + 1))
  else
    echo "FAILED: $name"
    failures=$((failures + 1))
  fi
}
finish_checks() {
  echo "$passes passed, $failures failed"
  [ "$failures" -eq 0 ]
}
