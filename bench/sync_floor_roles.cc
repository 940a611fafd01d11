// sync_floor_roles: sync_bench's floor roles — the least a pull or a push of the same documents
// costs on this machine, measured in the same run as the agent's figures (issue: benchmarks
// against the physical floor). The transfer is a bare libcurl loop sending or fetching what the
// agent sends or fetches; the storage is a bare SQLite loop writing the Store's own tables with
// the Store's statements. Nothing here goes through the Agent.
//
// Each role runs in its own child process (sync_bench --role pull-floor|push-floor) and prints
// one JSON object on stdout; see sync_roles.h.
#include <curl/curl.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "bench/bench_process.h"
#include "bench/sync_roles.h"
#include "net/curl_http_client.h"
#include "net/protocol_codec.h"
#include "net/sync_client.h"
#include "storage/random_id.h"
#include "storage/store.h"

namespace syncagent::bench {
namespace {

size_t Append(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// Creates a database with the Store's schema (so the bare loops write the Store's tables).
void CreateSchema(const std::string& path) {
  RealClock clock;
  StoreOptions options;
  options.path = path;
  options.clock = &clock;
  Check(Store::Open(options).status(), "creating the schema");
}

sqlite3* OpenBare(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Fail("sqlite3_open");
  // The Store's own settings (storage/store.cc): WAL, synchronous=NORMAL, 8 MiB page cache.
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-8192;",
               nullptr, nullptr, nullptr);
  return db;
}

void Exec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) Fail(sqlite3_errmsg(db));
}

}  // namespace

int RolePullFloor(const std::string& url, int docs, const std::string& dir) {
  // 1. The pages, fetched as the agent fetches them (same limit, gzip, one reused connection).
  CURL* easy = curl_easy_init();
  std::string body, cursor;
  int64_t bytes = 0;
  int pages = 0;
  double start = Now();
  for (;;) {
    std::string page_url = url + "/v1/pull?limit=1000";
    if (!cursor.empty()) page_url += "&cursor=" + UrlEncode(cursor);
    body.clear();
    curl_easy_setopt(easy, CURLOPT_URL, page_url.c_str());
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "gzip");
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Append);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
    if (curl_easy_perform(easy) != CURLE_OK) Fail("bare transfer failed");
    bytes += static_cast<int64_t>(body.size());
    ++pages;
    const char* key = "\"cursor\":\"";
    const size_t at = body.find(key);
    const size_t end = body.find('"', at + std::strlen(key));
    cursor = body.substr(at + std::strlen(key), end - at - std::strlen(key));
    if (body.find("\"has_more\":true") == std::string::npos) break;
  }
  const double curl_s = Now() - start;
  curl_easy_cleanup(easy);

  // 2. The same rows (as the server sends them) upserted into the Store's documents table with
  //    the Store's statement, one transaction per page plus the cursor checkpoint. The rows of a
  //    page are prepared before its transaction's timer starts.
  const std::string path = dir + "/floor.db";
  CreateSchema(path);
  sqlite3* db = OpenBare(path);
  sqlite3_stmt* save = nullptr;
  sqlite3_stmt* checkpoint = nullptr;
  sqlite3_prepare_v3(db,
                     "INSERT INTO documents (collection, key, rev, deleted, data, dirty, "
                     "base_rev, base_data, hlc, updated_at, pending_seqs) VALUES "
                     "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (collection, key) "
                     "DO UPDATE SET rev = excluded.rev, deleted = excluded.deleted, "
                     "data = excluded.data, dirty = excluded.dirty, base_rev = "
                     "excluded.base_rev, base_data = excluded.base_data, hlc = excluded.hlc, "
                     "updated_at = excluded.updated_at, pending_seqs = excluded.pending_seqs",
                     -1, SQLITE_PREPARE_PERSISTENT, &save, nullptr);
  sqlite3_prepare_v3(db,
                     "INSERT OR REPLACE INTO checkpoints (name, value, etag, updated_at) "
                     "VALUES ('pull', ?1, '', 0)",
                     -1, SQLITE_PREPARE_PERSISTENT, &checkpoint, nullptr);
  if (save == nullptr || checkpoint == nullptr) Fail(sqlite3_errmsg(db));
  const std::string hlc = "000001767225600000-00000000-seed";
  double sqlite_s = 0;
  std::vector<std::string> keys, datas;
  for (int first = 0; first < docs; first += 1000) {
    keys.clear();
    datas.clear();
    for (int i = first; i < std::min(docs, first + 1000); ++i) {
      keys.push_back("note-" + std::to_string(i));
      datas.push_back(MakeDoc(i).dump());
    }
    start = Now();
    Exec(db, "BEGIN IMMEDIATE");
    for (size_t i = 0; i < keys.size(); ++i) {
      sqlite3_bind_text(save, 1, "notes", 5, SQLITE_STATIC);
      sqlite3_bind_text(save, 2, keys[i].data(), static_cast<int>(keys[i].size()), SQLITE_STATIC);
      sqlite3_bind_text(save, 3, "1", 1, SQLITE_STATIC);
      sqlite3_bind_int64(save, 4, 0);
      sqlite3_bind_text(save, 5, datas[i].data(), static_cast<int>(datas[i].size()), SQLITE_STATIC);
      sqlite3_bind_int64(save, 6, 0);
      sqlite3_bind_null(save, 7);
      sqlite3_bind_null(save, 8);
      sqlite3_bind_text(save, 9, hlc.data(), static_cast<int>(hlc.size()), SQLITE_STATIC);
      sqlite3_bind_int64(save, 10, 1767225600000);
      sqlite3_bind_text(save, 11, "", 0, SQLITE_STATIC);
      if (sqlite3_step(save) != SQLITE_DONE) Fail(sqlite3_errmsg(db));
      sqlite3_reset(save);
    }
    sqlite3_bind_text(checkpoint, 1, cursor.data(), static_cast<int>(cursor.size()), SQLITE_STATIC);
    if (sqlite3_step(checkpoint) != SQLITE_DONE) Fail(sqlite3_errmsg(db));
    sqlite3_reset(checkpoint);
    Exec(db, "COMMIT");
    sqlite_s += Now() - start;
  }
  sqlite3_finalize(save);
  sqlite3_finalize(checkpoint);
  sqlite3_close(db);
  nlohmann::json out = {{"curl_seconds", curl_s}, {"sqlite_seconds", sqlite_s},
                        {"seconds", curl_s + sqlite_s}, {"pages", pages}, {"bytes", bytes}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

int RolePushFloor(const std::string& url, int docs, const std::string& dir) {
  // The request bodies: the agent's wire shape (UUID mutation and batch ids, HLC stamps of the
  // store's format, base_version null), encoded by the codec and gzipped as the transport does
  // above 4096 bytes — all before the timer starts.
  RandomIdGenerator ids;
  ProtocolCodec codec;
  const std::string client_id = ids.NewUuid();
  std::vector<std::pair<std::string, std::string>> bodies;  // (batch id, gzipped body)
  int64_t raw_bytes = 0;
  for (int first = 0; first < docs; first += 1000) {
    PushRequest request;
    request.client_id = client_id;
    request.batch_id = "b-" + ids.NewUuid();
    for (int i = first; i < std::min(docs, first + 1000); ++i) {
      WireMutation m;
      m.mutation_id = ids.NewUuid();
      m.seq = i + 1;
      m.collection = "notes";
      m.key = "note-" + std::to_string(i);
      m.data = MakeDoc(i);
      char stamp[96];
      std::snprintf(stamp, sizeof(stamp), "%018lld-%08x-%s",
                    static_cast<long long>(1767225600000LL + i), 0u, client_id.c_str());
      m.hlc = stamp;
      request.mutations.push_back(std::move(m));
    }
    std::string json = codec.EncodePushRequest(request);
    raw_bytes += static_cast<int64_t>(json.size());
    auto gz = GzipCompress(json);
    Check(gz.status(), "gzip");
    bodies.emplace_back(request.batch_id, std::move(*gz));
  }
  CURL* easy = curl_easy_init();
  std::string reply;
  int64_t wire_bytes = 0;
  double start = Now();
  for (const auto& [batch_id, body] : bodies) {
    struct curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Accept: application/json");
    headers = curl_slist_append(headers, "Content-Encoding: gzip");
    headers = curl_slist_append(headers, ("Idempotency-Key: " + batch_id).c_str());
    reply.clear();
    curl_easy_setopt(easy, CURLOPT_URL, (url + "/v1/push").c_str());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "gzip");
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Append);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &reply);
    if (curl_easy_perform(easy) != CURLE_OK) Fail("bare push failed");
    long code = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
    if (code != 200 || reply.find("\"applied\"") == std::string::npos) {
      Fail("bare push answered " + std::to_string(code) + ": " + reply.substr(0, 200));
    }
    wire_bytes += static_cast<int64_t>(body.size());
    curl_slist_free_all(headers);
  }
  const double curl_s = Now() - start;
  curl_easy_cleanup(easy);

  // The same outbox rows, queued through the Store (untimed), then deleted by seq in
  // transactions of 1000 — what acknowledging them costs at the least.
  const std::string path = dir + "/floor.db";
  {
    RealClock clock;
    StoreOptions options;
    options.path = path;
    options.clock = &clock;
    auto store = Store::Open(options);
    Check(store.status(), "floor store");
    std::vector<WriteOp> ops;
    for (int first = 0; first < docs; first += 1000) {
      ops.clear();
      for (int i = first; i < std::min(docs, first + 1000); ++i) {
        ops.push_back(WriteOp::Put("notes", "note-" + std::to_string(i), MakeDoc(i)));
      }
      Check((*store)->Write(ops), "floor queue");
    }
  }
  sqlite3* db = OpenBare(path);
  std::vector<int64_t> seqs;
  sqlite3_stmt* list = nullptr;
  sqlite3_prepare_v2(db, "SELECT seq FROM outbox ORDER BY seq", -1, &list, nullptr);
  while (sqlite3_step(list) == SQLITE_ROW) seqs.push_back(sqlite3_column_int64(list, 0));
  sqlite3_finalize(list);
  if (static_cast<int>(seqs.size()) != docs) Fail("floor outbox has the wrong size");
  sqlite3_stmt* del = nullptr;
  sqlite3_prepare_v3(db, "DELETE FROM outbox WHERE seq = ?1", -1, SQLITE_PREPARE_PERSISTENT, &del,
                     nullptr);
  start = Now();
  for (size_t first = 0; first < seqs.size(); first += 1000) {
    Exec(db, "BEGIN IMMEDIATE");
    for (size_t i = first; i < std::min(seqs.size(), first + 1000); ++i) {
      sqlite3_bind_int64(del, 1, seqs[i]);
      if (sqlite3_step(del) != SQLITE_DONE) Fail(sqlite3_errmsg(db));
      sqlite3_reset(del);
    }
    Exec(db, "COMMIT");
  }
  const double sqlite_s = Now() - start;
  sqlite3_finalize(del);
  sqlite3_close(db);
  nlohmann::json out = {{"curl_seconds", curl_s},   {"sqlite_seconds", sqlite_s},
                        {"seconds", curl_s + sqlite_s}, {"requests", bodies.size()},
                        {"raw_bytes", raw_bytes},   {"wire_bytes", wire_bytes}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

}  // namespace syncagent::bench
