// `syncagent mock-server ...` and `syncagent fault-proxy ...`: the servers of tools/
// (tools/mock_server, tools/fault_proxy), with the same flags as syncagent-mock-server and
// syncagent-fault-proxy. Everything after the command name goes to the tool's main as is.
#include <string>
#include <vector>

#include "agent/cli/command_host.h"
#include "tools/fault_proxy/fault_proxy_main.h"
#include "tools/mock_server/mock_server_main.h"

namespace syncagent::cli {
namespace {

using ToolMain = int (*)(int argc, char** argv);

void RegisterPassThrough(CLI::App& app, CommandHost& host, const std::string& name,
                         const std::string& description, ToolMain tool_main) {
  CLI::App* sub = app.add_subcommand(name, description);
  sub->prefix_command();
  sub->fallthrough(false);  // every flag after the command name is the tool's
  sub->set_help_flag();     // --help goes to the tool's own usage
  host.Bind(sub, name, [sub, name, tool_main] {
    std::vector<std::string> args = {"syncagent " + name};
    for (const std::string& arg : sub->remaining()) args.push_back(arg);
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    return tool_main(static_cast<int>(argv.size()), argv.data());
  });
}

}  // namespace

void RegisterMockServerCommand(CLI::App& app, CommandHost& host) {
  RegisterPassThrough(app, host, "mock-server",
                      "Run the mock sync server (for tests and demos; flags as "
                      "syncagent-mock-server, see `syncagent mock-server --help`).",
                      &mock::MockServerMain);
}

void RegisterFaultProxyCommand(CLI::App& app, CommandHost& host) {
  RegisterPassThrough(app, host, "fault-proxy",
                      "Run a fault-injecting reverse proxy in front of any server (flags as "
                      "syncagent-fault-proxy, see `syncagent fault-proxy --help`).",
                      &faults::FaultProxyMain);
}

}  // namespace syncagent::cli
