#include "agent/cli/cli_context.h"

#include <cstdlib>
#include <filesystem>

#include "agent/cli/exit_codes.h"

namespace syncagent::cli {
namespace fs = std::filesystem;

std::optional<LogLevel> ParseLogLevel(std::string_view name) {
  if (name == "warning") return LogLevel::kWarn;
  return EnumFromName<LogLevel>(name);
}

int CliContext::Fail(int code, std::string_view message) {
  console_->Error(command_, message);
  return code;
}

bool CliContext::ApplyEarlyLogLevel() {
  if (!flags_.log_level.empty() && !ParseLogLevel(flags_.log_level)) {
    Fail(kExitUsage, "--log-level: expected one of trace, debug, info, warn, error, off; got \"" +
                         flags_.log_level + "\"");
    return false;
  }
  ApplyLogLevel(LogLevel::kInfo);
  return true;
}

void CliContext::ApplyLogLevel(LogLevel from_config) {
  LogLevel level = from_config;
  if (!flags_.log_level.empty()) level = ParseLogLevel(flags_.log_level).value_or(from_config);
  int value = static_cast<int>(level);
  if (level == LogLevel::kOff && flags_.verbosity > 0) value = static_cast<int>(LogLevel::kError);
  value = std::max(static_cast<int>(LogLevel::kTrace), value - flags_.verbosity);
  console_->SetLevel(static_cast<LogLevel>(value));
}

std::string CliContext::ResolveConfigPath() const {
  if (!flags_.config_path.empty()) return flags_.config_path;
  const char* env = std::getenv("SYNCAGENT_CONFIG");
  if (env != nullptr && env[0] != '\0') return env;
  return "syncagent.json";
}

std::variant<AgentConfig, ExitCode> CliContext::LoadConfig() {
  const std::string path = ResolveConfigPath();
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    std::string how = flags_.config_path.empty() ? " (use --config FILE or set SYNCAGENT_CONFIG)"
                                                 : "";
    return ExitCode{Fail(kExitUsage, "config file " + path + " not found" + how)};
  }
  ConfigResult result = CheckConfigFile(path);
  if (!result.ok()) {
    const ConfigIssue& first = result.errors.front();
    std::string message = "invalid config: " + FormatIssue(first, path);
    if (result.errors.size() > 1) {
      message += " (and " + std::to_string(result.errors.size() - 1) + " more error" +
                 (result.errors.size() > 2 ? "s" : "") + ": run `syncagent config check`)";
    }
    return ExitCode{Fail(kExitUsage, message)};
  }
  AgentConfig config = std::move(*result.config);
  for (const std::string& secret : SecretValues(config.server)) console_->AddSecret(secret);
  ApplyLogLevel(config.logging.level);
  console_->Log(LogLevel::kDebug, "config " + path + ": server " + config.server.base_url +
                                      ", store " + config.storage.path);
  console_->Log(LogLevel::kTrace,
                "config: auth " + std::string(ToString(config.server.auth.type)) + ", token " +
                    config.server.auth.token.ToString() +
                    (config.server.auth.token_env.empty()
                         ? std::string()
                         : " (from $" + config.server.auth.token_env + ")") +
                    ", task " + config.schedule.task_id + ", every " +
                    std::to_string(config.schedule.minimum_interval_minutes) + " min, budget " +
                    std::to_string(config.schedule.time_budget_seconds) + " s");
  for (const ConfigIssue& warning : result.warnings) {
    console_->Log(LogLevel::kDebug, "config warning: " + FormatIssue(warning));
  }
  return config;
}

std::variant<std::shared_ptr<Agent>, ExitCode> CliContext::OpenAgent(AgentOptions options) {
  auto loaded = LoadConfig();
  if (auto* exit = std::get_if<ExitCode>(&loaded)) return *exit;
  const AgentConfig& config = std::get<AgentConfig>(loaded);
  auto agent = Agent::Open(config, std::move(options));
  if (!agent.ok()) {
    return ExitCode{Fail(kExitFailure, "cannot open the agent: " + agent.status().ToString())};
  }
  console_->Log(LogLevel::kTrace, "store " + (*agent)->store_path() + " opened (client " +
                                      (*agent)->client_id() + ")");
  return std::shared_ptr<Agent>(std::move(*agent));
}

}  // namespace syncagent::cli
