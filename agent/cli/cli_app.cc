#include "agent/cli/cli_app.h"

#include <sstream>

#include "agent/cli/command_host.h"
#include "agent/cli/exit_codes.h"

namespace syncagent::cli {
namespace {

constexpr const char* kFooter =
    "\nConfig: --config FILE, else $SYNCAGENT_CONFIG, else ./syncagent.json (docs/config.md).\n"
    "Exit codes: 0 ok; 1 failed (get: no such document); 2 bad usage, argument or config;\n"
    "75 (run) retry later.\n"
    "Run `syncagent COMMAND --help` for a command's options.";

// "conflicts resolve" for the deepest subcommand CLI11 got to (for error prefixes).
std::string ParsedCommandPath(const CLI::App& app) {
  std::string path;
  const CLI::App* current = &app;
  for (;;) {
    auto subs = current->get_subcommands();
    if (subs.empty()) break;
    current = subs.front();
    path += (path.empty() ? "" : " ") + current->get_name();
  }
  return path;
}

std::string FirstPositional(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--config" || arg == "--log-level") {
      ++i;
      continue;
    }
    if (!arg.empty() && arg[0] != '-') return arg;
  }
  return "";
}

}  // namespace

int CliMain(int argc, char** argv, std::FILE* out, std::FILE* err) {
  Console console(out, err);
  CliContext ctx(&console);
  CommandHost host;
  host.ctx = &ctx;

  CLI::App app("syncagent: the background-sync agent's command line.", "syncagent");
  app.footer(kFooter);
  app.set_version_flag("--version", SYNCAGENT_VERSION_STRING);
  app.require_subcommand(1);
  app.fallthrough();
  GlobalFlags& flags = ctx.flags();
  app.add_option("--config", flags.config_path, "config file (JSON, see docs/config.md)")
      ->option_text("FILE");
  app.add_option("--log-level", flags.log_level,
                 "log level on stderr (default: the config's logging.level)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "warning", "error", "off"}));
  app.add_flag("-v,--verbose", flags.verbosity, "more log output (repeat for more)");

  RegisterRunCommand(app, host);
  RegisterDaemonCommand(app, host);
  RegisterDataCommands(app, host);
  RegisterQueryCommand(app, host);
  RegisterImportCommand(app, host);
  RegisterChangesCommand(app, host);
  RegisterStatusCommand(app, host);
  RegisterConflictsCommand(app, host);
  RegisterDeadLettersCommand(app, host);
  RegisterConfigCommand(app, host);
  RegisterScheduleCommand(app, host);
  RegisterMockServerCommand(app, host);
  RegisterFaultProxyCommand(app, host);
  RegisterSimulateCommand(app, host);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    std::ostringstream help_out, help_err;
    const int code = app.exit(e, help_out, help_err);
    console.Print(help_out.str());
    return code;
  } catch (const CLI::CallForAllHelp& e) {
    std::ostringstream help_out, help_err;
    const int code = app.exit(e, help_out, help_err);
    console.Print(help_out.str());
    return code;
  } catch (const CLI::CallForVersion& e) {
    console.PrintLine(SYNCAGENT_VERSION_STRING);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    const std::string command = ParsedCommandPath(app);
    std::string message = e.what();
    if (command.empty()) {
      const std::string first = FirstPositional(argc, argv);
      if (!first.empty()) message = "unknown command \"" + first + "\"";
    }
    console.Error(command, message + " (try `syncagent " + command + (command.empty() ? "" : " ") +
                               "--help`)");
    return kExitUsage;
  }
  if (!host.action) {
    console.Error("", "no command given (try `syncagent --help`)");
    return kExitUsage;
  }
  if (!ctx.ApplyEarlyLogLevel()) return kExitUsage;
  try {
    return host.action();
  } catch (const std::exception& e) {
    return ctx.Fail(kExitFailure, std::string("internal error: ") + e.what());
  }
}

}  // namespace syncagent::cli
