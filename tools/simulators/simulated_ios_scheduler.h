// SimulatedIosScheduler: BGTaskScheduler's policy on a VirtualClock, for tests and for app
// developers who want to see what iOS will do with their schedule.
//
// What it models (see docs/platforms.md):
//   - The refresh task (Configure) is a BGAppRefreshTaskRequest with only an earliest-begin date
//     (now + minimum_interval). iOS runs it at earliest_begin + a usage-pattern delay (default:
//     80 % within 15-60 min, otherwise 1-8 h; configurable). Apps must re-submit after each run:
//     this adapter does it automatically, as the real glue will (kRetry or expiration re-submit at
//     now + BackoffPolicy delay, anything else at now + minimum_interval).
//   - ~30 s budget: at the budget the expiration handler fires (the invocation's token is
//     cancelled). A task still running 5 s later is a violation (the real OS kills the app).
//   - At most one pending refresh request (submitting replaces it) and at most 10 pending
//     processing requests (ScheduleTask); an 11th distinct one fails like
//     BGTaskScheduler.Error.tooManyPendingTaskRequests. Same identifier = replace.
//   - Processing requests honour network and external power (requiresNetworkConnectivity,
//     requiresExternalPower) and get `processing_budget` (several minutes; Apple gives no number).
//   - The refresh task needs network; it waits while offline and runs shortly after it returns.
//   - ForceQuit(): no runs at all until LaunchApp().
// Not modelled: the learned usage model itself, Low Power Mode, Background App Refresh switched
// off by the user, the daily budget of wake-ups.
//
// The handler should sleep on clock() (a SimClock) so the expiration can interrupt it mid-sleep.
// Timeline events (AddEvent) are applied between runs; one due during a run applies when it ends.
//
// Threading contract: single-threaded. The handler runs on the thread calling RunUntil/RunFor and
// may call ScheduleTask/Cancel; everything else must not be called from inside the handler.
#ifndef SYNCAGENT_TOOLS_SIMULATORS_SIMULATED_IOS_SCHEDULER_H_
#define SYNCAGENT_TOOLS_SIMULATORS_SIMULATED_IOS_SCHEDULER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <string>

#include "platform/backoff_policy.h"
#include "platform/scheduler.h"
#include "tools/simulators/fake_device_state.h"
#include "tools/simulators/sim_clock.h"
#include "tools/simulators/sim_timeline.h"
#include "tools/simulators/sim_trace.h"

namespace syncagent {

// How long after earliest-begin iOS actually runs a task.
struct UsageDelayModel {
  double short_probability = 0.8;
  Millis short_min = std::chrono::minutes(15);
  Millis short_max = std::chrono::minutes(60);
  Millis long_min = std::chrono::hours(1);
  Millis long_max = std::chrono::hours(8);
  // When set, replaces the mixture above.
  std::function<Millis(std::mt19937_64&)> custom;
};

struct IosSimOptions {
  Millis refresh_budget = std::chrono::seconds(30);
  Millis processing_budget = std::chrono::minutes(5);
  Millis kill_grace = std::chrono::seconds(5);
  UsageDelayModel usage_delay;
  // After the network (or power) returns, a waiting task starts within this.
  Millis resume_delay_max = std::chrono::minutes(5);
  int max_processing_requests = 10;
};

class SimulatedIosScheduler final : public Scheduler {
 public:
  // REQUIRES: clock and device outlive the scheduler.
  SimulatedIosScheduler(VirtualClock* clock, FakeDeviceState* device, uint64_t seed,
                        IosSimOptions options = {});

  Status Configure(const ScheduleOptions& options, TaskHandler handler) override;
  // A BGProcessingTaskRequest (periodic ones are re-submitted after each run).
  Status ScheduleTask(const TaskRequest& request) override;
  Status Cancel(std::string_view task_id) override;
  Status Stop() override;
  SchedulerStatus GetStatus() const override;

  // The user swipes the app away: iOS no longer launches it in the background.
  void ForceQuit();
  // The user opens the app: background launches resume; overdue requests get a fresh delay.
  void LaunchApp();
  bool app_running() const { return app_running_; }

  void AddEvent(MonoTime at, std::function<void()> fn) { timeline_.Add(at, std::move(fn)); }
  void AddEventAfter(std::chrono::nanoseconds after, std::function<void()> fn) {
    timeline_.Add(clock_.Now() + after, std::move(fn));
  }
  // Runs every due event and task up to `until`; the clock ends at `until` (or later, when a
  // handler ran past it).
  void RunUntil(MonoTime until);
  void RunFor(std::chrono::nanoseconds duration) { RunUntil(clock_.Now() + duration); }

  // The clock the handler should sleep on.
  Clock* clock() { return &clock_; }
  const SimTrace& trace() const { return trace_; }

 private:
  struct Request {
    std::string task_id;
    bool refresh = false;
    bool periodic = false;
    Millis interval{0};
    TaskConstraints constraints;
    MonoTime earliest_begin;
    MonoTime due;  // when iOS decides to run it
    bool waiting = false;
    std::string why_not;
    std::string deferred_by;  // why_not of the first refused start since submission
    BackoffPolicy backoff;
    uint64_t generation = 0;
  };

  void Submit(Request request, MonoTime earliest_begin);
  Millis SampleUsageDelay();
  Millis SampleUniform(Millis low, Millis high);
  bool Allowed(const Request& request, const DeviceSnapshot& snapshot, std::string* why_not) const;
  Request* EarliestDue();
  void RecheckWaiting();
  void Attempt(Request* request);
  void AfterRun(const std::string& task_id, uint64_t generation, const WakeRecord& record);

  SimClock clock_;
  FakeDeviceState* device_;
  IosSimOptions sim_options_;
  std::mt19937_64 rng_;
  SimTimeline timeline_;
  SimTrace trace_;

  bool configured_ = false;
  bool stopped_ = false;
  bool app_running_ = true;
  ScheduleOptions options_;
  TaskHandler handler_;
  std::map<std::string, Request> requests_;
  uint64_t next_generation_ = 1;
  std::string running_;
  int64_t runs_ = 0;
};

}  // namespace syncagent

#endif  // SYNCAGENT_TOOLS_SIMULATORS_SIMULATED_IOS_SCHEDULER_H_
