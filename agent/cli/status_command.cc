// `syncagent status [--json]`: the local queue, conflicts, dead letters, the last and next run and
// the schedule's health (from the run log), without touching the network.
//
// The next run is an estimate: after a retry, the last run's end + the scheduler backoff for the
// current attempt (a server's Retry-After may push it later); otherwise the last start + the
// interval. The OS scheduler (systemd, WorkManager, BGTaskScheduler) decides the real time.
#include <filesystem>
#include <memory>

#include "agent/cli/command_host.h"
#include "agent/cli/exit_codes.h"
#include "agent/cli/schedule_mapping.h"
#include "agent/cli/sync_progress.h"
#include "agent/cli/time_format.h"
#include "agent/schedule_health.h"
#include "platform/backoff_policy.h"

namespace syncagent::cli {
namespace {

struct StatusFlags {
  bool json = false;
};

struct NextRun {
  std::optional<int64_t> wall_ms;
  std::string why;
};

NextRun EstimateNextRun(Agent& agent, const std::vector<RunRecord>& runs) {
  const AgentConfig& config = agent.config();
  if (runs.empty()) return {std::nullopt, "no run recorded yet"};
  const RunRecord& last = runs.front();
  int retries = 0;
  auto checkpoint = agent.GetCheckpoint(CheckpointKey::HeadlessRetries(config.schedule.task_id));
  if (checkpoint.ok() && checkpoint->has_value()) retries = std::atoi((*checkpoint)->value.c_str());
  if (retries > 0) {
    const Millis delay = BackoffPolicy().DelayForRetry(retries);
    const int64_t from = last.finished_at.value_or(last.started_at);
    return {from + delay.count(), "retry backoff, attempt " + std::to_string(retries + 1) +
                                      " (a server's Retry-After may delay it)"};
  }
  return {last.started_at + config.schedule.minimum_interval_minutes * 60000,
          "every " + std::to_string(config.schedule.minimum_interval_minutes) + " min"};
}

std::string TimerPath(const AgentConfig& config) {
  auto dir = DefaultUserUnitDir();
  if (!dir.ok()) return "";
  const std::string path =
      *dir + "/syncagent-" + SystemdEscapeUnitName(config.schedule.task_id) + ".timer";
  std::error_code ec;
  return std::filesystem::exists(path, ec) ? path : "";
}

constexpr int64_t kSkipsShown = 20;

// "2 remote document(s) this device cannot take: notes/deep (nested deeper than 32 levels), ..."
std::string RemoteSkipsText(int64_t count, const std::vector<RemoteSkip>& skips) {
  std::string text = std::to_string(count) + " remote document(s) this device cannot take";
  for (size_t i = 0; i < skips.size() && i < 3; ++i) {
    text += (i == 0 ? ": " : ", ") + skips[i].collection + "/" + skips[i].key + " (" +
            skips[i].reason + ")";
  }
  if (count > 3) text += ", ...";
  return text;
}

int ShowStatus(CliContext& ctx, const StatusFlags& flags) {
  auto opened = ctx.OpenAgent();
  if (auto* exit = std::get_if<ExitCode>(&opened)) return exit->code;
  Agent& agent = *std::get<std::shared_ptr<Agent>>(opened);
  auto status = agent.GetStatus();
  if (!status.ok()) return ctx.Fail(kExitFailure, status.status().ToString());
  auto runs = agent.ListRuns(50);
  if (!runs.ok()) return ctx.Fail(kExitFailure, runs.status().ToString());
  const int64_t now = agent.clock().WallMs();
  const AgentConfig& config = agent.config();
  const ScheduleHealth health =
      AnalyzeSchedule(*runs, std::chrono::minutes(config.schedule.minimum_interval_minutes), now);
  const NextRun next = EstimateNextRun(agent, *runs);
  const std::string timer = TimerPath(config);
  const StoreStats& s = status->store;

  std::vector<RemoteSkip> skips;
  if (s.remote_skips > 0) {
    auto listed = agent.ListRemoteSkips(kSkipsShown);
    if (!listed.ok()) return ctx.Fail(kExitFailure, listed.status().ToString());
    skips = std::move(*listed);
  }

  if (flags.json) {
    nlohmann::json j = status->ToJson();
    j["remote_skips_list"] = nlohmann::json::array();
    for (const RemoteSkip& skip : skips) {
      j["remote_skips_list"].push_back({{"collection", skip.collection},
                                        {"key", skip.key},
                                        {"rev", skip.rev},
                                        {"reason", skip.reason},
                                        {"skipped_at_ms", skip.skipped_at}});
    }
    j["store_path"] = agent.store_path();
    j["schedule"] = health.ToJson();
    if (!runs->empty()) {
      const RunRecord& r = runs->front();
      j["last_run"] = {{"task_id", r.task_id},
                       {"started_at_ms", r.started_at},
                       {"result", RunResultName(r.result)},
                       {"reason", r.reason},
                       {"error", r.error},
                       {"in_run_log", !r.unlogged}};
    } else {
      j["last_run"] = nullptr;
    }
    j["next_run_ms"] = next.wall_ms ? nlohmann::json(*next.wall_ms) : nlohmann::json();
    j["next_run_basis"] = next.why;
    j["systemd_timer"] = timer.empty() ? nlohmann::json() : nlohmann::json(timer);
    ctx.console().PrintLine(j.dump(2));
    return kExitOk;
  }

  auto row = [](const std::string& name, const std::string& value) {
    std::string padded = name;
    padded.resize(14, ' ');
    return padded + value + "\n";
  };
  std::string out;
  out += row("store", agent.store_path());
  out += row("documents", std::to_string(s.documents));
  std::string queue = std::to_string(s.queue_depth) + " pending";
  if (s.oldest_pending_age_ms)
    queue += " (oldest " + FormatDuration(*s.oldest_pending_age_ms) + ")";
  if (s.local_only > 0) {
    queue +=
        ", " + std::to_string(s.local_only) + " local-only (collections not in sync.collections)";
  }
  out += row("queue", queue);
  out += row("conflicts", std::to_string(s.open_conflicts) + " open");
  out += row("dead letters", std::to_string(s.dead_letters));
  if (s.remote_skips > 0) out += row("not taken", RemoteSkipsText(s.remote_skips, skips));
  if (runs->empty()) {
    out += row("last run", "never");
  } else {
    const RunRecord& r = runs->front();
    std::string last =
        FormatWallRelative(r.started_at, now) + ": " + std::string(RunResultName(r.result));
    if (!r.reason.empty()) last += " - " + r.reason;
    out += row("last run", last);
    // A run the store could not log (e.g. the disk is full) has no cycle to report its error.
    if (!r.error.empty() && (r.unlogged || r.error != status->last_error)) {
      out += row("run error", r.error + (r.unlogged ? " (not in the run log: the store could not "
                                                      "record the run)"
                                                    : ""));
    }
  }
  out += row("last success", status->last_success_ms
                                 ? FormatWallRelative(*status->last_success_ms, now)
                                 : std::string("never"));
  if (!status->last_error.empty()) out += row("last error", status->last_error);
  out +=
      row("next run",
          next.wall_ms ? "~" + FormatWallRelative(*next.wall_ms, now) + ", " + next.why : next.why);
  out += row("schedule", health.verdict + " (" + std::to_string(health.runs) + " run(s), " +
                             std::to_string(health.successes) + " succeeded)");
  out += row("systemd timer",
             timer.empty() ? "not installed (syncagent schedule install)" : "installed: " + timer);
  ctx.console().Print(out);
  return kExitOk;
}

}  // namespace

void RegisterStatusCommand(CLI::App& app, CommandHost& host) {
  auto flags = std::make_shared<StatusFlags>();
  CLI::App* sub = app.add_subcommand(
      "status",
      "Queue depth, oldest pending change, last and next run, conflicts, dead letters "
      "and schedule health.");
  sub->add_flag("--json", flags->json, "print as JSON");
  host.Bind(sub, "status", [&host, flags] { return ShowStatus(*host.ctx, *flags); });
}

}  // namespace syncagent::cli
