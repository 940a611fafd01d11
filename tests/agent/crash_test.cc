// Crash test: a child process (this binary, re-executed with CrashChild.Run selected) opens a
// store on a real file and loops — a few local writes, one sync cycle against the mock server
// that lives in the parent, repeat — while the parent SIGKILLs it at random moments and restarts
// it on the same file. Every local write is journaled to a parent-readable file: an intent line
// before the store call and an ack line after it returns, so the journal tells which writes the
// store acknowledged (and which single one per run may or may not have committed).
// At the end one clean child run syncs to quiescence, and the parent checks: the file passes
// Store::Verify (integrity_check + invariants), the outbox is empty, for every key the server and
// the store hold the latest acknowledged value (or the one write in flight at a kill, if it
// committed), and the server applied every mutation exactly once.
//
//   SYNCAGENT_CRASH_ITERATIONS=<n>  kills (default kDefaultIterations)
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "agent/sync_engine.h"
#include "tests/agent/engine_harness.h"

namespace syncagent {
namespace {

using nlohmann::json;
using testing::ScopedTempDir;
using testing::ServerLive;

constexpr int kDefaultIterations = 250;
constexpr int kKeys = 8;
constexpr char kCollection[] = "crash";

constexpr char kEnvMode[] = "SYNCAGENT_CRASH_CHILD";  // "work" | "final"
constexpr char kEnvDb[] = "SYNCAGENT_CRASH_DB";
constexpr char kEnvUrl[] = "SYNCAGENT_CRASH_URL";
constexpr char kEnvJournal[] = "SYNCAGENT_CRASH_JOURNAL";
constexpr char kEnvRun[] = "SYNCAGENT_CRASH_RUN";

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// ---------------------------------------------------------------------------------------------
// The child.

class Journal {
 public:
  explicit Journal(const std::string& path)
      : fd_(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) {}
  ~Journal() {
    if (fd_ >= 0) ::close(fd_);
  }
  // One write(2) per line: a kill leaves either the whole line or (rarely) a torn last line,
  // which the parent ignores.
  void Line(const std::string& line) {
    const std::string text = line + "\n";
    if (fd_ < 0 || ::write(fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      std::_Exit(4);
    }
  }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

[[noreturn]] void ChildFatal(Journal& journal, const std::string& what) {
  journal.Line("E " + what);
  std::_Exit(3);
}

// Writes one random local change, journaled around the store call.
void ChildWrite(Store& store, Journal& journal, std::mt19937_64& rng, int64_t run,
                int64_t* counter) {
  const std::string key = "k" + std::to_string(rng() % kKeys);
  auto current = store.Get(kCollection, key);
  if (!current.ok()) ChildFatal(journal, "get: " + current.status().ToString());
  const bool live = current->has_value();
  const uint64_t r = rng() % 10;
  const std::string id = std::to_string(run) + "." + std::to_string(++*counter);
  const std::string value = "r" + id;
  MutationOp op = r < 5 ? MutationOp::kPut : r < 8 ? MutationOp::kPatch : MutationOp::kDelete;
  if (!live) op = MutationOp::kPut;
  json data;
  json expected;  // the document after the write (null: deleted)
  switch (op) {
    case MutationOp::kPut:
      data = {{"v", value}, {"run", run}};
      expected = data;
      break;
    case MutationOp::kPatch:
      data = {{"p", value}};
      expected = (*current)->data;
      expected.merge_patch(data);
      break;
    case MutationOp::kDelete:
      expected = nullptr;
      break;
  }
  journal.Line("I " + id + " " + key + " " + expected.dump());
  Status status = op == MutationOp::kPut     ? store.Put(kCollection, key, data)
                  : op == MutationOp::kPatch ? store.Patch(kCollection, key, data)
                                             : store.Delete(kCollection, key);
  if (!status.ok()) ChildFatal(journal, "write " + id + ": " + status.ToString());
  journal.Line("A " + id);
}

void ChildMain(const std::string& mode) {
  Journal journal(Env(kEnvJournal));
  if (!journal.ok()) std::_Exit(5);
  const int64_t run = std::strtoll(Env(kEnvRun).c_str(), nullptr, 10);
  journal.Line("");  // ends a line torn by the previous kill
  journal.Line("S " + std::to_string(run) + " " + mode);
  // The agent as an app opens it: Agent::OpenJson, with the real clock and libcurl.
  const nlohmann::json config = {
      {"server",
       {{"base_url", Env(kEnvUrl)}, {"allow_insecure_http", true}, {"timeouts", {{"request_ms", 5000}}}}},
      {"storage", {{"path", Env(kEnvDb)}}},
      {"retry", {{"initial_delay_ms", 20}, {"max_attempts_per_cycle", 3}}},
      // Several batches and pages per cycle: kills between them.
      {"sync", {{"push_batch_size", 4}, {"pull_page_size", 8}, {"conflict", {{"default", "merge"}}}}}};
  AgentOptions agent_options;
  agent_options.seed = static_cast<uint64_t>(run);
  auto opened = Agent::OpenJson(config.dump(), std::move(agent_options));
  if (!opened.ok()) ChildFatal(journal, "open: " + opened.status().ToString());
  Agent& agent = **opened;
  Store& store = agent.store();
  journal.Line("R " + std::to_string(run));  // the parent may now kill at a random moment

  if (mode == "final") {
    for (int cycle = 0; cycle < 30; ++cycle) {
      CycleReport report = agent.SyncNow(Millis(20000));
      auto stats = store.Stats();
      if (!stats.ok()) ChildFatal(journal, "stats: " + stats.status().ToString());
      journal.Line("F " + report.ToJson().dump());
      if (report.outcome == CycleOutcome::kDone && report.pushed == 0 && report.pulled == 0 &&
          stats->queue_depth == 0) {
        journal.Line("Q");
        return;
      }
    }
    ChildFatal(journal, "final run did not reach quiescence in 30 cycles");
  }

  std::mt19937_64 rng(static_cast<uint64_t>(run) * 7919 + 1);
  int64_t counter = 0;
  for (;;) {
    const int writes = static_cast<int>(rng() % 4);
    for (int i = 0; i < writes; ++i) ChildWrite(store, journal, rng, run, &counter);
    CycleReport report = agent.SyncNow(Millis(20000));
    if (report.outcome != CycleOutcome::kDone) journal.Line("X " + report.ToJson().dump());
  }
}

// Selected only in the re-executed child; skipped in a normal run.
TEST(CrashChild, Run) {
  const std::string mode = Env(kEnvMode);
  if (mode.empty()) GTEST_SKIP() << "runs only as the crash test's child process";
  ChildMain(mode);
}

// ---------------------------------------------------------------------------------------------
// The parent.

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = mock::MockServer::Start({});
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    char exe[4096];
    const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    ASSERT_GT(n, 0);
    exe_.assign(exe, static_cast<size_t>(n));
    db_ = dir_.path() + "/device.db";
    journal_ = dir_.path() + "/journal.txt";
    child_log_ = dir_.path() + "/child.log";
  }

  // Starts the child; returns its pid (or -1).
  pid_t Spawn(const std::string& mode, int64_t run) {
    std::vector<std::string> env_strings = {
        std::string(kEnvMode) + "=" + mode, std::string(kEnvDb) + "=" + db_,
        std::string(kEnvUrl) + "=" + server_->base_url(), std::string(kEnvJournal) + "=" + journal_,
        std::string(kEnvRun) + "=" + std::to_string(run)};
    for (char** e = environ; *e != nullptr; ++e) {
      if (std::string(*e).rfind("SYNCAGENT_CRASH_", 0) != 0) env_strings.emplace_back(*e);
    }
    std::vector<std::string> arg_strings = {exe_, "--gtest_filter=CrashChild.Run"};
    std::vector<char*> argv, envp;
    for (std::string& s : arg_strings) argv.push_back(s.data());
    argv.push_back(nullptr);
    for (std::string& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    const int log_fd = ::open(child_log_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (log_fd < 0) return -1;
    const pid_t pid = ::fork();
    if (pid == 0) {
      // Only async-signal-safe calls between fork and exec (the parent has server threads).
      ::dup2(log_fd, STDOUT_FILENO);
      ::dup2(log_fd, STDERR_FILENO);
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    ::close(log_fd);
    return pid;
  }

  std::string ReadFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  }

  std::streamoff JournalSize() {
    std::ifstream in(journal_, std::ios::binary | std::ios::ate);
    return in ? static_cast<std::streamoff>(in.tellg()) : 0;
  }

  // Waits until the child journals "R <run>" after `from`; false if the child exits first.
  // Polls the journal: the child's progress is the event, there is no time limit of our own.
  bool WaitForReady(pid_t pid, int64_t run, std::streamoff from) {
    const std::string ready = "\nR " + std::to_string(run) + "\n";
    for (;;) {
      std::ifstream in(journal_, std::ios::binary);
      in.seekg(from);
      std::stringstream tail;
      tail << in.rdbuf();
      if (tail.str().find(ready) != std::string::npos) return true;
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  std::string ChildLogTail() {
    std::string log = ReadFile(child_log_);
    return log.size() > 4000 ? log.substr(log.size() - 4000) : log;
  }

  ScopedTempDir dir_;
  std::unique_ptr<mock::MockServer> server_;
  std::string exe_, db_, journal_, child_log_;
};

// What the journal says about one key.
struct KeyHistory {
  bool acked = false;
  json acked_value;             // the last acknowledged document (null: deleted)
  std::vector<json> in_flight;  // intents after the last ack that a kill interrupted
  std::optional<std::string> pending_id;
  json pending_value;
};

TEST_F(CrashTest, RandomKillsLoseNothingAndApplyNothingTwice) {
  const int64_t iterations = [] {
    const std::string v = Env("SYNCAGENT_CRASH_ITERATIONS");
    return v.empty() ? int64_t{kDefaultIterations} : std::strtoll(v.c_str(), nullptr, 10);
  }();
  std::mt19937_64 rng(20260101);
  const auto start = std::chrono::steady_clock::now();
  int exited_early = 0;
  int64_t ready_kills = 0;
  for (int64_t run = 1; run <= iterations; ++run) {
    // "Another client" changes other keys, so the child's pulls apply real pages too.
    ASSERT_TRUE(server_->state()
                    .AdminPut(kCollection, "srv" + std::to_string(run % 5), {{"run", run}}, nullptr)
                    .ok());
    const std::streamoff journal_before = JournalSize();
    const pid_t pid = Spawn("work", run);
    ASSERT_GT(pid, 0) << "fork failed";
    // One run in five is killed while it starts (opening the store, recovering its journal);
    // the others once the child reports it is working, so a loaded machine still gets kills
    // inside writes and cycles rather than only inside exec and open.
    if (rng() % 5 != 0) {
      if (!WaitForReady(pid, run, journal_before)) {
        ++exited_early;
        ADD_FAILURE() << "child run " << run << " ended before it was ready; child log:\n"
                      << ChildLogTail();
        if (exited_early >= 3) break;
        continue;
      }
      ++ready_kills;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + rng() % 80));
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
      ++exited_early;
      ADD_FAILURE() << "child run " << run << " ended by itself (status " << status
                    << ") instead of being killed; journal tail / child log:\n"
                    << ChildLogTail();
      if (exited_early >= 3) break;
    }
  }
  ASSERT_EQ(exited_early, 0);

  // One clean run to quiescence.
  const pid_t pid = Spawn("final", iterations + 1);
  ASSERT_GT(pid, 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "final child run failed (status " << status << "):\n"
      << ChildLogTail();

  // Replay the journal.
  std::map<std::string, KeyHistory> keys;
  std::map<std::string, std::string> intent_key;  // id -> key
  int64_t intents = 0, acks = 0, interrupted = 0, not_done_cycles = 0, runs_seen = 0;
  std::vector<std::string> errors;
  std::istringstream journal(ReadFile(journal_));
  std::string line;
  auto close_pending = [&] {  // a run ended: its pending intent (if any) was interrupted
    for (auto& [key, h] : keys) {
      if (h.pending_id) {
        h.in_flight.push_back(h.pending_value);
        h.pending_id.reset();
        ++interrupted;
      }
    }
  };
  while (std::getline(journal, line)) {
    if (line.size() < 1) continue;
    std::istringstream in(line);
    std::string tag;
    in >> tag;
    if (tag == "S") {
      close_pending();
      ++runs_seen;
    } else if (tag == "I") {
      std::string id, key, value;
      in >> id >> key;
      std::getline(in, value);
      json parsed = json::parse(value, nullptr, /*allow_exceptions=*/false);
      if (parsed.is_discarded()) continue;  // torn by a kill: the store call never started
      ++intents;
      intent_key[id] = key;
      KeyHistory& h = keys[key];
      h.pending_id = id;
      h.pending_value = parsed;
    } else if (tag == "A") {
      std::string id;
      in >> id;
      auto it = intent_key.find(id);
      if (it == intent_key.end()) continue;  // torn
      KeyHistory& h = keys[it->second];
      if (h.pending_id != id) {
        errors.push_back("journal out of order at ack " + id);
        continue;
      }
      ++acks;
      h.acked = true;
      h.acked_value = h.pending_value;
      h.in_flight.clear();  // a later acknowledged write supersedes interrupted ones
      h.pending_id.reset();
    } else if (tag == "X") {
      ++not_done_cycles;
      errors.push_back("a child cycle did not end done: " + line);
    } else if (tag == "E") {
      errors.push_back("child error: " + line);
    }
  }
  close_pending();
  for (const std::string& e : errors) ADD_FAILURE() << e;

  // The parent opens the file the children used.
  VirtualClock clock;
  StoreOptions store_options;
  store_options.path = db_;
  store_options.clock = &clock;
  auto store = Store::Open(store_options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Status verified = (*store)->Verify();
  EXPECT_TRUE(verified.ok()) << verified.ToString();
  auto stats = (*store)->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->queue_depth, 0);
  EXPECT_EQ(stats->dead_letters, 0);
  EXPECT_EQ(stats->open_conflicts, 0);

  const std::map<std::string, json> server_live = ServerLive(*server_, kCollection);
  std::map<std::string, json> local_live;
  ListOptions list;
  list.limit = 1000;
  auto docs = (*store)->List(kCollection, list);
  ASSERT_TRUE(docs.ok());
  for (const Document& d : *docs) local_live[d.key] = d.data;
  EXPECT_EQ(local_live, server_live);

  int64_t resolved_in_flight = 0;
  for (const auto& [key, h] : keys) {
    auto it = server_live.find(key);
    const json on_server = it == server_live.end() ? json(nullptr) : it->second;
    std::vector<json> allowed;
    allowed.push_back(h.acked ? h.acked_value : json(nullptr));
    allowed.insert(allowed.end(), h.in_flight.begin(), h.in_flight.end());
    const bool ok = std::find(allowed.begin(), allowed.end(), on_server) != allowed.end();
    if (!h.in_flight.empty() && on_server != allowed.front()) ++resolved_in_flight;
    EXPECT_TRUE(ok) << "LOST WRITE on " << key << ": server holds " << on_server.dump()
                    << ", the journal allows " << json(allowed).dump();
  }
  for (const auto& [key, value] : server_live) {
    if (key.rfind("srv", 0) == 0) continue;  // written by the parent "as another client"
    EXPECT_TRUE(keys.count(key)) << "the server has a document nobody wrote: " << key;
  }
  EXPECT_EQ(server_live.count("srv0") + server_live.count("srv4"), 2u);

  const json server_stats = server_->Stats();
  int64_t applied_ids = 0, replays = 0;
  for (const auto& [id, count] : server_stats["applied"].items()) {
    ++applied_ids;  // single writer per key, no conflicts: every mutation took effect once
    EXPECT_EQ(count.get<int64_t>(), 1) << "mutation " << id << " applied " << count << " times";
  }
  for (const auto& [id, count] : server_stats["replayed"].items()) replays += count.get<int64_t>();

  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  std::cout << "[ stats    ] " << iterations << " kills (" << ready_kills << " after the child was ready), " << runs_seen << " child runs, "
            << intents << " writes journaled, " << acks << " acknowledged, " << interrupted
            << " interrupted by a kill (" << resolved_in_flight << " of them visible at the end), "
            << applied_ids << " mutations applied, " << replays
            << " push replays answered from the server's memory, " << ms << " ms\n";
  // A ready child writes 0-3 documents at once (1.5 on average) before its first cycle.
  EXPECT_GT(acks, ready_kills / 2) << "the children barely wrote anything: the test is too weak";
}

}  // namespace
}  // namespace syncagent
