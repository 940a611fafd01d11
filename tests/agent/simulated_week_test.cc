// A simulated week of background sync: the real Agent (config JSON, SQLite store in a temp dir,
// libcurl against the in-process mock server over loopback) with HeadlessTask as the handler of
// the simulated iOS and Android schedulers, on the simulators' virtual time.
//
// Clocks: the simulator owns a SimClock over the test's VirtualClock; the Agent gets that SimClock
// (sim.clock()) through AgentOptions.clock, so the engine's retry waits advance virtual time and
// can be interrupted by the OS's expiration / onStopped and by a duplicate fire, at the exact
// virtual instant — while HTTP requests are real (they take no virtual time).
//
// The script: nights offline (no runs), app writes through the day and night (Put/Patch/Delete
// between runs), periods where the server answers 503 with Retry-After (in-cycle
// retries, then the next periodic slot), an
// Android reboot with duplicate fires, an iOS force-quit. At the end of the week: every write is
// on the server exactly once, no two cycles ever ran at once (cycle events, and the run log:
// duplicate fires that overlapped show up as `skipped` runs), no deadline was missed (no
// violation, no expiration, no watchdog), and the outages never pushed the periodic task into
// the OS's backoff ladder (each failed periodic wake kept its slot).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "agent/headless_task.h"
#include "agent/schedule_options.h"
#include "platform/backoff_policy.h"
#include "tests/agent/engine_harness.h"
#include "tools/mock_server/mock_server.h"
#include "tools/simulators/fake_device_state.h"
#include "tools/simulators/simulated_android_scheduler.h"
#include "tools/simulators/simulated_ios_scheduler.h"

namespace syncagent {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)

constexpr std::chrono::hours kWeek{7 * 24};
constexpr const char* kCollection = "notes";

struct Window {
  MonoTime from;
  MonoTime to;
  bool Contains(MonoTime t) const { return t >= from && t < to; }
};

faults::FaultRule ServiceUnavailable(const std::string& retry_after) {
  faults::FaultRule rule;
  rule.match.path = "/v1/*";
  rule.match.times = -1;
  rule.action.kind = faults::FaultKind::kStatus;
  rule.action.status = 503;
  rule.action.retry_after = retry_after;
  return rule;
}

// One week on one simulator. `Sim` is SimulatedIosScheduler or SimulatedAndroidScheduler.
template <typename Sim, typename SimOptions>
class Week {
 public:
  Week(uint64_t seed, SimOptions sim_options, int interval_minutes)
      : seed_(seed), sim_(&clock_, &device_, seed, sim_options) {
    auto server = mock::MockServer::Start({});
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    if (!server.ok()) return;
    server_ = std::move(*server);
    const std::string config =
        nlohmann::json{{"server",
                        {{"base_url", server_->base_url()},
                         {"allow_insecure_http", true},
                         {"timeouts", {{"connect_ms", 2000}, {"request_ms", 5000}}}}},
                       {"storage", {{"path", dir_.path() + "/agent.db"}}},
                       {"schedule",
                        {{"task_id", "syncagent.refresh"},
                         {"minimum_interval_minutes", interval_minutes},
                         {"time_budget_seconds", 25}}},
                       {"retry",
                        {{"initial_delay_ms", 1000},
                         {"max_delay_ms", 8000},
                         {"max_attempts_per_cycle", 4},
                         {"honor_retry_after", true},
                         {"max_retry_after_ms", 60000}}},
                       {"sync", {{"collections", {kCollection}}}}}
            .dump();
    AgentOptions options;
    options.clock = sim_.clock();  // the SimClock over clock_: sleeps see expirations and timers
    options.seed = seed;
    options.on_event = [this](const SyncEvent& e) {
      if (e.type == SyncEventType::kCycleStarted) {
        const int now = ++cycles_running_;
        int seen = max_cycles_running_.load();
        while (now > seen && !max_cycles_running_.compare_exchange_weak(seen, now)) {
        }
        ++cycles_;
      } else if (e.type == SyncEventType::kCycleFinished) {
        --cycles_running_;
      }
    };
    auto agent = Agent::OpenJson(config, std::move(options));
    EXPECT_TRUE(agent.ok()) << agent.status().ToString();
    if (!agent.ok()) return;
    agent_ = std::move(*agent);
    task_ = std::make_unique<HeadlessTask>(agent_);
    schedule_ = ToScheduleOptions(agent_->config().schedule);
  }

  bool ok() const { return task_ != nullptr; }
  Sim& sim() { return sim_; }
  MonoTime start() const { return start_; }

  // Nights offline: [day + from, day + to) for days 0..last_day.
  void OfflineNights(std::chrono::hours from, std::chrono::hours to, int last_day) {
    for (int d = 0; d <= last_day; ++d) {
      const MonoTime off = start_ + std::chrono::hours(24 * d) + from;
      const MonoTime on = start_ + std::chrono::hours(24 * d) + to;
      offline_.push_back({off, on});
      sim_.AddEvent(off, [this] { device_.SetNetwork(NetworkKind::kNone); });
      sim_.AddEvent(on, [this] { device_.SetNetwork(NetworkKind::kUnmetered); });
    }
  }

  // The server answers every /v1 request with 503 + Retry-After during [from, to).
  void Outage(std::chrono::minutes from, std::chrono::minutes to, std::string retry_after) {
    sim_.AddEvent(start_ + from, [this, retry_after] {
      server_->faults().Replace({ServiceUnavailable(retry_after)});
    });
    sim_.AddEvent(start_ + to, [this] { server_->faults().Clear(); });
    outages_.push_back({start_ + from, start_ + to});
  }

  // `count` app writes at random times in [0, until): puts, merge patches and deletes over 30
  // keys, mirrored into expected_.
  void AppWrites(int count, std::chrono::hours until) {
    std::mt19937_64 rng(seed_ * 7919 + 1);
    std::uniform_int_distribution<int64_t> at_ms(0,
                                                 std::chrono::duration_cast<Millis>(until).count());
    std::uniform_int_distribution<int> key(0, 29);
    std::uniform_int_distribution<int> kind(0, 99);
    for (int i = 0; i < count; ++i) {
      const int k = key(rng);
      const int op = kind(rng);
      sim_.AddEvent(start_ + Millis(at_ms(rng)), [this, i, k, op] { Write(i, k, op); });
    }
  }

  void Run() {
    ASSERT_TRUE(sim_.Configure(schedule_,
                               [this](const TaskInvocation& invocation) {
                                 HeadlessResult r = task_->Run(invocation);
                                 results_.push_back(r);
                                 return r.task_result;
                               })
                    .ok());
    sim_.RunUntil(start_ + kWeek);
    int retries = 0;
    for (const HeadlessResult& r : results_) retries += r.task_result == TaskResult::kRetry;
    std::printf("week: %s; %d cycles, %d writes, %d retry results\n",
                sim_.trace().Summarize().ToString().c_str(), cycles_.load(), writes_, retries);
  }

  // --- The end-of-week checks shared by both platforms. ---

  void ExpectEveryWriteOnTheServer() {
    EXPECT_GT(writes_, 0);
    EXPECT_EQ(testing::ServerLive(*server_, kCollection), expected_);
    EXPECT_TRUE(testing::AppliedTwice(*server_).empty()) << "a mutation was applied twice";
    auto status = agent_->GetStatus();
    ASSERT_TRUE(status.ok()) << status.status().ToString();
    EXPECT_EQ(status->store.queue_depth, 0);
    EXPECT_EQ(status->store.dead_letters, 0);
    EXPECT_EQ(status->store.open_conflicts, 0);
  }

  void ExpectNoOverlappingCycles() {
    EXPECT_GT(cycles_, 0);
    EXPECT_EQ(max_cycles_running_.load(), 1) << "two sync cycles ran at once";
    EXPECT_EQ(cycles_running_.load(), 0);
    auto runs = agent_->store().ListRuns(1000000);
    ASSERT_TRUE(runs.ok()) << runs.status().ToString();
    std::vector<RunRecord> log = *runs;
    std::reverse(log.begin(), log.end());  // oldest first
    EXPECT_EQ(log.size(), sim_.trace().records().size()) << "one run log entry per wake-up";
    const RunRecord* previous = nullptr;
    int skipped = 0;
    for (const RunRecord& r : log) {
      ASSERT_TRUE(r.finished_at.has_value()) << "run " << r.id << " never finished";
      EXPECT_NE(r.result, RunResult::kRunning);
      if (r.result == RunResult::kSkipped) {
        // A duplicate fire inside the server's quiet period makes no request (retry_plan.h);
        // the others found the lease held.
        if (r.reason.rfind("deferred:", 0) == 0) {
          ++deferred_runs_;
        } else {
          ++skipped;
        }
        continue;
      }
      if (previous != nullptr) {
        EXPECT_GE(r.started_at, *previous->finished_at)
            << "run " << r.id << " started before run " << previous->id << " finished";
      }
      previous = &r;
    }
    int overlapped = 0;
    for (const WakeRecord& w : sim_.trace().records()) overlapped += w.overlapped ? 1 : 0;
    EXPECT_EQ(skipped, overlapped) << "each overlapping duplicate fire is a skipped run";
    skipped_runs_ = skipped;
  }

  void ExpectDeadlinesHonoured() {
    const TraceSummary summary = sim_.trace().Summarize();
    EXPECT_EQ(summary.violations, 0) << sim_.trace().ToString();
    EXPECT_EQ(summary.cancellations, 0) << "the OS had to expire a run";
    for (const WakeRecord& w : sim_.trace().records()) {
      EXPECT_LE(w.consumed, w.budget) << w.ToString();
      for (const Window& off : offline_) {
        EXPECT_FALSE(off.Contains(w.started_at)) << "ran while offline: " << w.ToString();
      }
    }
    for (const HeadlessResult& r : results_) {
      EXPECT_FALSE(r.watchdog_fired) << r.reason;
    }
  }

  // Every run that was not a retry was followed by exactly one interval (a retry by exactly the
  // policy's delay), and the server's outages never pushed the periodic task into the OS's
  // backoff ladder: a periodic wake that met a 503 reported success and kept its slot
  // (agent/retry_plan.h), so a fleet comes back from an outage as spread out as it went in.
  void ExpectOutagesKeepThePeriodicSlot(Millis success_interval) {
    const BackoffPolicy policy(schedule_.backoff);
    std::vector<WakeRecord> runs;
    for (const WakeRecord& w : sim_.trace().ForTask(schedule_.task_id)) {
      if (!w.duplicate) runs.push_back(w);
    }
    for (size_t i = 1; i < runs.size(); ++i) {
      const WakeRecord& prev = runs[i - 1];
      const WakeRecord& next = runs[i];
      const auto waited = std::chrono::duration_cast<Millis>(next.requested_at - prev.ended_at);
      if (prev.result == TaskResult::kRetry) {
        EXPECT_EQ(next.attempt, prev.attempt + 1) << next.ToString();
        EXPECT_EQ(waited, policy.DelayForRetry(prev.attempt))
            << "after " << prev.ToString() << "\nnext " << next.ToString();
      } else {
        EXPECT_EQ(next.attempt, 1) << next.ToString();
        EXPECT_EQ(waited, success_interval) << "after " << prev.ToString();
      }
    }
    int kept_slot = 0;
    for (const HeadlessResult& r : results_) {
      EXPECT_NE(r.task_result, TaskResult::kRetry) << "a periodic wake asked the OS for a retry: "
                                                   << r.reason;
      if (r.report && r.report->outcome == CycleOutcome::kRetry) {
        EXPECT_EQ(r.report->error.code(), StatusCode::kUnavailable) << r.reason;
        EXPECT_EQ(r.task_result, TaskResult::kSuccess) << r.reason;
        EXPECT_NE(r.reason.find("next periodic slot"), std::string::npos) << r.reason;
        ++kept_slot;
      }
    }
    EXPECT_GE(kept_slot, 3) << "the outages were never met by a periodic wake";
  }

  int skipped_runs() const { return skipped_runs_; }
  const std::vector<Window>& outages() const { return outages_; }

 private:
  void Write(int i, int k, int op) {
    const std::string key = "note-" + std::to_string(k);
    const bool exists = expected_.count(key) > 0;
    Status status;
    if (!exists || op < 60) {
      nlohmann::json data = {{"write", i}, {"wall_ms", clock_.WallMs()}, {"title", "note " + key}};
      status = agent_->Put(kCollection, key, data);
      if (status.ok()) expected_[key] = data;
    } else if (op < 85) {
      nlohmann::json patch = {{"patched_by", i}, {"title", nullptr}};
      status = agent_->Patch(kCollection, key, patch);
      if (status.ok()) {
        expected_[key]["patched_by"] = i;
        expected_[key].erase("title");
      }
    } else {
      status = agent_->Delete(kCollection, key);
      if (status.ok()) expected_.erase(key);
    }
    EXPECT_TRUE(status.ok()) << status.ToString();
    ++writes_;
  }

  uint64_t seed_;
  testing::ScopedTempDir dir_;
  std::unique_ptr<mock::MockServer> server_;
  VirtualClock clock_;
  FakeDeviceState device_;
  Sim sim_;
  MonoTime start_ = clock_.Now();
  std::shared_ptr<Agent> agent_;
  std::unique_ptr<HeadlessTask> task_;
  ScheduleOptions schedule_;

  std::map<std::string, nlohmann::json> expected_;
  int writes_ = 0;
  std::vector<Window> offline_;
  std::vector<Window> outages_;
  std::vector<HeadlessResult> results_;
  std::atomic<int> cycles_running_{0};
  std::atomic<int> max_cycles_running_{0};
  std::atomic<int> cycles_{0};
  int skipped_runs_ = 0;
  int deferred_runs_ = 0;
};

TEST(SimulatedWeekTest, AndroidWorkManager) {
  AndroidSimOptions sim_options;
  sim_options.duplicate_probability = 0.3;  // WorkManager's duplicate-fire quirk, often
  Week<SimulatedAndroidScheduler, AndroidSimOptions> week(/*seed=*/11, sim_options,
                                                          /*interval_minutes=*/15);
  ASSERT_TRUE(week.ok());
  // The week starts at 08:00: offline 23:00-07:00 for six nights; day 7 stays online.
  week.OfflineNights(15h, 23h, 5);
  // Outages: Retry-After shorter than the budget (in-cycle retries, sleeping on the SimClock, so
  // duplicates fire while a cycle runs) and longer than the budget (the cycle gives up at once).
  week.Outage(24h + 120min, 24h + 240min, "5");
  week.Outage(72h + 60min, 72h + 200min, "120");
  week.Outage(120h + 30min, 120h + 120min, "5");
  week.sim().AddEvent(week.start() + 96h + 19h, [&week] { week.sim().Reboot(); });
  week.AppWrites(120, 6 * 24h + 4h);
  week.Run();

  week.ExpectEveryWriteOnTheServer();
  week.ExpectNoOverlappingCycles();
  week.ExpectDeadlinesHonoured();
  week.ExpectOutagesKeepThePeriodicSlot(15min);
  EXPECT_GT(week.skipped_runs(), 0) << "no duplicate fire overlapped a run (raise the rate)";
  const TraceSummary summary = week.sim().trace().Summarize("", /*first_attempts_only=*/true);
  EXPECT_GE(summary.min_interval, 15min) << "periods closer than WorkManager's minimum";
  EXPECT_GT(summary.duplicates, 0);
}

TEST(SimulatedWeekTest, IosBackgroundAppRefresh) {
  Week<SimulatedIosScheduler, IosSimOptions> week(/*seed=*/5, IosSimOptions{},
                                                  /*interval_minutes=*/30);
  ASSERT_TRUE(week.ok());
  week.OfflineNights(15h, 23h, 5);
  week.Outage(24h + 60min, 24h + 300min, "5");
  week.Outage(72h + 60min, 72h + 360min, "120");
  week.Outage(120h + 0min, 120h + 240min, "5");
  // The user swipes the app away on day 3 and opens it again the next morning.
  const MonoTime quit = week.start() + 48h + 10h;
  const MonoTime launch = week.start() + 72h + 1h;
  week.sim().AddEvent(quit, [&week] { week.sim().ForceQuit(); });
  week.sim().AddEvent(launch, [&week] { week.sim().LaunchApp(); });
  week.AppWrites(120, 6 * 24h + 4h);
  week.Run();

  week.ExpectEveryWriteOnTheServer();
  week.ExpectNoOverlappingCycles();
  week.ExpectDeadlinesHonoured();
  week.ExpectOutagesKeepThePeriodicSlot(30min);
  EXPECT_EQ(week.skipped_runs(), 0) << "iOS never starts a task twice";
  for (const WakeRecord& w : week.sim().trace().records()) {
    EXPECT_FALSE(w.started_at >= quit && w.started_at < launch)
        << "ran while force-quit: " << w.ToString();
  }
}

}  // namespace
}  // namespace syncagent
