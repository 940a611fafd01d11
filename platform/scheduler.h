// Scheduler: the seam between an OS background scheduler and syncagent's headless task.
//
// What: the value types an adapter hands to the task body (TaskInvocation), what the body reports
// back (TaskResult), the options an app configures (ScheduleOptions, modelled on background_fetch's
// `configure` and WorkManager's periodic work), and the `Scheduler` interface every adapter
// implements (in-process thread, simulated iOS/Android policies, systemd timer, and later the
// Android JNI bridge and the Apple BGTaskScheduler glue).
//
// Why: the agent's HeadlessTask is written once against this interface; each OS's rules (minimum
// interval, time budget, retry backoff, constraints) live in its adapter.
//
// The design is synchronous: the handler's return value is background_fetch's
// `finish(task_id, result)`. An app whose work is asynchronous blocks inside the handler until its
// work completes (or the invocation's `cancel` fires and it has wound down), then returns the
// result.
//
// Threading contract: each adapter documents the thread its handler runs on. An adapter never runs
// two invocations of the same handler concurrently on purpose; the simulated Android scheduler does
// so deliberately only to reproduce WorkManager's duplicate-fire quirk. Scheduler methods are safe
// to call from any thread unless the adapter says otherwise (the simulators are single-threaded).
#ifndef SYNCAGENT_PLATFORM_SCHEDULER_H_
#define SYNCAGENT_PLATFORM_SCHEDULER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/clock.h"
#include "syncagent/status.h"

namespace syncagent {

class CancelToken;

// What the task body reports to the OS: Android Result.success()/retry()/failure(); on iOS
// setTaskCompleted(success: result == kSuccess).
enum class TaskResult { kSuccess, kRetry, kFailure };

// WorkManager's NetworkType (NOT_REQUIRED, CONNECTED, UNMETERED, NOT_ROAMING).
enum class NetworkRequirement { kNone, kAny, kUnmetered, kNotRoaming };

// WorkManager's BackoffPolicy.
enum class BackoffKind { kExponential, kLinear };

std::string_view ToString(TaskResult value);
std::string_view ToString(NetworkRequirement value);
std::string_view ToString(BackoffKind value);

// When a task may run (WorkManager Constraints; iOS honours network and external power).
struct TaskConstraints {
  NetworkRequirement network = NetworkRequirement::kAny;
  bool requires_charging = false;
  bool requires_battery_not_low = false;
  bool requires_storage_not_low = false;
  bool requires_device_idle = false;
};

// What an adapter hands to the task body for one wake-up.
struct TaskInvocation {
  std::string task_id;
  int64_t requested_at_wall_ms = 0;     // when the run was due (earliest begin, period, retry time)
  int64_t started_at_wall_ms = 0;       // when the OS actually started it
  MonoTime deadline;                    // on the adapter's clock: started + budget
  Millis budget{0};                     // what the body may use; finish (checkpointed) before it
  const CancelToken* cancel = nullptr;  // the OS's expiration handler / onStopped; never null
  std::string constraints_seen;         // DeviceSnapshot::ToString() at start
  int attempt = 1;                      // 1 + retries since the last success
  bool periodic = false;
};

using TaskHandler = std::function<TaskResult(const TaskInvocation&)>;

// Retry backoff after TaskResult::kRetry (WorkManager's setBackoffCriteria).
struct BackoffOptions {
  BackoffKind policy = BackoffKind::kExponential;
  Millis initial = std::chrono::seconds(30);  // clamped to [10 s, 5 h] by BackoffPolicy
  Millis max = std::chrono::hours(5);         // clamped to [initial, 5 h]
};

// The periodic sync task's configuration (background_fetch `configure` + WorkManager periodic
// work). The agent maps its ScheduleConfig onto this struct; platform/ does not read config/.
struct ScheduleOptions {
  std::string task_id = "syncagent.refresh";
  // Android: the periodic interval (>= 15 min, clamped by the simulator). iOS: the earliest-begin
  // offset of every refresh request. In-process / systemd: the nominal interval.
  Millis minimum_interval = std::chrono::minutes(15);
  int jitter_percent =
      10;  // 0..100: +/- spread of the in-process timer, systemd RandomizedDelaySec
  Millis time_budget = std::chrono::seconds(25);  // the body's own deadline (capped by the OS's)
  bool stop_on_terminate = false;                 // Android: app termination stops the schedule
  bool start_on_boot = true;                      // Android/Linux: the schedule survives a reboot
  bool enable_headless = true;  // Android: run with the app terminated (headless task)
  TaskConstraints constraints;
  BackoffOptions backoff;
};

// An extra task (background_fetch `scheduleTask`): a one-off after `delay`, or periodic.
struct TaskRequest {
  std::string task_id;
  Millis delay{0};
  bool periodic = false;
  Millis interval{0};  // periodic only
  TaskConstraints constraints;
};

// One scheduled task as an adapter sees it.
struct PendingTaskStatus {
  std::string task_id;
  bool periodic = false;
  Millis interval{0};
  MonoTime next_run;  // earliest start on the adapter's clock
  int64_t next_run_wall_ms = 0;
  int attempt = 1;  // the attempt number the next run will carry
  bool waiting_for_constraints = false;
  std::string why_not;  // why the constraints failed last, when waiting
};

// background_fetch `status`.
struct SchedulerStatus {
  bool configured = false;
  bool stopped = false;
  std::vector<PendingTaskStatus> pending;
  std::string running_task;  // empty when idle
  int64_t runs = 0;          // invocations so far

  // The pending entry for `task_id`, or null.
  const PendingTaskStatus* Find(std::string_view task_id) const;
};

// Checks what every adapter requires: a task id, a positive interval and budget, jitter in
// 0..100. Adapters add their OS's own rules on top.
Status ValidateScheduleOptions(const ScheduleOptions& options);
Status ValidateTaskRequest(const TaskRequest& request);

class Scheduler {
 public:
  virtual ~Scheduler() = default;

  // Registers the handler and schedules the periodic task `options.task_id`. Calling it again
  // replaces the options and the handler.
  virtual Status Configure(const ScheduleOptions& options, TaskHandler handler) = 0;
  // Schedules an extra task; it runs the handler given to Configure (REQUIRES: configured).
  virtual Status ScheduleTask(const TaskRequest& request) = 0;
  // Removes a pending task (and cancels it when running). NotFound when unknown.
  virtual Status Cancel(std::string_view task_id) = 0;
  // Cancels everything and stops scheduling until Configure is called again.
  virtual Status Stop() = 0;
  virtual SchedulerStatus GetStatus() const = 0;
};

}  // namespace syncagent

#endif  // SYNCAGENT_PLATFORM_SCHEDULER_H_
