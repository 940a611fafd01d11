#include "tools/simulators/simulated_android_scheduler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "platform/cancel_token.h"
#include "sim_test_util.h"

namespace syncagent {
namespace {

using namespace std::chrono_literals;
using testing_util::IgnoresCancellation;
using testing_util::WellBehaved;

class SimulatedAndroidSchedulerTest : public ::testing::Test {
 protected:
  ScheduleOptions Options(Millis interval = 15min) {
    ScheduleOptions options;
    options.minimum_interval = interval;
    options.time_budget = 25s;
    return options;
  }

  VirtualClock clock_;
  FakeDeviceState device_;
};

TEST_F(SimulatedAndroidSchedulerTest, WeekWithOfflineNightsKeepsTheRhythm) {
  SimulatedAndroidScheduler sim(&clock_, &device_, /*seed=*/42);
  const MonoTime start = clock_.Now();
  testing_util::ScriptWeek(&sim, &device_, start);
  ASSERT_TRUE(sim.Configure(Options(), WellBehaved(sim.clock(), 20s)).ok());

  sim.RunFor(7 * 24h);

  const TraceSummary summary = sim.trace().Summarize({}, /*first_attempts_only=*/true);
  SCOPED_TRACE(summary.ToString());
  // About 4 per hour while online (20 of 24 h), 15 min apart or more.
  EXPECT_GT(summary.runs, 7 * 20 * 3);
  EXPECT_LE(summary.runs, 7 * 24 * 4);
  EXPECT_GE(summary.min_interval, 15min);
  EXPECT_EQ(summary.violations, 0);
  EXPECT_EQ(summary.cancellations, 0);
  EXPECT_EQ(summary.successes, summary.runs);
  for (const WakeRecord& record : sim.trace().records()) {
    EXPECT_LE(record.consumed, record.budget) << record.ToString();
    EXPECT_FALSE(testing_util::ScriptedOffline(start, record.started_at)) << record.ToString();
  }
}

TEST_F(SimulatedAndroidSchedulerTest, RetriesFollowTheBackoffExactly) {
  AndroidSimOptions sim_options;
  sim_options.dispatch_delay_max = 0ms;  // start exactly when eligible
  SimulatedAndroidScheduler sim(&clock_, &device_, 1, sim_options);
  int calls = 0;
  std::vector<int> attempts;
  ASSERT_TRUE(sim.Configure(Options(),
                            [&](const TaskInvocation& invocation) {
                              attempts.push_back(invocation.attempt);
                              sim.clock()->SleepFor(3s, invocation.cancel);
                              return ++calls <= 4 ? TaskResult::kRetry : TaskResult::kSuccess;
                            })
                  .ok());
  sim.RunFor(2h);
  const auto& records = sim.trace().records();
  ASSERT_GE(records.size(), 6u);
  const Millis expected[] = {30s, 60s, 120s, 240s};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(records[i].result, TaskResult::kRetry);
    EXPECT_EQ(records[i + 1].started_at - records[i].ended_at, expected[i]) << i;
    EXPECT_EQ(records[i + 1].requested_at, records[i].ended_at + expected[i]);
  }
  EXPECT_EQ(records[4].result, TaskResult::kSuccess);
  EXPECT_EQ(records[5].started_at - records[4].ended_at, 15min);  // back to the period
  ASSERT_GE(attempts.size(), 6u);
  EXPECT_EQ((std::vector<int>(attempts.begin(), attempts.begin() + 6)),
            (std::vector<int>{1, 2, 3, 4, 5, 1}));
}

TEST_F(SimulatedAndroidSchedulerTest, LinearBackoff) {
  AndroidSimOptions sim_options;
  sim_options.dispatch_delay_max = 0ms;
  SimulatedAndroidScheduler sim(&clock_, &device_, 1, sim_options);
  ScheduleOptions options = Options();
  options.backoff = {BackoffKind::kLinear, 5s /* clamped to 10 s */, 5h};
  ASSERT_TRUE(
      sim.Configure(options, [](const TaskInvocation&) { return TaskResult::kRetry; }).ok());
  sim.RunFor(2min);
  const auto& records = sim.trace().records();
  ASSERT_GE(records.size(), 4u);
  EXPECT_EQ(records[1].started_at - records[0].ended_at, 10s);
  EXPECT_EQ(records[2].started_at - records[1].ended_at, 20s);
  EXPECT_EQ(records[3].started_at - records[2].ended_at, 30s);
}

TEST_F(SimulatedAndroidSchedulerTest, ShortIntervalIsClampedTo15MinutesWithAWarning) {
  SimulatedAndroidScheduler sim(&clock_, &device_, 2);
  ASSERT_TRUE(sim.Configure(Options(5min), WellBehaved(sim.clock(), 1s)).ok());
  ASSERT_EQ(sim.warnings().size(), 1u);
  EXPECT_NE(sim.warnings()[0].find("clamped to 15 min"), std::string::npos);
  EXPECT_EQ(sim.GetStatus().pending[0].interval, 15min);
  sim.RunFor(24h);
  const TraceSummary summary = sim.trace().Summarize({}, true);
  EXPECT_GE(summary.min_interval, 15min);
  EXPECT_GT(summary.runs, 80);
}

TEST_F(SimulatedAndroidSchedulerTest, ExecutionLimitStopsTheWorkerAndReschedulesIt) {
  AndroidSimOptions sim_options;
  sim_options.dispatch_delay_max = 0ms;
  SimulatedAndroidScheduler sim(&clock_, &device_, 3, sim_options);
  ScheduleOptions options = Options();
  options.time_budget = 1h;  // the body asks for more than the OS gives
  std::string reason;
  ASSERT_TRUE(sim.Configure(options,
                            [&](const TaskInvocation& invocation) {
                              EXPECT_EQ(invocation.budget, 10min);
                              if (!sim.clock()->SleepFor(20min, invocation.cancel)) {
                                reason = invocation.cancel->reason();
                              }
                              return TaskResult::kSuccess;  // ignored: the run was stopped
                            })
                  .ok());
  sim.RunFor(10min + 10s);  // the retry comes at 10 min 30 s
  ASSERT_EQ(sim.trace().records().size(), 1u);
  const WakeRecord& first = sim.trace().records()[0];
  EXPECT_TRUE(first.cancelled);
  EXPECT_FALSE(first.violation);
  EXPECT_EQ(first.consumed, 10min);
  EXPECT_NE(reason.find("onStopped"), std::string::npos);
  const SchedulerStatus status = sim.GetStatus();
  const PendingTaskStatus* pending = status.Find("syncagent.refresh");
  ASSERT_NE(pending, nullptr);
  EXPECT_EQ(pending->attempt, 2);
  EXPECT_EQ(pending->next_run, first.ended_at + 30s);
}

TEST_F(SimulatedAndroidSchedulerTest, WorkerIgnoringOnStoppedIsAViolation) {
  SimulatedAndroidScheduler sim(&clock_, &device_, 4);
  ASSERT_TRUE(sim.Configure(Options(), IgnoresCancellation(sim.clock(), 12min)).ok());
  sim.RunFor(1h);
  const TraceSummary summary = sim.trace().Summarize();
  ASSERT_GT(summary.runs, 0);
  EXPECT_EQ(summary.violations, summary.runs);
  EXPECT_EQ(summary.cancellations, summary.runs);
}

TEST_F(SimulatedAndroidSchedulerTest, FailureOnPeriodicWorkMovesToTheNextPeriod) {
  AndroidSimOptions sim_options;
  sim_options.dispatch_delay_max = 0ms;
  SimulatedAndroidScheduler sim(&clock_, &device_, 5, sim_options);
  std::vector<int> attempts;
  ASSERT_TRUE(sim.Configure(Options(),
                            [&](const TaskInvocation& invocation) {
                              attempts.push_back(invocation.attempt);
                              return TaskResult::kFailure;
                            })
                  .ok());
  sim.RunFor(59min);
  const auto& records = sim.trace().records();
  ASSERT_EQ(records.size(), 4u);  // t = 0, 15, 30, 45 min
  EXPECT_EQ(records[1].started_at - records[0].ended_at, 15min);
  EXPECT_EQ(attempts, (std::vector<int>{1, 1, 1, 1}));
}

TEST_F(SimulatedAndroidSchedulerTest, FlexDelaysTheFirstRunToTheEndOfThePeriod) {
  AndroidSimOptions sim_options;
  sim_options.flex = 5min;
  SimulatedAndroidScheduler sim(&clock_, &device_, 6, sim_options);
  const MonoTime start = clock_.Now();
  ASSERT_TRUE(sim.Configure(Options(1h), WellBehaved(sim.clock(), 1s)).ok());
  sim.RunFor(3h);
  const auto& records = sim.trace().records();
  ASSERT_GE(records.size(), 2u);
  EXPECT_EQ(records[0].requested_at, start + 55min);
  EXPECT_GE(records[0].started_at, start + 55min);
  EXPECT_LE(records[0].started_at, start + 56min);  // dispatch delay <= 1 min
  EXPECT_EQ(records[1].requested_at, records[0].ended_at + 1h);

  AndroidSimOptions tiny;
  tiny.flex = 1min;
  SimulatedAndroidScheduler clamped(&clock_, &device_, 6, tiny);
  ASSERT_TRUE(clamped.Configure(Options(1h), WellBehaved(clamped.clock(), 1s)).ok());
  ASSERT_EQ(clamped.warnings().size(), 1u);
  EXPECT_NE(clamped.warnings()[0].find("clamped to 5 min"), std::string::npos);
}

TEST_F(SimulatedAndroidSchedulerTest, KeepAndUpdatePolicies) {
  AndroidSimOptions sim_options;
  sim_options.dispatch_delay_max = 0ms;
  SimulatedAndroidScheduler sim(&clock_, &device_, 7, sim_options);
  const MonoTime start = clock_.Now();
  ASSERT_TRUE(sim.Configure(Options(), WellBehaved(sim.clock(), 1s)).ok());
  TaskRequest request{"extra", 0ms, true, 30min, {}};
  ASSERT_TRUE(sim.EnqueueUniquePeriodicWork(request, ExistingPeriodicWorkPolicy::kKeep, 5min).ok());
  EXPECT_EQ(sim.GetStatus().Find("extra")->next_run, start + 25min);
  request.interval = 1h;
  ASSERT_TRUE(sim.EnqueueUniquePeriodicWork(request, ExistingPeriodicWorkPolicy::kKeep, 5min).ok());
  EXPECT_EQ(sim.GetStatus().Find("extra")->interval, 30min);  // kept
  ASSERT_TRUE(
      sim.EnqueueUniquePeriodicWork(request, ExistingPeriodicWorkPolicy::kUpdate, 5min).ok());
  EXPECT_EQ(sim.GetStatus().Find("extra")->interval, 1h);
  EXPECT_EQ(sim.GetStatus().Find("extra")->next_run, start + 55min);  // same period start
  EXPECT_TRUE(sim.trace().HasNote("KEEP"));
  EXPECT_TRUE(sim.trace().HasNote("UPDATE"));
}

TEST_F(SimulatedAndroidSchedulerTest, DuplicateFiresHappenAtTheConfiguredRate) {
  AndroidSimOptions sim_options;
  sim_options.duplicate_probability = 0.2;
  sim_options.duplicate_max_gap = 20s;
  SimulatedAndroidScheduler sim(&clock_, &device_, 8, sim_options);
  // A single-flight lease, as the agent's HeadlessTask holds one: overlapping starts are refused.
  bool lease_held = false;
  int refused = 0, max_concurrent = 0, concurrent = 0;
  ASSERT_TRUE(sim.Configure(Options(),
                            [&](const TaskInvocation& invocation) {
                              max_concurrent = std::max(max_concurrent, ++concurrent);
                              if (lease_held) {
                                ++refused;
                                --concurrent;
                                return TaskResult::kSuccess;
                              }
                              lease_held = true;
                              sim.clock()->SleepFor(15s, invocation.cancel);
                              lease_held = false;
                              --concurrent;
                              return TaskResult::kSuccess;
                            })
                  .ok());
  sim.RunFor(7 * 24h);
  const TraceSummary summary = sim.trace().Summarize();
  SCOPED_TRACE(summary.ToString());
  const int firsts = summary.runs - summary.duplicates;
  ASSERT_GT(firsts, 600);
  const double rate = static_cast<double>(summary.duplicates) / firsts;
  EXPECT_GT(rate, 0.15);  // binomial, n ~ 670, p = 0.2: sd ~ 0.015
  EXPECT_LT(rate, 0.25);
  int overlapped = 0;
  for (const WakeRecord& record : sim.trace().records()) {
    if (record.overlapped) {
      EXPECT_TRUE(record.duplicate);
      ++overlapped;
    }
  }
  EXPECT_GT(overlapped, 0);                   // gap <= 20 s, run = 15 s: most overlap
  EXPECT_LT(overlapped, summary.duplicates);  // and some come right after
  EXPECT_EQ(max_concurrent, 2);
  EXPECT_EQ(refused, overlapped);  // the lease turned every overlap away
  EXPECT_EQ(summary.violations, 0);
}

TEST_F(SimulatedAndroidSchedulerTest, PeriodicWorkSurvivesAReboot) {
  AndroidSimOptions sim_options;
  sim_options.boot_duration = 2min;
  SimulatedAndroidScheduler sim(&clock_, &device_, 9, sim_options);
  const MonoTime start = clock_.Now();
  ASSERT_TRUE(sim.Configure(Options(), WellBehaved(sim.clock(), 1s)).ok());
  sim.AddEvent(start + 2h, [&] { sim.Reboot(); });
  sim.RunFor(4h);
  EXPECT_TRUE(sim.trace().HasNote("reboot"));
  int after_reboot = 0;
  for (const WakeRecord& record : sim.trace().records()) {
    EXPECT_FALSE(record.started_at > start + 2h && record.started_at < start + 2h + 2min);
    if (record.started_at >= start + 2h) ++after_reboot;
  }
  EXPECT_GE(after_reboot, 6);
}

TEST_F(SimulatedAndroidSchedulerTest, WithoutStartOnBootTheScheduleEndsAtReboot) {
  SimulatedAndroidScheduler sim(&clock_, &device_, 10);
  ScheduleOptions options = Options();
  options.start_on_boot = false;
  ASSERT_TRUE(sim.Configure(options, WellBehaved(sim.clock(), 1s)).ok());
  sim.RunFor(1h);
  const size_t before = sim.trace().records().size();
  sim.Reboot();
  sim.RunFor(5h);
  EXPECT_EQ(sim.trace().records().size(), before);
  EXPECT_EQ(sim.GetStatus().Find("syncagent.refresh"), nullptr);
}

TEST_F(SimulatedAndroidSchedulerTest, ChargingConstraintWaitsForTheChargingWindow) {
  SimulatedAndroidScheduler sim(&clock_, &device_, 11);
  const MonoTime start = clock_.Now();
  testing_util::ScriptWeek(&sim, &device_, start);
  ScheduleOptions options = Options(1h);
  options.constraints.network = NetworkRequirement::kUnmetered;
  options.constraints.requires_charging = true;
  ASSERT_TRUE(sim.Configure(options, WellBehaved(sim.clock(), 1s)).ok());
  sim.RunFor(2 * 24h);
  const auto& records = sim.trace().records();
  ASSERT_FALSE(records.empty());
  for (const WakeRecord& record : records) {
    const auto in_day = (record.started_at - start) % 24h;
    EXPECT_TRUE(in_day >= 22h || in_day < 7h) << record.ToString();
    EXPECT_NE(record.constraints_seen.find("charging=yes"), std::string::npos);
    EXPECT_NE(record.constraints_seen.find("network=unmetered"), std::string::npos);
  }
  // The first night: 22:00 -> 01:00 and 05:00 -> 07:00 online and charging.
  EXPECT_GE(records.front().started_at, start + 22h);
}

TEST_F(SimulatedAndroidSchedulerTest, OneOffTaskRunsOnceAfterItsDelay) {
  SimulatedAndroidScheduler sim(&clock_, &device_, 12);
  const MonoTime start = clock_.Now();
  ASSERT_TRUE(sim.Configure(Options(), WellBehaved(sim.clock(), 1s)).ok());
  ASSERT_TRUE(sim.ScheduleTask({"push-now", 10min, false, 0ms, {}}).ok());
  sim.RunFor(3h);
  const std::vector<WakeRecord> runs = sim.trace().ForTask("push-now");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_GE(runs[0].started_at, start + 10min);
  EXPECT_FALSE(runs[0].periodic);
  EXPECT_EQ(sim.GetStatus().Find("push-now"), nullptr);
}

TEST_F(SimulatedAndroidSchedulerTest, StopOnTerminate) {
  SimulatedAndroidScheduler sim(&clock_, &device_, 13);
  ScheduleOptions options = Options();
  options.stop_on_terminate = true;
  ASSERT_TRUE(sim.Configure(options, WellBehaved(sim.clock(), 1s)).ok());
  sim.RunFor(1h);
  const size_t before = sim.trace().records().size();
  sim.TerminateApp();
  sim.RunFor(5h);
  EXPECT_EQ(sim.trace().records().size(), before);
  EXPECT_TRUE(sim.GetStatus().stopped);
}

}  // namespace
}  // namespace syncagent
