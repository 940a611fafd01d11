// `syncagent schedule install | uninstall | show`: the systemd user timer + service that run
// `syncagent run` every schedule.minimum_interval_minutes (platform/systemd_units.h).
//
// The units go to $XDG_CONFIG_HOME/systemd/user (else ~/.config/systemd/user); install and
// uninstall then call `systemctl --user` (found on PATH) through the platform CommandRunner.
#include <memory>

#include "agent/cli/command_host.h"
#include "agent/cli/exit_codes.h"
#include "agent/cli/schedule_mapping.h"
#include "platform/command_runner.h"

namespace syncagent::cli {
namespace {

enum class Action { kInstall, kUninstall, kShow };

int Schedule(CliContext& ctx, Action action) {
  auto loaded = ctx.LoadConfig();
  if (auto* exit = std::get_if<ExitCode>(&loaded)) return exit->code;
  const AgentConfig& config = std::get<AgentConfig>(loaded);
  const std::string exe = SelfExecutable();
  if (exe.empty()) return ctx.Fail(kExitFailure, "cannot find this executable's path");
  auto units = GenerateSystemdUnits(ToSystemdOptions(config, exe, ctx.ResolveConfigPath()));
  if (!units.ok()) return ctx.Fail(kExitFailure, units.status().message());
  auto dir = DefaultUserUnitDir();
  if (!dir.ok()) return ctx.Fail(kExitFailure, dir.status().message());

  Console& console = ctx.console();
  CommandRunner runner = [&console](const std::vector<std::string>& argv) {
    console.Log(LogLevel::kDebug, "running " + FormatCommand(argv));
    std::string output;
    Status status = RunCommand(argv, &output);
    if (!output.empty()) console.Log(LogLevel::kTrace, output);
    return status;
  };
  switch (action) {
    case Action::kShow:
      console.Print("# " + *dir + "/" + units->service_name + "\n" + units->service_text + "\n# " +
                    *dir + "/" + units->timer_name + "\n" + units->timer_text);
      return kExitOk;
    case Action::kInstall: {
      Status status = InstallSystemdUnits(*units, *dir, runner);
      if (!status.ok()) return ctx.Fail(kExitFailure, status.message());
      console.Log(LogLevel::kInfo, "installed " + *dir + "/" + units->timer_name + " and " +
                                       units->service_name + "; the timer is enabled and started");
      return kExitOk;
    }
    case Action::kUninstall: {
      Status status = UninstallSystemdUnits(*units, *dir, runner);
      if (!status.ok()) return ctx.Fail(kExitFailure, status.message());
      console.Log(LogLevel::kInfo, "removed " + units->timer_name + " and " + units->service_name +
                                       " from " + *dir);
      return kExitOk;
    }
  }
  return kExitFailure;
}

}  // namespace

void RegisterScheduleCommand(CLI::App& app, CommandHost& host) {
  CLI::App* schedule = app.add_subcommand(
      "schedule", "The systemd user timer that runs `syncagent run` in the background (Linux).");
  schedule->require_subcommand(1);
  struct Spec {
    const char* name;
    const char* help;
    Action action;
  };
  for (const Spec& spec : {
           Spec{"install",
                "Write the timer and service to $XDG_CONFIG_HOME/systemd/user and enable the "
                "timer (systemctl --user enable --now).",
                Action::kInstall},
           Spec{"uninstall", "Disable the timer and remove both units.", Action::kUninstall},
           Spec{"show", "Print the service and timer units that install would write.",
                Action::kShow}}) {
    CLI::App* sub = schedule->add_subcommand(spec.name, spec.help);
    const Action action = spec.action;
    host.Bind(sub, std::string("schedule ") + spec.name,
              [&host, action] { return Schedule(*host.ctx, action); });
  }
}

}  // namespace syncagent::cli
