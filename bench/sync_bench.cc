// sync_bench: end-to-end sync figures of the Agent beside their physical floor, measured in the
// same run (issue: benchmarks against the physical floor). Run by bench/run.
//
// Scenarios (each prints one JSON object on stdout):
//   pull  --docs N   an empty store pulls N seeded documents (~200 B, pages of 1000) with one
//                    SyncNow; floor = a bare libcurl loop fetching the same pages + a bare SQLite
//                    loop upserting the same rows (one transaction per page), times added.
//   push  --docs N   N writes queued with Agent::Write (batches of 1000), then SyncNow until the
//                    outbox is empty (push_batch_size 1000); floor = a bare libcurl loop POSTing
//                    the same request bodies pre-encoded (and pre-gzipped, as the agent sends
//                    them) + a bare SQLite delete of the same outbox rows.
//   idle  --cycles C after a sync, C warm SyncNow calls with nothing to do: requests, bytes on
//                    the wire and wall time per cycle.
//   cold  --cli PATH --runs R   `syncagent --config C run` process start -> exit, beside a bare
//                    `curl -s -o /dev/null URL` process fetching one pull page.
//
// Every measured side runs in its own child process (fork + exec of this binary in a worker
// role), against its own mock server process, so the peak RSS (ru_maxrss from wait4) is that
// side's alone and a 1M run does not inherit a 100k run's heap. The parent only orchestrates.
//
// Usage: sync_bench pull|push|idle|cold [--docs N] [--cycles C] [--runs R] [--cli PATH]
//                   [--server PATH] [--dir DIR]
#include <curl/curl.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/agent.h"
#include "net/curl_http_client.h"
#include "net/protocol_codec.h"
#include "net/sync_client.h"
#include "storage/random_id.h"
#include "storage/store.h"

namespace syncagent {
namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "sync_bench: %s\n", what.c_str());
  std::exit(1);
}

void Check(const Status& status, const char* what) {
  if (!status.ok()) Fail(std::string(what) + ": " + status.ToString());
}

const std::string kFiller(120, 'x');

// The document every scenario syncs: ~200 bytes once framed as a change.
nlohmann::json MakeDoc(int i) {
  return {{"title", "Note " + std::to_string(i)}, {"n", i}, {"body", kFiller}};
}

// ---------------------------------------------------------------------------------------------
// Processes.

// A mock server child process; its first stdout line names the port.
struct ServerProcess {
  pid_t pid = -1;
  std::string base_url;

  void Start(const std::string& path) {
    int fds[2];
    if (pipe(fds) != 0) Fail("pipe");
    pid = fork();
    if (pid == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      execl(path.c_str(), path.c_str(), "--port", "0", "--admin", "--max-body-bytes", "67108864",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    std::string line;
    char c;
    while (read(fds[0], &c, 1) == 1 && c != '\n') line += c;
    close(fds[0]);
    const std::string prefix = "listening on ";
    if (line.rfind(prefix, 0) != 0) Fail("could not start the mock server " + path);
    base_url = line.substr(prefix.size());
  }
  ~ServerProcess() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
  }
};

struct ChildResult {
  nlohmann::json out;  // the child's JSON line
  long maxrss_kb = 0;  // the child's peak RSS
};

// Runs this binary in `role` with `args` and collects its JSON line and rusage.
ChildResult RunWorker(const std::vector<std::string>& args) {
  int fds[2];
  if (pipe(fds) != 0) Fail("pipe");
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> argv;
    static std::string self = "/proc/self/exe";
    argv.push_back(self.data());
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  close(fds[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) text.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  struct rusage usage {};
  if (wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    Fail("worker " + args.front() + " failed");
  }
  ChildResult result;
  result.out = nlohmann::json::parse(text, nullptr, false);
  if (result.out.is_discarded()) Fail("worker " + args.front() + " printed no JSON: " + text);
  result.maxrss_kb = usage.ru_maxrss;
  return result;
}

// Runs `argv` with stdout/stderr to /dev/null and returns (wall seconds, exit code).
std::pair<double, int> TimeProcess(const std::vector<std::string>& args) {
  const double start = Now();
  const pid_t pid = fork();
  if (pid == 0) {
    const int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, STDOUT_FILENO);
    dup2(devnull, STDERR_FILENO);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return {Now() - start, WIFEXITED(status) ? WEXITSTATUS(status) : 128};
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::string MakeTempDir(const std::string& base) {
  std::string templ = (base.empty() ? std::filesystem::temp_directory_path().string() : base) +
                      "/sync_bench.XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) Fail("mkdtemp");
  return templ;
}

// ---------------------------------------------------------------------------------------------
// Worker roles (child processes).

// Pushes `docs` documents to the server as another client would (the pull's source).
int RoleSeed(const std::string& url, int docs) {
  RealClock clock;
  CurlHttpClientOptions options;
  options.allow_insecure_http = true;
  auto http = CurlHttpClient::Create(options, &clock);
  Check(http.status(), "http client");
  SyncClientOptions sync_options;
  sync_options.base_url = url;
  SyncClient client(http->get(), &clock, nullptr, sync_options, 1);
  for (int start = 0; start < docs; start += 1000) {
    PushRequest request;
    request.client_id = "seed";
    request.batch_id = "seed-" + std::to_string(start);
    for (int i = start; i < std::min(docs, start + 1000); ++i) {
      WireMutation m;
      m.mutation_id = "seed-" + std::to_string(i);
      m.seq = i + 1;
      m.collection = "notes";
      m.key = "note-" + std::to_string(i);
      m.data = MakeDoc(i);
      m.hlc = "000001767225600000-00000000-seed";
      request.mutations.push_back(std::move(m));
    }
    Check(client.Push(request, {}).status(), "seeding");
  }
  std::printf("{\"seeded\":%d}\n", docs);
  return 0;
}

std::string AgentConfig(const std::string& url, const std::string& db) {
  nlohmann::json config = {
      {"server",
       {{"base_url", url}, {"allow_insecure_http", true}, {"max_response_bytes", 67108864}}},
      {"storage", {{"path", db}}},
      {"schedule", {{"time_budget_seconds", 600}}},
      {"sync",
       {{"pull_page_size", 1000}, {"push_batch_size", 1000}, {"push_batch_bytes", 67108864}}},
      {"logging", {{"level", "warn"}}}};
  return config.dump(2);
}

std::unique_ptr<Agent> OpenAgent(const std::string& url, const std::string& dir) {
  auto agent = Agent::OpenJson(AgentConfig(url, dir + "/agent.db"));
  Check(agent.status(), "opening the agent");
  return std::move(*agent);
}

int RolePullAgent(const std::string& url, int docs, const std::string& dir) {
  auto agent = OpenAgent(url, dir);
  const double start = Now();
  CycleReport report = agent->SyncNow(Millis(600000));
  const double took = Now() - start;
  if (report.outcome != CycleOutcome::kDone || report.pulled != docs) {
    Fail("pull cycle: " + report.ToJson().dump());
  }
  nlohmann::json out = {{"seconds", took},           {"docs", report.pulled},
                        {"requests", report.requests}, {"bytes_down", report.bytes_down},
                        {"bytes_up", report.bytes_up}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

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
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nullptr, nullptr, nullptr);
  return db;
}

void Exec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) Fail(sqlite3_errmsg(db));
}

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
                     "INSERT INTO documents (collection, key, version, deleted, data, dirty, "
                     "base_version, base_data, hlc, updated_at, pending_seqs) VALUES "
                     "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (collection, key) "
                     "DO UPDATE SET version = excluded.version, deleted = excluded.deleted, "
                     "data = excluded.data, dirty = excluded.dirty, base_version = "
                     "excluded.base_version, base_data = excluded.base_data, hlc = excluded.hlc, "
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
      sqlite3_bind_int64(save, 3, 1);
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

void QueueWrites(Agent& agent, int docs) {
  std::vector<WriteOp> ops;
  for (int first = 0; first < docs; first += 1000) {
    ops.clear();
    for (int i = first; i < std::min(docs, first + 1000); ++i) {
      ops.push_back(WriteOp::Put("notes", "note-" + std::to_string(i), MakeDoc(i)));
    }
    Check(agent.Write(ops), "queueing writes");
  }
}

int RolePushAgent(const std::string& url, int docs, const std::string& dir) {
  auto agent = OpenAgent(url, dir);
  const double queue_start = Now();
  QueueWrites(*agent, docs);
  const double queue_s = Now() - queue_start;
  int64_t pushed = 0, requests = 0, bytes_up = 0, bytes_down = 0;
  int cycles = 0;
  const double start = Now();
  while (pushed < docs) {
    CycleReport report = agent->SyncNow(Millis(600000));
    ++cycles;
    pushed += report.pushed;
    requests += report.requests;
    bytes_up += report.bytes_up;
    bytes_down += report.bytes_down;
    if (report.outcome != CycleOutcome::kDone && report.outcome != CycleOutcome::kPartial) {
      Fail("push cycle: " + report.ToJson().dump());
    }
    if (cycles > 100) Fail("the outbox does not drain");
  }
  const double took = Now() - start;
  auto stats = agent->store().Stats();
  Check(stats.status(), "stats");
  nlohmann::json out = {{"seconds", took},        {"docs", pushed},          {"cycles", cycles},
                        {"requests", requests},   {"bytes_up", bytes_up},    {"bytes_down", bytes_down},
                        {"queue_seconds", queue_s}};
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

int RoleIdle(const std::string& url, int cycles, const std::string& dir) {
  auto agent = OpenAgent(url, dir);
  CycleReport first = agent->SyncNow(Millis(600000));
  if (first.outcome != CycleOutcome::kDone) Fail("first cycle: " + first.ToJson().dump());
  for (int i = 0; i < 5; ++i) agent->SyncNow(Millis(600000));  // warm-up
  std::vector<double> ms;
  int64_t requests = 0, up = 0, down = 0, pulled = 0, pushed = 0;
  for (int i = 0; i < cycles; ++i) {
    const double start = Now();
    CycleReport r = agent->SyncNow(Millis(600000));
    ms.push_back((Now() - start) * 1000.0);
    if (r.outcome != CycleOutcome::kDone) Fail("idle cycle: " + r.ToJson().dump());
    requests += r.requests;
    up += r.bytes_up;
    down += r.bytes_down;
    pulled += r.pulled;
    pushed += r.pushed;
  }
  std::sort(ms.begin(), ms.end());
  nlohmann::json out = {{"cycles", cycles},
                        {"first_cycle_pulled", first.pulled},
                        {"requests_per_cycle", static_cast<double>(requests) / cycles},
                        {"bytes_up_per_cycle", static_cast<double>(up) / cycles},
                        {"bytes_down_per_cycle", static_cast<double>(down) / cycles},
                        {"pulled", pulled},
                        {"pushed", pushed},
                        {"median_ms", ms[ms.size() / 2]},
                        {"p90_ms", ms[ms.size() * 9 / 10]},
                        {"min_ms", ms.front()}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

int RoleNoop() {
  std::printf("{}\n");
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Scenarios (the parent).

struct Args {
  std::string scenario;
  int docs = 100000;
  int cycles = 200;
  int runs = 20;
  std::string server = SYNCAGENT_MOCK_SERVER_BINARY;
  std::string cli = SYNCAGENT_CLI_BINARY;
  std::string dir;
  std::string url;
};

void Seed(const std::string& url, int docs) {
  RunWorker({"--role", "seed", "--url", url, "--docs", std::to_string(docs)});
}

int ScenarioPull(const Args& args) {
  const long base_rss = RunWorker({"--role", "noop"}).maxrss_kb;
  // A pull changes nothing on the server: both sides read the same seeded server, the floor
  // first (so neither side benefits from the other having warmed the server's pages).
  ChildResult agent, floor;
  ServerProcess server;
  server.Start(args.server);
  Seed(server.base_url, args.docs);
  {
    const std::string dir = MakeTempDir(args.dir);
    floor = RunWorker({"--role", "pull-floor", "--url", server.base_url, "--docs",
                       std::to_string(args.docs), "--dir", dir});
    std::filesystem::remove_all(dir);
  }
  {
    const std::string dir = MakeTempDir(args.dir);
    agent = RunWorker({"--role", "pull-agent", "--url", server.base_url, "--docs",
                       std::to_string(args.docs), "--dir", dir});
    std::filesystem::remove_all(dir);
  }
  const double ours = agent.out["seconds"], bare = floor.out["seconds"];
  nlohmann::json out = {{"scenario", "pull"},
                        {"docs", args.docs},
                        {"agent_seconds", ours},
                        {"agent_docs_per_s", args.docs / ours},
                        {"agent_requests", agent.out["requests"]},
                        {"agent_bytes_down", agent.out["bytes_down"]},
                        {"agent_maxrss_kb", agent.maxrss_kb},
                        {"floor_seconds", bare},
                        {"floor_curl_seconds", floor.out["curl_seconds"]},
                        {"floor_sqlite_seconds", floor.out["sqlite_seconds"]},
                        {"floor_docs_per_s", args.docs / bare},
                        {"floor_maxrss_kb", floor.maxrss_kb},
                        {"noop_maxrss_kb", base_rss},
                        {"ratio", ours / bare}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

int ScenarioPush(const Args& args) {
  ChildResult agent, floor;
  {
    ServerProcess server;
    server.Start(args.server);
    const std::string dir = MakeTempDir(args.dir);
    agent = RunWorker({"--role", "push-agent", "--url", server.base_url, "--docs",
                       std::to_string(args.docs), "--dir", dir});
    std::filesystem::remove_all(dir);
  }
  {
    ServerProcess server;
    server.Start(args.server);
    const std::string dir = MakeTempDir(args.dir);
    floor = RunWorker({"--role", "push-floor", "--url", server.base_url, "--docs",
                       std::to_string(args.docs), "--dir", dir});
    std::filesystem::remove_all(dir);
  }
  const double ours = agent.out["seconds"], bare = floor.out["seconds"];
  nlohmann::json out = {{"scenario", "push"},
                        {"docs", args.docs},
                        {"agent_seconds", ours},
                        {"agent_docs_per_s", args.docs / ours},
                        {"agent_queue_seconds", agent.out["queue_seconds"]},
                        {"agent_cycles", agent.out["cycles"]},
                        {"agent_requests", agent.out["requests"]},
                        {"agent_bytes_up", agent.out["bytes_up"]},
                        {"agent_maxrss_kb", agent.maxrss_kb},
                        {"floor_seconds", bare},
                        {"floor_curl_seconds", floor.out["curl_seconds"]},
                        {"floor_sqlite_seconds", floor.out["sqlite_seconds"]},
                        {"floor_requests", floor.out["requests"]},
                        {"floor_wire_bytes", floor.out["wire_bytes"]},
                        {"floor_docs_per_s", args.docs / bare},
                        {"floor_maxrss_kb", floor.maxrss_kb},
                        {"ratio", ours / bare}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

int ScenarioIdle(const Args& args) {
  ServerProcess server;
  server.Start(args.server);
  Seed(server.base_url, 1000);
  const std::string dir = MakeTempDir(args.dir);
  ChildResult idle = RunWorker({"--role", "idle", "--url", server.base_url, "--cycles",
                                std::to_string(args.cycles), "--dir", dir});
  std::filesystem::remove_all(dir);
  nlohmann::json out = idle.out;
  out["scenario"] = "idle";
  out["maxrss_kb"] = idle.maxrss_kb;
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

int ScenarioCold(const Args& args) {
  ServerProcess server;
  server.Start(args.server);
  Seed(server.base_url, 1000);
  const std::string dir = MakeTempDir(args.dir);
  const std::string config_path = dir + "/syncagent.json";
  std::ofstream(config_path) << AgentConfig(server.base_url, dir + "/agent.db");
  const std::vector<std::string> cli = {args.cli, "--config", config_path, "run"};
  // The first run pulls the 1000 seeded documents; the timed runs are warm-store cold-process
  // wake-ups (one pull request, nothing new), the usual case for a periodic task.
  auto [first_s, first_rc] = TimeProcess(cli);
  if (first_rc != 0) Fail("syncagent run exited " + std::to_string(first_rc));
  const std::string curl_path = "/usr/bin/curl";
  const std::vector<std::string> curl = {curl_path, "-s", "-o", "/dev/null",
                                         server.base_url + "/v1/pull?limit=1000"};
  std::vector<double> ours, bare;
  for (int i = 0; i < args.runs; ++i) {
    auto [s, rc] = TimeProcess(cli);
    if (rc != 0) Fail("syncagent run exited " + std::to_string(rc));
    ours.push_back(s * 1000);
    auto [cs, crc] = TimeProcess(curl);
    if (crc != 0) Fail("curl exited " + std::to_string(crc));
    bare.push_back(cs * 1000);
  }
  std::filesystem::remove_all(dir);
  const double ours_ms = Median(ours), bare_ms = Median(bare);
  nlohmann::json out = {{"scenario", "cold"},         {"runs", args.runs},
                        {"first_run_ms", first_s * 1000}, {"cli_median_ms", ours_ms},
                        {"curl_median_ms", bare_ms},  {"ratio", ours_ms / bare_ms}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

int Main(int argc, char** argv) {
  Args args;
  std::string role;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--role" && has_value) role = argv[++i];
    else if (a == "--docs" && has_value) args.docs = std::atoi(argv[++i]);
    else if (a == "--cycles" && has_value) args.cycles = std::max(1, std::atoi(argv[++i]));
    else if (a == "--runs" && has_value) args.runs = std::max(1, std::atoi(argv[++i]));
    else if (a == "--server" && has_value) args.server = argv[++i];
    else if (a == "--cli" && has_value) args.cli = argv[++i];
    else if (a == "--dir" && has_value) args.dir = argv[++i];
    else if (a == "--url" && has_value) args.url = argv[++i];
    else if (args.scenario.empty() && a[0] != '-') args.scenario = a;
    else {
      std::fprintf(stderr,
                   "usage: sync_bench pull|push|idle|cold [--docs N] [--cycles C] [--runs R] "
                   "[--cli PATH] [--server PATH] [--dir DIR]\n");
      return 2;
    }
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  if (role == "noop") return RoleNoop();
  if (role == "seed") return RoleSeed(args.url, args.docs);
  if (role == "pull-agent") return RolePullAgent(args.url, args.docs, args.dir);
  if (role == "pull-floor") return RolePullFloor(args.url, args.docs, args.dir);
  if (role == "push-agent") return RolePushAgent(args.url, args.docs, args.dir);
  if (role == "push-floor") return RolePushFloor(args.url, args.docs, args.dir);
  if (role == "idle") return RoleIdle(args.url, args.cycles, args.dir);
  if (!role.empty()) Fail("unknown role " + role);
  if (args.scenario == "pull") return ScenarioPull(args);
  if (args.scenario == "push") return ScenarioPush(args);
  if (args.scenario == "idle") return ScenarioIdle(args);
  if (args.scenario == "cold") return ScenarioCold(args);
  std::fprintf(stderr, "sync_bench: name a scenario: pull, push, idle or cold\n");
  return 2;
}

}  // namespace
}  // namespace syncagent

int main(int argc, char** argv) { return syncagent::Main(argc, argv); }
