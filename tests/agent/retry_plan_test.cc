// The rule HeadlessTask (and bench/fleet_bench) uses after a cycle: agent/retry_plan.h.
#include "agent/retry_plan.h"

#include <gtest/gtest.h>

namespace syncagent {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)

RetryPlanInput Failed(RetryClass error_class, bool periodic, Millis suggested = 0ms,
                      int previous_retries = 0) {
  RetryPlanInput in;
  in.periodic = periodic;
  in.result = TaskResult::kRetry;
  in.error_class = error_class;
  in.suggested_delay = suggested;
  in.previous_retries = previous_retries;
  return in;
}

TEST(RetryPlanTest, SuccessResetsTheCounterAndAsksNothing) {
  RetryPlanInput in;
  in.result = TaskResult::kSuccess;
  in.previous_retries = 4;
  const RetryPlan plan = PlanRetry(in, {}, 0.7);
  EXPECT_EQ(plan.result, TaskResult::kSuccess);
  EXPECT_EQ(plan.retries, 0);
  EXPECT_EQ(plan.retry_delay, 0ms);
  EXPECT_EQ(plan.quiet_for, 0ms);
  EXPECT_TRUE(plan.note.empty());
}

TEST(RetryPlanTest, FailureKeepsTheCounter) {
  RetryPlanInput in;
  in.result = TaskResult::kFailure;
  in.previous_retries = 2;
  const RetryPlan plan = PlanRetry(in, {}, 0.1);
  EXPECT_EQ(plan.result, TaskResult::kFailure);
  EXPECT_EQ(plan.retries, 2);
}

TEST(RetryPlanTest, OneOffRetryFollowsTheLadderWithUpToHalfExtra) {
  for (int previous = 0; previous < 4; ++previous) {
    const Millis base = 30s * (1 << previous);
    const RetryPlan low = PlanRetry(Failed(RetryClass::kTransient, false, 0ms, previous), {}, 0.0);
    const RetryPlan high =
        PlanRetry(Failed(RetryClass::kTransient, false, 0ms, previous), {}, 0.999999);
    EXPECT_EQ(low.result, TaskResult::kRetry);
    EXPECT_EQ(low.retries, previous + 1);
    EXPECT_EQ(low.retry_delay, base);
    EXPECT_GT(high.retry_delay, base * 149 / 100);
    EXPECT_LE(high.retry_delay, base * 3 / 2);
  }
}

TEST(RetryPlanTest, ServerSuggestionIsTheFloorOfTheDelayAndStartsAQuietPeriod) {
  const RetryPlan plan = PlanRetry(Failed(RetryClass::kTransient, false, 600s), {}, 0.5);
  EXPECT_EQ(plan.quiet_for, 750s);  // 600 s + 50% of the 50% spread
  EXPECT_EQ(plan.retry_delay, 750s);
  RetryPlanOptions no_spread;
  no_spread.spread = 0;
  EXPECT_EQ(PlanRetry(Failed(RetryClass::kTransient, false, 600s), no_spread, 0.9).retry_delay,
            600s);
}

TEST(RetryPlanTest, PeriodicWakeKeepsItsSlotOnServerFailures) {
  const RetryPlan plan = PlanRetry(Failed(RetryClass::kTransient, true, 120s, 3), {}, 0.0);
  EXPECT_EQ(plan.result, TaskResult::kSuccess);
  EXPECT_EQ(plan.retry_delay, 0ms);
  EXPECT_EQ(plan.retries, 0);
  EXPECT_EQ(plan.quiet_for, 120s);
  EXPECT_NE(plan.note.find("next periodic slot"), std::string::npos) << plan.note;
}

TEST(RetryPlanTest, PeriodicWakeStillRetriesOnConnectivityCancellationAndWatchdog) {
  for (RetryClass c : {RetryClass::kNetwork, RetryClass::kNone, RetryClass::kAuth}) {
    const RetryPlan plan = PlanRetry(Failed(c, true, 5s), {}, 0.0);
    EXPECT_EQ(plan.result, TaskResult::kRetry) << RetryClassName(c);
    EXPECT_EQ(plan.retry_delay, 30s) << RetryClassName(c);
    EXPECT_EQ(plan.quiet_for, 0ms) << "only the server's own trouble makes the device quiet";
  }
}

TEST(RetryPlanTest, SpreadOptionIsHonouredAndDrawIsClamped) {
  RetryPlanOptions options;
  options.spread = 1.0;
  EXPECT_EQ(PlanRetry(Failed(RetryClass::kNetwork, false), options, 0.5).retry_delay, 45s);
  EXPECT_EQ(PlanRetry(Failed(RetryClass::kNetwork, false), options, 7.0).retry_delay, 60s);
  EXPECT_EQ(PlanRetry(Failed(RetryClass::kNetwork, false), options, -1.0).retry_delay, 30s);
  options.backoff.initial = 10min;
  EXPECT_EQ(PlanRetry(Failed(RetryClass::kNetwork, false), options, 0.0).retry_delay, 10min);
}

TEST(RetryPlanTest, QuietWakeSucceedsAndSaysHowLongIsLeft) {
  const RetryPlan plan = PlanQuietWake(1'000'000, 1'000'000 + 61'500);
  EXPECT_EQ(plan.result, TaskResult::kSuccess);
  EXPECT_EQ(plan.retries, 0);
  EXPECT_EQ(plan.note, "deferred: the server asked for no requests for another 62 s");
}

}  // namespace
}  // namespace syncagent
