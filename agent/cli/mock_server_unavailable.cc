// `syncagent mock-server ...` in a build without tools (-DSYNCAGENT_BUILD_TOOLS=OFF): the command
// is still listed, so a user following docs/mock-server.md learns why it does not run. Any
// arguments (--help too) print one line, "syncagent: mock-server: this syncagent was built without
// tools ...", and exit 1. Builds with tools compile mock_server_command.cc instead.
#include "agent/cli/command_host.h"
#include "agent/cli/exit_codes.h"

namespace syncagent::cli {

void RegisterMockServerCommand(CLI::App& app, CommandHost& host) {
  CLI::App* sub = app.add_subcommand(
      "mock-server", "Not in this build (built with -DSYNCAGENT_BUILD_TOOLS=OFF).");
  sub->prefix_command();  // whatever follows is accepted, so the answer is always the line below
  sub->fallthrough(false);
  sub->set_help_flag();
  host.Bind(sub, "mock-server", [&host] {
    return host.ctx->Fail(kExitFailure,
                          "this syncagent was built without tools (-DSYNCAGENT_BUILD_TOOLS=OFF); "
                          "use syncagent-mock-server or a syncagent built with tools");
  });
}

}  // namespace syncagent::cli
