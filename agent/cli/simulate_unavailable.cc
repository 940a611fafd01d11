// `syncagent simulate ...` in a build without tools (-DSYNCAGENT_BUILD_TOOLS=OFF): the simulators
// live in tools/simulators, so the command is listed but any arguments (--help too) print one
// line, "syncagent: simulate: this syncagent was built without tools ...", and exit 1. Builds with
// tools compile simulate_command.cc instead.
#include "agent/cli/command_host.h"
#include "agent/cli/exit_codes.h"

namespace syncagent::cli {

void RegisterSimulateCommand(CLI::App& app, CommandHost& host) {
  CLI::App* sub = app.add_subcommand(
      "simulate", "Not in this build (built with -DSYNCAGENT_BUILD_TOOLS=OFF).");
  sub->prefix_command();  // whatever follows is accepted, so the answer is always the line below
  sub->fallthrough(false);
  sub->set_help_flag();
  host.Bind(sub, "simulate", [&host] {
    return host.ctx->Fail(kExitFailure,
                          "this syncagent was built without tools (-DSYNCAGENT_BUILD_TOOLS=OFF); "
                          "the simulators need a syncagent built with tools");
  });
}

}  // namespace syncagent::cli
