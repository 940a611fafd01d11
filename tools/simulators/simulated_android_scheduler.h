// SimulatedAndroidScheduler: WorkManager's policy on a VirtualClock, for tests and for app
// developers who want to see what Android will do with their schedule.
//
// What it models (see docs/platforms.md):
//   - Unique periodic work (Configure, or ScheduleTask with periodic) with
//     ExistingPeriodicWorkPolicy KEEP / UPDATE. Intervals below 15 min are clamped to 15 min and
//     a warning is recorded (WorkManager clamps and logs); flex below 5 min is clamped to 5 min,
//     above the interval to the interval (default flex = interval).
//   - Timing as WorkManager computes it: the first run becomes eligible at
//     enqueue + delay + (interval - flex), i.e. in the last `flex` of the first period; every later
//     period starts when the previous one finished and its run is eligible a full interval later.
//     The system starts eligible work after a dispatch delay drawn from [0, min(flex,
//     dispatch_delay_max)] (JobScheduler batching), once the constraints hold; while they do not,
//     the work waits and starts as soon as they do. Consecutive period starts are therefore never
//     closer than the interval (>= 15 min).
//   - 10-minute execution limit: the token is cancelled (onStopped); the run counts as stopped and
//     is rescheduled like a retry. A body still running 5 s later is recorded as a violation.
//   - Result.retry -> BackoffPolicy (exponential/linear from 30 s, clamped 10 s..5 h); a later
//     success resets it and the periodic rhythm resumes. Result.failure on periodic work -> the
//     next period (the attempt counter restarts). One-off work ends on success or failure.
//   - The duplicate-fire quirk: with `duplicate_probability`, a start is followed by a second
//     start of the same work within `duplicate_max_gap`: concurrently (nested inside the first
//     run's sleep on clock()) when the first is still running, else right after it. Duplicates are
//     marked in the trace; their results do not move the schedule.
//   - Reboot(): nothing runs for `boot_duration`; all work survives (WorkManager persists it),
//     except the configured task when start_on_boot is false. TerminateApp(): stop_on_terminate
//     cancels everything; otherwise runs continue headless, or are skipped (noted) when
//     enable_headless is false, until LaunchApp().
// Not modelled: Doze and app-standby buckets, quotas of expedited work, constraints that stop a
// running worker when they stop holding, foreground services.
//
// Timeline events (AddEvent) are applied between runs; one due during a run applies when it ends.
//
// Threading contract: single-threaded. The handler runs on the thread calling RunUntil/RunFor and
// may call ScheduleTask/Cancel; everything else must not be called from inside the handler.
#ifndef SYNCAGENT_TOOLS_SIMULATORS_SIMULATED_ANDROID_SCHEDULER_H_
#define SYNCAGENT_TOOLS_SIMULATORS_SIMULATED_ANDROID_SCHEDULER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "platform/backoff_policy.h"
#include "platform/scheduler.h"
#include "tools/simulators/fake_device_state.h"
#include "tools/simulators/sim_clock.h"
#include "tools/simulators/sim_timeline.h"
#include "tools/simulators/sim_trace.h"

namespace syncagent {

enum class ExistingPeriodicWorkPolicy { kKeep, kUpdate };

struct AndroidSimOptions {
  Millis execution_limit = std::chrono::minutes(10);
  Millis kill_grace = std::chrono::seconds(5);
  Millis dispatch_delay_max = std::chrono::minutes(1);
  std::optional<Millis> flex;  // none = the interval
  ExistingPeriodicWorkPolicy existing_policy = ExistingPeriodicWorkPolicy::kUpdate;  // Configure
  double duplicate_probability = 0.0;
  Millis duplicate_max_gap = std::chrono::seconds(20);
  Millis boot_duration = std::chrono::minutes(1);
};

class SimulatedAndroidScheduler final : public Scheduler {
 public:
  static constexpr Millis kMinPeriodicInterval{15 * 60 * 1000};
  static constexpr Millis kMinFlex{5 * 60 * 1000};

  // REQUIRES: clock and device outlive the scheduler.
  SimulatedAndroidScheduler(VirtualClock* clock, FakeDeviceState* device, uint64_t seed,
                            AndroidSimOptions options = {});

  // enqueueUniquePeriodicWork(options.task_id, options_.existing_policy, ...).
  Status Configure(const ScheduleOptions& options, TaskHandler handler) override;
  // Periodic: enqueueUniquePeriodicWork with KEEP. One-off: a OneTimeWorkRequest with a delay
  // (REPLACE when the id exists).
  Status ScheduleTask(const TaskRequest& request) override;
  Status Cancel(std::string_view task_id) override;
  Status Stop() override;
  SchedulerStatus GetStatus() const override;

  // The explicit form. `flex` none = the interval. REQUIRES: configured.
  Status EnqueueUniquePeriodicWork(const TaskRequest& request, ExistingPeriodicWorkPolicy policy,
                                   std::optional<Millis> flex);

  void Reboot();
  void TerminateApp();
  void LaunchApp();

  void AddEvent(MonoTime at, std::function<void()> fn) { timeline_.Add(at, std::move(fn)); }
  void AddEventAfter(std::chrono::nanoseconds after, std::function<void()> fn) {
    timeline_.Add(clock_.Now() + after, std::move(fn));
  }
  void RunUntil(MonoTime until);
  void RunFor(std::chrono::nanoseconds duration) { RunUntil(clock_.Now() + duration); }

  Clock* clock() { return &clock_; }
  const SimTrace& trace() const { return trace_; }
  // Clamp warnings ("interval 5 min clamped to 15 min"), also in the trace's notes.
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  struct Work {
    std::string task_id;
    bool periodic = false;
    bool configured_task = false;
    Millis interval{0};
    Millis flex{0};
    TaskConstraints constraints;
    MonoTime period_start;  // enqueue, then the end of the previous period's run
    bool first_period = true;
    Millis initial_delay{0};
    MonoTime eligible;  // the requested time: period window opens / retry is due
    MonoTime due;       // eligible + dispatch delay
    bool waiting = false;
    std::string why_not;
    std::string deferred_by;  // why_not of the first refused start since it became eligible
    bool running = false;
    BackoffPolicy backoff;
    uint64_t generation = 0;
  };
  struct PendingDuplicate {
    MonoTime at;
    std::string task_id;
    uint64_t generation;
    int attempt;
    MonoTime requested_at;
  };

  void Warn(std::string text);
  void SetEligible(Work* work, MonoTime eligible);
  Millis SampleUniform(Millis low, Millis high);
  Work* EarliestDue();
  void RecheckWaiting();
  void Attempt(Work* work);
  void RunDuplicate(const PendingDuplicate& duplicate, bool overlapped);
  void AfterRun(const std::string& task_id, uint64_t generation, const WakeRecord& record);

  SimClock clock_;
  FakeDeviceState* device_;
  AndroidSimOptions sim_options_;
  std::mt19937_64 rng_;
  SimTimeline timeline_;
  SimTrace trace_;
  std::vector<std::string> warnings_;

  bool configured_ = false;
  bool stopped_ = false;
  bool terminated_ = false;
  MonoTime booted_at_;  // nothing runs before this
  ScheduleOptions options_;
  TaskHandler handler_;
  std::map<std::string, Work> works_;
  std::vector<PendingDuplicate> duplicates_;
  uint64_t next_generation_ = 1;
  std::string running_;
  int64_t runs_ = 0;
};

}  // namespace syncagent

#endif  // SYNCAGENT_TOOLS_SIMULATORS_SIMULATED_ANDROID_SCHEDULER_H_
