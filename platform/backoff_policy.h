// BackoffPolicy: WorkManager's retry backoff, shared by every scheduler adapter.
//
// What: after the n-th consecutive TaskResult::kRetry the next attempt waits
//   exponential: initial * 2^(n-1)      linear: initial * n
// with `initial` clamped to [10 s, 5 h] (WorkManager's MIN_BACKOFF_MILLIS / MAX_BACKOFF_MILLIS) and
// the result capped at `max` (itself at most 5 h). A success resets the counter, so the next
// invocation is attempt 1 again. Adapters that are not bound by WorkManager's limits (the
// in-process timer in tests) may pass other BackoffLimits.
//
// Why: the OS owns retry timing on Android; the other adapters reproduce the same numbers so an app
// sees one retry behaviour everywhere.
//
// Threading contract: a value type; not synchronized (each adapter guards its own copy).
#ifndef SYNCAGENT_PLATFORM_BACKOFF_POLICY_H_
#define SYNCAGENT_PLATFORM_BACKOFF_POLICY_H_

#include <chrono>

#include "platform/clock.h"
#include "platform/scheduler.h"

namespace syncagent {

// The clamp bounds. The defaults are WorkManager's.
struct BackoffLimits {
  Millis min_initial = std::chrono::seconds(10);
  Millis max_delay = std::chrono::hours(5);
};

class BackoffPolicy {
 public:
  static constexpr Millis kDefaultInitial{30'000};
  static constexpr Millis kMinInitial{10'000};
  static constexpr Millis kMaxDelay{5 * 3600 * 1000};

  explicit BackoffPolicy(BackoffOptions options = {}, BackoffLimits limits = {});

  BackoffKind kind() const { return kind_; }
  Millis initial() const { return initial_; }  // after clamping
  Millis max() const { return max_; }          // after clamping

  // The wait before retry number `retry` (1 = the first retry). REQUIRES: retry >= 1.
  Millis DelayForRetry(int retry) const;

  // Counts one more consecutive retry and returns its delay.
  Millis RecordRetry();
  // A success (or, for periodic work, the end of a period): the counter restarts.
  void Reset() { retries_ = 0; }

  int retries() const { return retries_; }
  // The attempt number of the next invocation: 1 + retries since the last reset.
  int attempt() const { return retries_ + 1; }

 private:
  BackoffKind kind_;
  Millis initial_;
  Millis max_;
  int retries_ = 0;
};

}  // namespace syncagent

#endif  // SYNCAGENT_PLATFORM_BACKOFF_POLICY_H_
