#include "platform/in_process_scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "platform/cancel_token.h"
#include "tools/simulators/fake_device_state.h"

namespace syncagent {
namespace {

using namespace std::chrono_literals;

// Polls `done` for up to 10 s of real time (generous: correctness, not speed).
bool WaitUntil(const std::function<bool()>& done) {
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

class InProcessSchedulerTest : public ::testing::Test {
 protected:
  InProcessOptions FastOptions() {
    InProcessOptions options;
    options.constraint_poll = 5ms;
    options.backoff_limits = {1ms, 1s};
    options.seed = 7;
    return options;
  }
  ScheduleOptions Every(Millis interval) {
    ScheduleOptions options;
    options.minimum_interval = interval;
    options.jitter_percent = 20;
    options.time_budget = 2s;
    options.backoff = {BackoffKind::kExponential, 10ms, 1s};
    return options;
  }

  RealClock clock_;
  FakeDeviceState device_;
};

TEST_F(InProcessSchedulerTest, RunsRepeatedly) {
  InProcessScheduler scheduler(&clock_, &device_, FastOptions());
  std::atomic<int> runs{0};
  ASSERT_TRUE(scheduler
                  .Configure(Every(20ms),
                             [&](const TaskInvocation& invocation) {
                               EXPECT_TRUE(invocation.periodic);
                               EXPECT_EQ(invocation.attempt, 1);
                               EXPECT_EQ(invocation.budget, 2s);
                               EXPECT_NE(invocation.cancel, nullptr);
                               EXPECT_GE(invocation.started_at_wall_ms,
                                         invocation.requested_at_wall_ms);
                               ++runs;
                               return TaskResult::kSuccess;
                             })
                  .ok());
  EXPECT_TRUE(WaitUntil([&] { return runs >= 5; }));
  const SchedulerStatus status = scheduler.GetStatus();
  EXPECT_TRUE(status.configured);
  EXPECT_GE(status.runs, 5);
  ASSERT_NE(status.Find("syncagent.refresh"), nullptr);
  ASSERT_TRUE(scheduler.Stop().ok());
  const int after_stop = runs;
  std::this_thread::sleep_for(60ms);
  EXPECT_EQ(runs, after_stop);
  EXPECT_TRUE(scheduler.GetStatus().stopped);
}

TEST_F(InProcessSchedulerTest, ConstraintsBlockRunsUntilSatisfied) {
  device_.SetNetwork(NetworkKind::kNone);
  InProcessScheduler scheduler(&clock_, &device_, FastOptions());
  std::atomic<int> runs{0};
  ScheduleOptions options = Every(10ms);
  options.constraints.network = NetworkRequirement::kUnmetered;
  ASSERT_TRUE(scheduler
                  .Configure(options,
                             [&](const TaskInvocation& invocation) {
                               EXPECT_NE(invocation.constraints_seen.find("network=unmetered"),
                                         std::string::npos);
                               ++runs;
                               return TaskResult::kSuccess;
                             })
                  .ok());
  // The scheduler keeps polling the device while the network is missing.
  EXPECT_TRUE(WaitUntil([&] { return device_.snapshot_count() >= 5; }));
  EXPECT_EQ(runs, 0);
  const SchedulerStatus status = scheduler.GetStatus();
  const PendingTaskStatus* pending = status.Find("syncagent.refresh");
  ASSERT_NE(pending, nullptr);
  EXPECT_TRUE(pending->waiting_for_constraints);
  EXPECT_NE(pending->why_not.find("network unmetered required"), std::string::npos)
      << pending->why_not;
  device_.SetNetwork(NetworkKind::kMetered);
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(runs, 0);
  device_.SetNetwork(NetworkKind::kUnmetered);
  EXPECT_TRUE(WaitUntil([&] { return runs >= 2; }));
}

TEST_F(InProcessSchedulerTest, StopDuringARunningHandlerCancelsAndJoins) {
  InProcessScheduler scheduler(&clock_, &device_, FastOptions());
  std::atomic<bool> started{false};
  std::atomic<bool> saw_cancel{false};
  std::string reason;
  ScheduleOptions options = Every(10ms);
  options.time_budget = 60s;
  ASSERT_TRUE(scheduler
                  .Configure(options,
                             [&](const TaskInvocation& invocation) {
                               started = true;
                               saw_cancel = invocation.cancel->WaitFor(30s);
                               reason = invocation.cancel->reason();
                               return TaskResult::kRetry;
                             })
                  .ok());
  ASSERT_TRUE(WaitUntil([&] { return started.load(); }));
  EXPECT_EQ(scheduler.GetStatus().running_task, "syncagent.refresh");
  const auto before = std::chrono::steady_clock::now();
  ASSERT_TRUE(scheduler.Stop().ok());
  const auto took = std::chrono::steady_clock::now() - before;
  EXPECT_TRUE(saw_cancel);
  EXPECT_NE(reason.find("stopped"), std::string::npos);
  EXPECT_LT(took, 2s);  // ~immediate; generous for a loaded machine
}

TEST_F(InProcessSchedulerTest, DeadlineCancelsTheToken) {
  InProcessScheduler scheduler(&clock_, &device_, FastOptions());
  std::atomic<int> runs{0};
  std::string reason;
  ScheduleOptions options = Every(10ms);
  options.time_budget = 30ms;
  ASSERT_TRUE(scheduler
                  .Configure(options,
                             [&](const TaskInvocation& invocation) {
                               if (runs == 0) {
                                 EXPECT_TRUE(invocation.cancel->WaitFor(10s));
                                 reason = invocation.cancel->reason();
                                 EXPECT_GE(clock_.Now(), invocation.deadline);
                               }
                               ++runs;
                               return TaskResult::kSuccess;
                             })
                  .ok());
  ASSERT_TRUE(WaitUntil([&] { return runs >= 1; }));
  ASSERT_TRUE(scheduler.Stop().ok());
  EXPECT_NE(reason.find("deadline"), std::string::npos);
}

TEST_F(InProcessSchedulerTest, NoTwoInvocationsEverOverlap) {
  InProcessScheduler scheduler(&clock_, &device_, FastOptions());
  std::atomic<int> concurrent{0}, max_concurrent{0}, runs{0};
  auto handler = [&](const TaskInvocation&) {
    const int now = ++concurrent;
    int seen = max_concurrent;
    while (now > seen && !max_concurrent.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(3ms);
    --concurrent;
    ++runs;
    return TaskResult::kSuccess;
  };
  ASSERT_TRUE(scheduler.Configure(Every(5ms), handler).ok());
  for (int i = 0; i < 10; ++i) {
    TaskRequest request;
    request.task_id = "one-off." + std::to_string(i);
    ASSERT_TRUE(scheduler.ScheduleTask(request).ok());  // all due at once
  }
  ASSERT_TRUE(scheduler.ScheduleTask({"periodic.extra", 0ms, true, 5ms, {}}).ok());
  EXPECT_TRUE(WaitUntil([&] { return runs >= 30; }));
  ASSERT_TRUE(scheduler.Stop().ok());
  EXPECT_EQ(max_concurrent, 1);
}

TEST_F(InProcessSchedulerTest, RetryBacksOffAndSuccessResetsTheAttempt) {
  InProcessScheduler scheduler(&clock_, &device_, FastOptions());
  std::mutex mu;
  std::vector<int> attempts;
  std::vector<std::chrono::steady_clock::time_point> starts;
  ASSERT_TRUE(scheduler
                  .Configure(Every(200ms),
                             [&](const TaskInvocation& invocation) {
                               std::lock_guard<std::mutex> lock(mu);
                               attempts.push_back(invocation.attempt);
                               starts.push_back(std::chrono::steady_clock::now());
                               return attempts.size() <= 3 ? TaskResult::kRetry
                                                           : TaskResult::kSuccess;
                             })
                  .ok());
  EXPECT_TRUE(WaitUntil([&] {
    std::lock_guard<std::mutex> lock(mu);
    return attempts.size() >= 5;
  }));
  ASSERT_TRUE(scheduler.Stop().ok());
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ((std::vector<int>(attempts.begin(), attempts.begin() + 5)),
            (std::vector<int>{1, 2, 3, 4, 1}));
  // Backoff 10, 20, 40 ms between retries (never earlier), then the 200 ms +/- 20 % interval.
  EXPECT_GE(starts[1] - starts[0], 10ms);
  EXPECT_GE(starts[2] - starts[1], 20ms);
  EXPECT_GE(starts[3] - starts[2], 40ms);
  EXPECT_GE(starts[4] - starts[3], 160ms);
}

TEST_F(InProcessSchedulerTest, OneOffRunsOnceAndCancelRemovesTasks) {
  InProcessScheduler scheduler(&clock_, &device_, FastOptions());
  std::atomic<int> one_off{0};
  ASSERT_TRUE(scheduler
                  .Configure(Every(1h),
                             [&](const TaskInvocation& invocation) {
                               if (invocation.task_id == "now") ++one_off;
                               EXPECT_NE(invocation.task_id, "later");
                               return TaskResult::kSuccess;
                             })
                  .ok());
  ASSERT_TRUE(scheduler.ScheduleTask({"later", 100ms, false, 0ms, {}}).ok());
  ASSERT_TRUE(scheduler.Cancel("later").ok());
  EXPECT_EQ(scheduler.Cancel("later").code(), StatusCode::kNotFound);
  ASSERT_TRUE(scheduler.ScheduleTask({"now", 0ms, false, 0ms, {}}).ok());
  EXPECT_TRUE(WaitUntil([&] { return one_off == 1; }));
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(one_off, 1);
  EXPECT_EQ(scheduler.GetStatus().Find("now"), nullptr);
  ASSERT_NE(scheduler.GetStatus().Find("syncagent.refresh"), nullptr);
}

TEST_F(InProcessSchedulerTest, MisuseIsReportedNotThrown) {
  InProcessScheduler scheduler(&clock_, &device_, FastOptions());
  EXPECT_EQ(scheduler.ScheduleTask({"x", 0ms, false, 0ms, {}}).code(),
            StatusCode::kFailedPrecondition);
  ScheduleOptions bad = Every(0ms);
  EXPECT_EQ(
      scheduler.Configure(bad, [](const TaskInvocation&) { return TaskResult::kSuccess; }).code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(scheduler.Configure(Every(10ms), nullptr).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(scheduler.Stop().ok());  // never started: fine
}

}  // namespace
}  // namespace syncagent
