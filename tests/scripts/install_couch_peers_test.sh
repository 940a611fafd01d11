#!/usr/bin/env bash
# scripts/install-couch-peers, on a copy of its inputs in a temp tree (the real third_party/node/
# is left alone), without the network: the npm registry is pointed at a closed port.
#   1. nothing installed and npm cannot install: exit 1 with a clear message;
#   2. installed from the same lock (stamp + express-pouchdb): exit 0 without calling npm;
#   3. the lock changed: it installs again (and fails here: no registry);
#   4. node or npm missing from PATH: exit 1 naming the tool and scripts/install-deps.
# Usage: install_couch_peers_test.sh SOURCE_DIR
set -uo pipefail
src=${1:?usage: install_couch_peers_test.sh SOURCE_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/scripts/checks.sh
. "$src/tests/scripts/checks.sh"

root="$tmp/root"
mkdir -p "$root/scripts" "$root/tests/couchdb/peers"
cp "$src/scripts/install-couch-peers" "$root/scripts/"
cp "$src/tests/couchdb/peers/package.json" "$src/tests/couchdb/peers/package-lock.json" \
  "$root/tests/couchdb/peers/"
export npm_config_registry=http://127.0.0.1:9/ npm_config_cache="$tmp/npm-cache"
export npm_config_fetch_retries=0 npm_config_fetch_timeout=5000

# 1. npm cannot install.
"$root/scripts/install-couch-peers" >"$tmp/out1" 2>&1
code=$?
check "fails when npm cannot install" test "$code" -eq 1
check "says npm ci failed" grep -q "npm ci failed" "$tmp/out1"
check "leaves no stamp" test ! -e "$root/third_party/node/.installed-lock.sha256"

# 2. Installed from the same lock: nothing to do, npm is not called (it would fail).
mkdir -p "$root/third_party/node/node_modules/express-pouchdb"
cat "$root/tests/couchdb/peers/package.json" "$root/tests/couchdb/peers/package-lock.json" |
  sha256sum | cut -d' ' -f1 >"$root/third_party/node/.installed-lock.sha256"
"$root/scripts/install-couch-peers" >"$tmp/out2" 2>&1
code=$?
check "skips an install made from the same lock" test "$code" -eq 0
check "prints nothing when skipping" test ! -s "$tmp/out2"

# 3. The lock changed: installs again.
echo " " >>"$root/tests/couchdb/peers/package-lock.json"
"$root/scripts/install-couch-peers" >"$tmp/out3" 2>&1
code=$?
check "installs again when the lock changed" grep -q "installing the pinned" "$tmp/out3"
check "and fails without a registry" test "$code" -eq 1

# 4. No node or npm on PATH (only the tools the script itself needs).
bin="$tmp/bin"
mkdir -p "$bin"
for tool in bash env dirname cat sha256sum cut mkdir cp rm date tail; do
  ln -s "$(command -v "$tool")" "$bin/$tool"
done
PATH="$bin" "$root/scripts/install-couch-peers" >"$tmp/out4" 2>&1
code=$?
check "fails without node" test "$code" -eq 1
check "names node and install-deps" grep -q "'node' not found on PATH; run scripts/install-deps" \
  "$tmp/out4"

finish_checks
