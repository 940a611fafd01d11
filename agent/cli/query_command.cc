// `syncagent query COLLECTION [--selector JSON] [--sort JSON] [--limit N] [--skip N]
// [--bookmark B] [--json]`: the live documents that match a Mango selector (docs/queries.md),
// printed like `ls` (KEY<TAB>JSON per line) or, with --json, as one JSON array of
// {"key","data","rev","sync_state"}. Without --limit every match is printed (paged through with
// bookmarks); with it, at most N. Bad input is exit 2, before the store is opened when the
// flags alone show it.
#include <memory>

#include "agent/c_api_json.h"
#include "agent/cli/command_host.h"
#include "agent/cli/exit_codes.h"
#include "agent/cli/json_arg.h"
#include "agent/cli/json_print.h"

namespace syncagent::cli {
namespace {

struct QueryFlags {
  std::string collection;
  std::string selector;
  std::string sort;
  int64_t limit = 0;  // 0 = every match
  int64_t skip = 0;
  std::string bookmark;
  bool json = false;
};

constexpr int64_t kPage = 1000;

// The flags as the query of the first page; errors name the flag or the selector's JSON path.
StatusOr<query::QuerySpec> SpecOf(const QueryFlags& flags) {
  query::QuerySpec spec;
  if (!flags.selector.empty()) {
    SYNCAGENT_ASSIGN_OR_RETURN(nlohmann::json selector,
                               ParseJsonObjectArg("--selector", flags.selector));
    SYNCAGENT_ASSIGN_OR_RETURN(spec.selector, query::ParseSelector(selector, "selector"));
  }
  if (!flags.sort.empty()) {
    SYNCAGENT_ASSIGN_OR_RETURN(nlohmann::json sort,
                               ParseJsonArg("--sort", flags.sort, nlohmann::json::value_t::array));
    SYNCAGENT_ASSIGN_OR_RETURN(spec.sort, query::ParseSort(sort, "sort"));
  }
  if (flags.skip < 0) return InvalidArgumentError("--skip: expected 0 or more");
  if (flags.limit < 0) return InvalidArgumentError("--limit: expected 1 or more");
  spec.skip = flags.skip;
  spec.bookmark = flags.bookmark;
  return spec;
}

int Run(CliContext& ctx, const QueryFlags& flags) {
  auto spec = SpecOf(flags);
  if (!spec.ok()) return ctx.Fail(kExitUsage, spec.status().message());
  auto opened = ctx.OpenAgent();
  if (auto* exit = std::get_if<ExitCode>(&opened)) return exit->code;
  Agent& agent = *std::get<std::shared_ptr<Agent>>(opened);
  int64_t left = flags.limit > 0 ? flags.limit : -1;  // -1: every match
  nlohmann::json all = nlohmann::json::array();
  while (left != 0) {
    spec->limit = static_cast<int>(left < 0 ? kPage : std::min(left, kPage));
    auto page = agent.Query(flags.collection, *spec);
    if (!page.ok()) {
      const bool usage = page.status().code() == StatusCode::kInvalidArgument;
      return ctx.Fail(usage ? kExitUsage : kExitFailure, page.status().message());
    }
    std::string out;
    for (query::QueryRow& row : page->rows) {
      if (flags.json) {
        all.push_back(capi::QueryRowToJson(std::move(row)));
      } else {
        out += row.key + "\t" + CompactJson(row.data) + "\n";
      }
    }
    ctx.console().Print(out);
    if (left > 0) left -= static_cast<int64_t>(page->rows.size());
    spec->bookmark = page->bookmark;
    spec->skip = 0;
    if (page->bookmark.empty()) break;
  }
  if (flags.json) ctx.console().PrintLine(CompactJson(all));
  if (!spec->bookmark.empty()) {
    ctx.console().Log(LogLevel::kInfo, "query: more may match; continue with --bookmark " +
                                           spec->bookmark);
  }
  return kExitOk;
}

}  // namespace

void RegisterQueryCommand(CLI::App& app, CommandHost& host) {
  auto flags = std::make_shared<QueryFlags>();
  CLI::App* sub = app.add_subcommand(
      "query",
      "Print the live documents of a collection that match a Mango selector (docs/queries.md), "
      "one per line: KEY<TAB>JSON.");
  sub->add_option("COLLECTION", flags->collection, "collection name")->required();
  sub->add_option("--selector", flags->selector,
                  "Mango selector, a JSON object: {\"done\": false, \"n\": {\"$gt\": 3}}")
      ->option_text("JSON");
  sub->add_option("--sort", flags->sort, "sort fields, a JSON array: [\"a\", {\"b\": \"desc\"}]")
      ->option_text("JSON");
  sub->add_option("--limit", flags->limit, "print at most N documents (default: every match)")
      ->option_text("N");
  sub->add_option("--skip", flags->skip, "pass over the first N matches")->option_text("N");
  sub->add_option("--bookmark", flags->bookmark, "start after a previous query's bookmark")
      ->option_text("B");
  sub->add_flag("--json", flags->json,
                "print one JSON array of {\"key\",\"data\",\"rev\",\"sync_state\"}");
  host.Bind(sub, "query", [&host, flags] { return Run(*host.ctx, *flags); });
}

}  // namespace syncagent::cli
