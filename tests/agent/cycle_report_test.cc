// CycleReport's stop kinds: the typed reason and its JSON.
#include "agent/cycle_report.h"

#include <gtest/gtest.h>

namespace syncagent {
namespace {

TEST(CycleReportTest, ACycleThatDidNotStopEarlyHasNoStopInItsJson) {
  CycleReport report;
  EXPECT_EQ(report.StopReason(), "");
  EXPECT_FALSE(report.ToJson().contains("stop"));
  EXPECT_FALSE(report.ToJson().contains("stop_reason"));
}

TEST(CycleReportTest, DeadlineAndCancellationAreDistinctKinds) {
  CycleReport deadline;
  deadline.outcome = CycleOutcome::kPartial;
  deadline.stop = StopKind::kDeadline;
  EXPECT_EQ(deadline.ToJson()["stop"], "deadline");
  EXPECT_EQ(deadline.ToJson()["stop_reason"], "deadline");

  // A canceller whose words happen to be "deadline" is still a cancellation.
  CycleReport cancelled;
  cancelled.outcome = CycleOutcome::kPartial;
  cancelled.stop = StopKind::kCancelled;
  cancelled.cancel_reason = "deadline";
  EXPECT_EQ(cancelled.ToJson()["stop"], "cancelled");
  EXPECT_EQ(cancelled.ToJson()["stop_reason"], "deadline");

  cancelled.cancel_reason.clear();
  EXPECT_EQ(cancelled.StopReason(), "cancelled");
}

}  // namespace
}  // namespace syncagent
