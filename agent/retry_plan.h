// RetryPlan: what a headless run tells the OS scheduler after its cycle, and how long the whole
// device stays quiet towards the server. A pure function, so the fleet benchmark
// (bench/fleet_bench.cc) runs exactly the rule HeadlessTask runs.
//
// Why it exists: a fleet on 15-minute schedules is spread evenly over time. A server outage
// bunches it up — every device that woke during the outage fails — and whatever rule brings
// the failed devices back decides the spike the server sees when it recovers. Measured with
// 10,000 devices and a 10-minute outage (docs/benchmarks.md, fleet): WorkManager-style
// exponential backoff on every failure gave a recovery peak of 5–13x the steady rate, and a
// Retry-After pointing at the end of the outage gave 57x (every device came back in the same
// second). The rules below give <= 2x:
//
//   1. A periodic wake that fails because of the server (retry class transient: 5xx, 429, a
//      malformed or cut reply, a timeout) reports kSuccess to the OS and waits for its next
//      periodic slot. The periodic cadence already is the retry schedule, and each device's
//      slot keeps its own phase, so the failed devices come back as spread out as they came.
//      (Asking the OS for a retry would start WorkManager's un-jittered 30 s, 60 s, 120 s ...
//      ladder on every device that failed in the same minute.)
//   2. A server failure's suggested wait (the server's Retry-After, else the transport's own
//      backoff) becomes a persisted "not before" instant for the whole device, with a random
//      extra of up to `spread` (50%) of the wait. Periodic wakes before it make no request and
//      report kSuccess; the first periodic slot after it — again in the device's own phase —
//      does the work. One-off runs (the app's or the user's explicit request) are not held
//      back; their retry delay is never shorter than the quiet period.
//   3. Any other kRetry (a one-off task, no connectivity, the watchdog) waits
//      max(scheduler backoff, the suggested delay) plus a random extra of up to `spread` of it,
//      so devices that failed together do not retry together.
//
// Connectivity failures (retry class network) keep the OS retry on periodic wakes too: they are
// the device's own problem, not load on the server, and the OS's network constraint gates them.
#ifndef SYNCAGENT_AGENT_RETRY_PLAN_H_
#define SYNCAGENT_AGENT_RETRY_PLAN_H_

#include <string>

#include "platform/backoff_policy.h"
#include "platform/clock.h"
#include "platform/scheduler.h"
#include "syncagent/status.h"

namespace syncagent {

struct RetryPlanInput {
  bool periodic = false;
  TaskResult result = TaskResult::kSuccess;  // the cycle mapped to the OS's vocabulary
  RetryClass error_class = RetryClass::kNone;
  Millis suggested_delay{0};  // the server's Retry-After, or the transport's backoff suggestion
  int previous_retries = 0;         // consecutive kRetry results before this run
};

struct RetryPlan {
  TaskResult result = TaskResult::kSuccess;
  Millis retry_delay{0};  // kRetry: when to run again
  Millis quiet_for{0};    // > 0: no request to the server for this long (rule 2)
  int retries = 0;        // the persisted counter after this run (0 = reset)
  std::string note;       // why the result differs from the cycle's, for the run log; or empty
};

struct RetryPlanOptions {
  BackoffOptions backoff;
  double spread = 0.5;  // random extra, as a fraction of the delay (0 = none)
};

// `draw` is uniform in [0, 1): the random part (the caller owns the generator).
RetryPlan PlanRetry(const RetryPlanInput& input, const RetryPlanOptions& options, double draw);

// A periodic wake before `not_before_wall_ms` (rule 2): what to report, without any request.
RetryPlan PlanQuietWake(int64_t now_wall_ms, int64_t not_before_wall_ms);

}  // namespace syncagent

#endif  // SYNCAGENT_AGENT_RETRY_PLAN_H_
