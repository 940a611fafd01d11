// `syncagent changes [--since SEQ] [--limit N] [--json] [--follow]`: the local change feed
// (storage/change_feed.h), oldest first: per line SEQ<TAB>COLLECTION<TAB>KEY<TAB>SOURCE<TAB>
// SYNC_STATE<TAB>live|deleted, or with --json one JSON object
// {"seq","collection","key","deleted","source","sync_state"} per line. --follow keeps printing
// new changes (it polls the store every 500 ms, so writes of other processes show too) until
// SIGINT or SIGTERM, then exits 0.
#include <condition_variable>
#include <memory>
#include <mutex>

#include "agent/c_api_json.h"
#include "agent/cli/command_host.h"
#include "agent/cli/exit_codes.h"
#include "agent/cli/signal_watcher.h"
#include "common/json_text.h"

namespace syncagent::cli {
namespace {

struct ChangesFlags {
  int64_t since = 0;
  int64_t limit = 0;  // 0 = every change
  bool json = false;
  bool follow = false;
};

constexpr int kPage = 1000;

std::string Line(const Change& c, bool json) {
  if (json) return CompactJson(capi::ChangeToJson(c)) + "\n";
  return std::to_string(c.seq) + "\t" + c.collection + "\t" + c.key + "\t" +
         std::string(ChangeSourceName(c.source)) + "\t" + std::string(SyncStateName(c.sync_state)) +
         "\t" + (c.deleted ? "deleted" : "live") + "\n";
}

// Prints the changes after *since (at most *left when *left > 0), advancing both.
Status PrintNew(CliContext& ctx, Agent& agent, bool json, int64_t* since, int64_t* left) {
  while (*left != 0) {
    const int limit = static_cast<int>(*left < 0 ? kPage : std::min<int64_t>(*left, kPage));
    SYNCAGENT_ASSIGN_OR_RETURN(std::vector<Change> page, agent.Changes(*since, limit));
    std::string out;
    for (const Change& c : page) out += Line(c, json);
    ctx.console().Print(out);
    if (!page.empty()) *since = page.back().seq;
    if (*left > 0) *left -= static_cast<int64_t>(page.size());
    if (static_cast<int>(page.size()) < limit) break;
  }
  return Status::Ok();
}

int Run(CliContext& ctx, const ChangesFlags& flags) {
  if (flags.since < 0) return ctx.Fail(kExitUsage, "--since: expected 0 or more");
  if (flags.limit < 0) return ctx.Fail(kExitUsage, "--limit: expected 1 or more");
  std::mutex mu;
  std::condition_variable wake;
  bool stop = false;
  std::unique_ptr<SignalWatcher> watcher;
  if (flags.follow) {  // before OpenAgent starts any thread
    watcher = std::make_unique<SignalWatcher>([&](int) {
      std::lock_guard lock(mu);
      stop = true;
      wake.notify_all();
    });
  }
  auto opened = ctx.OpenAgent();
  if (auto* exit = std::get_if<ExitCode>(&opened)) return exit->code;
  Agent& agent = *std::get<std::shared_ptr<Agent>>(opened);
  int64_t since = flags.since;
  int64_t left = flags.limit > 0 ? flags.limit : -1;
  for (;;) {
    Status status = PrintNew(ctx, agent, flags.json, &since, &left);
    if (!status.ok()) return ctx.Fail(kExitFailure, status.message());
    if (!flags.follow || left == 0) return kExitOk;
    std::unique_lock lock(mu);
    if (wake.wait_for(lock, std::chrono::milliseconds(500), [&] { return stop; })) return kExitOk;
  }
}

}  // namespace

void RegisterChangesCommand(CLI::App& app, CommandHost& host) {
  auto flags = std::make_shared<ChangesFlags>();
  CLI::App* sub = app.add_subcommand(
      "changes",
      "Print the local change feed, oldest first: each document's latest change after SEQ, one "
      "per line: SEQ<TAB>COLLECTION<TAB>KEY<TAB>SOURCE<TAB>SYNC_STATE<TAB>live|deleted.");
  sub->add_option("--since", flags->since, "only changes after this seq (default 0: all)")
      ->option_text("SEQ");
  sub->add_option("--limit", flags->limit, "print at most N changes")->option_text("N");
  sub->add_flag("--json", flags->json,
                "one JSON object per line: {\"seq\",\"collection\",\"key\",\"deleted\","
                "\"source\",\"sync_state\"}");
  sub->add_flag("--follow", flags->follow,
                "keep printing new changes (polled every 500 ms) until SIGINT/SIGTERM");
  host.Bind(sub, "changes", [&host, flags] { return Run(*host.ctx, *flags); });
}

}  // namespace syncagent::cli
