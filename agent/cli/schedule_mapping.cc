#include "agent/cli/schedule_mapping.h"

#include <filesystem>

namespace syncagent::cli {
namespace fs = std::filesystem;

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
