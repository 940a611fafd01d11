// `syncagent daemon`: the in-process scheduler (InProcessScheduler + LinuxDeviceState) running the
// headless task every schedule.minimum_interval_minutes (+/- jitter, gated by the constraints)
// until SIGINT/SIGTERM; then the scheduler is stopped (a running cycle is cancelled and
// checkpointed) and the process exits 0.
#include <unistd.h>

#include <condition_variable>
#include <memory>
#include <mutex>

#include "agent/cli/command_host.h"
#include "agent/cli/exit_codes.h"
#include "agent/cli/schedule_mapping.h"
#include "agent/cli/signal_watcher.h"
#include "agent/cli/sync_progress.h"
#include "agent/headless_task.h"
#include "platform/device_state_linux.h"
#include "platform/in_process_scheduler.h"

namespace syncagent::cli {
namespace {

struct DaemonFlags {
  bool no_initial_sync = false;
};

int RunDaemon(CliContext& ctx, const DaemonFlags& flags) {
  Console& console = ctx.console();
  std::mutex mu;
  std::condition_variable cv;
  int stop_signal = 0;
  SignalWatcher watcher([&](int signo) {
    std::lock_guard<std::mutex> lock(mu);
    stop_signal = signo;
    cv.notify_all();
  });

  SyncProgress progress(&console);
  AgentOptions options;
  options.on_event = progress.Callback();
  auto opened = ctx.OpenAgent(std::move(options));
  if (auto* exit = std::get_if<ExitCode>(&opened)) return exit->code;
  std::shared_ptr<Agent> agent = std::get<std::shared_ptr<Agent>>(opened);
  const AgentConfig& config = agent->config();

  HeadlessTask task(agent);
  LinuxDeviceState device("/", config.storage.path);
  InProcessScheduler scheduler(&agent->clock(), &device);  // stopped before `task` goes away
  auto handler = [&](const TaskInvocation& invocation) {
    console.Log(LogLevel::kDebug, "daemon: wake-up " + invocation.task_id + " (attempt " +
                                      std::to_string(invocation.attempt) + ", " +
                                      invocation.constraints_seen + ")");
    HeadlessResult result = task.Run(invocation);
    progress.Finish();
    const std::string summary =
        result.report ? SyncProgress::Summary(*result.report) : result.reason;
    if (result.task_result == TaskResult::kRetry) {
      console.Log(LogLevel::kWarn, "daemon: retry in " +
                                       FormatDuration(result.retry_delay.count()) + ": " + summary);
    } else {
      console.Log(result.task_result == TaskResult::kSuccess ? LogLevel::kInfo : LogLevel::kError,
                  "daemon: " + std::string(ToString(result.task_result)) + ": " + summary);
    }
    return result.task_result;
  };

  ScheduleOptions schedule = ToScheduleOptions(config.schedule);
  if (Status s = scheduler.Configure(schedule, handler); !s.ok()) {
    return ctx.Fail(kExitFailure, "cannot start the scheduler: " + s.ToString());
  }
  if (!flags.no_initial_sync) {
    TaskRequest first;
    first.task_id = schedule.task_id + ".start";
    first.constraints = schedule.constraints;
    if (Status s = scheduler.ScheduleTask(first); !s.ok()) {
      console.Log(LogLevel::kWarn, "daemon: no initial sync: " + s.ToString());
    }
  }
  console.Log(LogLevel::kInfo, "daemon: started (pid " + std::to_string(::getpid()) +
                                   "), syncing every " +
                                   std::to_string(config.schedule.minimum_interval_minutes) +
                                   " min +/- " + std::to_string(config.schedule.jitter_percent) +
                                   "%; stop with SIGINT or SIGTERM");
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return stop_signal != 0; });
  }
  console.Log(LogLevel::kInfo, std::string(stop_signal == SIGINT ? "SIGINT" : "SIGTERM") +
                                   ": stopping");
  Status stopped = scheduler.Stop();
  progress.Finish();
  if (!stopped.ok()) return ctx.Fail(kExitFailure, "stop: " + stopped.ToString());
  console.Log(LogLevel::kInfo, "daemon: stopped cleanly");
  return kExitOk;
}

}  // namespace

void RegisterDaemonCommand(CLI::App& app, CommandHost& host) {
  auto flags = std::make_shared<DaemonFlags>();
  CLI::App* daemon = app.add_subcommand(
      "daemon",
      "Sync in the foreground on the in-process scheduler until SIGINT/SIGTERM (then exit 0).");
  daemon->add_flag("--no-initial-sync", flags->no_initial_sync,
                   "wait one interval before the first sync (default: sync at start)");
  host.Bind(daemon, "daemon", [&host, flags] { return RunDaemon(*host.ctx, *flags); });
}

}  // namespace syncagent::cli
