// query_bench: local queries and import beside their floors, in one run (docs/benchmarks.md).
//   indexed:   Store::Query, selector {"done": false, "updated": {"$gt": N/2}}, sort
//              [done, updated], limit 20, over the declared index (done, updated)
//              vs a bare SQLite statement on the same file and index returning the same rows
//              (key, rev, data parsed with nlohmann/json)
//   scan:      Store::Query, selector {"title": "note <i>"} (no index: a scan), limit 20
//              vs a bare statement with json_extract(data, '$.title') = ? doing the same scan
//   pull:      Store::ApplyRemotePage of the N documents (pages of 500, a fresh store each time)
//              into a store whose change feed has been read (Changes() before the pull: the
//              feed's index exists and every row adds an entry to it) vs the same pull into a
//              store whose feed was never read (no index: each row still gets its seq and
//              source, two integers), alternating, P times: how much slower the feed makes a
//              pull for an app that reads it (one that never does pays the second figure)
//   feed read: the first Store::Changes of a store of N documents, which builds the feed's index
//   import:    `syncagent import` of N lines (the CLI process, 1,000 per transaction)
//              vs Store::Write of the same documents in batches of 1,000 in-process
// Usage: query_bench [--docs N] [--queries Q] [--rounds R] [--pull-rounds P] [--dir DIR]
// Times are medians over R rounds (the pull: P rounds, default R); a query round runs Q queries.
// Each ratio is also given as the median of the rounds' own ratios (both sides of a round run
// back to back, so a load spike that spans a round moves both) and as best / best.
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "platform/clock.h"
#include "storage/query/name_hash.h"
#include "storage/query/selector_sql.h"
#include "storage/store.h"

namespace syncagent {
namespace {

struct Config {
  int docs = 100000;
  int queries = 200;
  int rounds = 5;
  int pull_rounds = 0;  // 0: as many as `rounds`
  std::string dir;
};

void Fail(const std::string& what) {
  std::fprintf(stderr, "query_bench: %s\n", what.c_str());
  std::exit(1);
}

void Check(const Status& status, const char* what) {
  if (!status.ok()) Fail(std::string(what) + ": " + status.ToString());
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// About 200 bytes of compact JSON.
nlohmann::json MakeDoc(int i) {
  return {{"title", "note " + std::to_string(i)},
          {"body", "The quick brown fox jumps over the lazy dog, twice: local-first query bench."},
          {"updated", (static_cast<int64_t>(i) * 7919) % 1000003},
          {"done", i % 3 == 0},
          {"tags", {"work", "bench"}}};
}

StoreOptions Options(const std::string& path, Clock* clock, bool indexed) {
  StoreOptions options;
  options.path = path;
  options.clock = clock;
  if (indexed) options.indexes = {{"notes", {"done", "updated"}}};
  return options;
}

// Writes the documents in batches of 1,000; returns documents per second.
double Fill(Store& store, int docs) {
  std::vector<std::vector<WriteOp>> batches;
  for (int i = 0; i < docs; i += 1000) {
    std::vector<WriteOp>& ops = batches.emplace_back();
    for (int j = i; j < std::min(docs, i + 1000); ++j) {
      ops.push_back(WriteOp::Put("notes", "k" + std::to_string(j), MakeDoc(j)));
    }
  }
  const auto start = std::chrono::steady_clock::now();
  for (const auto& ops : batches) Check(store.Write(ops), "Write");
  return docs / Seconds(std::chrono::steady_clock::now() - start);
}

// Seconds per query of Q runs of `query` (returning `expect` rows each).
double TimeStore(Store& store, const nlohmann::json& query, const Config& config, size_t expect) {
  auto spec = query::ParseQuery(query);
  Check(spec.status(), "ParseQuery");
  const auto start = std::chrono::steady_clock::now();
  for (int q = 0; q < config.queries; ++q) {
    auto result = store.Query("notes", *spec);
    Check(result.status(), "Query");
    if (result->rows.size() != expect) Fail("store query returned " + std::to_string(result->rows.size()));
  }
  return Seconds(std::chrono::steady_clock::now() - start) / config.queries;
}

// The same for a bare statement whose parameters `bind` sets; rows are read and parsed.
template <typename Bind>
double TimeBare(sqlite3* db, const std::string& sql, Bind bind, const Config& config,
                size_t expect) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) Fail(sqlite3_errmsg(db));
  const auto start = std::chrono::steady_clock::now();
  for (int q = 0; q < config.queries; ++q) {
    bind(stmt);
    size_t rows = 0;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::string key(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
      std::string rev(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1)));
      const char* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 2));
      nlohmann::json parsed = nlohmann::json::parse(data);
      rows += parsed.is_object() && !key.empty();
    }
    sqlite3_reset(stmt);
    if (rows != expect) Fail("bare query returned " + std::to_string(rows));
  }
  const double per = Seconds(std::chrono::steady_clock::now() - start) / config.queries;
  sqlite3_finalize(stmt);
  return per;
}

std::string Column(const std::string& field, const char* suffix) {
  return "qf_" + query::NameHash(query::SqliteJsonPath(FieldPath{{field}})) + suffix;
}

struct QueryFigures {
  double indexed = 0, indexed_floor = 0, scan = 0, scan_floor = 0;
};

QueryFigures RunQueries(Store& store, sqlite3* db, const Config& config) {
  QueryFigures f;
  const int64_t half = 500000;
  f.indexed = TimeStore(store, {{"selector", {{"done", false}, {"updated", {{"$gt", half}}}}},
                                {"sort", {"done", "updated"}}, {"limit", 20}},
                        config, 20);
  const std::string indexed_sql =
      "SELECT key, rev, data FROM documents WHERE collection = 'notes' AND deleted = 0 AND " +
      Column("done", "_r") + " = 1 AND " + Column("done", "_v") + " = 0 AND (" +
      Column("updated", "_r") + ", " + Column("updated", "_v") + ") > (3, ?1) ORDER BY " +
      Column("updated", "_r") + ", " + Column("updated", "_v") + ", key LIMIT 20";
  f.indexed_floor = TimeBare(db, indexed_sql, [&](sqlite3_stmt* s) { sqlite3_bind_int64(s, 1, half); },
                             config, 20);
  const std::string title = "note " + std::to_string(config.docs / 2);
  Config scans = config;
  scans.queries = std::max(1, config.queries / 20);
  f.scan = TimeStore(store, {{"selector", {{"title", title}}}, {"limit", 20}}, scans, 1);
  f.scan_floor = TimeBare(
      db,
      "SELECT key, rev, data FROM documents WHERE collection = 'notes' AND deleted = 0 AND "
      "json_extract(data, '$.title') = ?1 ORDER BY key LIMIT 20",
      [&](sqlite3_stmt* s) { sqlite3_bind_text(s, 1, title.c_str(), -1, SQLITE_TRANSIENT); },
      scans, 1);
  return f;
}

// Seconds of `syncagent import` of `file` into a fresh store at `db_path`.
double TimeImport(const Config& config, const std::string& file, const std::string& db_path) {
  const std::string conf = config.dir + "/import.json";
  std::ofstream(conf) << "{\"server\":{\"base_url\":\"http://127.0.0.1:1\",\"allow_insecure_http\":"
                         "true},\"storage\":{\"path\":\"" << db_path << "\"}}";
  const std::string command = std::string(SYNCAGENT_CLI_BINARY) + " --config " + conf +
                              " --log-level error import notes " + file;
  const auto start = std::chrono::steady_clock::now();
  if (std::system(command.c_str()) != 0) Fail("import failed: " + command);
  return Seconds(std::chrono::steady_clock::now() - start);
}

void RemoveDb(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

// The change feed's cost on a pull: seconds of a pull of the documents (pages of 500, as
// ApplyRemotePage takes them, into a fresh store) by a store whose feed has been read (its index
// exists and is maintained), and by one whose feed was never read (no index: each row still gets
// its seq and source, two integers).
struct PullFigures {
  double with_feed = 0, without_index = 0;
};

double TimePull(const Config& config, const std::vector<std::vector<RemoteChange>>& pages,
                bool read_feed) {
  RealClock clock;
  const std::string path = config.dir + "/pull.db";
  RemoveDb(path);
  auto store = Store::Open(Options(path, &clock, /*indexed=*/false));
  Check(store.status(), "Store::Open");
  if (read_feed) Check((*store)->Changes(0, 1).status(), "Changes");  // builds the feed's index
  const auto start = std::chrono::steady_clock::now();
  for (size_t p = 0; p < pages.size(); ++p) {
    Check((*store)->ApplyRemotePage(pages[p], "c" + std::to_string(p)).status(), "pull");
  }
  return Seconds(std::chrono::steady_clock::now() - start);
}

PullFigures RunPull(const Config& config, int round) {
  std::vector<std::vector<RemoteChange>> pages;
  for (int i = 0; i < config.docs; i += 500) {
    auto& page = pages.emplace_back();
    for (int j = i; j < std::min(config.docs, i + 500); ++j) {
      RemoteChange change{"notes", "k" + std::to_string(j), "1", false, nullptr, "", ""};
      change.data_text = MakeDoc(j).dump();
      page.push_back(std::move(change));
    }
  }
  PullFigures f;
  const bool feed_first = round % 2 == 0;  // alternate, so that drift favours neither
  for (bool read_feed : {feed_first, !feed_first}) {
    (read_feed ? f.with_feed : f.without_index) = TimePull(config, pages, read_feed);
  }
  return f;
}

Config ParseArgs(int argc, char** argv) {
  Config config;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--docs") config.docs = std::atoi(argv[i + 1]);
    else if (flag == "--queries") config.queries = std::atoi(argv[i + 1]);
    else if (flag == "--rounds") config.rounds = std::atoi(argv[i + 1]);
    else if (flag == "--pull-rounds") config.pull_rounds = std::atoi(argv[i + 1]);
    else if (flag == "--dir") config.dir = argv[i + 1];
    else Fail("unknown flag " + flag);
  }
  if (config.docs < 1000 || config.queries < 20 || config.rounds < 1) Fail("bad arguments");
  if (config.dir.empty()) {
    char templ[] = "/tmp/query-bench-XXXXXX";
    if (::mkdtemp(templ) == nullptr) Fail("mkdtemp");
    config.dir = templ;
  }
  return config;
}

std::string WriteJsonLines(const Config& config) {
  const std::string file = config.dir + "/docs.jsonl";
  std::ofstream out(file);
  for (int i = 0; i < config.docs; ++i) {
    out << nlohmann::json{{"key", "k" + std::to_string(i)}, {"data", MakeDoc(i)}}.dump() << "\n";
  }
  return file;
}

// One round: the store's batch-write rate, the first read of the feed (which builds its index),
// the queries over the indexed store, the import rate.
void RunRound(const Config& config, const std::string& file, std::vector<double>* write_rate,
              std::vector<double>* first_feed_read, std::vector<QueryFigures>* queries,
              std::vector<double>* import_rate) {
  RealClock clock;
  const std::string path = config.dir + "/store.db";
  RemoveDb(path);
  {
    auto store = Store::Open(Options(path, &clock, /*indexed=*/false));
    Check(store.status(), "Store::Open");
    write_rate->push_back(Fill(**store, config.docs));
    const auto start = std::chrono::steady_clock::now();
    auto first = (*store)->Changes(0, 100);  // builds the feed's index over the N documents
    Check(first.status(), "Changes");
    if (first->size() != 100) Fail("the first feed read returned " + std::to_string(first->size()));
    first_feed_read->push_back(Seconds(std::chrono::steady_clock::now() - start));
  }
  auto store = Store::Open(Options(path, &clock, /*indexed=*/true));  // builds the index
  Check(store.status(), "Store::Open with the index");
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) Fail("open");
  queries->push_back(RunQueries(**store, db, config));
  sqlite3_close(db);
  const std::string imported = config.dir + "/import.db";
  RemoveDb(imported);
  import_rate->push_back(config.docs / TimeImport(config, file, imported));
}

int Main(int argc, char** argv) {
  const Config config = ParseArgs(argc, argv);
  const std::string file = WriteJsonLines(config);
  std::vector<double> write_rate, first_feed_read, import_rate;
  std::vector<QueryFigures> figures;
  std::vector<double> pull, bare_pull, pull_ratio;
  for (int r = 0; r < config.rounds; ++r) {
    RunRound(config, file, &write_rate, &first_feed_read, &figures, &import_rate);
  }
  for (int r = 0; r < (config.pull_rounds > 0 ? config.pull_rounds : config.rounds); ++r) {
    const PullFigures p = RunPull(config, r);
    pull.push_back(p.with_feed);
    bare_pull.push_back(p.without_index);
    pull_ratio.push_back(p.with_feed / p.without_index);
  }
  auto median = [&](double QueryFigures::*member) {
    std::vector<double> values;
    for (const QueryFigures& f : figures) values.push_back(f.*member);
    return Median(values);
  };
  // The median of the rounds' own ratios of two members.
  auto median_ratio = [&](double QueryFigures::*ours, double QueryFigures::*floor) {
    std::vector<double> values;
    for (const QueryFigures& f : figures) values.push_back(f.*ours / f.*floor);
    return Median(values);
  };
  const double indexed = median(&QueryFigures::indexed), indexed_floor = median(&QueryFigures::indexed_floor);
  const double scan = median(&QueryFigures::scan), scan_floor = median(&QueryFigures::scan_floor);
  const double writes = Median(write_rate), imports = Median(import_rate);
  std::printf("query_bench: %d documents, %d rounds, %zu pull rounds (medians)\n", config.docs,
              config.rounds, pull.size());
  std::printf("%-34s %12s %12s %8s %13s\n", "figure", "syncagent", "floor", "ratio",
              "round ratios");
  std::printf("%-34s %10.1f us %10.1f us %7.2fx %12.2fx\n", "indexed selector+sort, limit 20",
              indexed * 1e6, indexed_floor * 1e6, indexed / indexed_floor,
              median_ratio(&QueryFigures::indexed, &QueryFigures::indexed_floor));
  std::printf("%-34s %10.1f ms %10.1f ms %7.2fx %12.2fx\n", "unindexed scan with a selector",
              scan * 1e3, scan_floor * 1e3, scan / scan_floor,
              median_ratio(&QueryFigures::scan, &QueryFigures::scan_floor));
  std::printf("%-34s %9.0f /s %9.0f /s %7.2f\n", "import vs store batch writes", imports, writes,
              imports / writes);
  const double with_feed = Median(pull), without = Median(bare_pull);
  std::printf("%-34s %10.2f s  %10.2f s  %7.2fx %12.2fx\n", "pull, feed read; never read",
              with_feed, without, with_feed / without, Median(pull_ratio));
  std::printf("%-34s %10.2f s  %10.2f s  %7.2fx\n", "pull, best of the rounds",
              *std::min_element(pull.begin(), pull.end()),
              *std::min_element(bare_pull.begin(), bare_pull.end()),
              *std::min_element(pull.begin(), pull.end()) /
                  *std::min_element(bare_pull.begin(), bare_pull.end()));
  std::printf("%-34s", "pull ratio of each round");
  for (double ratio : pull_ratio) std::printf(" %.2f", ratio);
  std::printf("\n%-34s %10.1f ms\n", "first feed read (builds its index)",
              Median(first_feed_read) * 1e3);
  std::filesystem::remove_all(config.dir);
  return 0;
}

}  // namespace
}  // namespace syncagent

int main(int argc, char** argv) { return syncagent::Main(argc, argv); }
