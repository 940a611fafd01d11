// The config module's entry points: JSON text or a file -> a validated AgentConfig.
//
//   StatusOr<AgentConfig> c = LoadConfigFile("/etc/syncagent/config.json");
//
// ParseConfig / LoadConfigFile return the config, or an INVALID_ARGUMENT Status whose message lists
// every error, one per line, each "<json.path>: <message>" (file errors are prefixed with the file
// path; a JSON syntax error reads "line L, column C: <what>"). CheckConfig / CheckConfigFile return
// the same errors as structured issues plus the lint warnings of a valid config (the CLI's
// `config check`). No secret value ever appears in a message, and no exception escapes.
//
// Thread safety: all functions are reentrant; the options' env lookup is called on the caller's
// thread.
#ifndef SYNCAGENT_CONFIG_CONFIG_LOADER_H_
#define SYNCAGENT_CONFIG_CONFIG_LOADER_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/agent_config.h"
#include "config/config_issue.h"
#include "config/config_options.h"
#include "syncagent/status.h"

namespace syncagent {

// Config files larger than this are refused.
inline constexpr size_t kMaxConfigFileBytes = 1024 * 1024;

// The detailed outcome of checking a config.
struct ConfigResult {
  std::optional<AgentConfig> config;  // set when errors is empty
  std::vector<ConfigIssue> errors;
  std::vector<ConfigIssue> warnings;  // LintConfig's, for options.target_platform
  std::string file;                   // CheckConfigFile: the file, to prefix messages with

  bool ok() const { return errors.empty(); }
  // Every error, one per line, formatted with FormatIssue (and the file).
  std::string ErrorText() const;
  // Every warning, one per line.
  std::string WarningText() const;
};

ConfigResult CheckConfig(std::string_view text, const ConfigOptions& options = {});
// Relative paths inside resolve against the file's directory (options.base_dir is ignored).
ConfigResult CheckConfigFile(const std::string& path, const ConfigOptions& options = {});

StatusOr<AgentConfig> ParseConfig(std::string_view text, const ConfigOptions& options = {});
// A missing file is NOT_FOUND, an unreadable one PERMISSION_DENIED or IO_ERROR, a directory or a
// file over kMaxConfigFileBytes INVALID_ARGUMENT; each message names the file and the reason.
StatusOr<AgentConfig> LoadConfigFile(const std::string& path, const ConfigOptions& options = {});

}  // namespace syncagent

#endif  // SYNCAGENT_CONFIG_CONFIG_LOADER_H_
