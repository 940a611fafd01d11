// HeadlessTask against the mock server over loopback, with real SQLite files.
#include "agent/headless_task.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "agent/schedule_health.h"
#include "tests/agent/engine_harness.h"

namespace syncagent {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::ScopedTempDir;

class HeadlessTaskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mock::MockServerOptions options;
    options.admin = true;
    auto server = mock::MockServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
  }

  json Config(const std::string& extra_auth = "") {
    json config = {{"server", {{"base_url", server_->base_url()}, {"allow_insecure_http", true}}},
                   {"storage", {{"path", dir_.path() + "/agent.db"}}},
                   {"retry", {{"jitter", "none"}, {"max_attempts_per_cycle", 3}}}};
    if (!extra_auth.empty()) config["server"]["auth"] = {{"type", "bearer"}, {"token", extra_auth}};
    return config;
  }

  std::shared_ptr<Agent> OpenAgent(Clock* clock, const json& config) {
    AgentOptions options;
    options.clock = clock;
    options.seed = 1;
    auto agent = Agent::OpenJson(config.dump(), options);
    EXPECT_TRUE(agent.ok()) << agent.status().ToString();
    return agent.ok() ? std::shared_ptr<Agent>(std::move(*agent)) : nullptr;
  }

  static TaskInvocation Invocation(Clock& clock, Millis budget, const CancelToken* cancel) {
    TaskInvocation inv;
    inv.task_id = "syncagent.refresh";
    inv.requested_at_wall_ms = clock.WallMs();
    inv.started_at_wall_ms = clock.WallMs();
    inv.budget = budget;
    inv.deadline = clock.Now() + budget;
    inv.cancel = cancel;
    inv.constraints_seen = "network=unmetered";
    return inv;
  }

  faults::FaultRule Always(const std::string& path, faults::FaultKind kind) {
    faults::FaultRule rule;
    rule.match.path = path;
    rule.match.times = -1;
    rule.action.kind = kind;
    return rule;
  }

  static int64_t QueueDepth(Agent& agent) {
    auto status = agent.GetStatus();
    EXPECT_TRUE(status.ok()) << status.status().ToString();
    return status.ok() ? status->store.queue_depth : -1;
  }

  ScopedTempDir dir_;
  std::unique_ptr<mock::MockServer> server_;
  CancelToken no_cancel_;
};

TEST_F(HeadlessTaskTest, RunsACycleAndLogsTheWakeUp) {
  VirtualClock clock;
  auto agent = OpenAgent(&clock, Config());
  ASSERT_TRUE(agent->Put("notes", "n", {{"v", 1}}).ok());
  HeadlessTask task(agent);
  HeadlessResult result = task.Run(Invocation(clock, 25s, &no_cancel_));
  EXPECT_EQ(result.task_result, TaskResult::kSuccess) << result.ToJson().dump();
  EXPECT_FALSE(result.skipped);
  ASSERT_TRUE(result.report.has_value());
  EXPECT_EQ(result.report->applied, 1);
  auto runs = agent->store().ListRuns();
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].result, RunResult::kSuccess);
  EXPECT_EQ((*runs)[0].budget_ms, 25000);
  EXPECT_EQ((*runs)[0].constraints, "network=unmetered");
  EXPECT_EQ((*runs)[0].pushed, 1);
  EXPECT_TRUE((*runs)[0].finished_at.has_value());
  // The lease was released: another run can take it.
  auto again = agent->store().AcquireLease("sync", "someone-else", 10s);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(*again);
}

TEST_F(HeadlessTaskTest, OverlappingFiresInOneProcessRunOnce) {
  faults::FaultRule slow = Always("/v1/*", faults::FaultKind::kDelay);
  slow.action.delay_ms = 400;
  server_->faults().Replace({slow});
  RealClock clock;
  auto agent = OpenAgent(&clock, Config());
  ASSERT_TRUE(agent->Put("notes", "n", {{"v", 1}}).ok());
  HeadlessTask task(agent);
  HeadlessResult first, second;
  std::thread a([&] { first = task.Run(Invocation(clock, 10s, &no_cancel_)); });
  std::this_thread::sleep_for(100ms);
  std::thread b([&] { second = task.Run(Invocation(clock, 10s, &no_cancel_)); });
  a.join();
  b.join();
  EXPECT_NE(first.skipped, second.skipped) << first.ToJson().dump() << second.ToJson().dump();
  EXPECT_EQ(first.task_result, TaskResult::kSuccess);
  EXPECT_EQ(second.task_result, TaskResult::kSuccess);  // a skipped duplicate is not a failure
  auto runs = agent->store().ListRuns();
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 2u);
  int skipped = 0;
  for (const RunRecord& r : *runs) skipped += r.result == RunResult::kSkipped;
  EXPECT_EQ(skipped, 1);
  EXPECT_TRUE(testing::AppliedTwice(*server_).empty());
}

TEST_F(HeadlessTaskTest, OverlappingFiresInTwoProcessesRunOnce) {
  faults::FaultRule slow = Always("/v1/push", faults::FaultKind::kDelay);
  slow.action.delay_ms = 700;
  server_->faults().Replace({slow});
  const std::string config_path = dir_.path() + "/config.json";
  std::ofstream(config_path) << Config().dump();
  {
    auto agent = Agent::OpenFile(config_path);
    ASSERT_TRUE(agent.ok()) << agent.status().ToString();
    ASSERT_TRUE((*agent)->Put("notes", "n", {{"v", 1}}).ok());
  }
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    HeadlessResult r = HeadlessTask::RunCold(config_path, "syncagent.refresh", 10s);
    _exit(r.skipped ? 10 : (r.task_result == TaskResult::kSuccess ? 0 : 1));
  }
  // Wait until the child's push is at the (slow) server, so it surely holds the lease.
  for (int i = 0; i < 500 && server_->requests().Entries().empty(); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  HeadlessResult mine = HeadlessTask::RunCold(config_path, "syncagent.refresh", 10s);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the first process should have run the cycle";
  EXPECT_TRUE(mine.skipped) << mine.ToJson().dump();
  EXPECT_TRUE(testing::AppliedTwice(*server_).empty());
  EXPECT_EQ(testing::ServerLive(*server_, "notes").size(), 1u);
}

TEST_F(HeadlessTaskTest, WatchdogSignalsCompletionBeforeTheDeadlineEvenIfTheCycleHangs) {
  RealClock clock;
  auto agent = OpenAgent(&clock, Config());
  ASSERT_TRUE(agent->Put("notes", "n", {{"v", 1}}).ok());
  // An app event callback that blocks and ignores cancellation: the worst case.
  auto release = std::make_shared<std::atomic<bool>>(false);
  agent->SetEventCallback([release](const SyncEvent&) {
    for (int i = 0; i < 400 && !release->load(); ++i) std::this_thread::sleep_for(10ms);
  });
  HeadlessOptions options;
  options.watchdog_margin = 400ms;
  HeadlessTask task(agent, options);
  TaskInvocation inv = Invocation(clock, 1500ms, &no_cancel_);
  HeadlessResult result = task.Run(inv);
  const MonoTime returned = clock.Now();
  EXPECT_LT(returned, inv.deadline);  // the OS hears back before its budget ends
  EXPECT_TRUE(result.watchdog_fired);
  EXPECT_EQ(result.task_result, TaskResult::kRetry);
  release->store(true);
  // The abandoned cycle finishes on its own and gives the lease back.
  bool free_again = false;
  for (int i = 0; i < 500 && !free_again; ++i) {
    auto lease = agent->store().AcquireLease("sync", "probe", 1s);
    free_again = lease.ok() && *lease;
    if (!free_again) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(free_again);
  agent->store().ReleaseLease("sync", "probe").IgnoreError();
}

TEST_F(HeadlessTaskTest, RetriesBackOffLikeWorkManagerAndResetOnSuccess) {
  server_->faults().Replace({Always("/v1/push", faults::FaultKind::kStatus)});
  VirtualClock clock;
  auto agent = OpenAgent(&clock, Config());
  ASSERT_TRUE(agent->Put("notes", "n", {{"v", 1}}).ok());
  HeadlessTask task(agent);
  // WorkManager's ladder, each with up to 50% random extra so a fleet does not retry in step.
  const Millis expected[] = {30s, 60s, 120s};
  for (int i = 0; i < 3; ++i) {
    HeadlessResult r = task.Run(Invocation(clock, 25s, &no_cancel_));
    EXPECT_EQ(r.task_result, TaskResult::kRetry) << r.ToJson().dump();
    EXPECT_FALSE(r.deferred);
    EXPECT_EQ(r.attempt, i + 1);
    EXPECT_GE(r.retry_delay, expected[i]);
    EXPECT_LE(r.retry_delay, expected[i] * 3 / 2);
    clock.Advance(r.retry_delay);  // the OS waits as asked
  }
  server_->faults().Clear();
  // A new agent on the same file (a cold process) sees the persisted counter.
  agent.reset();
  agent = OpenAgent(&clock, Config());
  HeadlessTask cold(agent);
  HeadlessResult ok = cold.Run(Invocation(clock, 25s, &no_cancel_));
  EXPECT_EQ(ok.task_result, TaskResult::kSuccess);
  EXPECT_EQ(ok.attempt, 4);
  EXPECT_EQ(cold.Run(Invocation(clock, 25s, &no_cancel_)).attempt, 1);
}

TEST_F(HeadlessTaskTest, RetryDelaysAreSpreadSoAFleetDoesNotRetryInStep) {
  server_->faults().Replace({Always("/v1/push", faults::FaultKind::kStatus)});
  std::set<int64_t> delays;
  for (int device = 0; device < 8; ++device) {
    ScopedTempDir dir;
    VirtualClock clock;
    json config = Config();
    config["storage"]["path"] = dir.path() + "/agent.db";
    auto agent = OpenAgent(&clock, config);
    ASSERT_TRUE(agent->Put("notes", "n", {{"v", device}}).ok());
    HeadlessResult r = HeadlessTask(agent).Run(Invocation(clock, 25s, &no_cancel_));
    ASSERT_EQ(r.task_result, TaskResult::kRetry) << r.ToJson().dump();
    delays.insert(r.retry_delay.count());
  }
  EXPECT_GE(delays.size(), 6u) << "eight devices failing together got nearly the same delay";
}

TEST_F(HeadlessTaskTest, PeriodicWakeAgainstAFailingServerWaitsForItsNextSlot) {
  server_->faults().Replace({Always("/v1/*", faults::FaultKind::kStatus)});
  VirtualClock clock;
  auto agent = OpenAgent(&clock, Config());
  ASSERT_TRUE(agent->Put("notes", "n", {{"v", 1}}).ok());
  HeadlessTask task(agent);
  TaskInvocation inv = Invocation(clock, 25s, &no_cancel_);
  inv.periodic = true;
  HeadlessResult r = task.Run(inv);
  // Success to the OS (no WorkManager backoff ladder), with the reason kept for the run log.
  EXPECT_EQ(r.task_result, TaskResult::kSuccess) << r.ToJson().dump();
  EXPECT_EQ(r.retry_delay, 0ms);
  EXPECT_NE(r.reason.find("next periodic slot"), std::string::npos) << r.reason;
  ASSERT_TRUE(r.report.has_value());
  EXPECT_EQ(r.report->outcome, CycleOutcome::kRetry);
  EXPECT_EQ(QueueDepth(*agent), 1);  // the write waits, intact
  // The next slot (15 minutes on) runs normally and delivers it.
  server_->faults().Clear();
  clock.Advance(15min);
  HeadlessResult next = task.Run(Invocation(clock, 25s, &no_cancel_));
  EXPECT_EQ(next.task_result, TaskResult::kSuccess) << next.ToJson().dump();
  EXPECT_FALSE(next.deferred);
  EXPECT_EQ(next.attempt, 1);
  EXPECT_EQ(QueueDepth(*agent), 0);
  EXPECT_EQ(testing::ServerLive(*server_, "notes").size(), 1u);
}

TEST_F(HeadlessTaskTest, RetryAfterKeepsTheWholeDeviceQuietAcrossProcesses) {
  faults::FaultRule rule = Always("/v1/*", faults::FaultKind::kStatus);
  rule.action.retry_after = "240";  // under retry.max_retry_after (300 s)
  server_->faults().Replace({rule});
  VirtualClock clock;
  auto agent = OpenAgent(&clock, Config());
  ASSERT_TRUE(agent->Put("notes", "n", {{"v", 1}}).ok());
  HeadlessResult first = HeadlessTask(agent).Run(Invocation(clock, 25s, &no_cancel_));
  ASSERT_EQ(first.task_result, TaskResult::kRetry) << first.ToJson().dump();
  EXPECT_GE(first.retry_delay, 240s);
  EXPECT_LE(first.retry_delay, 360s);
  const int64_t requests = server_->requests().total();
  EXPECT_GE(requests, 1);

  // Three minutes later a cold process wakes (periodic): no request at all, success to the OS.
  clock.Advance(3min);
  agent.reset();
  agent = OpenAgent(&clock, Config());
  TaskInvocation periodic = Invocation(clock, 25s, &no_cancel_);
  periodic.periodic = true;
  HeadlessResult quiet = HeadlessTask(agent).Run(periodic);
  EXPECT_TRUE(quiet.deferred) << quiet.ToJson().dump();
  EXPECT_EQ(quiet.task_result, TaskResult::kSuccess);
  EXPECT_FALSE(quiet.report.has_value());
  EXPECT_NE(quiet.reason.find("deferred: the server asked"), std::string::npos) << quiet.reason;
  EXPECT_EQ(server_->requests().total(), requests) << "a quiet wake reached the server";
  EXPECT_EQ(quiet.attempt, 2);  // counted from the one-off retry before it ...
  auto runs = agent->store().ListRuns(10);
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  ASSERT_GE(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].result, RunResult::kSkipped);  // ... and logged as skipped, with why
  EXPECT_NE((*runs)[0].reason.find("deferred"), std::string::npos) << (*runs)[0].reason;
  // An explicit one-off run (the app asked) is not held back.
  HeadlessResult one_off = HeadlessTask(agent).Run(Invocation(clock, 25s, &no_cancel_));
  EXPECT_FALSE(one_off.deferred);
  EXPECT_GT(server_->requests().total(), requests);

  // Once the quiet period is over, the device syncs and the quiet period is gone for good.
  server_->faults().Clear();
  clock.Advance(361s);  // past any quiet period (240 s + at most 50%)
  periodic = Invocation(clock, 25s, &no_cancel_);
  periodic.periodic = true;
  HeadlessResult after = HeadlessTask(agent).Run(periodic);
  EXPECT_FALSE(after.deferred);
  EXPECT_EQ(after.task_result, TaskResult::kSuccess) << after.ToJson().dump();
  EXPECT_EQ(QueueDepth(*agent), 0);
  auto stored = agent->store().GetCheckpoint(CheckpointKey::QuietUntil().name());
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->value, "0");
}

TEST_F(HeadlessTaskTest, PeriodicWakeWithoutConnectivityStillAsksTheOsForARetry) {
  VirtualClock clock;
  json config = Config();
  server_.reset();  // nothing listens: connection refused, retry class network
  auto agent = OpenAgent(&clock, config);
  ASSERT_TRUE(agent->Put("notes", "n", {{"v", 1}}).ok());
  TaskInvocation inv = Invocation(clock, 25s, &no_cancel_);
  inv.periodic = true;
  HeadlessResult r = HeadlessTask(agent).Run(inv);
  EXPECT_EQ(r.task_result, TaskResult::kRetry) << r.ToJson().dump();
  ASSERT_TRUE(r.report.has_value());
  EXPECT_EQ(r.report->error.retry_class(), RetryClass::kNetwork) << r.report->error.ToString();
  EXPECT_GE(r.retry_delay, 30s);
  EXPECT_FALSE(r.deferred);
}

TEST_F(HeadlessTaskTest, OsExpirationCancelsTheCycleAndAsksForARetry) {
  VirtualClock clock;
  auto agent = OpenAgent(&clock, Config());
  ASSERT_TRUE(agent->Put("notes", "n", {{"v", 1}}).ok());
  CancelToken os;
  os.Cancel("BGTask expiration");
  HeadlessResult r = HeadlessTask(agent).Run(Invocation(clock, 25s, &os));
  EXPECT_EQ(r.task_result, TaskResult::kRetry);
  ASSERT_TRUE(r.report.has_value());
  EXPECT_EQ(r.report->outcome, CycleOutcome::kPartial);
  EXPECT_EQ(r.report->stop, StopKind::kCancelled);
  EXPECT_EQ(r.report->cancel_reason, "BGTask expiration");
  EXPECT_EQ(r.report->requests, 0);  // an expiration before the start stops the first request
}

TEST_F(HeadlessTaskTest, PermanentFailureIsReportedAsFailure) {
  server_.reset();
  mock::MockServerOptions options;
  options.token = "the-right-token";
  auto server = mock::MockServer::Start(options);
  ASSERT_TRUE(server.ok());
  server_ = std::move(*server);
  VirtualClock clock;
  auto agent = OpenAgent(&clock, Config("a-wrong-token"));
  ASSERT_TRUE(agent->Put("notes", "n", {{"v", 1}}).ok());
  HeadlessResult r = HeadlessTask(agent).Run(Invocation(clock, 25s, &no_cancel_));
  EXPECT_EQ(r.task_result, TaskResult::kFailure);
  EXPECT_EQ(r.reason.find("a-wrong-token"), std::string::npos);
  auto runs = agent->store().ListRuns();
  ASSERT_TRUE(runs.ok() && !runs->empty());
  EXPECT_EQ((*runs)[0].result, RunResult::kFailure);
  EXPECT_FALSE((*runs)[0].error.empty());
}

TEST_F(HeadlessTaskTest, ColdRunWithABadConfigFailsNamingTheProblem) {
  const std::string path = dir_.path() + "/bad.json";
  std::ofstream(path) << R"({"server": {"base_ulr": "https://x"}, "storage": {"path": "s.db"}})";
  HeadlessResult r = HeadlessTask::RunCold(path, "", 5s);
  EXPECT_EQ(r.task_result, TaskResult::kFailure);
  EXPECT_NE(r.reason.find("server.base_ulr: unknown key; did you mean base_url?"), std::string::npos)
      << r.reason;
  EXPECT_NE(r.reason.find(path), std::string::npos) << r.reason;
}

TEST(ScheduleHealthTest, IntervalsAndStarvation) {
  const int64_t minute = 60000;
  std::vector<RunRecord> runs(4);
  const int64_t starts[] = {100 * minute, 84 * minute, 70 * minute, 50 * minute};  // newest first
  for (int i = 0; i < 4; ++i) {
    runs[i].started_at = starts[i];
    runs[i].result = RunResult::kSuccess;
  }
  ScheduleHealth ok = AnalyzeSchedule(runs, Millis(15 * minute), 110 * minute);
  EXPECT_EQ(ok.runs, 4);
  EXPECT_EQ(ok.min_interval, Millis(14 * minute));
  EXPECT_EQ(ok.max_interval, Millis(20 * minute));
  EXPECT_EQ(ok.mean_interval, Millis(50 * minute / 3));
  EXPECT_FALSE(ok.starved);
  EXPECT_EQ(ok.verdict.rfind("ok:", 0), 0u) << ok.verdict;
  ScheduleHealth starved = AnalyzeSchedule(runs, Millis(15 * minute), 200 * minute);
  EXPECT_TRUE(starved.starved);
  EXPECT_EQ(starved.verdict.rfind("starved:", 0), 0u) << starved.verdict;
  EXPECT_EQ(AnalyzeSchedule({}, Millis(15 * minute), 0).verdict, "no wake-up recorded yet");
}

}  // namespace
}  // namespace syncagent
