# shellcheck shell=bash disable=SC2154,SC2034
# The story of `scripts/demo couchdb`, sourced by scripts/demo after its set-up: it needs $root,
# $bin (the syncagent CLI), the current directory being the demo's temp dir, say/sa from
# scripts/demo, and sets $server_pid and $pouch_pid for scripts/demo's cleanup.
#
# Two devices share a note through PouchDB Server (in memory, on a free loopback port): the
# "phone" is PouchDB 9 (tests/couchdb/pouchdb_device.js, one JSON command a line), the "laptop"
# the syncagent CLI with the merge policy. Both edit the note offline; the laptop syncs first,
# then PouchDB's replication leaves a second leaf on the server (a CouchDB conflict); the
# laptop's next run merges the two leaves field by field and deletes the losing one; PouchDB
# pulls the result. couchdb_story returns 0 only when the phone, the laptop and the server hold
# the same note and the server has one live leaf and no `_conflicts`; else it exits 1, saying why.

modules="$root/third_party/node/node_modules"

demo_fail() {
  echo "demo: FAILED: $*" >&2
  exit 1
}

# shellcheck source=tests/couchdb/node_server.sh
. "$root/tests/couchdb/node_server.sh"

# Starts tests/couchdb/pouchdb_server.js (node_server.sh) and sets $server_pid and $base_url.
start_pouchdb_server() {
  start_node_server pouchdb_server.js "$modules" || demo_fail "PouchDB Server did not start"
  base_url=$server_url
}

# Starts PouchDB (the phone) as a coprocess and waits for its "ready".
start_pouchdb_device() {
  coproc POUCH { exec node "$root/tests/couchdb/pouchdb_device.js" --modules "$modules" 2>pouch.err; }
  # shellcheck disable=SC2153  # POUCH_PID: set by coproc
  pouch_pid=$POUCH_PID
  local ready=""
  IFS= read -r -t 30 ready <&"${POUCH[0]}" || true
  [ "$ready" = ready ] || demo_fail "PouchDB did not start: $(cat pouch.err)"
}

# Sends one command to PouchDB, echoing it; the answer is printed and left in $answer.
# `pouch "what it means" JSON`
pouch() {
  echo "[phone] PouchDB: $1"
  echo "    <- $2"
  printf '%s\n' "$2" >&"${POUCH[1]}"
  answer=""
  IFS= read -r -t 60 answer <&"${POUCH[0]}" || demo_fail "PouchDB did not answer: $(cat pouch.err)"
  echo "    -> $answer"
  case "$answer" in
    '{"ok":true'*) ;;
    *) demo_fail "PouchDB refused: $answer" ;;
  esac
}

# Prints `curl URL` and the server's JSON answer; the answer is left in $answer.
server_get() {
  echo "[server] \$ curl '$base_url/$1'"
  answer=$(curl -fsS -H 'Accept: application/json' "$base_url/$1") ||
    demo_fail "GET $1 failed"
  echo "    $answer"
}

# Prints the note's data (without CouchDB's _ fields, keys sorted) from a JSON text on stdin:
# a document, a PouchDB answer ({"data": ...}) or the CLI's `get` output.
note_data() {
  node -e '
    let text = ""; process.stdin.on("data", (c) => (text += c)).on("end", () => {
      let doc = JSON.parse(text); if (doc.ok === true && "data" in doc) doc = doc.data;
      const out = {}; for (const k of Object.keys(doc).sort()) if (!k.startsWith("_")) out[k] = doc[k];
      process.stdout.write(JSON.stringify(out));
    });'
}

write_laptop_config() {
  cat >laptop.json <<JSON
{
  "server": {
    "protocol": "couchdb",
    "base_url": "$base_url",
    "allow_insecure_http": true,
    "couchdb": { "databases": { "notes": "notes" } }
  },
  "storage": { "path": "laptop.db" },
  "retry": { "max_attempts_per_cycle": 1 },
  "sync": {
    "collections": ["notes"],
    "conflict": { "default": "merge", "merge_tie": "server" }
  },
  "logging": { "level": "info" }
}
JSON
}

# Checks the end state: phone, laptop and server equal, one live leaf, no _conflicts.
check_converged() {
  local phone laptop server leaves
  pouch_quiet '{"op":"get","id":"groceries"}'
  local phone_answer=$reply
  phone=$(printf '%s' "$phone_answer" | note_data)
  laptop=$("$bin" --config laptop.json --log-level off get notes groceries | note_data)
  server=$(curl -fsS -H 'Accept: application/json' "$base_url/notes/groceries?conflicts=true")
  leaves=$(curl -fsS -H 'Accept: application/json' "$base_url/notes/groceries?open_revs=all" |
    node -e 'let t="";process.stdin.on("data",(c)=>(t+=c)).on("end",()=>{
      const live=JSON.parse(t).filter((r)=>r.ok&&!r.ok._deleted);process.stdout.write(String(live.length));});')
  case "$server" in *'"_conflicts"'*) demo_fail "the server still has _conflicts: $server" ;; esac
  [ "$leaves" = 1 ] || demo_fail "the server has $leaves live leaves, not 1"
  case "$phone_answer" in
    *'"conflicts":[]'*) ;;
    *) demo_fail "PouchDB still sees conflicts" ;;
  esac
  [ "$phone" = "$laptop" ] || demo_fail "the devices differ: phone $phone, laptop $laptop"
  [ "$(printf '%s' "$server" | note_data)" = "$laptop" ] ||
    demo_fail "the server differs from the devices: $server"
  case "$laptop" in
    *'"items":"milk, eggs, coffee"'*'"title":"Groceries for Saturday"'*) ;;
    *) demo_fail "the merge lost an edit: $laptop" ;;
  esac
  merged=$laptop
}

# Like pouch, silently: PouchDB's answer is left in $reply (not printed: the coprocess's file
# descriptors are not there in a $(...) subshell).
pouch_quiet() {
  reply=""
  printf '%s\n' "$1" >&"${POUCH[1]}"
  IFS= read -r -t 60 reply <&"${POUCH[0]}" || demo_fail "PouchDB did not answer"
}

couchdb_story() {
  say "Starting PouchDB Server (in memory): node tests/couchdb/pouchdb_server.js"
  start_pouchdb_server
  echo "    listening on $base_url"
  echo "[server] \$ curl -X PUT '$base_url/notes'"
  echo "    $(curl -fsS -X PUT "$base_url/notes")"
  start_pouchdb_device
  write_laptop_config
  local db_url="$base_url/notes"
  echo "    two devices: the phone is PouchDB 9 (in memory, replicating with $db_url),"
  echo "    the laptop is the syncagent CLI (laptop.json -> laptop.db, conflict policy: merge)"

  say "1. The phone creates a note and syncs; the laptop syncs and gets it."
  pouch "db.put(note)" \
    '{"op":"put","id":"groceries","data":{"title":"Groceries","items":"milk","pinned":false}}'
  pouch "replicate.to(server), then replicate.from(server)" "{\"op\":\"sync\",\"url\":\"$db_url\"}"
  sa laptop run
  sa laptop get notes groceries

  say "2. Both go offline and edit the same note, different fields."
  pouch "db.put(note with a new title)" \
    '{"op":"put","id":"groceries","data":{"title":"Groceries for Saturday","items":"milk","pinned":false}}'
  sa laptop patch notes groceries '{"items":"milk, eggs, coffee"}'

  say "3. Back online: the laptop syncs first, then the phone's replication pushes its edit too."
  sa laptop run
  pouch "replicate.to(server), then replicate.from(server)" "{\"op\":\"sync\",\"url\":\"$db_url\"}"
  echo "    CouchDB replication keeps both edits as two leaves of the document: a conflict."
  server_get "notes/groceries?conflicts=true"
  case "$answer" in
    *'"_conflicts"'*) ;;
    *) demo_fail "expected the server to show _conflicts after the phone's replication" ;;
  esac
  pouch "db.get(note, {conflicts: true})" '{"op":"get","id":"groceries"}'

  say "4. The laptop syncs: it pulls both leaves, merges them field by field, leaves one."
  sa laptop run
  echo "    three-way merge on the leaves' common ancestor: title from the phone, items from the"
  echo "    laptop; one _bulk_docs writes the merged revision and deletes the losing leaf."
  pouch "replicate.to(server), then replicate.from(server)" "{\"op\":\"sync\",\"url\":\"$db_url\"}"

  say "5. Final state."
  pouch "db.get(note, {conflicts: true})" '{"op":"get","id":"groceries"}'
  sa laptop get notes groceries
  server_get "notes/groceries?conflicts=true"
  check_converged
  say "OK: phone (PouchDB), laptop (syncagent) and PouchDB Server hold the same note, one leaf, no _conflicts: $merged"
}
