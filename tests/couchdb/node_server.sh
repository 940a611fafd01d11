# shellcheck shell=bash
# Starting a node server of tests/couchdb/ from a bash script (scripts/demo couchdb,
# basic_auth_cli_test.sh, bench/couchdb_bench.sh). Source it, then:
#
#   [NAME=VALUE...] start_node_server SCRIPT MODULES
#
# runs `node tests/couchdb/SCRIPT --modules MODULES` (bash passes the NAME=VALUE assignments
# before the call to its environment, not its command line) in the current directory: its stdin is a fifo, server.in, that the calling shell
# holds open on fd 3, so the server stops when that shell ends, even when it is killed; its
# stdout and stderr go to server.out and server.err. Waits for its first line, "listening on
# URL" (until it exits, at most 60 s), and sets server_pid and server_url. Returns 1, with
# server.err on stderr, when the server did not start.
#
#   stop_node_server
#
# sends SIGTERM to server_pid (when it still runs) and waits for it: for the caller's cleanup (fd
# 3 closes only when the shell exits).
node_server_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

start_node_server() {
  local script=$1 modules=$2
  mkfifo server.in
  node "$node_server_dir/$script" --modules "$modules" \
    <server.in >server.out 2>server.err &
  server_pid=$!
  exec 3>server.in
  local _
  for _ in $(seq 1200); do
    [ -s server.out ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  server_url=$(head -n 1 server.out | sed -n 's/^listening on //p')
  if [ -z "$server_url" ]; then
    echo "$script did not start: $(cat server.err)" >&2
    return 1
  fi
}

stop_node_server() {
  if [ -n "${server_pid:-}" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
