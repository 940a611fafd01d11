#include "agent/cli/schedule_mapping.h"

#include <filesystem>

namespace syncagent::cli {
namespace fs = std::filesystem;

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

SystemdOptions ToSystemdOptions(const AgentConfig& config, const std::string& executable,
                                const std::string& config_path) {
  std::error_code ec;
  SystemdOptions o;
  o.task_id = config.schedule.task_id;
  o.executable = executable.empty() ? std::string() : fs::absolute(executable, ec).string();
  o.config_path = fs::absolute(config_path, ec).lexically_normal().string();
  o.store_dir =
      fs::absolute(config.storage.path, ec).lexically_normal().parent_path().string();
  o.interval = std::chrono::minutes(config.schedule.minimum_interval_minutes);
  o.jitter_percent = static_cast<int>(config.schedule.jitter_percent);
  o.budget = std::chrono::seconds(config.schedule.time_budget_seconds);
  o.token_env = config.server.auth.token_env;
  return o;
}

std::string SelfExecutable() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : self.string();
}

}  // namespace syncagent::cli
