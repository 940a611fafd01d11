#include "agent/schedule_options.h"

namespace syncagent {

TaskConstraints ToTaskConstraints(const Constraints& c) {
  TaskConstraints t;
  switch (c.network) {
    case NetworkType::kNone: t.network = NetworkRequirement::kNone; break;
    case NetworkType::kAny: t.network = NetworkRequirement::kAny; break;
    case NetworkType::kUnmetered: t.network = NetworkRequirement::kUnmetered; break;
    case NetworkType::kNotRoaming: t.network = NetworkRequirement::kNotRoaming; break;
  }
  t.requires_charging = c.requires_charging;
  t.requires_battery_not_low = c.requires_battery_not_low;
  t.requires_storage_not_low = c.requires_storage_not_low;
  t.requires_device_idle = c.requires_device_idle;
  return t;
}

ScheduleOptions ToScheduleOptions(const ScheduleConfig& s) {
  ScheduleOptions o;
  o.task_id = s.task_id;
  o.minimum_interval = std::chrono::minutes(s.minimum_interval_minutes);
  o.jitter_percent = static_cast<int>(s.jitter_percent);
  o.time_budget = std::chrono::seconds(s.time_budget_seconds);
  o.stop_on_terminate = s.stop_on_terminate;
  o.start_on_boot = s.start_on_boot;
  o.enable_headless = s.enable_headless;
  o.constraints = ToTaskConstraints(s.constraints);
  return o;
}

}  // namespace syncagent
