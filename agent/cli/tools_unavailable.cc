// The commands that run tools/ code, in a build without tools (-DSYNCAGENT_BUILD_TOOLS=OFF):
// `syncagent mock-server ...` (tools/mock_server), `syncagent fault-proxy ...`
// (tools/fault_proxy) and `syncagent simulate ...` (tools/simulators). They are still listed, so a
// user following docs/mock-server.md or docs/platforms.md learns why they do not run. Any arguments
// (--help too) print one line, "syncagent: <command>: this syncagent was built without tools ...",
// and exit 1. Builds with tools compile server_tool_commands.cc and simulate_command.cc instead.
#include <string>

#include "agent/cli/command_host.h"
#include "agent/cli/exit_codes.h"

namespace syncagent::cli {
namespace {

// Registers `name` as a command that only says it is not in this build; `hint` ends the line.
void RegisterUnavailable(CLI::App& app, CommandHost& host, const std::string& name,
                         const std::string& hint) {
  CLI::App* sub =
      app.add_subcommand(name, "Not in this build (built with -DSYNCAGENT_BUILD_TOOLS=OFF).");
  sub->prefix_command();  // whatever follows is accepted, so the answer is always the line below
  sub->fallthrough(false);
  sub->set_help_flag();
  host.Bind(sub, name, [&host, hint] {
    return host.ctx->Fail(
        kExitFailure,
        "this syncagent was built without tools (-DSYNCAGENT_BUILD_TOOLS=OFF); " + hint);
  });
}

}  // namespace

void RegisterMockServerCommand(CLI::App& app, CommandHost& host) {
  RegisterUnavailable(app, host, "mock-server",
                      "use syncagent-mock-server or a syncagent built with tools");
}

void RegisterFaultProxyCommand(CLI::App& app, CommandHost& host) {
  RegisterUnavailable(app, host, "fault-proxy",
                      "use syncagent-fault-proxy or a syncagent built with tools");
}

void RegisterSimulateCommand(CLI::App& app, CommandHost& host) {
  RegisterUnavailable(app, host, "simulate", "the simulators need a syncagent built with tools");
}

}  // namespace syncagent::cli
