// `syncagent mock-server` when the mock server is not built (SYNCAGENT_BUILD_TESTS=OFF): the
// command exists and says so.
#include "agent/cli/command_host.h"
#include "agent/cli/exit_codes.h"

namespace syncagent::cli {

void RegisterMockServerCommand(CLI::App& app, CommandHost& host) {
  CLI::App* sub = app.add_subcommand(
      "mock-server", "Run the mock sync server (not available: built without tests).");
  sub->prefix_command();
  sub->fallthrough(false);
  host.Bind(sub, "mock-server", [&host] {
    return host.ctx->Fail(kExitFailure,
                          "not available in this build (configure with SYNCAGENT_BUILD_TESTS=ON)");
  });
}

}  // namespace syncagent::cli
