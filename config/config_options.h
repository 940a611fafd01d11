// ConfigOptions: what ParseConfig / LoadConfigFile / CheckConfig need from the outside world.
//
// The environment is injected (`env`) so tests and embedders control `${VAR}` expansion and
// `server.auth.token_env`; the default reads the process environment with getenv.
//
// Thread safety: plain values; the default lookup calls getenv, which races with setenv.
#ifndef SYNCAGENT_CONFIG_CONFIG_OPTIONS_H_
#define SYNCAGENT_CONFIG_CONFIG_OPTIONS_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "config/config_issue.h"

namespace syncagent {

// Returns the value of the environment variable `name`, or nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The process environment (getenv).
std::optional<std::string> ProcessEnvironment(std::string_view name);

struct ConfigOptions {
  EnvLookup env = ProcessEnvironment;
  // ParseConfig only: relative paths (storage.path, server.tls.ca_file) are resolved against this
  // directory. Unset: they stay relative (to the process's working directory). LoadConfigFile
  // always uses the config file's own directory.
  std::optional<std::string> base_dir;
  // CheckConfig / CheckConfigFile only: the platform whose lint warnings are reported.
  TargetPlatform target_platform = TargetPlatform::kAny;
};

}  // namespace syncagent

#endif  // SYNCAGENT_CONFIG_CONFIG_OPTIONS_H_
