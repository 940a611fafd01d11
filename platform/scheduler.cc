#include "platform/scheduler.h"

namespace syncagent {

std::string_view ToString(TaskResult value) {
  switch (value) {
    case TaskResult::kSuccess:
      return "success";
    case TaskResult::kRetry:
      return "retry";
    case TaskResult::kFailure:
      return "failure";
  }
  return "unknown";
}

std::string_view ToString(NetworkRequirement value) {
  switch (value) {
    case NetworkRequirement::kNone:
      return "none";
    case NetworkRequirement::kAny:
      return "any";
    case NetworkRequirement::kUnmetered:
      return "unmetered";
    case NetworkRequirement::kNotRoaming:
      return "not_roaming";
  }
  return "unknown";
}

std::string_view ToString(BackoffKind value) {
  switch (value) {
    case BackoffKind::kExponential:
      return "exponential";
    case BackoffKind::kLinear:
      return "linear";
  }
  return "unknown";
}

const PendingTaskStatus* SchedulerStatus::Find(std::string_view task_id) const {
  for (const PendingTaskStatus& task : pending) {
    if (task.task_id == task_id) return &task;
  }
  return nullptr;
}

Status ValidateScheduleOptions(const ScheduleOptions& options) {
  if (options.task_id.empty()) return InvalidArgumentError("schedule: task_id is empty");
  if (options.minimum_interval.count() <= 0) {
    return InvalidArgumentError("schedule: minimum_interval must be positive");
  }
  if (options.jitter_percent < 0 || options.jitter_percent > 100) {
    return InvalidArgumentError("schedule: jitter_percent must be within 0..100, got " +
                                std::to_string(options.jitter_percent));
  }
  if (options.time_budget.count() <= 0) {
    return InvalidArgumentError("schedule: time_budget must be positive");
  }
  if (options.backoff.initial.count() <= 0 || options.backoff.max.count() <= 0) {
    return InvalidArgumentError("schedule: backoff durations must be positive");
  }
  return Status::Ok();
}

Status ValidateTaskRequest(const TaskRequest& request) {
  if (request.task_id.empty()) return InvalidArgumentError("task request: task_id is empty");
  if (request.delay.count() < 0) {
    return InvalidArgumentError("task request '" + request.task_id + "': delay is negative");
  }
  if (request.periodic && request.interval.count() <= 0) {
    return InvalidArgumentError("task request '" + request.task_id +
                                "': a periodic task needs a positive interval");
  }
  return Status::Ok();
}

}  // namespace syncagent
