#include "agent/retry_plan.h"

#include <algorithm>
#include <cmath>

namespace syncagent {
namespace {

Millis Spread(Millis delay, double spread, double draw) {
  if (delay.count() <= 0 || spread <= 0) return delay;
  const double extra = static_cast<double>(delay.count()) * spread * std::clamp(draw, 0.0, 1.0);
  return delay + Millis(static_cast<int64_t>(std::floor(extra)));
}

}  // namespace

RetryPlan PlanRetry(const RetryPlanInput& input, const RetryPlanOptions& options, double draw) {
  RetryPlan plan;
  plan.result = input.result;
  if (input.result != TaskResult::kRetry) {
    plan.retries = input.result == TaskResult::kSuccess ? 0 : input.previous_retries;
    return plan;
  }
  const bool server_side = input.error_class == RetryClass::kTransient;
  if (server_side && input.suggested_delay.count() > 0) {
    plan.quiet_for = Spread(input.suggested_delay, options.spread, draw);
  }
  if (server_side && input.periodic) {
    plan.result = TaskResult::kSuccess;
    plan.retries = 0;
    plan.note = "server unavailable: waiting for the next periodic slot";
    return plan;
  }
  BackoffPolicy backoff(options.backoff);
  plan.retries = input.previous_retries + 1;
  const Millis base = std::max(backoff.DelayForRetry(plan.retries), input.suggested_delay);
  plan.retry_delay = Spread(base, options.spread, draw);
  // A one-off retry never comes back before the quiet period ends.
  plan.retry_delay = std::max(plan.retry_delay, plan.quiet_for);
  return plan;
}

RetryPlan PlanQuietWake(int64_t now_wall_ms, int64_t not_before_wall_ms) {
  RetryPlan plan;
  const int64_t remaining_ms = std::max<int64_t>(0, not_before_wall_ms - now_wall_ms);
  plan.result = TaskResult::kSuccess;
  plan.retries = 0;
  plan.note = "deferred: the server asked for no requests for another " +
              std::to_string((remaining_ms + 999) / 1000) + " s";
  return plan;
}

}  // namespace syncagent
