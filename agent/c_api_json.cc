#include "agent/c_api_json.h"

#include <exception>

#include "common/json_limits.h"
#include "common/json_text.h"

namespace syncagent::capi {
namespace {

// A resolution {"action": ..., "data": {...}} holds a document one level down.
constexpr int kMaxAnswerDepth = kMaxDocumentDepth + 1;

// `text` parsed, after a byte scan has checked that it nests at most `max_depth` levels: the
// parser itself is iterative, but copying or dumping the value afterwards would recurse.
StatusOr<nlohmann::json> Parse(std::string_view text, std::string_view what, int max_depth) {
  if (JsonTextDepth(text, max_depth) > max_depth) {
    return InvalidArgumentError(
        std::string(what) + ": nested deeper than " + std::to_string(max_depth) + " levels" +
        (max_depth == kMaxDocumentDepth ? " (the document limit)"
                                        : " (its data is a document: at most " +
                                              std::to_string(kMaxDocumentDepth) + " levels)"));
  }
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    // Re-parse with exceptions for the position (only on the error path).
    try {
      nlohmann::json again = nlohmann::json::parse(text);
      (void)again;
    } catch (const nlohmann::json::parse_error& e) {
      return InvalidArgumentError(std::string(what) + ": not valid JSON: byte " +
                                  std::to_string(e.byte) + ": " + e.what());
    } catch (const std::exception& e) {
      return InvalidArgumentError(std::string(what) + ": not valid JSON: " + e.what());
    }
    return InvalidArgumentError(std::string(what) + ": not valid JSON");
  }
  return value;
}

// "data" of an answer: must be an object when the action needs one.
StatusOr<nlohmann::json> DataOf(const nlohmann::json& answer, std::string_view what) {
  auto it = answer.find("data");
  if (it == answer.end() || !it->is_object()) {
    return InvalidArgumentError(std::string(what) +
                                ".data: expected a JSON object with action \"use\"");
  }
  return *it;
}

// An answer built in C++ (not parsed from text) may nest deeper than a document allows.
Status CheckAnswerDepth(const nlohmann::json& answer, std::string_view what) {
  if (JsonValueDepth(answer, kMaxAnswerDepth) > kMaxAnswerDepth) {
    return InvalidArgumentError(std::string(what) + ": nested deeper than " +
                                std::to_string(kMaxAnswerDepth) + " levels (its data is a " +
                                "document: at most " + std::to_string(kMaxDocumentDepth) + " levels)");
  }
  return Status();
}

StatusOr<std::string> ActionOf(const nlohmann::json& answer, std::string_view what) {
  if (!answer.is_object())
    return InvalidArgumentError(std::string(what) + ": expected a JSON object");
  auto it = answer.find("action");
  if (it == answer.end() || !it->is_string()) {
    return InvalidArgumentError(std::string(what) + ".action: expected a string");
  }
  return it->get<std::string>();
}

}  // namespace

StatusOr<nlohmann::json> ParseJsonArg(const char* text, std::string_view what, int max_depth) {
  if (text == nullptr) return InvalidArgumentError(std::string(what) + ": must not be NULL");
  return Parse(text, what, max_depth);
}

StatusOr<nlohmann::json> ParseJsonObjectArg(const char* text, std::string_view what) {
  SYNCAGENT_ASSIGN_OR_RETURN(nlohmann::json value, ParseJsonArg(text, what, kMaxDocumentDepth));
  if (!value.is_object()) {
    return InvalidArgumentError(std::string(what) + ": expected a JSON object, got " +
                                value.type_name());
  }
  return value;
}

std::string Dump(const nlohmann::json& value) {
  return CompactJson(value);  // no recursion: stored data from older versions may be deep
}

nlohmann::json SideToJson(const ConflictSide& side) {
  return {{"exists", side.exists},
          {"deleted", side.deleted},
          {"data", side.data},
          {"hlc", side.hlc},
          {"rev", side.rev}};
}

nlohmann::json SidesToJson(const ConflictSides& sides) {
  return {{"collection", sides.collection},
          {"key", sides.key},
          {"base", SideToJson(sides.base)},
          {"local", SideToJson(sides.local)},
          {"remote", SideToJson(sides.remote)}};
}

nlohmann::json ConflictToJson(const Conflict& c) {
  nlohmann::json j = SidesToJson(SidesOf(c));
  j["id"] = c.id;
  j["origin"] = c.origin == ConflictOrigin::kPush ? "push" : "pull";
  j["status"] = c.status == ConflictStatus::kOpen ? "open" : "resolved";
  j["created_at"] = c.created_at;
  if (c.mutation_id) j["mutation_id"] = *c.mutation_id;
  if (!c.resolution.empty()) j["resolution"] = c.resolution;
  if (c.resolved_at) j["resolved_at"] = *c.resolved_at;
  return j;
}

nlohmann::json DeadLetterToJson(const DeadLetter& d) {
  return {{"id", d.id},
          {"collection", d.mutation.collection},
          {"key", d.mutation.key},
          {"op", MutationOpName(d.mutation.op)},
          {"mutation_id", d.mutation.mutation_id},
          {"data", d.mutation.data},
          {"code", d.code},
          {"message", d.message},
          {"dead_at", d.dead_at}};
}

nlohmann::json QueryRowToJson(query::QueryRow row) {
  nlohmann::json doc = {{"key", std::move(row.key)}, {"rev", std::move(row.rev)},
                        {"sync_state", SyncStateName(row.sync_state)}};
  doc["data"] = std::move(row.data);  // moved, never copied (a copy recurses per level)
  return doc;
}

nlohmann::json ChangeToJson(const Change& change) {
  return {{"seq", change.seq},
          {"collection", change.collection},
          {"key", change.key},
          {"deleted", change.deleted},
          {"source", ChangeSourceName(change.source)},
          {"sync_state", SyncStateName(change.sync_state)}};
}

nlohmann::json QueryResultToJson(query::QueryResult result) {
  nlohmann::json docs = nlohmann::json::array();
  for (query::QueryRow& row : result.rows) docs.push_back(QueryRowToJson(std::move(row)));
  nlohmann::json out = {{"docs", std::move(docs)}};
  out["bookmark"] = result.bookmark.empty() ? nlohmann::json() : nlohmann::json(result.bookmark);
  return out;
}

nlohmann::json RunRecordToJson(const RunRecord& r) {
  return {{"id", r.id},
          {"task_id", r.task_id},
          {"requested_at_ms", r.requested_at},
          {"started_at_ms", r.started_at},
          {"finished_at_ms", r.finished_at ? nlohmann::json(*r.finished_at) : nlohmann::json()},
          {"budget_ms", r.budget_ms},
          {"result", RunResultName(r.result)},
          {"reason", r.reason},
          {"pushed", r.pushed},
          {"pulled", r.pulled},
          {"conflicts", r.conflicts},
          {"error", r.error},
          {"in_run_log", !r.unlogged}};
}

StatusOr<nlohmann::json> ParseAnswerArg(const char* text, std::string_view what) {
  return ParseJsonArg(text, what, kMaxAnswerDepth);
}

StatusOr<CustomResolution> CustomResolutionFromJson(const nlohmann::json& answer) {
  constexpr std::string_view kWhat = "resolver answer";
  SYNCAGENT_RETURN_IF_ERROR(CheckAnswerDepth(answer, kWhat));
  SYNCAGENT_ASSIGN_OR_RETURN(std::string action, ActionOf(answer, kWhat));
  CustomResolution r;
  using Kind = CustomResolution::Kind;
  if (action == "take_remote") {
    r.kind = Kind::kTakeRemote;
  } else if (action == "keep_local") {
    r.kind = Kind::kKeepLocal;
  } else if (action == "use") {
    r.kind = Kind::kUse;
    SYNCAGENT_ASSIGN_OR_RETURN(r.data, DataOf(answer, kWhat));
  } else if (action == "delete") {
    r.kind = Kind::kDelete;
  } else if (action == "leave_open") {
    r.kind = Kind::kLeaveOpen;
  } else if (action == "defer") {
    r.kind = Kind::kDefer;
  } else {
    return InvalidArgumentError(
        "resolver answer.action: expected take_remote, keep_local, use, delete, leave_open or "
        "defer");
  }
  return r;
}

StatusOr<Resolution> ResolutionFromJson(const nlohmann::json& answer) {
  constexpr std::string_view kWhat = "resolution_json";
  SYNCAGENT_RETURN_IF_ERROR(CheckAnswerDepth(answer, kWhat));
  SYNCAGENT_ASSIGN_OR_RETURN(std::string action, ActionOf(answer, kWhat));
  if (action == "take_remote") return Resolution::TakeRemote();
  if (action == "keep_local") return Resolution::KeepLocal();
  if (action == "delete") return Resolution::Delete();
  if (action == "use" || action == "replace") {
    SYNCAGENT_ASSIGN_OR_RETURN(nlohmann::json data, DataOf(answer, kWhat));
    return Resolution::Replace(std::move(data));
  }
  return InvalidArgumentError(
      "resolution_json.action: expected take_remote, keep_local, use or delete");
}

}  // namespace syncagent::capi
