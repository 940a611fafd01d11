#include "config/config_lint.h"

#include <optional>
#include <string>

#include "config/http_url.h"

namespace syncagent {

std::vector<ConfigIssue> LintConfig(const AgentConfig& config, TargetPlatform platform) {
  std::vector<ConfigIssue> warnings;
  auto warn = [&warnings](std::string path, std::string message) {
    warnings.push_back({std::move(path), std::move(message)});
  };
  const ScheduleConfig& schedule = config.schedule;
  // stop_on_terminate, enable_headless and the constraints are Android (WorkManager) keys.
  const bool android_keys =
      platform == TargetPlatform::kAny || platform == TargetPlatform::kAndroid;

  if (android_keys && !schedule.stop_on_terminate && !schedule.enable_headless) {
    warn("schedule.enable_headless",
         "stop_on_terminate is false but enable_headless is false: on Android, sync events after "
         "the app is terminated have nowhere to run; set enable_headless to true");
  }
  if (android_keys && schedule.constraints.requires_device_idle) {
    warn("schedule.constraints.requires_device_idle",
         "Android rarely lets periodic work run when it requires an idle device; syncs may "
         "almost never happen");
  }
  if (platform == TargetPlatform::kIos) {
    if (schedule.time_budget_seconds > 30) {
      warn("schedule.time_budget_seconds",
           "iOS gives a background app refresh about 30 s; a budget of " +
               std::to_string(schedule.time_budget_seconds) +
               " s will be cut short by the OS (use 30 or less)");
    }
    if (schedule.minimum_interval_minutes < 60) {
      warn("schedule.minimum_interval_minutes",
           "iOS schedules app refresh from usage patterns; an interval of " +
               std::to_string(schedule.minimum_interval_minutes) +
               " minutes is not honoured (expect hours between runs)");
    }
  }
  if (platform == TargetPlatform::kAndroid && schedule.time_budget_seconds > 600) {
    warn("schedule.time_budget_seconds", "WorkManager stops work after 10 minutes; a budget of " +
                                             std::to_string(schedule.time_budget_seconds) +
                                             " s will be cut short");
  }
  if (config.server.allow_insecure_http) {
    std::string why;
    std::optional<config_internal::HttpUrl> url =
        config_internal::ParseHttpUrl(config.server.base_url, &why);
    if (url && !config_internal::IsLoopbackHost(url->host)) {
      warn("server.allow_insecure_http",
           "true with the non-loopback host " + url->host +
               ": data and credentials may travel unencrypted; allow http only for a local "
               "test server (localhost, 127.0.0.0/8, [::1])");
    }
  }
  if (config.server.auth.type == AuthType::kBearer && !config.server.auth.token.empty() &&
      !config.server.auth.token_from_environment) {
    warn("server.auth.token",
         "the bearer token is stored in plain text in the config; use server.auth.token_env or "
         "\"${VAR}\" to read it from the environment");
  }
  if (config.server.auth.type == AuthType::kBasic && !config.server.auth.password.empty() &&
      !config.server.auth.password_from_environment) {
    warn("server.auth.password",
         "the password is stored in plain text in the config; use server.auth.password_env or "
         "\"${VAR}\" to read it from the environment");
  }
  if (schedule.jitter_percent == 0) {
    warn("schedule.jitter_percent",
         "0 makes every device of a fleet sync at the same moment (thundering herd); keep some "
         "jitter, e.g. 10");
  }
  if (config.retry.jitter == JitterKind::kNone) {
    warn("retry.jitter",
         "none makes clients that failed together retry together (thundering herd); use full");
  }
  if (!config.retry.honor_retry_after) {
    warn("retry.honor_retry_after",
         "false ignores the server's Retry-After, so an overloaded server is retried sooner than "
         "it asked");
  }
  return warnings;
}

}  // namespace syncagent
