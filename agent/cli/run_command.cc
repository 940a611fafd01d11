// `syncagent run`: one headless sync cycle, as the OS scheduler (a systemd timer) runs it.
//
// Exit: 0 the run succeeded (or was skipped because another run holds the lease), 75 retry
// later (the delay is printed; also a full or failing store, see agent/headless_task.h step 7),
// 1 failed, 2 bad config. SIGINT/SIGTERM cancel the cycle, which
// stops checkpointed (exit 75).
#include <memory>

#include "agent/cli/command_host.h"
#include "agent/cli/exit_codes.h"
#include "agent/cli/signal_watcher.h"
#include "agent/cli/sync_progress.h"
#include "agent/headless_task.h"
#include "platform/cancel_token.h"

namespace syncagent::cli {
namespace {

struct RunFlags {
  std::string task_id;
  int budget_seconds = 0;
  bool json = false;
  bool periodic = false;
};

int RunOnce(CliContext& ctx, const RunFlags& flags) {
  Console& console = ctx.console();
  CancelToken os_cancel;
  SignalWatcher watcher([&](int signo) {
    console.Log(LogLevel::kInfo, std::string(signo == SIGINT ? "SIGINT" : "SIGTERM") +
                                     ": cancelling the sync cycle");
    os_cancel.Cancel(signo == SIGINT ? "SIGINT" : "SIGTERM");
  });
  SyncProgress progress(&console);
  AgentOptions options;
  options.on_event = progress.Callback();
  auto opened = ctx.OpenAgent(std::move(options));
  if (auto* exit = std::get_if<ExitCode>(&opened)) return exit->code;
  std::shared_ptr<Agent> agent = std::get<std::shared_ptr<Agent>>(opened);

  WakeRequest request;
  request.task_id = flags.task_id;
  if (flags.budget_seconds > 0) request.budget = std::chrono::seconds(flags.budget_seconds);
  request.cancel = &os_cancel;
  request.periodic = flags.periodic;
  request.constraints_seen = "cli";
  const TaskInvocation invocation = InvocationNow(*agent, request);
  console.Log(LogLevel::kDebug, "run: task " + invocation.task_id + ", budget " +
                                    std::to_string(invocation.budget.count() / 1000) + " s" +
                                    (flags.periodic ? ", periodic" : ""));

  HeadlessTask task(agent);
  HeadlessResult result = task.Run(invocation);
  progress.Finish();

  const std::string summary = result.report ? SyncProgress::Summary(*result.report) : result.reason;
  if (flags.json) console.PrintLine(result.ToJson().dump());
  switch (result.task_result) {
    case TaskResult::kSuccess:
      console.Log(LogLevel::kInfo, result.skipped ? "run: " + result.reason : "run: " + summary);
      return kExitOk;
    case TaskResult::kRetry:
      console.Log(LogLevel::kWarn, "run: retry in " + FormatDuration(result.retry_delay.count()) +
                                       " (attempt " + std::to_string(result.attempt) + "): " +
                                       (result.watchdog_fired ? result.reason : summary));
      return kExitRetry;
    case TaskResult::kFailure:
      return ctx.Fail(kExitFailure, summary);
  }
  return kExitFailure;
}

}  // namespace

void RegisterRunCommand(CLI::App& app, CommandHost& host) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* run = app.add_subcommand(
      "run",
      "Run one headless sync cycle (what the systemd timer runs).\n"
      "Exit 0: done; 75: retry later (the delay is logged); 1: failed; 2: bad config.");
  run->add_option("--task-id", flags->task_id, "task id for the run log (default: schedule.task_id)");
  run->add_option("--budget-seconds", flags->budget_seconds,
                  "time budget (default: schedule.time_budget_seconds)")
      ->check(CLI::Range(1, 3600));
  run->add_flag("--json", flags->json, "print the run's result as JSON on stdout");
  run->add_flag("--periodic", flags->periodic,
                "a periodic wake (what the systemd timer passes): during the server's quiet\n"
                "period after a Retry-After the run makes no request and exits 0");
  host.Bind(run, "run", [&host, flags] { return RunOnce(*host.ctx, *flags); });
}

}  // namespace syncagent::cli
