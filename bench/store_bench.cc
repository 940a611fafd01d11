// store_bench: local-write throughput of the Store beside a bare SQLite insert loop writing the
// same rows (one documents row + one outbox row per write) with the same durability settings
// (WAL, synchronous=NORMAL) and the same transaction shape:
//   single: every write is its own transaction (Store::Put  vs  BEGIN; 2 INSERTs; COMMIT)
//   batch:  one transaction per batch          (Store::Write vs BEGIN; 2*B INSERTs; COMMIT)
// The bare loop gets pre-serialised JSON, pre-made ids and stamps: it is the floor the Store's
// validation, HLC, UUID, coalescing lookup and serialisation are measured against.
//
// Usage: store_bench [--single N] [--batch N] [--batch-size B] [--rounds R] [--dir DIR]
// Each (workload, implementation) runs R rounds on a fresh database; the median is reported.
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "platform/clock.h"
#include "storage/random_id.h"
#include "storage/store.h"

namespace syncagent {
namespace {

struct Config {
  int single = 20000;
  int batch = 200000;
  int batch_size = 1000;
  int rounds = 3;
  std::string dir;
};

nlohmann::json MakeDoc(int i) {
  return {{"title", "note " + std::to_string(i)},
          {"body", "The quick brown fox jumps over the lazy dog; local-first sync benchmark body."},
          {"n", i},
          {"done", i % 2 == 0},
          {"tags", {"work", "bench"}}};
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

void Fail(const std::string& what) {
  std::fprintf(stderr, "store_bench: %s\n", what.c_str());
  std::exit(1);
}

void Check(const Status& status, const char* what) {
  if (!status.ok()) Fail(std::string(what) + ": " + status.ToString());
}

void RemoveDb(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

// Creates a database with the Store's schema (so both sides write identical tables).
void CreateSchema(const std::string& path) {
  RemoveDb(path);
  RealClock clock;
  StoreOptions options;
  options.path = path;
  options.clock = &clock;
  auto store = Store::Open(options);
  Check(store.status(), "creating the schema");
}

double RunStore(const std::string& path, const std::vector<nlohmann::json>& docs, int batch_size) {
  CreateSchema(path);
  RealClock clock;
  StoreOptions options;
  options.path = path;
  options.clock = &clock;
  options.synchronous = SyncMode::kNormal;
  auto opened = Store::Open(options);
  Check(opened.status(), "Store::Open");
  std::unique_ptr<Store> store = std::move(opened).value();
  std::vector<std::string> keys;
  for (size_t i = 0; i < docs.size(); ++i) keys.push_back("k" + std::to_string(i));
  // The batches are built before timing: constructing WriteOps is the app's work, not the store's.
  std::vector<std::vector<WriteOp>> batches;
  if (batch_size > 1) {
    for (size_t i = 0; i < docs.size(); i += batch_size) {
      std::vector<WriteOp>& ops = batches.emplace_back();
      for (size_t j = i; j < std::min(docs.size(), i + batch_size); ++j) {
        ops.push_back(WriteOp{MutationOp::kPut, "notes", keys[j], docs[j]});
      }
    }
  }
  const auto start = std::chrono::steady_clock::now();
  if (batch_size <= 1) {
    for (size_t i = 0; i < docs.size(); ++i) Check(store->Put("notes", keys[i], docs[i]), "Put");
  } else {
    for (const std::vector<WriteOp>& ops : batches) Check(store->Write(ops), "Write");
  }
  const double elapsed = Seconds(std::chrono::steady_clock::now() - start);
  auto stats = store->Stats();
  Check(stats.status(), "Stats");
  if (stats->queue_depth != static_cast<int64_t>(docs.size())) Fail("store wrote the wrong count");
  return static_cast<double>(docs.size()) / elapsed;
}

void Exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    Fail(std::string(sql) + ": " + (error ? error : "?"));
  }
}

sqlite3_stmt* Prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) Fail(sqlite3_errmsg(db));
  return stmt;
}

void StepDone(sqlite3* db, sqlite3_stmt* stmt) {
  if (sqlite3_step(stmt) != SQLITE_DONE) Fail(sqlite3_errmsg(db));
  sqlite3_reset(stmt);
}

double RunBare(const std::string& path, const std::vector<nlohmann::json>& docs, int batch_size) {
  CreateSchema(path);
  // Pre-made row content: serialised JSON, UUIDs, HLC-shaped stamps, keys.
  RandomIdGenerator ids;
  std::vector<std::string> keys, texts, uuids, stamps, seqs;
  const int64_t now = RealClock().WallMs();
  for (size_t i = 0; i < docs.size(); ++i) {
    keys.push_back("k" + std::to_string(i));
    seqs.push_back(std::to_string(i + 1));
    texts.push_back(docs[i].dump());
    uuids.push_back(ids.NewUuid());
    char stamp[64];
    std::snprintf(stamp, sizeof(stamp), "%015lld-%08x-c-0123456789abcdef0123456789abcdef",
                  static_cast<long long>(now), static_cast<unsigned>(i));
    stamps.push_back(stamp);
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    Fail("sqlite3_open");
  }
  Exec(db, "PRAGMA journal_mode = WAL");
  Exec(db, "PRAGMA synchronous = NORMAL");
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* outbox = Prepare(
      db,
      "INSERT INTO outbox (seq, mutation_id, collection, key, op, base_rev, data, hlc, "
      "created_at, attempts, last_error) "
      "VALUES (?6, ?1, 'notes', ?2, 'put', NULL, ?3, ?4, ?5, 0, NULL)");
  sqlite3_stmt* doc = Prepare(
      db,
      "INSERT INTO documents (collection, key, rev, deleted, data, dirty, base_rev, "
      "base_data, hlc, updated_at, pending_seqs) VALUES ('notes', ?1, '', 0, ?2, 1, NULL, NULL, ?3, "
      "?4, ?5)");
  sqlite3_stmt* begin = Prepare(db, "BEGIN IMMEDIATE");
  sqlite3_stmt* commit = Prepare(db, "COMMIT");
  const size_t step = batch_size <= 1 ? 1 : static_cast<size_t>(batch_size);
  const auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < docs.size(); i += step) {
    StepDone(db, begin);
    for (size_t j = i; j < std::min(docs.size(), i + step); ++j) {
      sqlite3_bind_text(outbox, 1, uuids[j].data(), static_cast<int>(uuids[j].size()), SQLITE_STATIC);
      sqlite3_bind_text(outbox, 2, keys[j].data(), static_cast<int>(keys[j].size()), SQLITE_STATIC);
      sqlite3_bind_text(outbox, 3, texts[j].data(), static_cast<int>(texts[j].size()), SQLITE_STATIC);
      sqlite3_bind_text(outbox, 4, stamps[j].data(), static_cast<int>(stamps[j].size()), SQLITE_STATIC);
      sqlite3_bind_int64(outbox, 5, now);
      sqlite3_bind_int64(outbox, 6, static_cast<int64_t>(j) + 1);
      StepDone(db, outbox);
      const std::string& seq = seqs[j];
      sqlite3_bind_text(doc, 1, keys[j].data(), static_cast<int>(keys[j].size()), SQLITE_STATIC);
      sqlite3_bind_text(doc, 2, texts[j].data(), static_cast<int>(texts[j].size()), SQLITE_STATIC);
      sqlite3_bind_text(doc, 3, stamps[j].data(), static_cast<int>(stamps[j].size()), SQLITE_STATIC);
      sqlite3_bind_int64(doc, 4, now);
      sqlite3_bind_text(doc, 5, seq.data(), static_cast<int>(seq.size()), SQLITE_STATIC);
      StepDone(db, doc);
    }
    StepDone(db, commit);
  }
  const double elapsed = Seconds(std::chrono::steady_clock::now() - start);
  for (sqlite3_stmt* stmt : {outbox, doc, begin, commit}) sqlite3_finalize(stmt);
  sqlite3_close(db);
  return static_cast<double>(docs.size()) / elapsed;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

void Report(const char* name, int count, int batch_size, double store, double bare,
            double target) {
  std::printf("| %-28s | %9d | %12.0f | %12.0f | %5.2f | %9.0f | %-4s |\n", name, count, store,
              bare, store / bare, target, store >= target ? "yes" : "NO");
  (void)batch_size;
}

int Main(int argc, char** argv) {
  Config config;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--single") config.single = std::atoi(argv[i + 1]);
    else if (flag == "--batch") config.batch = std::atoi(argv[i + 1]);
    else if (flag == "--batch-size") config.batch_size = std::atoi(argv[i + 1]);
    else if (flag == "--rounds") config.rounds = std::max(1, std::atoi(argv[i + 1]));
    else if (flag == "--dir") config.dir = argv[i + 1];
    else Fail("unknown flag " + flag);
  }
  std::string made_dir;
  if (config.dir.empty()) {
    std::string templ = (std::filesystem::temp_directory_path() / "store-bench-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) Fail("mkdtemp");
    made_dir = config.dir = templ;
  }
  const std::string path = config.dir + "/bench.db";
  const int max_docs = std::max(config.single, config.batch);
  std::vector<nlohmann::json> all;
  for (int i = 0; i < max_docs; ++i) all.push_back(MakeDoc(i));
  const std::vector<nlohmann::json> single(all.begin(), all.begin() + config.single);
  const std::vector<nlohmann::json> batch(all.begin(), all.begin() + config.batch);

  std::vector<double> s_store, s_bare, b_store, b_bare;
  for (int r = 0; r < config.rounds; ++r) {  // interleaved, so drift affects both sides alike
    s_store.push_back(RunStore(path, single, 1));
    s_bare.push_back(RunBare(path, single, 1));
    b_store.push_back(RunStore(path, batch, config.batch_size));
    b_bare.push_back(RunBare(path, batch, config.batch_size));
  }
  RemoveDb(path);
  if (!made_dir.empty()) std::filesystem::remove_all(made_dir);

  std::printf("store_bench: WAL, synchronous=NORMAL, median of %d rounds, docs of ~%zu bytes\n\n",
              config.rounds, all[0].dump().size());
  std::printf("| %-28s | %9s | %12s | %12s | %5s | %9s | %-4s |\n", "workload", "docs",
              "store docs/s", "bare docs/s", "ratio", "target", "met");
  std::printf("|%s|%s|%s|%s|%s|%s|%s|\n", std::string(30, '-').c_str(),
              std::string(11, '-').c_str(), std::string(14, '-').c_str(),
              std::string(14, '-').c_str(), std::string(7, '-').c_str(),
              std::string(11, '-').c_str(), std::string(6, '-').c_str());
  Report("single write (1 txn each)", config.single, 1, Median(s_store), Median(s_bare), 20000);
  const std::string batch_name = "batch write (" + std::to_string(config.batch_size) + "/txn)";
  Report(batch_name.c_str(), config.batch, config.batch_size, Median(b_store), Median(b_bare),
         200000);
  return 0;
}

}  // namespace
}  // namespace syncagent

int main(int argc, char** argv) { return syncagent::Main(argc, argv); }
