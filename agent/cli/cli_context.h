// CliContext: what every command shares — the global flags, the Console, the config file and the
// agent opened from it.
//
// What: ResolveConfigPath() applies the lookup order (--config, then $SYNCAGENT_CONFIG, then
// ./syncagent.json); LoadConfig() loads and validates it, registers its secrets with the Console
// (bearer token, header values) and applies the log level (--log-level, else logging.level, then
// one step more verbose per -v); OpenAgent() opens the Agent. Each failure is reported as ONE
// line through Console::Error and comes back as the exit code to use (kExitUsage for a missing
// or invalid config, kExitFailure when the store cannot be opened).
//
// Thread safety: used from the main thread only (the Console itself is thread-safe).
#ifndef SYNCAGENT_AGENT_CLI_CLI_CONTEXT_H_
#define SYNCAGENT_AGENT_CLI_CLI_CONTEXT_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "agent/agent.h"
#include "agent/cli/console.h"
#include "config/config.h"

namespace syncagent::cli {

struct GlobalFlags {
  std::string config_path;  // --config
  std::string log_level;    // --log-level ("" = from the config)
  int verbosity = 0;        // number of -v
};

// A command's outcome when it could not get as far as its own work: the exit code to return.
struct ExitCode {
  int code = 0;
};

class CliContext {
 public:
  explicit CliContext(Console* console) : console_(console) {}

  GlobalFlags& flags() { return flags_; }
  Console& console() { return *console_; }

  // The command currently running ("put", "conflicts resolve"), used as the error prefix.
  void set_command(std::string command) { command_ = std::move(command); }
  const std::string& command() const { return command_; }

  // Applies --log-level / -v before a config is loaded. Returns false (error printed) when the
  // --log-level value is unknown.
  bool ApplyEarlyLogLevel();

  std::string ResolveConfigPath() const;
  // Loads the config; on failure prints one line and returns kExitUsage.
  std::variant<AgentConfig, ExitCode> LoadConfig();
  // Loads the config and opens the agent; on failure prints one line and returns the exit code.
  std::variant<std::shared_ptr<Agent>, ExitCode> OpenAgent(AgentOptions options = {});

  // Prints "syncagent: <command>: <message>" and returns `code`.
  int Fail(int code, std::string_view message);

 private:
  void ApplyLogLevel(LogLevel from_config);

  Console* console_;
  GlobalFlags flags_;
  std::string command_;
};

std::optional<LogLevel> ParseLogLevel(std::string_view name);

}  // namespace syncagent::cli

#endif  // SYNCAGENT_AGENT_CLI_CLI_CONTEXT_H_
