// `syncagent deadletters list [--json] | retry ID | drop ID`: mutations the server rejected
// permanently, kept for inspection; retry re-queues one (new mutation id), drop forgets it.
#include <memory>

#include "agent/c_api_json.h"
#include "agent/cli/command_host.h"
#include "agent/cli/exit_codes.h"
#include "agent/cli/time_format.h"

namespace syncagent::cli {
namespace {

struct DeadLetterFlags {
  bool json = false;
  int64_t id = 0;
};

int List(CliContext& ctx, const DeadLetterFlags& flags) {
  auto opened = ctx.OpenAgent();
  if (auto* exit = std::get_if<ExitCode>(&opened)) return exit->code;
  auto letters = std::get<std::shared_ptr<Agent>>(opened)->ListDeadLetters();
  if (!letters.ok()) return ctx.Fail(kExitFailure, letters.status().ToString());
  if (flags.json) {
    nlohmann::json array = nlohmann::json::array();
    for (const DeadLetter& d : *letters) array.push_back(capi::DeadLetterToJson(d));
    ctx.console().PrintLine(array.dump(2));
    return kExitOk;
  }
  std::string out;
  for (const DeadLetter& d : *letters) {
    out += "#" + std::to_string(d.id) + " " + d.mutation.collection + "/" + d.mutation.key + " " +
           std::string(MutationOpName(d.mutation.op)) + " " + d.code + ": " + d.message + " (" +
           FormatWallTime(d.dead_at) + ")\n";
  }
  if (letters->empty()) ctx.console().Log(LogLevel::kInfo, "no dead letters");
  ctx.console().Print(out);
  return kExitOk;
}

int Retry(CliContext& ctx, const DeadLetterFlags& flags) {
  auto opened = ctx.OpenAgent();
  if (auto* exit = std::get_if<ExitCode>(&opened)) return exit->code;
  auto mutation = std::get<std::shared_ptr<Agent>>(opened)->RetryDeadLetter(flags.id);
  if (!mutation.ok()) {
    return ctx.Fail(kExitFailure, "dead letter #" + std::to_string(flags.id) + ": " +
                                      mutation.status().message());
  }
  ctx.console().Log(LogLevel::kInfo, "dead letter #" + std::to_string(flags.id) +
                                         " queued again as mutation " + mutation->mutation_id);
  return kExitOk;
}

int Drop(CliContext& ctx, const DeadLetterFlags& flags) {
  auto opened = ctx.OpenAgent();
  if (auto* exit = std::get_if<ExitCode>(&opened)) return exit->code;
  Status status = std::get<std::shared_ptr<Agent>>(opened)->DropDeadLetter(flags.id);
  if (!status.ok()) {
    return ctx.Fail(kExitFailure, "dead letter #" + std::to_string(flags.id) + ": " +
                                      status.message());
  }
  ctx.console().Log(LogLevel::kInfo, "dead letter #" + std::to_string(flags.id) + " dropped");
  return kExitOk;
}

}  // namespace

void RegisterDeadLettersCommand(CLI::App& app, CommandHost& host) {
  CLI::App* dead = app.add_subcommand(
      "deadletters", "Changes the server rejected permanently: list, retry or drop them.");
  dead->require_subcommand(1);

  auto list_flags = std::make_shared<DeadLetterFlags>();
  CLI::App* list = dead->add_subcommand("list", "List dead letters.");
  list->add_flag("--json", list_flags->json, "print as JSON");
  host.Bind(list, "deadletters list", [&host, list_flags] { return List(*host.ctx, *list_flags); });

  auto retry_flags = std::make_shared<DeadLetterFlags>();
  CLI::App* retry = dead->add_subcommand("retry", "Queue dead letter ID again (new mutation id).");
  retry->add_option("ID", retry_flags->id, "dead letter id")->required();
  host.Bind(retry, "deadletters retry",
            [&host, retry_flags] { return Retry(*host.ctx, *retry_flags); });

  auto drop_flags = std::make_shared<DeadLetterFlags>();
  CLI::App* drop = dead->add_subcommand("drop", "Forget dead letter ID.");
  drop->add_option("ID", drop_flags->id, "dead letter id")->required();
  host.Bind(drop, "deadletters drop", [&host, drop_flags] { return Drop(*host.ctx, *drop_flags); });
}

}  // namespace syncagent::cli
