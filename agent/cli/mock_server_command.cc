// `syncagent mock-server ...`: the syncagent/1 mock server (tools/mock_server), with the same
// flags as syncagent-mock-server. Everything after `mock-server` goes to MockServerMain as is.
#include <memory>

#include "agent/cli/command_host.h"
#include "tools/mock_server/mock_server_main.h"

namespace syncagent::cli {

void RegisterMockServerCommand(CLI::App& app, CommandHost& host) {
  CLI::App* sub = app.add_subcommand(
      "mock-server",
      "Run the mock sync server (for tests and demos; flags as syncagent-mock-server, see "
      "`syncagent mock-server --help`).");
  sub->prefix_command();
  sub->fallthrough(false);  // every flag after `mock-server` is the mock server's
  sub->set_help_flag();     // --help goes to the mock server's own usage
  host.Bind(sub, "mock-server", [sub] {
    std::vector<std::string> args = {"syncagent mock-server"};
    for (const std::string& arg : sub->remaining()) args.push_back(arg);
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    return mock::MockServerMain(static_cast<int>(argv.size()), argv.data());
  });
}

}  // namespace syncagent::cli
