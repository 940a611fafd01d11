// InProcessScheduler: the Scheduler for desktop apps and daemons, a timer thread in the process.
//
// What: runs the handler every interval +/- jitter (uniform within jitter_percent), plus one-off
// and periodic ScheduleTask tasks, but only when the DeviceState satisfies the task's constraints
// (otherwise it re-checks every `constraint_poll`). Each run gets the time budget as its deadline
// and a CancelToken that is cancelled at the deadline, on Cancel(task_id) and on Stop(). kRetry
// reschedules after the BackoffPolicy delay; success or failure resets the attempt counter
// (periodic tasks move on to their next interval, one-offs end). The handler's own result is
// trusted: a run cancelled at its deadline is whatever the handler then returns.
//
// Why: an app without an OS scheduler (or a daemon) still wants the same schedule semantics.
//
// Threading contract: all methods are safe from any thread, except Stop()/destruction, which must
// not be called from inside the handler (FailedPrecondition). Handlers run one at a time on a
// runner thread started per run, never overlapping; Stop() cancels a running handler and returns
// as soon as it has returned. The Clock is used to read time (deadlines, status) and must advance
// in real time (RealClock); waiting is real (a condition variable that Stop and Cancel wake).
#ifndef SYNCAGENT_PLATFORM_IN_PROCESS_SCHEDULER_H_
#define SYNCAGENT_PLATFORM_IN_PROCESS_SCHEDULER_H_

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "platform/backoff_policy.h"
#include "platform/cancel_token.h"
#include "platform/device_state.h"
#include "platform/scheduler.h"

namespace syncagent {

struct InProcessOptions {
  Millis constraint_poll = std::chrono::seconds(30);
  // WorkManager's clamp by default; tests may lower min_initial to run retries in milliseconds.
  BackoffLimits backoff_limits;
  uint64_t seed = 0;  // 0 = from std::random_device
};

class InProcessScheduler final : public Scheduler {
 public:
  // REQUIRES: clock and device outlive the scheduler.
  InProcessScheduler(Clock* clock, DeviceState* device, InProcessOptions options = {});
  ~InProcessScheduler() override;

  InProcessScheduler(const InProcessScheduler&) = delete;
  InProcessScheduler& operator=(const InProcessScheduler&) = delete;

  // The first periodic run comes one (jittered) interval after Configure.
  Status Configure(const ScheduleOptions& options, TaskHandler handler) override;
  Status ScheduleTask(const TaskRequest& request) override;
  Status Cancel(std::string_view task_id) override;
  Status Stop() override;
  SchedulerStatus GetStatus() const override;

 private:
  struct Task {
    std::string task_id;
    bool periodic = false;
    Millis interval{0};
    TaskConstraints constraints;
    MonoTime requested_at;
    MonoTime next_run;
    bool waiting = false;
    std::string why_not;
    BackoffPolicy backoff;
    uint64_t generation = 0;
  };

  void Loop();
  // Runs `task` (a copy) with mu_ released; returns the handler's result.
  TaskResult RunHandler(std::unique_lock<std::mutex>& lock, const Task& task,
                        const DeviceSnapshot& snapshot);
  Millis Jittered(Millis interval);
  void StartThreadLocked();

  Clock* clock_;
  DeviceState* device_;
  InProcessOptions in_options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
  bool stopping_ = false;
  bool configured_ = false;
  bool stopped_ = false;
  ScheduleOptions options_;
  TaskHandler handler_;
  std::map<std::string, Task> tasks_;
  uint64_t next_generation_ = 1;
  std::shared_ptr<CancelToken> running_token_;
  std::string running_id_;
  std::thread::id runner_id_;
  bool run_done_ = false;
  int64_t runs_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_PLATFORM_IN_PROCESS_SCHEDULER_H_
