// Convergence property test: three devices (real SQLite stores + real libcurl + SyncEngine) and
// the in-process mock server run random histories — puts, patches and deletes on a small shared
// key space (so they conflict), writes "as another client" through the server's admin API,
// devices going offline and coming back, syncs in random order — for every resolution policy.
// After each history everyone comes online and syncs round-robin until a full round changes
// nothing; then every replica must equal the server exactly, nothing may be left queued,
// dead-lettered or open, no mutation may have been applied twice, and no write to a key only one
// device writes may have been lost.
//
//   SYNCAGENT_PROPERTY_SEEDS=<n>  seeds per policy (default kDefaultSeedsPerPolicy)
//   SYNCAGENT_PROPERTY_SEED=<n>   run only seed n (combine with --gtest_filter='*/<policy>')
//   SYNCAGENT_PROPERTY_JOBS=<n>   seeds run concurrently (default kDefaultJobs)
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "tests/agent/engine_harness.h"

namespace syncagent {
namespace {

using nlohmann::json;
using testing::AppliedTwice;
using testing::ScopedTempDir;
using testing::ServerLive;

constexpr int kDefaultSeedsPerPolicy = 30;
constexpr int kDefaultJobs = 4;  // seeds run concurrently (SYNCAGENT_PROPERTY_JOBS)
constexpr int kClients = 3;
constexpr int kMinSteps = 30;
constexpr int kMaxSteps = 60;
constexpr int kMaxQuiescenceRounds = 10;
constexpr char kCollection[] = "docs";
const char* const kSharedKeys[] = {"s0", "s1", "s2", "s3"};
const char* const kFields[] = {"a", "b", "c"};

struct PolicyCase {
  const char* name;
  ResolutionPolicy policy;
  TieRule tie;
  bool custom;
};

void PrintTo(const PolicyCase& c, std::ostream* os) { *os << c.name; }

std::string PolicyCaseName(const ::testing::TestParamInfo<PolicyCase>& info) {
  return info.param.name;
}

int64_t EnvInt(const char* name, int64_t fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  return std::strtoll(value, nullptr, 10);
}

std::string PrivateKey(int client) { return "own-" + std::to_string(client); }

// A loopback port that refuses connections: bound but never listening, and held for the life of
// the object so that no other seed's server (they run concurrently) can take it over.
class DeadPort {
 public:
  DeadPort() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port_ = ntohs(addr.sin_port);
    }
  }
  ~DeadPort() {
    if (fd_ >= 0) ::close(fd_);
  }
  DeadPort(const DeadPort&) = delete;
  DeadPort& operator=(const DeadPort&) = delete;
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

// The custom resolver of the "custom" case: both sides live → the union of their fields (local
// fields win); one side deleted → the live side; both gone → delete. Key s3 defers to the
// configured policy (last_writer_wins) so that deferral is exercised too.
StatusOr<CustomResolution> UnionResolver(const ConflictSides& s) {
  if (s.key == "s3") return CustomResolution{};
  const bool local_live = s.local.exists && !s.local.deleted;
  const bool remote_live = s.remote.exists && !s.remote.deleted;
  if (local_live && remote_live) {
    json merged = s.remote.data;
    for (const auto& [field, value] : s.local.data.items()) merged[field] = value;
    return CustomResolution{CustomResolution::Kind::kUse, std::move(merged)};
  }
  if (local_live) return CustomResolution{CustomResolution::Kind::kKeepLocal, nullptr};
  if (remote_live) return CustomResolution{CustomResolution::Kind::kTakeRemote, nullptr};
  return CustomResolution{CustomResolution::Kind::kDelete, nullptr};
}

std::string ReportLine(const CycleReport& r) {
  std::ostringstream out;
  out << CycleOutcomeName(r.outcome) << " pushed=" << r.pushed << " applied=" << r.applied
      << " pulled=" << r.pulled << " conflicts=" << r.conflicts << " resolved=" << r.resolved
      << " rejected=" << r.rejected;
  if (!r.error.ok()) out << " error=" << r.error.ToString();
  return out.str();
}

// A transport that is "offline" on demand: it sends each request through libcurl, to the mock
// server or, while offline, to a dead port on the same host (connection refused: the network
// retry class), as a device that lost its network would.
class OfflineSwitch final : public HttpClient {
 public:
  OfflineSwitch(HttpClient* real, std::string live_url, std::string dead_url)
      : real_(real), live_url_(std::move(live_url)), dead_url_(std::move(dead_url)) {}
  void set_online(bool online) { online_ = online; }
  bool online() const { return online_; }

  StatusOr<HttpResponse> Send(const HttpRequest& request, const RequestControl& control) override {
    if (online_ || request.url.rfind(live_url_, 0) != 0) return real_->Send(request, control);
    HttpRequest rerouted = request;
    rerouted.url = dead_url_ + request.url.substr(live_url_.size());
    return real_->Send(rerouted, control);
  }

 private:
  HttpClient* real_;
  std::string live_url_;
  std::string dead_url_;
  bool online_ = true;
};

// One device: an Agent (engine_harness.h's Device: Agent::Open) over an OfflineSwitch.
class Replica {
 public:
  Replica(int index, Clock* clock) : index_(index), clock_(clock) {}

  Status Open(const std::string& db_path, const std::string& url, const std::string& dead_url,
              const PolicyCase& policy) {
    CurlHttpClientOptions http_options;
    http_options.allow_insecure_http = true;
    http_options.connect_timeout = Millis(2000);
    http_options.request_timeout = Millis(5000);
    SYNCAGENT_ASSIGN_OR_RETURN(http_, CurlHttpClient::Create(http_options, clock_));
    switch_ = std::make_unique<OfflineSwitch>(http_.get(), url, dead_url);
    testing::DeviceOptions options;
    options.transport = switch_.get();
    options.seed = static_cast<uint64_t>(index_) + 1;
    options.retry.max_attempts = 2;
    options.retry.initial_delay = Millis(100);
    options.policy = policy.policy;
    options.tie = policy.tie;
    options.custom = policy.custom ? CustomResolverFn(UnionResolver) : CustomResolverFn();
    options.engine.push_batch_size = 3;  // several batches now and then
    options.engine.pull_page_size = 4;   // several pages now and then
    device_ = std::make_unique<testing::Device>(db_path, url, clock_, std::move(options));
    if (!device_->ok()) return InternalError("replica " + std::to_string(index_) + ": not opened");
    return Status::Ok();
  }

  CycleReport Sync() { return device_->Sync(Millis(600000)); }

  Store& store() { return device_->store(); }
  bool online() const { return switch_->online(); }
  void set_online(bool online) { switch_->set_online(online); }

  std::map<std::string, json> Live() { return device_->Live(kCollection); }

 private:
  int index_;
  Clock* clock_;
  std::unique_ptr<CurlHttpClient> http_;
  std::unique_ptr<OfflineSwitch> switch_;
  std::unique_ptr<testing::Device> device_;
};

std::string MapDump(const std::map<std::string, json>& m) {
  json j = json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j.dump();
}

struct SeedTotals {
  int64_t steps = 0;
  int64_t syncs = 0;
  int64_t conflicts = 0;
  int64_t resolved = 0;
  int64_t manual_resolutions = 0;
  int64_t admin_writes = 0;
  int64_t offline_syncs = 0;
  int64_t quiescence_rounds = 0;
};

// The history's generator: a function of the seed and the policy.
std::mt19937_64 SeededRng(const PolicyCase& policy, uint64_t seed) {
  std::seed_seq seq{seed, static_cast<uint64_t>(policy.policy) * 7 +
                              static_cast<uint64_t>(policy.tie) + (policy.custom ? 100u : 0u)};
  return std::mt19937_64(seq);
}

// One random history and its checks.
class SeedRun {
 public:
  SeedRun(const PolicyCase& policy, uint64_t seed)
      : policy_(policy), rng_(SeededRng(policy, seed)) {}

  // Returns the problems found (empty: the property holds).
  std::vector<std::string> Run(SeedTotals* totals) {
    totals_ = totals;
    mock::MockServerOptions server_options;
    auto server = mock::MockServer::Start(server_options);
    if (!server.ok()) return {"mock server: " + server.status().ToString()};
    server_ = std::move(*server);
    if (dead_port_.port() == 0) return {"cannot reserve a dead port"};
    const std::string dead_url = "http://127.0.0.1:" + std::to_string(dead_port_.port());
    for (int c = 0; c < kClients; ++c) {
      replicas_.push_back(std::make_unique<Replica>(c, &clock_));
      Status opened = replicas_.back()->Open(dir_.path() + "/c" + std::to_string(c) + ".db",
                                             server_->base_url(), dead_url, policy_);
      if (!opened.ok()) return {"open replica " + std::to_string(c) + ": " + opened.ToString()};
    }
    const int steps = kMinSteps + static_cast<int>(Next(kMaxSteps - kMinSteps + 1));
    for (step_ = 1; step_ <= steps; ++step_) {
      clock_.Advance(Millis(1 + Next(40)));
      RandomStep();
      ++totals_->steps;
    }
    Quiesce();
    if (problems_.empty()) CheckConverged();
    server_->Stop();
    return problems_;
  }

  std::string LogText() const {
    std::string out;
    for (const std::string& line : log_) out += "  " + line + "\n";
    return out;
  }

 private:
  uint64_t Next(uint64_t n) { return rng_() % n; }
  void Log(const std::string& line) { log_.push_back("#" + std::to_string(step_) + " " + line); }
  void Problem(const std::string& what) {
    problems_.push_back("step " + std::to_string(step_) + ": " + what);
  }
  std::string Value(int client) {
    return "c" + std::to_string(client) + "w" + std::to_string(++writes_);
  }

  void RandomStep() {
    const int c = static_cast<int>(Next(kClients));
    const uint64_t r = Next(100);
    if (r < 30) {
      Write(c, kSharedKeys[Next(std::size(kSharedKeys))], /*owned=*/false);
    } else if (r < 42) {
      Write(c, PrivateKey(c), /*owned=*/true);
    } else if (r < 70) {
      SyncOne(c);
    } else if (r < 80) {
      replicas_[c]->set_online(!replicas_[c]->online());
      Log("c" + std::to_string(c) + (replicas_[c]->online() ? " comes online" : " goes offline"));
    } else if (r < 90) {
      AdminWrite();
    } else {
      clock_.Advance(Millis(500 + Next(3000)));
      Log("clock +~s");
    }
  }

  void Write(int c, const std::string& key, bool owned) {
    Store& store = replicas_[c]->store();
    auto current = store.Get(kCollection, key);
    if (!current.ok()) return Problem("get " + key + ": " + current.status().ToString());
    const bool live = current->has_value();
    const uint64_t r = Next(100);
    MutationOp op = r < 45 ? MutationOp::kPut : r < 80 ? MutationOp::kPatch : MutationOp::kDelete;
    if (!live) op = MutationOp::kPut;
    json data = json::object();
    Status status;
    switch (op) {
      case MutationOp::kPut:
        for (const char* field : kFields) {
          if (Next(2) == 0) data[field] = Value(c);
        }
        if (data.empty()) data["a"] = Value(c);
        status = store.Put(kCollection, key, data);
        break;
      case MutationOp::kPatch:
        data[kFields[Next(std::size(kFields))]] = Value(c);
        if (Next(4) == 0) data[kFields[Next(std::size(kFields))]] = nullptr;
        status = store.Patch(kCollection, key, data);
        break;
      case MutationOp::kDelete:
        status = store.Delete(kCollection, key);
        break;
    }
    Log("c" + std::to_string(c) + " " + std::string(MutationOpName(op)) + " " + key +
        (op == MutationOp::kDelete ? "" : " " + data.dump()) +
        (status.ok() ? "" : " -> " + status.ToString()));
    if (!status.ok()) return Problem("local write failed: " + status.ToString());
    if (owned) {
      auto after = store.Get(kCollection, key);
      if (!after.ok()) return Problem("get " + key + ": " + after.status().ToString());
      owned_expected_[c] = after->has_value() ? std::optional<json>((*after)->data) : std::nullopt;
      owned_written_[c] = true;
    }
  }

  void AdminWrite() {
    const std::string key = kSharedKeys[Next(std::size(kSharedKeys))];
    auto current = server_->state().Find(kCollection, key);
    char stamp[64];
    std::snprintf(stamp, sizeof(stamp), "%015lld-%08x-admin",
                  static_cast<long long>(clock_.WallMs()), 0u);
    ++totals_->admin_writes;
    if (current && !current->deleted && Next(4) == 0) {
      auto deleted = server_->state().AdminDelete(kCollection, key, stamp);
      Log("admin delete " + key);
      if (!deleted.ok()) Problem("admin delete: " + deleted.status().ToString());
      return;
    }
    json data = {{"a", "adm" + std::to_string(++writes_)}};
    if (Next(2) == 0) data["c"] = "adm" + std::to_string(writes_);
    auto put = server_->state().AdminPut(kCollection, key, data, stamp);
    Log("admin put " + key + " " + data.dump());
    if (!put.ok()) Problem("admin put: " + put.status().ToString());
  }

  // Returns true when the sync (or the app's conflict handling) changed something.
  bool SyncOne(int c) {
    Replica& replica = *replicas_[c];
    CycleReport report = replica.Sync();
    ++totals_->syncs;
    totals_->conflicts += report.conflicts;
    totals_->resolved += report.resolved;
    Log("c" + std::to_string(c) + " sync" + (replica.online() ? "" : " (offline)") + " -> " +
        ReportLine(report));
    if (replica.online()) {
      if (report.outcome != CycleOutcome::kDone) Problem("online sync: " + ReportLine(report));
    } else {
      ++totals_->offline_syncs;
      if (report.outcome != CycleOutcome::kRetry ||
          report.error.retry_class() != RetryClass::kNetwork) {
        Problem("offline sync should be retry/network: " + ReportLine(report));
      }
    }
    bool changed = report.pushed > 0 || report.pulled > 0 || report.conflicts > 0 ||
                   report.resolved > 0 || report.rejected > 0;
    if (policy_.policy == ResolutionPolicy::kManual) changed |= ResolveManually(c);
    return changed;
  }

  // The app's part under the manual policy: settle every open conflict, as the seed says.
  bool ResolveManually(int c) {
    Store& store = replicas_[c]->store();
    auto open = store.ListConflicts(true);
    if (!open.ok()) {
      Problem("list conflicts: " + open.status().ToString());
      return false;
    }
    for (const Conflict& conflict : *open) {
      Resolution resolution;
      std::string name;
      switch (Next(4)) {
        case 0:
          resolution = Resolution::TakeRemote();
          name = "take_remote";
          break;
        case 1:
          resolution = Resolution::KeepLocal();
          name = "keep_local";
          break;
        case 2: {
          json merged = conflict.remote_data.is_object() ? conflict.remote_data : json::object();
          if (conflict.local_data.is_object()) {
            for (const auto& [field, value] : conflict.local_data.items()) merged[field] = value;
          }
          merged["m"] = "manual" + std::to_string(++writes_);
          resolution = Resolution::Replace(merged);
          name = "replace " + merged.dump();
          break;
        }
        default:
          resolution = Resolution::Delete();
          name = "delete";
          break;
      }
      Status status = store.ResolveConflict(conflict.id, resolution);
      ++totals_->manual_resolutions;
      Log("c" + std::to_string(c) + " app resolves " + conflict.key + ": " + name +
          (status.ok() ? "" : " -> " + status.ToString()));
      if (!status.ok()) Problem("ResolveConflict: " + status.ToString());
    }
    return !open->empty();
  }

  void Quiesce() {
    Log("--- quiescence: everyone online");
    for (auto& replica : replicas_) replica->set_online(true);
    for (int round = 1; round <= kMaxQuiescenceRounds; ++round) {
      ++totals_->quiescence_rounds;
      bool changed = false;
      for (int c = 0; c < kClients; ++c) changed |= SyncOne(c);
      if (!problems_.empty()) return;
      if (!changed) return;
    }
    Problem("did not settle within " + std::to_string(kMaxQuiescenceRounds) + " rounds");
  }

  void CheckConverged() {
    const std::map<std::string, json> server_live = ServerLive(*server_, kCollection);
    for (int c = 0; c < kClients; ++c) {
      Replica& replica = *replicas_[c];
      const std::string who = "c" + std::to_string(c) + ": ";
      const std::map<std::string, json> live = replica.Live();
      if (live != server_live) {
        Problem(who + "replica " + MapDump(live) + " != server " + MapDump(server_live));
      }
      auto stats = replica.store().Stats();
      if (!stats.ok()) {
        Problem(who + "stats: " + stats.status().ToString());
      } else {
        if (stats->queue_depth != 0)
          Problem(who + "outbox rows left: " + std::to_string(stats->queue_depth));
        if (stats->dead_letters != 0)
          Problem(who + "dead letters: " + std::to_string(stats->dead_letters));
        if (stats->open_conflicts != 0)
          Problem(who + "open conflicts: " + std::to_string(stats->open_conflicts));
      }
      if (Status verified = replica.store().Verify(); !verified.ok()) {
        Problem(who + "Verify: " + verified.ToString());
      }
      auto all_conflicts = replica.store().ListConflicts(/*open_only=*/false);
      if (all_conflicts.ok()) {
        for (const Conflict& conflict : *all_conflicts) {
          if (conflict.key.rfind("own-", 0) == 0) {
            Problem(who + "a conflict on a key only one device writes: " + conflict.key);
          }
        }
      }
      // No lost write: the server holds the owner's last write to its private key.
      if (owned_written_[c]) {
        auto it = server_live.find(PrivateKey(c));
        const std::optional<json> on_server =
            it == server_live.end() ? std::nullopt : std::optional<json>(it->second);
        if (on_server != owned_expected_[c]) {
          Problem(who + "LOST WRITE on " + PrivateKey(c) + ": last local write " +
                  (owned_expected_[c] ? owned_expected_[c]->dump() : std::string("<deleted>")) +
                  ", server " + (on_server ? on_server->dump() : std::string("<absent>")));
        }
      }
    }
    for (const std::string& id : AppliedTwice(*server_)) Problem("applied more than once: " + id);
  }

  PolicyCase policy_;
  std::mt19937_64 rng_;
  ScopedTempDir dir_;
  VirtualClock clock_;
  DeadPort dead_port_;
  std::unique_ptr<mock::MockServer> server_;
  std::vector<std::unique_ptr<Replica>> replicas_;
  SeedTotals* totals_ = nullptr;
  int step_ = 0;
  int64_t writes_ = 0;
  std::optional<json> owned_expected_[kClients];
  bool owned_written_[kClients] = {};
  std::vector<std::string> log_;
  std::vector<std::string> problems_;
};

class ConvergenceTest : public ::testing::TestWithParam<PolicyCase> {};

struct SeedResult {
  uint64_t seed = 0;
  std::vector<std::string> problems;
  std::string log;
  SeedTotals totals;
};

// Seeds are independent (each has its own server, stores and virtual clock) and a history
// spends most of its time waiting on loopback I/O, so several run at once on worker threads.
TEST_P(ConvergenceTest, RandomHistoriesConverge) {
  const PolicyCase& policy = GetParam();
  std::vector<SeedResult> results;
  if (const int64_t one = EnvInt("SYNCAGENT_PROPERTY_SEED", -1); one >= 0) {
    results.push_back(SeedResult{static_cast<uint64_t>(one), {}, {}, {}});
  } else {
    const int64_t n = EnvInt("SYNCAGENT_PROPERTY_SEEDS", kDefaultSeedsPerPolicy);
    for (int64_t s = 1; s <= n; ++s)
      results.push_back(SeedResult{static_cast<uint64_t>(s), {}, {}, {}});
  }
  const int64_t jobs = std::max<int64_t>(1, EnvInt("SYNCAGENT_PROPERTY_JOBS", kDefaultJobs));
  const auto start = std::chrono::steady_clock::now();
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < results.size(); i = next++) {
      SeedRun run(policy, results[i].seed);
      results[i].problems = run.Run(&results[i].totals);
      if (!results[i].problems.empty()) results[i].log = run.LogText();
    }
  };
  std::vector<std::thread> threads;
  for (int64_t j = 0; j < jobs; ++j) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();

  SeedTotals totals;
  int failed = 0;
  for (const SeedResult& r : results) {
    totals.steps += r.totals.steps;
    totals.syncs += r.totals.syncs;
    totals.conflicts += r.totals.conflicts;
    totals.resolved += r.totals.resolved;
    totals.manual_resolutions += r.totals.manual_resolutions;
    totals.admin_writes += r.totals.admin_writes;
    totals.offline_syncs += r.totals.offline_syncs;
    totals.quiescence_rounds += r.totals.quiescence_rounds;
    if (r.problems.empty()) continue;
    if (++failed > 5) continue;
    std::string text;
    for (const std::string& p : r.problems) text += "  " + p + "\n";
    ADD_FAILURE() << "policy " << policy.name << ", seed " << r.seed << " violates the property:\n"
                  << text << "replay: SYNCAGENT_PROPERTY_SEED=" << r.seed
                  << " convergence_test --gtest_filter='*/" << policy.name << "'\n"
                  << (failed == 1 ? "step log:\n" + r.log : std::string());
  }
  std::cout << "[ stats    ] " << policy.name << ": " << results.size() << " seeds (" << failed
            << " failed), " << totals.steps << " steps, " << totals.syncs << " syncs ("
            << totals.offline_syncs << " offline), " << totals.admin_writes << " admin writes, "
            << totals.conflicts << " conflicts, " << totals.resolved << " resolved by policy, "
            << totals.manual_resolutions << " by the app, " << totals.quiescence_rounds
            << " quiescence rounds, " << ms << " ms on " << jobs << " threads\n";
}

INSTANTIATE_TEST_SUITE_P(
    Policies, ConvergenceTest,
    ::testing::Values(
        PolicyCase{"server_wins", ResolutionPolicy::kServerWins, TieRule::kServer, false},
        PolicyCase{"client_wins", ResolutionPolicy::kClientWins, TieRule::kServer, false},
        PolicyCase{"last_writer_wins", ResolutionPolicy::kLastWriterWins, TieRule::kServer, false},
        PolicyCase{"merge_tie_server", ResolutionPolicy::kMerge, TieRule::kServer, false},
        PolicyCase{"merge_tie_client", ResolutionPolicy::kMerge, TieRule::kClient, false},
        PolicyCase{"merge_tie_newer", ResolutionPolicy::kMerge, TieRule::kNewer, false},
        PolicyCase{"manual", ResolutionPolicy::kManual, TieRule::kServer, false},
        PolicyCase{"custom", ResolutionPolicy::kLastWriterWins, TieRule::kServer, true}),
    PolicyCaseName);

}  // namespace
}  // namespace syncagent
