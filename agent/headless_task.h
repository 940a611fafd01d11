// HeadlessTask: the body of the OS's background wake-up (background_fetch's headless task,
// WorkManager's Worker.doWork, BGTaskScheduler's launch handler, a systemd timer's service).
//
// Run(invocation):
//   1. single flight — takes the store's persistent "sync" lease (atomic across processes), so a
//      duplicate or overlapping fire returns promptly as `skipped` (logged) instead of running a
//      second cycle;
//   2. logs the wake-up in the run log (requested time, start, constraints seen, budget);
//   3. runs one sync cycle on a worker thread with its own deadline a margin before the OS's;
//      the OS's cancel signal (expiration handler / onStopped) is forwarded to the cycle;
//   4. watchdog: if the cycle has not returned when the margin is half used, it is cancelled; if
//      it still has not returned shortly before the OS deadline, Run returns anyway (kRetry,
//      "watchdog") so the OS is always told before the budget ends — the worker keeps the agent
//      alive and releases the lease when it finally returns;
//   5. maps the cycle to the OS's vocabulary — done → success; partial at the deadline →
//      success (more next time); cancelled by the OS → retry; transient/network → retry;
//      permanent → failure — and keeps a persisted attempt counter with WorkManager-style
//      backoff (exponential or linear, 30 s default, clamped 10 s .. 5 h), reset on success;
//   6. keeps a fleet from stampeding a recovering server (agent/retry_plan.h): a periodic wake
//      that fails because of the server waits for its next slot instead of asking for a retry;
//      the server's Retry-After becomes a persisted quiet period for the device (periodic wakes
//      in it make no request: `deferred`); retry delays and quiet periods get up to 50% random extra.
//
//   7. a store that cannot log the run's start (disk or size cap full, I/O error, locked: the
//      store's transient errors, storage/sqlite_db.h) makes no request and returns kRetry with
//      the scheduler's backoff — nothing was synced, space may be freed; any other store error
//      is kFailure. Either way the attempt goes to the run log's fallback slot
//      (Store::NoteUnloggedRun: rewritten in place, so a full database can usually still take
//      it) and shows in ListRuns / `syncagent status`; a FinishRun that fails is kept there too.
//
// Thread safety: Run may be called concurrently (the lease arbitrates); each call blocks until
// its result is known.
#ifndef SYNCAGENT_AGENT_HEADLESS_TASK_H_
#define SYNCAGENT_AGENT_HEADLESS_TASK_H_

#include <memory>
#include <optional>
#include <string>

#include "agent/agent.h"
#include "agent/retry_plan.h"
#include "platform/backoff_policy.h"
#include "platform/scheduler.h"

namespace syncagent {

struct HeadlessOptions {
  Millis watchdog_margin{2000};  // the cycle's own deadline is this far before the OS's (at most
                                 // a quarter of the budget)
  Millis lease_grace{30000};     // lease TTL = budget + grace (a crashed holder expires)
  BackoffOptions backoff;        // scheduler-level backoff after kRetry
  double retry_spread = 0.5;     // random extra on retry delays and quiet periods (retry_plan.h)
};

struct HeadlessResult {
  TaskResult task_result = TaskResult::kSuccess;
  bool skipped = false;         // another run held the lease
  bool deferred = false;        // periodic wake in the server's quiet period: no request made
  bool watchdog_fired = false;  // the cycle did not return in time
  std::optional<CycleReport> report;
  std::string reason;
  Millis retry_delay{0};  // kRetry: when to try again (server / transport / scheduler backoff)
  int attempt = 1;        // 1 + consecutive retries before this run
  int64_t run_id = 0;

  nlohmann::json ToJson() const;
};

// A wake-up as its caller knows it; InvocationNow turns it into the TaskInvocation that Run takes.
// The one place where the CLI's `run`, SyncAgent::RunHeadless (and so the C API) and RunCold
// build an invocation.
struct WakeRequest {
  std::string task_id;           // "" = the config's schedule.task_id
  std::optional<Millis> budget;  // nullopt = the config's schedule.time_budget_seconds
  const CancelToken* cancel = nullptr;  // REQUIRES: non-null, outlives the run
  // The OS's periodic schedule woke it (a systemd timer, WorkManager, BGAppRefresh): the
  // server's quiet period applies (retry_plan.h, rule 2). False for a one-off request.
  bool periodic = true;
  std::string constraints_seen;  // how the caller saw the device ("cli", a DeviceSnapshot)
};

// Requested and started now on the agent's clock; the deadline is `budget` from now.
TaskInvocation InvocationNow(Agent& agent, const WakeRequest& request);

class HeadlessTask {
 public:
  explicit HeadlessTask(std::shared_ptr<Agent> agent, HeadlessOptions options = {});

  HeadlessResult Run(const TaskInvocation& invocation);

  // A TaskHandler for platform schedulers (Scheduler::Configure).
  TaskHandler AsHandler();

  // A cold start: loads the config file, opens the agent, runs one invocation with `budget`
  // from now, and closes. Config errors come back as a kFailure result naming the problem.
  static HeadlessResult RunCold(const std::string& config_path, const std::string& task_id,
                                Millis budget, const CancelToken* cancel = nullptr);

 private:
  // Step 7: BeginRun failed with `error`; nothing was run.
  // The retry plan for `in` under this task's backoff, with a fresh random draw.
  RetryPlan Plan(const RetryPlanInput& in) const;
  HeadlessResult RunLogFailed(const TaskInvocation& invocation, const RunStart& start,
                              const Status& error);
  // Runs the cycle on a worker thread under the watchdog (cancel at the soft stop, give up at the
  // hard stop). True, with result->report set, when the cycle finished in time; false when it was
  // abandoned (the worker finishes on its own and releases the lease `owner` holds).
  bool RunWatched(const TaskInvocation& invocation, const std::string& owner,
                  HeadlessResult* result);
  // What to tell the OS and how long the device stays quiet (retry_plan.h), persisted across
  // processes in the retries and quiet-until checkpoints.
  void ApplyRetryPlan(const TaskInvocation& invocation, int previous_retries, int64_t not_before,
                      HeadlessResult* result);

  std::shared_ptr<Agent> agent_;
  HeadlessOptions options_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_AGENT_HEADLESS_TASK_H_
