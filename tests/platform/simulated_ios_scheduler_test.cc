#include "tools/simulators/simulated_ios_scheduler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "platform/cancel_token.h"
#include "sim_test_util.h"

namespace syncagent {
namespace {

using namespace std::chrono_literals;
using testing_util::IgnoresCancellation;
using testing_util::WellBehaved;

class SimulatedIosSchedulerTest : public ::testing::Test {
 protected:
  ScheduleOptions Options() {
    ScheduleOptions options;
    options.minimum_interval = 15min;
    options.time_budget = 25s;
    return options;
  }

  VirtualClock clock_;
  FakeDeviceState device_;
};

TEST_F(SimulatedIosSchedulerTest, WeekWithOfflineNightsRunsWithinBudgetAndOnlyOnline) {
  SimulatedIosScheduler sim(&clock_, &device_, /*seed=*/42);
  const MonoTime start = clock_.Now();
  testing_util::ScriptWeek(&sim, &device_, start);
  ASSERT_TRUE(sim.Configure(Options(), WellBehaved(sim.clock(), 12s)).ok());

  sim.RunFor(7 * 24h);

  const TraceSummary summary = sim.trace().Summarize();
  SCOPED_TRACE(summary.ToString());
  // 15 min + 15-60 min (sometimes hours) between runs: dozens per day, not hundreds.
  EXPECT_GT(summary.runs, 7 * 10);
  EXPECT_LT(summary.runs, 7 * 96);
  EXPECT_EQ(summary.violations, 0);
  EXPECT_EQ(summary.cancellations, 0);
  EXPECT_EQ(summary.successes, summary.runs);
  EXPECT_GE(summary.min_interval, 15min);  // earliest-begin = previous run + 15 min
  for (const WakeRecord& record : sim.trace().records()) {
    EXPECT_LE(record.consumed, 30s) << record.ToString();
    EXPECT_GE(record.started_at, record.requested_at) << record.ToString();
    EXPECT_EQ(record.budget, 25s);
    EXPECT_EQ(record.constraints_seen.find("network=none"), std::string::npos) << record.ToString();
    EXPECT_FALSE(testing_util::ScriptedOffline(start, record.started_at)) << record.ToString();
  }
  EXPECT_GE(clock_.Now(), start + 7 * 24h);
}

TEST_F(SimulatedIosSchedulerTest, ExpirationFiresAtTheBudgetAndAnHonouringTaskStopsThere) {
  SimulatedIosScheduler sim(&clock_, &device_, 1);
  int calls = 0;
  std::string reason;
  ASSERT_TRUE(sim.Configure(Options(),
                            [&](const TaskInvocation& invocation) {
                              ++calls;
                              // Ignores its own 25 s deadline, but honours the OS's cancellation.
                              if (!sim.clock()->SleepFor(10min, invocation.cancel)) {
                                reason = invocation.cancel->reason();
                                return TaskResult::kRetry;
                              }
                              return TaskResult::kSuccess;
                            })
                  .ok());
  sim.RunFor(3h);
  ASSERT_GE(calls, 1);
  const WakeRecord& first = sim.trace().records().front();
  EXPECT_TRUE(first.cancelled);
  EXPECT_FALSE(first.violation);
  EXPECT_EQ(first.consumed, 30s);  // exactly the refresh budget
  EXPECT_NE(reason.find("expired"), std::string::npos);
  if (sim.trace().records().size() >= 2) {
    const WakeRecord& second = sim.trace().records()[1];
    EXPECT_EQ(second.attempt, 2);
    EXPECT_EQ(second.requested_at, first.ended_at + 30s);  // re-submitted with backoff
  }
}

TEST_F(SimulatedIosSchedulerTest, TaskIgnoringCancellationIsAViolation) {
  SimulatedIosScheduler sim(&clock_, &device_, 2);
  ASSERT_TRUE(sim.Configure(Options(), IgnoresCancellation(sim.clock(), 2min)).ok());
  sim.RunFor(48h);
  const TraceSummary summary = sim.trace().Summarize();
  ASSERT_GT(summary.runs, 0);
  EXPECT_EQ(summary.violations, summary.runs);
  const WakeRecord& first = sim.trace().records().front();
  EXPECT_TRUE(first.cancelled);
  EXPECT_EQ(first.consumed, 2min);
  EXPECT_NE(first.note.find("kills"), std::string::npos) << first.note;
}

TEST_F(SimulatedIosSchedulerTest, SleepingOnTheBareVirtualClockIsStillCaught) {
  SimulatedIosScheduler sim(&clock_, &device_, 3);
  ASSERT_TRUE(sim.Configure(Options(), IgnoresCancellation(&clock_, 40s)).ok());
  sim.RunFor(48h);
  ASSERT_FALSE(sim.trace().records().empty());
  const WakeRecord& first = sim.trace().records().front();
  EXPECT_TRUE(first.cancelled);
  EXPECT_TRUE(first.violation);  // 40 s > 30 s budget + 5 s grace
}

TEST_F(SimulatedIosSchedulerTest, NoRunsAfterForceQuitUntilLaunch) {
  SimulatedIosScheduler sim(&clock_, &device_, 4);
  const MonoTime start = clock_.Now();
  ASSERT_TRUE(sim.Configure(Options(), WellBehaved(sim.clock(), 5s)).ok());
  sim.AddEvent(start + 24h, [&] { sim.ForceQuit(); });
  sim.AddEvent(start + 48h, [&] { sim.LaunchApp(); });
  sim.RunFor(72h);
  int before = 0, during = 0, after = 0;
  for (const WakeRecord& record : sim.trace().records()) {
    if (record.started_at < start + 24h) {
      ++before;
    } else if (record.started_at < start + 48h) {
      ++during;
    } else {
      ++after;
    }
  }
  EXPECT_GT(before, 5);
  EXPECT_EQ(during, 0);
  EXPECT_GT(after, 5);
  EXPECT_TRUE(sim.trace().HasNote("force-quit"));
}

TEST_F(SimulatedIosSchedulerTest, EleventhProcessingRequestIsRefused) {
  SimulatedIosScheduler sim(&clock_, &device_, 5);
  ASSERT_TRUE(sim.Configure(Options(), WellBehaved(sim.clock(), 1s)).ok());
  for (int i = 0; i < 10; ++i) {
    TaskRequest request;
    request.task_id = "processing." + std::to_string(i);
    request.delay = 1h;
    ASSERT_TRUE(sim.ScheduleTask(request).ok()) << i;
  }
  TaskRequest eleventh;
  eleventh.task_id = "processing.10";
  Status refused = sim.ScheduleTask(eleventh);
  EXPECT_EQ(refused.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(refused.message().find("tooManyPendingTaskRequests"), std::string::npos);
  EXPECT_TRUE(sim.trace().HasNote("tooManyPendingTaskRequests"));

  TaskRequest again;  // same identifier: replaces, not an 11th
  again.task_id = "processing.3";
  EXPECT_TRUE(sim.ScheduleTask(again).ok());
  ASSERT_TRUE(sim.Cancel("processing.0").ok());
  EXPECT_TRUE(sim.ScheduleTask(eleventh).ok());
  EXPECT_EQ(sim.GetStatus().pending.size(), 11u);  // 1 refresh + 10 processing
}

TEST_F(SimulatedIosSchedulerTest, OnlyOneRefreshRequestIsPending) {
  SimulatedIosScheduler sim(&clock_, &device_, 6);
  ScheduleOptions options = Options();
  ASSERT_TRUE(sim.Configure(options, WellBehaved(sim.clock(), 1s)).ok());
  options.task_id = "other.refresh";
  ASSERT_TRUE(sim.Configure(options, WellBehaved(sim.clock(), 1s)).ok());
  const SchedulerStatus status = sim.GetStatus();
  ASSERT_EQ(status.pending.size(), 1u);
  EXPECT_EQ(status.pending[0].task_id, "other.refresh");
  EXPECT_TRUE(status.configured);
}

TEST_F(SimulatedIosSchedulerTest, RunsAtEarliestBeginPlusTheUsageDelay) {
  IosSimOptions sim_options;
  sim_options.usage_delay.custom = [](std::mt19937_64&) { return Millis(20min); };
  SimulatedIosScheduler sim(&clock_, &device_, 7, sim_options);
  const MonoTime start = clock_.Now();
  ASSERT_TRUE(sim.Configure(Options(), WellBehaved(sim.clock(), 10s)).ok());
  EXPECT_EQ(sim.GetStatus().pending[0].next_run, start + 35min);
  sim.RunFor(2h);
  const auto& records = sim.trace().records();
  ASSERT_GE(records.size(), 2u);
  EXPECT_EQ(records[0].requested_at, start + 15min);
  EXPECT_EQ(records[0].started_at, start + 35min);
  EXPECT_EQ(records[1].started_at, records[0].ended_at + 15min + 20min);  // auto re-submitted
}

TEST_F(SimulatedIosSchedulerTest, RefreshWaitsForTheNetwork) {
  IosSimOptions sim_options;
  sim_options.usage_delay.custom = [](std::mt19937_64&) { return Millis(0); };
  SimulatedIosScheduler sim(&clock_, &device_, 8, sim_options);
  const MonoTime start = clock_.Now();
  device_.SetNetwork(NetworkKind::kNone);
  sim.AddEvent(start + 3h, [&] { device_.SetNetwork(NetworkKind::kMetered); });
  ASSERT_TRUE(sim.Configure(Options(), WellBehaved(sim.clock(), 1s)).ok());
  sim.RunFor(1h);
  EXPECT_TRUE(sim.trace().records().empty());
  ASSERT_EQ(sim.GetStatus().pending.size(), 1u);
  EXPECT_TRUE(sim.GetStatus().pending[0].waiting_for_constraints);
  EXPECT_NE(sim.GetStatus().pending[0].why_not.find("network"), std::string::npos);
  sim.RunFor(3h);
  ASSERT_FALSE(sim.trace().records().empty());
  const WakeRecord& first = sim.trace().records().front();
  EXPECT_GE(first.started_at, start + 3h);
  EXPECT_LE(first.started_at, start + 3h + 5min);
}

TEST_F(SimulatedIosSchedulerTest, ProcessingRequestWaitsForExternalPower) {
  SimulatedIosScheduler sim(&clock_, &device_, 9);
  const MonoTime start = clock_.Now();
  ASSERT_TRUE(sim.Configure(Options(), WellBehaved(sim.clock(), 1s)).ok());
  sim.AddEvent(start + 10h, [&] { device_.SetCharging(true); });
  TaskRequest request;
  request.task_id = "syncagent.compact";
  request.constraints.requires_charging = true;
  ASSERT_TRUE(sim.ScheduleTask(request).ok());
  sim.RunFor(24h);
  const std::vector<WakeRecord> runs = sim.trace().ForTask("syncagent.compact");
  ASSERT_EQ(runs.size(), 1u);  // one-off
  EXPECT_GE(runs[0].started_at, start + 10h);
  EXPECT_EQ(runs[0].os_limit, 5min);
  EXPECT_NE(runs[0].constraints_seen.find("charging=yes"), std::string::npos);
}

TEST_F(SimulatedIosSchedulerTest, StopCancelsEverything) {
  SimulatedIosScheduler sim(&clock_, &device_, 10);
  ASSERT_TRUE(sim.Configure(Options(), WellBehaved(sim.clock(), 1s)).ok());
  ASSERT_TRUE(sim.Stop().ok());
  sim.RunFor(24h);
  EXPECT_TRUE(sim.trace().records().empty());
  EXPECT_TRUE(sim.GetStatus().stopped);
  EXPECT_EQ(sim.ScheduleTask({"x", 0ms, false, 0ms, {}}).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(sim.Cancel("nope").code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace syncagent
