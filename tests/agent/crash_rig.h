// CrashRig: the machinery of the SIGKILL crash tests (tests/agent/crash_test.cc against the mock
// server, tests/agent/couchdb_crash_test.cc against PouchDB Server).
//
// The child is the test binary itself, re-executed with one gtest filter and the SYNCAGENT_CRASH_*
// variables: ChildMain opens an Agent on a real store file and loops (a few local writes, one
// sync cycle, repeat) until the parent SIGKILLs it at a random moment; the parent restarts it on
// the same file. Every local write is journaled to a parent-readable file: an intent line before
// the store call and an ack line after it returns, so the journal tells which writes the store
// acknowledged (and which single one per run may or may not have committed). A final child run
// syncs to quiescence; the parent then replays the journal (Replay), checks the store file
// (CheckStore) and that the server holds, for every key, the last acknowledged value or a write
// in flight at a kill (ExpectNoLostWrite).
//
//   SYNCAGENT_CRASH_ITERATIONS=<n>  kills (default: the test's)
//
// Thread safety: one test thread.
#ifndef SYNCAGENT_TESTS_AGENT_CRASH_RIG_H_
#define SYNCAGENT_TESTS_AGENT_CRASH_RIG_H_

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "agent/agent.h"
#include "tests/storage/store_test_util.h"

namespace syncagent::testing::crash {

inline constexpr int kKeys = 8;  // the child writes keys k0..k7

inline constexpr char kEnvMode[] = "SYNCAGENT_CRASH_CHILD";  // "work" | "final"
inline constexpr char kEnvDb[] = "SYNCAGENT_CRASH_DB";
inline constexpr char kEnvUrl[] = "SYNCAGENT_CRASH_URL";
inline constexpr char kEnvJournal[] = "SYNCAGENT_CRASH_JOURNAL";
inline constexpr char kEnvRun[] = "SYNCAGENT_CRASH_RUN";

inline std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// SYNCAGENT_CRASH_ITERATIONS, else `default_iterations`.
inline int64_t Iterations(int64_t default_iterations) {
  const std::string v = Env("SYNCAGENT_CRASH_ITERATIONS");
  return v.empty() ? default_iterations : std::strtoll(v.c_str(), nullptr, 10);
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
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
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

[[noreturn]] inline void ChildFatal(Journal& journal, const std::string& what) {
  journal.Line("E " + what);
  std::_Exit(3);
}

// Writes one random local change of `collection` (a put, patch or delete of k0..k7; each value
// names the write), journaled around the call.
inline void ChildWrite(Agent& agent, const std::string& collection, Journal& journal,
                       std::mt19937_64& rng, int64_t run, int64_t* counter) {
  const std::string key = "k" + std::to_string(rng() % kKeys);
  auto current = agent.Get(collection, key);
  if (!current.ok()) ChildFatal(journal, "get: " + current.status().ToString());
  const bool live = current->has_value();
  const uint64_t r = rng() % 10;
  const std::string id = std::to_string(run) + "." + std::to_string(++*counter);
  const std::string value = "r" + id;
  MutationOp op = r < 5 ? MutationOp::kPut : r < 8 ? MutationOp::kPatch : MutationOp::kDelete;
  if (!live) op = MutationOp::kPut;
  nlohmann::json data;
  nlohmann::json expected;  // the document after the write (null: deleted)
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
  const Status status = op == MutationOp::kPut     ? agent.Put(collection, key, data)
                        : op == MutationOp::kPatch ? agent.Patch(collection, key, data)
                                                   : agent.Delete(collection, key);
  if (!status.ok()) ChildFatal(journal, "write " + id + ": " + status.ToString());
  journal.Line("A " + id);
}

// The config of the crash tests' children, without the server's address and the store's path:
// plain http, short retries, several batches and pages per cycle (kills between them), merge.
inline nlohmann::json BaseChildConfig() {
  return {{"server", {{"allow_insecure_http", true}, {"timeouts", {{"request_ms", 5000}}}}},
          {"retry", {{"initial_delay_ms", 20}, {"max_attempts_per_cycle", 3}}},
          {"sync",
           {{"push_batch_size", 4}, {"pull_page_size", 8}, {"conflict", {{"default", "merge"}}}}}};
}

// The child: opens an Agent as an app does (Agent::OpenJson, real clock and libcurl) with
// `config` plus server.base_url and storage.path from the environment, then in "final" mode
// syncs to quiescence and returns, in "work" mode writes and syncs until it is killed.
inline void ChildMain(const std::string& mode, const std::string& collection,
                      nlohmann::json config);

// The body of a crash test's child test: in a child process (SYNCAGENT_CRASH_CHILD set), runs
// ChildMain with BaseChildConfig() changed by `config_patch` (a JSON merge patch); else skips the
// test that calls it.
inline void RunChildOrSkip(const std::string& collection, const nlohmann::json& config_patch) {
  const std::string mode = Env(kEnvMode);
  if (mode.empty()) GTEST_SKIP() << "runs only as the crash test's child process";
  nlohmann::json config = BaseChildConfig();
  if (!config_patch.is_null()) config.merge_patch(config_patch);
  ChildMain(mode, collection, std::move(config));
}

inline void ChildMain(const std::string& mode, const std::string& collection,
                      nlohmann::json config) {
  Journal journal(Env(kEnvJournal));
  if (!journal.ok()) std::_Exit(5);
  const int64_t run = std::strtoll(Env(kEnvRun).c_str(), nullptr, 10);
  journal.Line("");  // ends a line torn by the previous kill
  journal.Line("S " + std::to_string(run) + " " + mode);
  config["server"]["base_url"] = Env(kEnvUrl);
  config["storage"]["path"] = Env(kEnvDb);
  AgentOptions agent_options;
  agent_options.seed = static_cast<uint64_t>(run);
  auto opened = Agent::OpenJson(config.dump(), std::move(agent_options));
  if (!opened.ok()) ChildFatal(journal, "open: " + opened.status().ToString());
  Agent& agent = **opened;
  journal.Line("R " + std::to_string(run));  // the parent may now kill at a random moment

  if (mode == "final") {
    for (int cycle = 0; cycle < 30; ++cycle) {
      const CycleReport report = agent.SyncNow(Millis(20000));
      auto stats = agent.store().Stats();
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
    for (int i = 0; i < writes; ++i) ChildWrite(agent, collection, journal, rng, run, &counter);
    const CycleReport report = agent.SyncNow(Millis(20000));
    if (report.outcome != CycleOutcome::kDone) journal.Line("X " + report.ToJson().dump());
    // Journaled for a failure's diagnosis: a single writer has no conflicts to settle.
    if (report.conflicts > 0) journal.Line("C " + report.ToJson().dump());
  }
}

// ---------------------------------------------------------------------------------------------
// The parent.

// What the journal says about one key.
struct KeyHistory {
  bool acked = false;
  nlohmann::json acked_value;             // the last acknowledged document (null: deleted)
  std::vector<nlohmann::json> in_flight;  // intents after the last ack that a kill interrupted
  std::optional<std::string> pending_id;
  nlohmann::json pending_value;
  int64_t writes = 0;   // intents journaled (acknowledged or not)
  int64_t deletes = 0;  // ... of which deletes
};

struct JournalReplay {
  std::map<std::string, KeyHistory> keys;
  int64_t intents = 0, acks = 0, interrupted = 0, runs_seen = 0;
  int64_t conflict_cycles = 0;      // cycles that settled a conflict
  std::vector<std::string> errors;  // child errors, cycles that did not end done, disorder
};

// The start of a crash test's "[ stats    ]" line: kills, child runs, writes, interrupted ones.
inline std::string StatsLine(int64_t iterations, int64_t ready_kills, const JournalReplay& r,
                             int64_t resolved_in_flight) {
  std::ostringstream out;
  out << "[ stats    ] " << iterations << " kills (" << ready_kills
      << " after the child was ready), " << r.runs_seen << " child runs, " << r.intents
      << " writes journaled, " << r.acks << " acknowledged, " << r.interrupted
      << " interrupted by a kill (" << resolved_in_flight << " of them visible at the end), ";
  return out.str();
}

class CrashRig {
 public:
  // `child_filter`: the gtest filter that selects the child test in this binary.
  explicit CrashRig(std::string child_filter) : child_filter_(std::move(child_filter)) {
    char exe[4096];
    const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) exe_.assign(exe, static_cast<size_t>(n));
  }

  const std::string& db() const { return db_; }

  // Starts the child in `mode` for `run` against `url`; returns its pid (or -1).
  pid_t Spawn(const std::string& mode, int64_t run, const std::string& url) {
    std::vector<std::string> env_strings = {
        std::string(kEnvMode) + "=" + mode, std::string(kEnvDb) + "=" + db_,
        std::string(kEnvUrl) + "=" + url, std::string(kEnvJournal) + "=" + journal_,
        std::string(kEnvRun) + "=" + std::to_string(run)};
    for (char** e = environ; *e != nullptr; ++e) {
      if (std::string(*e).rfind("SYNCAGENT_CRASH_", 0) != 0) env_strings.emplace_back(*e);
    }
    std::vector<std::string> arg_strings = {exe_, "--gtest_filter=" + child_filter_};
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

  // Kills `iterations` child runs against `url`, calling `between(run)` before each. One run in
  // five is killed while it starts (opening the store, recovering its journal); the others once
  // the child reports it is working, so a loaded machine still gets kills inside writes and
  // cycles rather than only inside exec and open. Returns the kills made after "ready"; failures
  // (a child that ended by itself) are reported.
  int64_t KillLoop(int64_t iterations, const std::string& url, uint64_t seed,
                   const std::function<void(int64_t run)>& between) {
    std::mt19937_64 rng(seed);
    int exited_early = 0;
    int64_t ready_kills = 0;
    for (int64_t run = 1; run <= iterations && exited_early < 3; ++run) {
      between(run);
      const std::streamoff journal_before = JournalSize();
      const pid_t pid = Spawn("work", run, url);
      if (pid <= 0) {
        ADD_FAILURE() << "fork failed";
        return ready_kills;
      }
      if (rng() % 5 != 0) {
        if (!WaitForReady(pid, run, journal_before)) {
          ++exited_early;
          ADD_FAILURE() << "child run " << run << " ended before it was ready; child log:\n"
                        << ChildLogTail();
          continue;
        }
        ++ready_kills;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1 + rng() % 80));
      ::kill(pid, SIGKILL);
      int status = 0;
      EXPECT_EQ(::waitpid(pid, &status, 0), pid);
      if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
        ++exited_early;
        ADD_FAILURE() << "child run " << run << " ended by itself (status " << status
                      << ") instead of being killed; child log:\n"
                      << ChildLogTail();
      }
    }
    return ready_kills;
  }

  // One clean child run to quiescence; false (reported) when it fails.
  bool FinalRun(int64_t run, const std::string& url) {
    const pid_t pid = Spawn("final", run, url);
    int status = 0;
    if (pid <= 0 || ::waitpid(pid, &status, 0) != pid) {
      ADD_FAILURE() << "the final child run could not be started";
      return false;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
    ADD_FAILURE() << "final child run failed (status " << status << "):\n" << ChildLogTail();
    return false;
  }

  // Reads the journal of every run.
  JournalReplay Replay() const;

  // Opens the store file the children used: Verify() ok, nothing queued, dead-lettered or in
  // conflict. Returns the live documents of `collection`.
  std::map<std::string, nlohmann::json> CheckStore(const std::string& collection) const {
    std::map<std::string, nlohmann::json> live;
    VirtualClock clock;
    StoreOptions store_options;
    store_options.path = db_;
    store_options.clock = &clock;
    auto store = Store::Open(store_options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return live;
    const Status verified = (*store)->Verify();
    EXPECT_TRUE(verified.ok()) << verified.ToString();
    auto stats = (*store)->Stats();
    EXPECT_TRUE(stats.ok());
    if (stats.ok()) {
      EXPECT_EQ(stats->queue_depth, 0);
      EXPECT_EQ(stats->dead_letters, 0);
      EXPECT_EQ(stats->open_conflicts, 0);
    }
    ListOptions list;
    list.limit = 1000;
    auto docs = (*store)->List(collection, list);
    EXPECT_TRUE(docs.ok());
    if (docs.ok()) {
      for (const Document& d : *docs) live[d.key] = d.data;
    }
    return live;
  }

  // For every journaled key, the server holds the last acknowledged value or a write a kill
  // interrupted; every server document not named `others_prefix...` was written by a child.
  // Returns how many interrupted writes are what the server holds.
  static int64_t ExpectNoLostWrite(const JournalReplay& replay,
                                   const std::map<std::string, nlohmann::json>& server_live,
                                   const std::string& others_prefix) {
    int64_t resolved_in_flight = 0;
    for (const auto& [key, h] : replay.keys) {
      auto it = server_live.find(key);
      const nlohmann::json on_server = it == server_live.end() ? nlohmann::json() : it->second;
      std::vector<nlohmann::json> allowed;
      allowed.push_back(h.acked ? h.acked_value : nlohmann::json());
      allowed.insert(allowed.end(), h.in_flight.begin(), h.in_flight.end());
      const bool ok = std::find(allowed.begin(), allowed.end(), on_server) != allowed.end();
      if (!h.in_flight.empty() && on_server != allowed.front()) ++resolved_in_flight;
      EXPECT_TRUE(ok) << "LOST WRITE on " << key << ": server holds " << on_server.dump()
                      << ", the journal allows " << nlohmann::json(allowed).dump();
    }
    for (const auto& [key, value] : server_live) {
      if (key.rfind(others_prefix, 0) == 0) continue;  // written by the parent as another client
      EXPECT_TRUE(replay.keys.count(key)) << "the server has a document nobody wrote: " << key;
    }
    return resolved_in_flight;
  }

  std::string ChildLogTail() const {
    std::ifstream in(child_log_);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string log = buffer.str();
    return log.size() > 4000 ? log.substr(log.size() - 4000) : log;
  }

 private:
  std::streamoff JournalSize() const {
    std::ifstream in(journal_, std::ios::binary | std::ios::ate);
    return in ? static_cast<std::streamoff>(in.tellg()) : 0;
  }

  // Waits until the child journals "R <run>" after `from`; false if the child exits first.
  // Polls the journal: the child's progress is the event, there is no time limit of our own.
  bool WaitForReady(pid_t pid, int64_t run, std::streamoff from) const {
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

  std::string child_filter_;
  TempDir dir_;
  std::string exe_;
  std::string db_ = dir_.File("device.db");
  std::string journal_ = dir_.File("journal.txt");
  std::string child_log_ = dir_.File("child.log");
};

inline JournalReplay CrashRig::Replay() const {
  JournalReplay r;
  std::map<std::string, std::string> intent_key;  // id -> key
  auto close_pending = [&r] {  // a run ended: its pending intent (if any) was interrupted
    for (auto& [key, h] : r.keys) {
      if (h.pending_id) {
        h.in_flight.push_back(h.pending_value);
        h.pending_id.reset();
        ++r.interrupted;
      }
    }
  };
  std::ifstream journal(journal_);
  std::string line;
  while (std::getline(journal, line)) {
    std::istringstream in(line);
    std::string tag;
    in >> tag;
    if (tag == "S") {
      close_pending();
      ++r.runs_seen;
    } else if (tag == "I") {
      std::string id, key, value;
      in >> id >> key;
      std::getline(in, value);
      nlohmann::json parsed = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
      if (parsed.is_discarded()) continue;  // torn by a kill: the store call never started
      ++r.intents;
      intent_key[id] = key;
      KeyHistory& h = r.keys[key];
      ++h.writes;
      h.deletes += parsed.is_null() ? 1 : 0;
      h.pending_id = id;
      h.pending_value = parsed;
    } else if (tag == "A") {
      std::string id;
      in >> id;
      auto it = intent_key.find(id);
      if (it == intent_key.end()) continue;  // torn
      KeyHistory& h = r.keys[it->second];
      if (h.pending_id != id) {
        r.errors.push_back("journal out of order at ack " + id);
        continue;
      }
      ++r.acks;
      h.acked = true;
      h.acked_value = h.pending_value;
      h.in_flight.clear();  // a later acknowledged write supersedes interrupted ones
      h.pending_id.reset();
    } else if (tag == "C") {
      ++r.conflict_cycles;
    } else if (tag == "X") {
      r.errors.push_back("a child cycle did not end done: " + line);
    } else if (tag == "E") {
      r.errors.push_back("child error: " + line);
    }
  }
  close_pending();
  return r;
}

}  // namespace syncagent::testing::crash

#endif  // SYNCAGENT_TESTS_AGENT_CRASH_RIG_H_
