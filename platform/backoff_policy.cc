#include "platform/backoff_policy.h"

#include <algorithm>
#include <cstdint>

namespace syncagent {

BackoffPolicy::BackoffPolicy(BackoffOptions options, BackoffLimits limits) : kind_(options.policy) {
  Millis ceiling = std::max(limits.max_delay, Millis(1));
  Millis floor = std::clamp(limits.min_initial, Millis(1), ceiling);
  initial_ = std::clamp(options.initial, floor, ceiling);
  max_ = std::clamp(options.max, initial_, ceiling);
}

Millis BackoffPolicy::DelayForRetry(int retry) const {
  SYNCAGENT_CHECK(retry >= 1);
  const int64_t cap = max_.count();
  const int64_t initial = initial_.count();
  if (kind_ == BackoffKind::kLinear) {
    if (retry > cap / initial) return max_;
    return Millis(std::min<int64_t>(initial * retry, cap));
  }
  int64_t delay = initial;
  for (int i = 1; i < retry && delay < cap; ++i) delay *= 2;  // stops long before overflow
  return Millis(std::min(delay, cap));
}

Millis BackoffPolicy::RecordRetry() {
  if (retries_ < 1'000'000) ++retries_;
  return DelayForRetry(retries_);
}

}  // namespace syncagent
