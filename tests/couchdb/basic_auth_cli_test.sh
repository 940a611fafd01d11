#!/usr/bin/env bash
# Basic auth against the complete pouchdb-server 4.2.0 (PouchDB 7, `_users`, a server admin),
# through the syncagent CLI: the server runs pouchdb_server_auth.js (from third_party/node-auth/,
# `scripts/install-couch-peers --auth`; missing, the test fails naming it). The admin creates the
# database app-notes, readable and writable only by the `_users` member "app".
#   1. the right password (password_env) syncs both ways (a write pushed, the admin's document
#      pulled), at log level debug;
#   2. a wrong password (inline "password" in the config): `run` fails (exit 1, not 75: the auth
#      class is not retried) with a message that says the server refused the credentials (401)
#      and names the server and the database;
#   3. neither password (nor the Authorization header's base64 of either) appears anywhere: the
#      CLI's stdout and stderr of run, status, status --json, config check and ls, nor the store
#      files (the run log, the outbox, the checkpoints).
# Usage: basic_auth_cli_test.sh SOURCE_DIR SYNCAGENT_CLI
set -uo pipefail
src=${1:?usage: basic_auth_cli_test.sh SOURCE_DIR SYNCAGENT_CLI}
cli=${2:?usage: basic_auth_cli_test.sh SOURCE_DIR SYNCAGENT_CLI}
modules="$src/third_party/node-auth/node_modules"
tmp=$(mktemp -d)
# shellcheck source=tests/couchdb/node_server.sh
. "$src/tests/couchdb/node_server.sh"
server_pid=""
cleanup() {
  stop_node_server
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1
# shellcheck source=tests/scripts/checks.sh
. "$src/tests/scripts/checks.sh"
fatal() {
  echo "FAILED: $*"
  exit 1
}

[ -d "$modules/pouchdb-server" ] ||
  fatal "$modules has no pouchdb-server; run scripts/install-couch-peers --auth"

admin_password="admin-$RANDOM$RANDOM"
password="right-$RANDOM-correct-horse-$RANDOM"
wrong="wrong-$RANDOM-battery-staple-$RANDOM"

# The server (start_node_server: it stops when this script ends).
POUCHDB_SERVER_ADMIN="admin:$admin_password" start_node_server pouchdb_server_auth.js "$modules" ||
  fatal "pouchdb-server did not start"
url=$server_url

as_admin() {  # as_admin METHOD PATH [BODY]
  curl -fsS -u "admin:$admin_password" -X "$1" -H 'Content-Type: application/json' \
    -H 'Accept: application/json' "$url$2" ${3:+-d "$3"}
}
as_admin PUT /app-notes >/dev/null || fatal "cannot create the database"
as_admin PUT /_users/org.couchdb.user:app \
  "{\"name\":\"app\",\"password\":\"$password\",\"roles\":[],\"type\":\"user\"}" >/dev/null ||
  fatal "cannot create the user"
as_admin PUT /app-notes/_security '{"members":{"names":["app"]},"admins":{}}' >/dev/null ||
  fatal "cannot set _security"
as_admin PUT /app-notes/from-server '{"title":"written by the admin"}' >/dev/null ||
  fatal "cannot write a document"
check "the database refuses anonymous reads" \
  test "$(curl -s -o /dev/null -w '%{http_code}' "$url/app-notes")" = 401

config() {  # config NAME AUTH_JSON
  cat >"$1.json" <<JSON
{
  "server": {
    "protocol": "couchdb",
    "base_url": "$url",
    "allow_insecure_http": true,
    "auth": $2,
    "couchdb": { "databases": { "notes": "app-notes" } }
  },
  "storage": { "path": "$1.db" },
  "retry": { "max_attempts_per_cycle": 2 },
  "sync": { "collections": ["notes"] },
  "logging": { "level": "debug" }
}
JSON
}
config right '{ "type": "basic", "username": "app", "password_env": "SYNC_PASSWORD" }'
config wrong "{ \"type\": \"basic\", \"username\": \"app\", \"password\": \"$wrong\" }"
export SYNC_PASSWORD="$password"

run_cli() {  # run_cli OUTPUT_NAME CONFIG ARGS...: stdout and stderr to OUTPUT_NAME.{out,err}
  local name=$1 config=$2
  shift 2
  "$cli" --config "$config.json" "$@" >"$name.out" 2>"$name.err"
}

# 1. The right password.
run_cli put right put notes from-agent '{"title":"written by the agent"}'
run_cli run_right right run
code=$?
check "run with the right password exits 0" test "$code" -eq 0
check "the agent's write is on the server" \
  grep -q 'written by the agent' <(as_admin GET /app-notes/from-agent)
run_cli ls_right right ls notes
check "the admin's document was pulled" grep -q 'written by the admin' ls_right.out

# 2. A wrong password.
run_cli put_wrong wrong put notes other '{"title":"x"}'
run_cli run_wrong wrong run
code=$?
check "run with a wrong password exits 1 (not retried)" test "$code" -eq 1
check "the error says 401" grep -q '401' run_wrong.err
check "the error names the server" grep -qF "$url" run_wrong.err
check "the error names the database" grep -q 'app-notes' run_wrong.err
check "nothing was written by the wrong password" \
  test "$(curl -s -o /dev/null -w '%{http_code}' -u "admin:$admin_password" "$url/app-notes/other")" = 404

# 3. The passwords appear nowhere.
for config in right wrong; do
  run_cli "status_$config" "$config" status
  run_cli "status_json_$config" "$config" status --json
  run_cli "check_$config" "$config" config check
done
secrets=("$password" "$wrong" "$(printf 'app:%s' "$password" | base64 -w0)"
  "$(printf 'app:%s' "$wrong" | base64 -w0)")
outputs=(*.out *.err right.db* wrong.db*)
check "the CLI wrote something to search" test "$(cat ./*.err | wc -c)" -gt 0
leaked=""
for secret in "${secrets[@]}"; do
  for file in "${outputs[@]}"; do
    if grep -qaF -- "$secret" "$file"; then leaked+=" $file"; fi
  done
done
check "no password in any output or store file${leaked:+ (found in:$leaked)}" test -z "$leaked"
echo "--- run with the wrong password, stderr:"
cat run_wrong.err

finish_checks
