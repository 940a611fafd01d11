// The C API shim (include/syncagent/syncagent.h) over the public C++ API (include/syncagent/
// agent.h): each function checks its C arguments, converts C strings to JSON and back, calls the
// SyncAgent, and turns its Status into {code, message} with the agent's secrets redacted. The
// callbacks' lifetime rules ("never called after the call that replaced it returned") are
// SyncAgent's: a C callback is wrapped in a SyncAgent callback. See the header for the contract.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/agent.h"
#include "agent/c_api_json.h"
#include "agent/sync_agent_access.h"
#include "common/json_limits.h"
#include "common/redact.h"
#include "syncagent/agent.h"
#include "syncagent/syncagent.h"

struct syncagent_agent {
  std::unique_ptr<syncagent::SyncAgent> agent;
};

namespace syncagent::capi {
namespace {

static_assert(SYNCAGENT_INVALID_ARGUMENT == static_cast<int>(StatusCode::kInvalidArgument));
static_assert(SYNCAGENT_NOT_FOUND == static_cast<int>(StatusCode::kNotFound));
static_assert(SYNCAGENT_CANCELLED == static_cast<int>(StatusCode::kCancelled));
static_assert(SYNCAGENT_INTERNAL == static_cast<int>(StatusCode::kInternal));
static_assert(SYNCAGENT_IO_ERROR == static_cast<int>(StatusCode::kIoError));

// The secrets of the agent's config: the token, the password and the extra header values.
std::vector<std::string> SecretsOf(const syncagent_agent* h) {
  if (h == nullptr || !h->agent) return {};
  return SecretValues(SyncAgentAccess::agent(*h->agent).config().server);
}

// Redacts the string values of a report the agent built (status, cycle report, headless result):
// they are messages, never document data. The report stays valid JSON. Defence in depth: the
// layers below already keep secrets out of every message they build (common/redact.h).
void RedactReportStrings(const syncagent_agent* h, nlohmann::json* report) {
  const std::vector<std::string> secrets = SecretsOf(h);
  std::vector<nlohmann::json*> pending{report};
  while (!pending.empty()) {
    nlohmann::json* node = pending.back();
    pending.pop_back();
    if (node->is_string()) {
      *node = RedactSecrets(node->get_ref<const std::string&>(), secrets);
    } else if (node->is_structured()) {
      for (nlohmann::json& child : *node) pending.push_back(&child);
    }
  }
}

void Fill(syncagent_error* err, const Status& status, const syncagent_agent* h) {
  if (err == nullptr) return;
  err->code = static_cast<int>(status.code());
  std::string message = RedactSecrets(status.message(), SecretsOf(h));
  size_t n = std::min(message.size(), sizeof(err->message) - 1);
  while (n > 0 && n < message.size() && (static_cast<unsigned char>(message[n]) & 0xC0) == 0x80) {
    --n;  // do not cut a UTF-8 sequence
  }
  std::memcpy(err->message, message.data(), n);
  err->message[n] = '\0';
}

// Runs `body` (returning Status), turns exceptions into INTERNAL, fills `err`, returns the code.
template <typename Body>
int Guard(syncagent_error* err, const syncagent_agent* h, Body&& body) {
  Status status;
  try {
    status = body();
  } catch (const std::exception& e) {
    status = InternalError(std::string("unexpected exception: ") + e.what());
  } catch (...) {
    status = InternalError("unexpected exception");
  }
  Fill(err, status, h);
  return static_cast<int>(status.code());
}

Status NeedHandle(const syncagent_agent* h) {
  return h == nullptr ? InvalidArgumentError("agent: must not be NULL (open it first)") : Status();
}
Status NeedArg(const void* p, const char* name) {
  return p == nullptr ? InvalidArgumentError(std::string(name) + ": must not be NULL") : Status();
}
Status NeedKey(const syncagent_agent* h, const char* collection, const char* key) {
  SYNCAGENT_RETURN_IF_ERROR(NeedHandle(h));
  SYNCAGENT_RETURN_IF_ERROR(NeedArg(collection, "collection"));
  return NeedArg(key, "key");
}

// A malloc'ed copy for the caller (freed with syncagent_free).
Status Give(const std::string& text, char** out) {
  char* copy = static_cast<char*>(std::malloc(text.size() + 1));
  if (copy == nullptr) return ResourceExhaustedError("out of memory");
  std::memcpy(copy, text.data(), text.size() + 1);
  *out = copy;
  return Status();
}
// A report of the agent's own making (no document data) for the caller, messages redacted.
Status GiveReport(const syncagent_agent* h, nlohmann::json report, char** out) {
  if (out == nullptr) return Status();
  RedactReportStrings(h, &report);
  return Give(Dump(report), out);
}

std::optional<std::chrono::milliseconds> BudgetOf(int64_t budget_ms) {
  return budget_ms > 0 ? std::optional<std::chrono::milliseconds>(budget_ms) : std::nullopt;
}

Status Open(StatusOr<std::unique_ptr<SyncAgent>> agent, syncagent_agent** out) {
  if (!agent.ok()) return agent.status();
  auto handle = std::make_unique<syncagent_agent>();
  handle->agent = std::move(*agent);
  *out = handle.release();
  return Status();
}

// The C resolver's answer as the C++ resolver's: a non-zero return leaves the conflict open.
StatusOr<nlohmann::json> AskC(syncagent_resolver_fn fn, void* user, const nlohmann::json& sides) {
  char* answer = nullptr;
  const int rc = fn(Dump(sides).c_str(), &answer, user);
  std::unique_ptr<char, decltype(&std::free)> owned(answer, &std::free);
  if (rc != 0) return nlohmann::json{{"action", "leave_open"}};
  if (answer == nullptr) return InvalidArgumentError("the resolver returned 0 without an answer");
  return ParseAnswerArg(answer, "resolver answer");
}

}  // namespace
}  // namespace syncagent::capi

using namespace syncagent;        // NOLINT(google-build-using-namespace): the shim's own file
using namespace syncagent::capi;  // NOLINT(google-build-using-namespace)

extern "C" {

const char* syncagent_version(void) { return SYNCAGENT_VERSION_STRING; }

void syncagent_free(void* p) { std::free(p); }

int syncagent_open_json(const char* config_json, syncagent_agent** out, syncagent_error* err) {
  if (out != nullptr) *out = nullptr;
  return Guard(err, nullptr, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(config_json, "config_json"));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(out, "out"));
    return Open(SyncAgent::OpenJson(config_json), out);
  });
}

int syncagent_open_file(const char* path, syncagent_agent** out, syncagent_error* err) {
  if (out != nullptr) *out = nullptr;
  return Guard(err, nullptr, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(path, "path"));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(out, "out"));
    return Open(SyncAgent::OpenFile(path), out);
  });
}

void syncagent_close(syncagent_agent* agent) {
  delete agent;  // ~SyncAgent cancels, drops the callbacks and closes (see its header)
}

int syncagent_put(syncagent_agent* agent, const char* collection, const char* key, const char* json,
                  syncagent_error* err) {
  return Guard(err, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedKey(agent, collection, key));
    SYNCAGENT_ASSIGN_OR_RETURN(nlohmann::json data, ParseJsonObjectArg(json, "json"));
    return agent->agent->Put(collection, key, data);
  });
}

int syncagent_patch(syncagent_agent* agent, const char* collection, const char* key,
                    const char* json_merge_patch, syncagent_error* err) {
  return Guard(err, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedKey(agent, collection, key));
    SYNCAGENT_ASSIGN_OR_RETURN(nlohmann::json patch,
                               ParseJsonObjectArg(json_merge_patch, "json_merge_patch"));
    return agent->agent->Patch(collection, key, patch);
  });
}

int syncagent_delete(syncagent_agent* agent, const char* collection, const char* key,
                     syncagent_error* err) {
  return Guard(err, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedKey(agent, collection, key));
    return agent->agent->Delete(collection, key);
  });
}

int syncagent_get(syncagent_agent* agent, const char* collection, const char* key, char** out_json,
                  syncagent_error* err) {
  if (out_json != nullptr) *out_json = nullptr;
  return Guard(err, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedKey(agent, collection, key));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(out_json, "out_json"));
    SYNCAGENT_ASSIGN_OR_RETURN(std::optional<nlohmann::json> data,
                               agent->agent->Get(collection, key));
    if (!data) return NotFoundError(std::string(collection) + "/" + key + ": no such document");
    return Give(Dump(*data), out_json);  // document data: returned as stored, never redacted
  });
}

int syncagent_query_json(syncagent_agent* agent, const char* collection, const char* query_json,
                         char** out_json, syncagent_error* err) {
  if (out_json != nullptr) *out_json = nullptr;
  return Guard(err, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(collection, "collection"));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(out_json, "out_json"));
    // A selector's operand may be a whole document, a few levels down the query.
    SYNCAGENT_ASSIGN_OR_RETURN(nlohmann::json query,
                               ParseJsonArg(query_json, "query_json", kMaxDocumentDepth + 8));
    SYNCAGENT_ASSIGN_OR_RETURN(nlohmann::json result, agent->agent->Query(collection, query));
    return Give(Dump(result), out_json);  // document data: returned as stored, never redacted
  });
}

int syncagent_changes_json(syncagent_agent* agent, int64_t since, int limit, char** out_json,
                           syncagent_error* err) {
  if (out_json != nullptr) *out_json = nullptr;
  return Guard(err, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(out_json, "out_json"));
    SYNCAGENT_ASSIGN_OR_RETURN(nlohmann::json changes, agent->agent->Changes(since, limit));
    return Give(Dump(changes), out_json);
  });
}

int syncagent_watch(syncagent_agent* agent, const char* collection, const char* selector_json,
                    const char* sort_json, int limit, syncagent_watch_fn cb, void* user,
                    int64_t* out_watch_id, syncagent_error* err) {
  if (out_watch_id != nullptr) *out_watch_id = 0;
  return Guard(err, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(collection, "collection"));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(out_watch_id, "out_watch_id"));
    if (cb == nullptr) return InvalidArgumentError("cb: must not be NULL");
    SYNCAGENT_ASSIGN_OR_RETURN(nlohmann::json selector,
                               ParseJsonArg(selector_json, "selector_json", kMaxDocumentDepth + 8));
    nlohmann::json sort;  // null: by key
    if (sort_json != nullptr) {
      SYNCAGENT_ASSIGN_OR_RETURN(sort, ParseJsonArg(sort_json, "sort_json", kMaxDocumentDepth));
    }
    auto call = [cb, user](int64_t id, const StatusOr<nlohmann::json>& result) {
      // Document data: handed over as stored, never redacted (as syncagent_query_json's).
      const std::string text = result.ok() ? Dump(*result) : result.status().message();
      char* copy = nullptr;  // the callee owns it
      if (Give(text, &copy).ok()) cb(id, static_cast<int>(result.status().code()), copy, user);
    };
    SYNCAGENT_ASSIGN_OR_RETURN(*out_watch_id,
                               agent->agent->Watch(collection, selector, sort, limit, call));
    return Status();
  });
}

int syncagent_unwatch(syncagent_agent* agent, int64_t watch_id, syncagent_error* err) {
  return Guard(err, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    return agent->agent->Unwatch(watch_id);
  });
}

int syncagent_sync_now(syncagent_agent* agent, int64_t budget_ms, char** out_report_json,
                       syncagent_error* err) {
  if (out_report_json != nullptr) *out_report_json = nullptr;
  return Guard(err, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    SYNCAGENT_ASSIGN_OR_RETURN(nlohmann::json report, agent->agent->SyncNow(BudgetOf(budget_ms)));
    return GiveReport(agent, std::move(report), out_report_json);
  });
}

int syncagent_run_headless(syncagent_agent* agent, const char* task_id, int64_t budget_ms,
                           int* out_task_result, char** out_result_json, syncagent_error* err) {
  if (out_result_json != nullptr) *out_result_json = nullptr;
  return Guard(err, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(out_task_result, "out_task_result"));
    SYNCAGENT_ASSIGN_OR_RETURN(
        HeadlessRun run,
        agent->agent->RunHeadless(task_id ? task_id : "", BudgetOf(budget_ms)));
    *out_task_result = static_cast<int>(run.outcome);
    return GiveReport(agent, std::move(run.report), out_result_json);
  });
}

int syncagent_cancel(syncagent_agent* agent) {
  return Guard(nullptr, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    agent->agent->Cancel("cancelled by the app (syncagent_cancel)");
    return Status();
  });
}

int syncagent_status_json(syncagent_agent* agent, char** out_json, syncagent_error* err) {
  if (out_json != nullptr) *out_json = nullptr;
  return Guard(err, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(out_json, "out_json"));
    SYNCAGENT_ASSIGN_OR_RETURN(nlohmann::json status, agent->agent->GetStatus());
    return GiveReport(agent, std::move(status), out_json);
  });
}

int syncagent_set_event_callback(syncagent_agent* agent, syncagent_event_fn cb, void* user) {
  return Guard(nullptr, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    if (cb == nullptr) {
      agent->agent->SetEventCallback(nullptr);
    } else {
      agent->agent->SetEventCallback(
          [cb, user](const nlohmann::json& event) { cb(Dump(event).c_str(), user); });
    }
    return Status();
  });
}

int syncagent_set_event_listener(syncagent_agent* agent, syncagent_event_listener_fn cb,
                                 void* user) {
  return Guard(nullptr, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    if (cb == nullptr) {
      agent->agent->SetEventCallback(nullptr);
    } else {
      agent->agent->SetEventCallback([cb, user](const nlohmann::json& event) {
        char* copy = nullptr;
        if (Give(Dump(event), &copy).ok()) cb(copy, user);  // the listener owns the copy
      });
    }
    return Status();
  });
}

int syncagent_set_conflict_resolver(syncagent_agent* agent, syncagent_resolver_fn cb, void* user) {
  return Guard(nullptr, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    if (cb == nullptr) {
      agent->agent->SetConflictResolver(nullptr);
    } else {
      agent->agent->SetConflictResolver(
          [cb, user](const nlohmann::json& sides) { return AskC(cb, user, sides); });
    }
    return Status();
  });
}

int syncagent_conflicts_json(syncagent_agent* agent, char** out_json, syncagent_error* err) {
  if (out_json != nullptr) *out_json = nullptr;
  return Guard(err, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(out_json, "out_json"));
    SYNCAGENT_ASSIGN_OR_RETURN(nlohmann::json conflicts, agent->agent->ListConflicts());
    return Give(Dump(conflicts), out_json);  // document data: returned as stored, never redacted
  });
}

int syncagent_resolve_conflict(syncagent_agent* agent, int64_t id, const char* resolution_json,
                               syncagent_error* err) {
  return Guard(err, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    SYNCAGENT_ASSIGN_OR_RETURN(nlohmann::json resolution,
                               ParseAnswerArg(resolution_json, "resolution_json"));
    return agent->agent->ResolveConflict(id, resolution);
  });
}

}  // extern "C"
