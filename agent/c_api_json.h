// The JSON shapes of the C API (include/syncagent/syncagent.h): conflict sides and stored
// conflicts out, resolutions in, and the parsing of caller-supplied JSON text into a Status
// instead of an exception. Kept apart from c_api.cc so the shim stays one short body per
// function.
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_AGENT_C_API_JSON_H_
#define SYNCAGENT_AGENT_C_API_JSON_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "agent/conflict_resolver.h"
#include "storage/change_feed.h"
#include "storage/query/query_spec.h"
#include "storage/sync_records.h"
#include "syncagent/status.h"

namespace syncagent::capi {

// `text` parsed as JSON; INVALID_ARGUMENT "<what>: ..." when it is NULL, not JSON, or nested
// deeper than `max_depth` levels ("<what>: nested deeper than 32 levels ..."). The depth is
// checked on the text before the parser runs, so no deep value is ever built.
StatusOr<nlohmann::json> ParseJsonArg(const char* text, std::string_view what, int max_depth);
// Like ParseJsonArg with the document limit (kMaxDocumentDepth), and the value must be an object.
StatusOr<nlohmann::json> ParseJsonObjectArg(const char* text, std::string_view what);

// Compact JSON; invalid UTF-8 is replaced instead of throwing. Written without recursion
// (common/json_text.h), so a deep document stored by an older version cannot overflow the stack.
std::string Dump(const nlohmann::json& value);

// {"exists","deleted","data","hlc","rev"}
nlohmann::json SideToJson(const ConflictSide& side);
// {"collection","key","base","local","remote"}
nlohmann::json SidesToJson(const ConflictSides& sides);
// {"id","collection","key","origin","status","base","local","remote","created_at",...}
nlohmann::json ConflictToJson(const Conflict& conflict);

// {"id","collection","key","op","mutation_id","data","code","message","dead_at"}
nlohmann::json DeadLetterToJson(const DeadLetter& letter);
// {"id","task_id","requested_at_ms","started_at_ms","finished_at_ms","budget_ms","result",
//  "reason","pushed","pulled","conflicts","error","in_run_log"}
nlohmann::json RunRecordToJson(const RunRecord& run);

// {"docs": [QueryRowToJson...], "bookmark": "..." | null} (SyncAgent::Query).
nlohmann::json QueryResultToJson(query::QueryResult result);
// {"key","data","rev","sync_state"}; the data is moved, never copied.
nlohmann::json QueryRowToJson(query::QueryRow row);
// {"seq","collection","key","deleted","source","sync_state"} (SyncAgent::Changes).
nlohmann::json ChangeToJson(const Change& change);

// An answer's text (a resolver's answer, syncagent_resolve_conflict's argument) parsed, nested at
// most one level deeper than a document (its "data" is one); `what` names it in errors.
StatusOr<nlohmann::json> ParseAnswerArg(const char* text, std::string_view what);
// A resolver's answer {"action": ..., "data": {...}}.
StatusOr<CustomResolution> CustomResolutionFromJson(const nlohmann::json& answer);
// An app's resolution {"action": ..., "data": {...}} (syncagent_resolve_conflict's argument).
StatusOr<Resolution> ResolutionFromJson(const nlohmann::json& answer);

}  // namespace syncagent::capi

#endif  // SYNCAGENT_AGENT_C_API_JSON_H_
