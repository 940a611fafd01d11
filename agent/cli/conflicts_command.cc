// `syncagent conflicts list [--all] [--json]` and
// `syncagent conflicts resolve ID (--take-remote | --keep-local | --use JSON | --delete)`:
// the app's side of the `manual` conflict policy, from the command line.
#include <memory>

#include "agent/cli/command_host.h"
#include "agent/cli/exit_codes.h"
#include "agent/cli/json_arg.h"

namespace syncagent::cli {
namespace {

struct ConflictFlags {
  bool all = false;
  bool json = false;
  int64_t id = 0;
  bool take_remote = false;
  bool keep_local = false;
  std::string use;
  bool del = false;
};

nlohmann::json ConflictJson(const Conflict& c) {
  nlohmann::json j = {{"id", c.id},
                      {"collection", c.collection},
                      {"key", c.key},
                      {"origin", c.origin == ConflictOrigin::kPush ? "push" : "pull"},
                      {"status", c.status == ConflictStatus::kOpen ? "open" : "resolved"},
                      {"local", c.local_deleted ? nlohmann::json() : c.local_data},
                      {"remote", c.remote_deleted ? nlohmann::json() : c.remote_data},
                      {"remote_rev", c.remote_rev},
                      {"base", c.base_data},
                      {"created_at", c.created_at}};
  j["base_rev"] = c.base_rev ? nlohmann::json(*c.base_rev) : nlohmann::json();
  if (!c.resolution.empty()) j["resolution"] = c.resolution;
  return j;
}

int List(CliContext& ctx, const ConflictFlags& flags) {
  auto opened = ctx.OpenAgent();
  if (auto* exit = std::get_if<ExitCode>(&opened)) return exit->code;
  auto conflicts = std::get<std::shared_ptr<Agent>>(opened)->ListConflicts(!flags.all);
  if (!conflicts.ok()) return ctx.Fail(kExitFailure, conflicts.status().ToString());
  if (flags.json) {
    nlohmann::json array = nlohmann::json::array();
    for (const Conflict& c : *conflicts) array.push_back(ConflictJson(c));
    ctx.console().PrintLine(array.dump(2));
    return kExitOk;
  }
  std::string out;
  for (const Conflict& c : *conflicts) {
    out += "#" + std::to_string(c.id) + " " + c.collection + "/" + c.key + " (" +
           (c.status == ConflictStatus::kOpen ? "open" : "resolved: " + c.resolution) + ", " +
           (c.origin == ConflictOrigin::kPush ? "push" : "pull") + ", remote rev " +
           (c.remote_rev.empty() ? std::string("none") : c.remote_rev) + ")\n";
    out += "    local:  " + (c.local_deleted ? std::string("(deleted)") : c.local_data.dump()) + "\n";
    out += "    remote: " + (c.remote_deleted ? std::string("(deleted)") : c.remote_data.dump()) +
           "\n";
    out += "    base:   " + (c.base_data.is_null() ? std::string("(none)") : c.base_data.dump()) +
           "\n";
  }
  if (conflicts->empty()) ctx.console().Log(LogLevel::kInfo, "no open conflicts");
  ctx.console().Print(out);
  return kExitOk;
}

int Resolve(CliContext& ctx, const ConflictFlags& flags) {
  const int chosen = int{flags.take_remote} + int{flags.keep_local} + int{!flags.use.empty()} +
                     int{flags.del};
  if (chosen != 1) {
    return ctx.Fail(kExitUsage,
                    "choose exactly one of --take-remote, --keep-local, --use JSON, --delete");
  }
  Resolution resolution = Resolution::TakeRemote();
  if (flags.keep_local) resolution = Resolution::KeepLocal();
  if (flags.del) resolution = Resolution::Delete();
  if (!flags.use.empty()) {
    auto merged = ParseJsonObjectArg("--use", flags.use);
    if (!merged.ok()) return ctx.Fail(kExitUsage, merged.status().message());
    resolution = Resolution::Replace(std::move(*merged));
  }
  auto opened = ctx.OpenAgent();
  if (auto* exit = std::get_if<ExitCode>(&opened)) return exit->code;
  Status status = std::get<std::shared_ptr<Agent>>(opened)->ResolveConflict(flags.id, resolution);
  if (!status.ok()) {
    const int code = status.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
    return ctx.Fail(code, "conflict #" + std::to_string(flags.id) + ": " + status.message());
  }
  ctx.console().Log(LogLevel::kInfo, "conflict #" + std::to_string(flags.id) +
                                         " resolved; the result is sent by the next sync");
  return kExitOk;
}

}  // namespace

void RegisterConflictsCommand(CLI::App& app, CommandHost& host) {
  CLI::App* conflicts = app.add_subcommand("conflicts", "List and resolve sync conflicts.");
  conflicts->require_subcommand(1);

  auto list_flags = std::make_shared<ConflictFlags>();
  CLI::App* list = conflicts->add_subcommand("list", "List open conflicts.");
  list->add_flag("--all", list_flags->all, "include resolved conflicts");
  list->add_flag("--json", list_flags->json, "print as JSON");
  host.Bind(list, "conflicts list", [&host, list_flags] { return List(*host.ctx, *list_flags); });

  auto flags = std::make_shared<ConflictFlags>();
  CLI::App* resolve = conflicts->add_subcommand(
      "resolve", "Resolve conflict ID with exactly one of the options below.");
  resolve->add_option("ID", flags->id, "conflict id (from `conflicts list`)")->required();
  auto* remote = resolve->add_flag("--take-remote", flags->take_remote, "take the server's version");
  auto* local = resolve->add_flag("--keep-local", flags->keep_local,
                                  "keep the local version (sent again by the next sync)");
  auto* use = resolve->add_option("--use", flags->use, "use this JSON object as the result");
  auto* del = resolve->add_flag("--delete", flags->del, "delete the document");
  remote->excludes(local)->excludes(use)->excludes(del);
  local->excludes(use)->excludes(del);
  use->excludes(del);
  host.Bind(resolve, "conflicts resolve", [&host, flags] { return Resolve(*host.ctx, *flags); });
}

}  // namespace syncagent::cli
