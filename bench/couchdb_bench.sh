#!/usr/bin/env bash
# bench/couchdb_bench.sh: pull and push N documents of ~200 B (bench/couchdb/pouchdb_bench.js
# makes them) against one PouchDB Server (tests/couchdb/pouchdb_server.js: express-pouchdb 4.2.0
# over PouchDB 9, in memory), side by side in one run:
#   syncagent  the CLI (`syncagent run`, pull_page_size and push_batch_size 1000): its pull row is
#              the whole process (start, store creation, cycle, exit: issue 17's figure), the
#              row after it the pull phase alone (the cycle report's pull_ms). Its push is
#              a fresh device's first upload of the N documents (`syncagent import`ed, not
#              timed): the cycle pushes them, then pulls them back (a CouchDB feed cannot leave
#              out one device's writes), so that row is a push *and* a pull of N; the row after
#              it is the push phase alone (the cycle report's push_ms);
#   PouchDB 9  on Node, leveldb adapter (pouchdb-adapter-leveldb 9.0.0, leveldown's prebuilt
#              binary), replicate.from / replicate.to with batch_size 100 and 1000;
#   curl       the floor: one curl process (libcurl, one connection) making the requests
#              syncagent makes: the pages of _changes?include_docs=true&conflicts=true&limit=1000
#              with Accept-Encoding: gzip, decoded, as syncagent asks for them ("curl floor"; the row
#              "curl floor, no gzip" is the same without it, for reference: the server then
#              does not compress), and per batch of 1000 new documents one _bulk_docs
#              new_edits:false (bodies made beforehand and sent uncompressed, where syncagent
#              gzips them: a lower floor than its own requests; answers not parsed).
# Each row: wall seconds, docs/s, the client's CPU seconds and peak RSS (GNU time), and the
# server's CPU seconds during the row (utime+stime from /proc/PID/stat), to show when the
# server is the bound.
#
# Rounds: with --rounds R every row of a count is run R times, a round being all the rows once in
# the order above (so the clients alternate), each round from a freshly seeded server state;
# then a summary gives each row's median over the rounds and issue 17's targets computed from
# those medians (PouchDB's best = the faster of its two batch sizes' medians).
#
# Usage: bench/couchdb_bench.sh [--cli PATH] [--rounds R] [COUNT...]   (default counts: 10000
#        100000, 1 round; the CLI default: build-bench/bin/syncagent). Needs node, curl, GNU time
#        (/usr/bin/time) and the npm peers of `scripts/install-couch-peers --bench`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cli=$root/build-bench/bin/syncagent
rounds=1
counts=()
while [ $# -gt 0 ]; do
  case "$1" in
    --cli | --rounds)
      [ $# -ge 2 ] || { echo "couchdb_bench: $1 needs a value" >&2; exit 2; }
      if [ "$1" = --cli ]; then cli=$(realpath "$2"); else rounds=$2; fi
      shift 2 ;;
    *) counts+=("$1"); shift ;;
  esac
done
[ ${#counts[@]} -gt 0 ] || counts=(10000 100000)
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "couchdb_bench: --rounds wants a positive integer, got '$rounds'" >&2; exit 2; }
[ -x "$cli" ] || { echo "couchdb_bench: no syncagent CLI at $cli (--cli PATH)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "couchdb_bench: needs GNU time (apt-get install time)" >&2; exit 1; }
server_modules=$root/third_party/node/node_modules
bench_modules=$root/third_party/node-bench/node_modules
[ -d "$bench_modules/pouchdb-adapter-leveldb" ] ||
  { echo "couchdb_bench: run scripts/install-couch-peers --bench" >&2; exit 1; }
driver=$root/bench/couchdb/pouchdb_bench.js

work=$(mktemp -d)
# shellcheck source=tests/couchdb/node_server.sh
. "$root/tests/couchdb/node_server.sh"
server_pid=""
cleanup() {
  stop_node_server
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
start_node_server pouchdb_server.js "$server_modules" || exit 1
url=$server_url
tck=$(getconf CLK_TCK)

server_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
make_db() { curl -fsS -X PUT "$url/$1" >/dev/null; }
drop_db() { curl -fsS -X DELETE "$url/$1" >/dev/null; }
expect_count() {  # expect_count DATABASE N: fails the bench unless DATABASE holds N documents
  local info
  info=$(curl -fsS -H 'Accept: application/json' "$url/$1")
  case "$info" in
    *"\"doc_count\":$2,"*) ;;
    *) echo "couchdb_bench: $1 should hold $2 documents: $info" >&2; exit 1 ;;
  esac
}

printf '%-7s %-5s %-26s %8s %9s %8s %9s %9s\n' \
  docs op client seconds docs/s cpu_s rss_mb server_cpu_s
# row COUNT OP CLIENT COMMAND...: runs COMMAND under GNU time and prints its row.
row() {
  local count=$1 op=$2 client=$3
  shift 3
  local t0 t1 s0 s1
  s0=$(server_ticks)
  t0=$(date +%s.%N)
  /usr/bin/time -o time.txt -f '%U %S %M' "$@" >row.out 2>row.err ||
    { echo "couchdb_bench: $client $op failed: $(tail -n 5 row.err)" >&2; exit 1; }
  t1=$(date +%s.%N)
  s1=$(server_ticks)
  read -r user sys rss <time.txt
  awk -v n="$count" -v op="$op" -v c="$client" -v t0="$t0" -v t1="$t1" -v u="$user" -v s="$sys" \
    -v rss="$rss" -v st=$((s1 - s0)) -v tck="$tck" 'BEGIN {
      w = t1 - t0
      printf "%-7d %-5s %-26s %8.2f %9d %8.2f %9.1f %9.2f\n", n, op, c, w, n / w, u + s, rss / 1024, st / tck
      printf "%d\t%s\t%s\t%.3f\t%.1f\n", n, op, c, w, rss / 1024 >> "rows.tsv"
    }'
}

# phase_row COUNT OP: the row "syncagent (OP phase)", the cycle report's OP_ms of the run just
# made (its --json in row.out): the phase alone, without the process's start and end.
phase_row() {
  local ms
  ms=$(sed -n "s/.*\"$2_ms\":\([0-9]*\).*/\1/p" row.out)
  [ -n "$ms" ] || { echo "couchdb_bench: no $2_ms in the run's report" >&2; exit 1; }
  awk -v n="$1" -v op="$2" -v ms="$ms" 'BEGIN {
      c = "syncagent (" op " phase)"
      printf "%-7d %-5s %-26s %8.2f %9d %8s %9s %9s\n", n, op, c, ms / 1000, n * 1000 / ms, "-", "-", "-"
      printf "%d\t%s\t%s\t%.3f\t-\n", n, op, c, ms / 1000 >> "rows.tsv"
    }'
}

sa_config() {  # sa_config FILE DATABASE STORE
  cat >"$1" <<JSON
{"server": {"protocol": "couchdb", "base_url": "$url", "allow_insecure_http": true,
            "couchdb": {"databases": {"notes": "$2"}, "create_databases": true}},
 "storage": {"path": "$3"},
 "sync": {"collections": ["notes"], "pull_page_size": 1000, "push_batch_size": 1000},
 "logging": {"level": "warn"}}
JSON
}

for n in "${counts[@]}"; do
  for round in $(seq "$rounds"); do
    [ "$rounds" -eq 1 ] || echo "# $n documents, round $round of $rounds"
    make_db "pull-$n"
    node "$driver" --modules "$bench_modules" --op seed --url "$url/pull-$n" --count "$n" >/dev/null
    last=$(( (n - 1) / 1000 * 1000 ))
    since="[0-$last:1000]"  # curl's URL glob: one request per page, on one connection
    [ "$last" -gt 0 ] || since=0
    # Untimed: one pass over the feed, so that the first row does not pay alone for the garbage
    # the seeding left in the server (its collection lands in whichever row comes first).
    curl -fsS -o /dev/null "$url/pull-$n/_changes?include_docs=true&conflicts=true&limit=1000&since=$since"
    row "$n" pull "curl floor" curl -fsS -o /dev/null -H "Accept-Encoding: gzip" --compressed \
      "$url/pull-$n/_changes?include_docs=true&conflicts=true&limit=1000&since=$since"
    row "$n" pull "curl floor, no gzip" curl -fsS -o /dev/null \
      "$url/pull-$n/_changes?include_docs=true&conflicts=true&limit=1000&since=$since"
    # A fresh device each round (a store of an earlier round would see the new database as a
    # server that lost its data, and upload everything back).
    sa_config "pull-$n.json" "pull-$n" "device-$n-$round.db"
    row "$n" pull "syncagent" "$cli" --config "pull-$n.json" run --json --budget-seconds 3600
    phase_row "$n" pull
    [ "$("$cli" --config "pull-$n.json" --log-level off ls notes | wc -l)" = "$n" ] ||
      { echo "couchdb_bench: syncagent did not pull $n documents" >&2; exit 1; }
    for batch in 100 1000; do
      row "$n" pull "PouchDB leveldb b$batch" node "$driver" --modules "$bench_modules" --op pull \
        --url "$url/pull-$n" --count "$n" --adapter leveldb --batch "$batch" --dir "$work"
    done
    # Every push row writes into a server that holds nothing else: each database is dropped once
    # its row is checked, so no row pays the in-memory server's garbage collection of the rows
    # before it (before 2026-12-03 20:00 the databases were dropped at the end, and the later
    # push rows ran beside 100k-400k documents of the earlier ones).
    drop_db "pull-$n"
    rm -f "device-$n-$round.db"*

    mkdir -p "floor-$n"
    node "$driver" --modules "$bench_modules" --op floor --url "$url/floor-$n" --count "$n" \
      --batch 1000 --dir "$work/floor-$n"
    make_db "floor-$n"
    row "$n" push "curl floor" curl -sS -K "floor-$n/curl.cfg"
    expect_count "floor-$n" "$n"
    drop_db "floor-$n"
    rm -rf "floor-$n"
    # A fresh device holding the same N documents (imported, not timed) uploads them: its cycle
    # pushes N, then pulls them back (a CouchDB feed cannot leave out one device's writes). The
    # row is the whole cycle; the next one its push phase alone (the report's push_ms).
    node "$driver" --modules "$bench_modules" --op export --url "$url" --count "$n" >"docs-$n.jsonl"
    sa_config "push-$n.json" "push-$n-sa" "upload-$n.db"
    "$cli" --config "push-$n.json" --log-level off import notes "docs-$n.jsonl"
    row "$n" push "syncagent (push+pull back)" "$cli" --config "push-$n.json" run --json \
      --budget-seconds 3600
    phase_row "$n" push
    expect_count "push-$n-sa" "$n"
    drop_db "push-$n-sa"
    rm -f "docs-$n.jsonl" "upload-$n.db"*
    for batch in 100 1000; do
      make_db "push-$n-b$batch"
      row "$n" push "PouchDB leveldb b$batch" node "$driver" --modules "$bench_modules" --op push \
        --url "$url/push-$n-b$batch" --count "$n" --adapter leveldb --batch "$batch" --dir "$work"
      expect_count "push-$n-b$batch" "$n"
      drop_db "push-$n-b$batch"
    done
  done
done

# The summary: each row's median over the rounds, and the targets from those medians.
echo "# medians of $rounds round(s); targets of issue 17"
awk -F'\t' '
  function median(key,   n, i, j, t, v) {
    n = count[key]
    for (i = 1; i <= n; i++) v[i] = val[key, i]
    for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  {
    key = $1 SUBSEP $2 SUBSEP $3
    if (!(key in count)) order[++keys] = key
    val[key, ++count[key]] = $4
    if ($3 ~ /^syncagent/ && $5 != "-" && $5 + 0 > rss[$1] + 0) rss[$1] = $5
    if (!($1 in docs)) counted[++ncounts] = $1
    docs[$1] = 1
  }
  END {
    for (k = 1; k <= keys; k++) {
      split(order[k], f, SUBSEP)
      printf "%-7d %-5s %-26s %8.2f s median\n", f[1], f[2], f[3], median(order[k])
    }
    for (c = 1; c <= ncounts; c++) {
      n = counted[c]
      for (o = 1; o <= 2; o++) {
        op = o == 1 ? "pull" : "push"
        ours = op == "pull" ? "syncagent" : "syncagent (push phase)"
        a = median(n SUBSEP op SUBSEP ours)
        b1 = median(n SUBSEP op SUBSEP "PouchDB leveldb b100")
        b2 = median(n SUBSEP op SUBSEP "PouchDB leveldb b1000")
        fl = median(n SUBSEP op SUBSEP "curl floor")
        best = (b1 < b2) ? b1 : b2
        printf "%-7d %-5s vs PouchDB best %.2fx (>= 2.5: %s)   vs curl floor %.2fx (<= 1.5: %s)\n", n, op, best / a, (best / a >= 2.5) ? "met" : "NOT met", a / fl, (a / fl <= 1.5) ? "met" : "NOT met"
        plain = n SUBSEP op SUBSEP "curl floor, no gzip"
        phase = n SUBSEP op SUBSEP "syncagent (pull phase)"
        if (op == "pull" && (phase in count)) printf "%-7d %-5s for reference: the pull phase alone %.2fx the curl floor; the whole run %.2fx and the pull phase %.2fx the curl floor without gzip\n", n, op, median(phase) / fl, a / median(plain), median(phase) / median(plain)
      }
      printf "%-7d peak RSS of syncagent %.1f MB (<= 40: %s)\n", n, rss[n], (rss[n] <= 40) ? "met" : "NOT met"
    }
  }' rows.tsv
