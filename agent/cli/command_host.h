// CommandHost: how subcommands plug into the CLI11 parser.
//
// What: each command file has a Register*(CLI::App& parent, CommandHost& host) that adds its
// subcommand(s) and options and Bind()s a body. CLI11 only records which subcommand was parsed
// (the callback stores the body as `action`); CliMain runs the action after parsing succeeded, so
// no command does any work (or touches the store) unless its whole command line was valid.
//
// Thread safety: main thread only.
#ifndef SYNCAGENT_AGENT_CLI_COMMAND_HOST_H_
#define SYNCAGENT_AGENT_CLI_COMMAND_HOST_H_

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "agent/cli/cli_context.h"

namespace syncagent::cli {

struct CommandHost {
  CliContext* ctx = nullptr;
  std::function<int()> action;  // the parsed command's body; empty until parsed

  // When `sub` is parsed, its body becomes the action; `name` prefixes its error messages.
  void Bind(CLI::App* sub, std::string name, std::function<int()> body) {
    sub->callback([this, name = std::move(name), body = std::move(body)] {
      action = [this, name, body] {
        ctx->set_command(name);
        return body();
      };
    });
  }
};

void RegisterRunCommand(CLI::App& app, CommandHost& host);
void RegisterDaemonCommand(CLI::App& app, CommandHost& host);
void RegisterDataCommands(CLI::App& app, CommandHost& host);  // put patch delete get ls
void RegisterQueryCommand(CLI::App& app, CommandHost& host);
void RegisterImportCommand(CLI::App& app, CommandHost& host);
void RegisterChangesCommand(CLI::App& app, CommandHost& host);
void RegisterStatusCommand(CLI::App& app, CommandHost& host);
void RegisterConflictsCommand(CLI::App& app, CommandHost& host);
void RegisterDeadLettersCommand(CLI::App& app, CommandHost& host);
void RegisterConfigCommand(CLI::App& app, CommandHost& host);
void RegisterScheduleCommand(CLI::App& app, CommandHost& host);
void RegisterMockServerCommand(CLI::App& app, CommandHost& host);
void RegisterFaultProxyCommand(CLI::App& app, CommandHost& host);
void RegisterSimulateCommand(CLI::App& app, CommandHost& host);

}  // namespace syncagent::cli

#endif  // SYNCAGENT_AGENT_CLI_COMMAND_HOST_H_
