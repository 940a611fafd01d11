// The local data commands: put, patch, delete, get, ls. They never touch the network (only `run`
// and `daemon` sync). Arguments are checked before the store is opened, so a bad argument leaves
// the store file untouched.
#include <memory>

#include "agent/cli/command_host.h"
#include "agent/cli/exit_codes.h"
#include "agent/cli/json_arg.h"
#include "agent/cli/json_print.h"

namespace syncagent::cli {
namespace {

struct DocFlags {
  std::string collection;
  std::string key;
  std::string json;
  bool meta = false;
  bool keys_only = false;
};

enum class WriteKind { kPut, kPatch, kDelete };

int Write(CliContext& ctx, const DocFlags& flags, WriteKind kind) {
  nlohmann::json data;
  if (kind != WriteKind::kDelete) {
    auto parsed = ParseJsonObjectArg("JSON", flags.json);
    if (!parsed.ok()) return ctx.Fail(kExitUsage, parsed.status().message());
    data = std::move(*parsed);
  }
  auto opened = ctx.OpenAgent();
  if (auto* exit = std::get_if<ExitCode>(&opened)) return exit->code;
  Agent& agent = *std::get<std::shared_ptr<Agent>>(opened);
  Status status;
  switch (kind) {
    case WriteKind::kPut: status = agent.Put(flags.collection, flags.key, data); break;
    case WriteKind::kPatch: status = agent.Patch(flags.collection, flags.key, data); break;
    case WriteKind::kDelete: status = agent.Delete(flags.collection, flags.key); break;
  }
  if (!status.ok()) {
    const int code = status.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
    return ctx.Fail(code, status.message());
  }
  ctx.console().Log(LogLevel::kInfo, ctx.command() + " " + flags.collection + "/" + flags.key +
                                         ": saved locally, queued for the next sync");
  return kExitOk;
}

// `get --meta`'s envelope; the data is moved in, never copied (a copy recurses once per level).
nlohmann::json DocumentJson(Document d) {
  nlohmann::json j = {{"collection", d.collection}, {"key", d.key},
                      {"rev", d.rev},       {"deleted", d.deleted},
                      {"dirty", d.dirty},           {"hlc", d.hlc},
                      {"updated_at", d.updated_at},
                      {"sync_state", SyncStateName(d.sync_state)}};
  j["data"] = std::move(d.data);
  j["base_rev"] = d.base_rev ? nlohmann::json(*d.base_rev) : nlohmann::json();
  return j;
}

int Get(CliContext& ctx, const DocFlags& flags) {
  auto opened = ctx.OpenAgent();
  if (auto* exit = std::get_if<ExitCode>(&opened)) return exit->code;
  Agent& agent = *std::get<std::shared_ptr<Agent>>(opened);
  auto doc = agent.Get(flags.collection, flags.key);
  if (!doc.ok()) {
    const int code = doc.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
    return ctx.Fail(code, doc.status().message());
  }
  if (!doc->has_value()) {
    return ctx.Fail(kExitFailure, flags.collection + "/" + flags.key + ": no such document");
  }
  Document& d = **doc;
  ctx.console().PrintLine(flags.meta ? PrintableJson(DocumentJson(std::move(d)))
                                     : PrintableJson(d.data));
  return kExitOk;
}

int List(CliContext& ctx, const DocFlags& flags) {
  auto opened = ctx.OpenAgent();
  if (auto* exit = std::get_if<ExitCode>(&opened)) return exit->code;
  Agent& agent = *std::get<std::shared_ptr<Agent>>(opened);
  ListOptions options;
  options.limit = 1000;
  for (;;) {
    auto page = agent.List(flags.collection, options);
    if (!page.ok()) {
      const int code =
          page.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
      return ctx.Fail(code, page.status().message());
    }
    std::string out;
    for (const Document& d : *page) {
      out += flags.keys_only ? d.key + "\n" : d.key + "\t" + CompactJson(d.data) + "\n";
    }
    ctx.console().Print(out);
    if (static_cast<int>(page->size()) < options.limit) break;
    options.after_key = page->back().key;
  }
  return kExitOk;
}

}  // namespace

void RegisterDataCommands(CLI::App& app, CommandHost& host) {
  struct Spec {
    const char* name;
    const char* help;
    WriteKind kind;
  };
  for (const Spec& spec :
       {Spec{"put", "Create or replace a document locally (synced by the next run).", WriteKind::kPut},
        Spec{"patch", "Apply a JSON merge patch (RFC 7396) to a document locally.", WriteKind::kPatch},
        Spec{"delete", "Delete a document locally (a tombstone is synced).", WriteKind::kDelete}}) {
    auto flags = std::make_shared<DocFlags>();
    CLI::App* sub = app.add_subcommand(spec.name, spec.help);
    sub->add_option("COLLECTION", flags->collection, "collection name")->required();
    sub->add_option("KEY", flags->key, "document key")->required();
    if (spec.kind != WriteKind::kDelete) {
      sub->add_option("JSON", flags->json,
                      spec.kind == WriteKind::kPut ? "the document, a JSON object"
                                                   : "the merge patch, a JSON object")
          ->required();
    }
    const WriteKind kind = spec.kind;
    host.Bind(sub, spec.name, [&host, flags, kind] { return Write(*host.ctx, *flags, kind); });
  }

  auto get_flags = std::make_shared<DocFlags>();
  CLI::App* get = app.add_subcommand(
      "get",
      "Print a local document as JSON, indented (exit 1 when there is no such document). A "
      "document nested deeper than the 32-level document limit (stored by an older version) is "
      "printed compact on one line, so the output stays proportional to its size.");
  get->add_option("COLLECTION", get_flags->collection, "collection name")->required();
  get->add_option("KEY", get_flags->key, "document key")->required();
  get->add_flag("--meta", get_flags->meta, "print the sync metadata too (rev, dirty, hlc, sync_state)");
  host.Bind(get, "get", [&host, get_flags] { return Get(*host.ctx, *get_flags); });

  auto ls_flags = std::make_shared<DocFlags>();
  CLI::App* ls = app.add_subcommand(
      "ls", "List the live documents of a collection, one per line: KEY<TAB>JSON.");
  ls->add_option("COLLECTION", ls_flags->collection, "collection name")->required();
  ls->add_flag("--keys", ls_flags->keys_only, "print the keys only");
  host.Bind(ls, "ls", [&host, ls_flags] { return List(*host.ctx, *ls_flags); });
}

}  // namespace syncagent::cli
