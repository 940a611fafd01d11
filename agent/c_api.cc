// The C API shim (include/syncagent/syncagent.h): one short body per function converting the
// C++ Agent's Status into {code, message}. See the header for the contract.
//
// Callbacks go through shared "slots" installed once at open: replacing a callback, or closing
// the handle, swaps the slot under its mutex, so a callback is never called after the call that
// replaced it returned — even by a cycle that a headless watchdog left running on a detached
// thread (it keeps the Agent alive, not the app's `user` pointer).
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "agent/agent.h"
#include "agent/c_api_json.h"
#include "agent/headless_task.h"
#include "agent/schedule_health.h"
#include "common/redact.h"
#include "platform/cancel_token.h"
#include "syncagent/syncagent.h"

namespace syncagent::capi {
namespace {

static_assert(SYNCAGENT_INVALID_ARGUMENT == static_cast<int>(StatusCode::kInvalidArgument));
static_assert(SYNCAGENT_NOT_FOUND == static_cast<int>(StatusCode::kNotFound));
static_assert(SYNCAGENT_CANCELLED == static_cast<int>(StatusCode::kCancelled));
static_assert(SYNCAGENT_INTERNAL == static_cast<int>(StatusCode::kInternal));
static_assert(SYNCAGENT_IO_ERROR == static_cast<int>(StatusCode::kIoError));

struct EventSlot {
  std::mutex mu;
  syncagent_event_fn fn = nullptr;                 // borrowed string
  syncagent_event_listener_fn listener = nullptr;  // owned copy
  void* user = nullptr;
};

struct ResolverSlot {
  std::mutex mu;
  syncagent_resolver_fn fn = nullptr;
  void* user = nullptr;
};

}  // namespace
}  // namespace syncagent::capi

struct syncagent_agent {
  std::shared_ptr<syncagent::Agent> agent;
  std::shared_ptr<syncagent::capi::EventSlot> events;
  std::shared_ptr<syncagent::capi::ResolverSlot> resolver;
  std::mutex active_mu;
  std::set<syncagent::CancelToken*> active;  // tokens of the running sync_now / run_headless
};

namespace syncagent::capi {
namespace {

// The secrets of the agent's config: the bearer token and the extra header values.
std::vector<std::string> SecretsOf(const syncagent_agent* h) {
  std::vector<std::string> secrets;
  if (h == nullptr || !h->agent) return secrets;
  const ServerConfig& server = h->agent->config().server;
  secrets.push_back(server.auth.token.reveal());
  for (const auto& [name, value] : server.headers) secrets.push_back(value);
  return secrets;
}

// A message with the agent's secrets replaced (defence in depth: the layers below already keep
// them out of every message they build, see common/redact.h). Only messages are redacted, never
// JSON text or document data.
std::string Redact(const syncagent_agent* h, std::string_view text) {
  return RedactSecrets(text, SecretsOf(h));
}

// Redacts the string values of a report the agent built (status, cycle report, headless result):
// they are messages, never document data. The report stays valid JSON.
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
  std::string message = Redact(h, status.message());
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

// Registers a cancel token for the duration of one sync_now / run_headless.
class ActiveOp {
 public:
  explicit ActiveOp(syncagent_agent* h) : h_(h) {
    std::lock_guard<std::mutex> lock(h_->active_mu);
    h_->active.insert(&token_);
  }
  ~ActiveOp() {
    std::lock_guard<std::mutex> lock(h_->active_mu);
    h_->active.erase(&token_);
  }
  const CancelToken* token() const { return &token_; }

 private:
  syncagent_agent* h_;
  CancelToken token_;
};

std::optional<Millis> BudgetOf(int64_t budget_ms) {
  return budget_ms > 0 ? std::optional<Millis>(Millis(budget_ms)) : std::nullopt;
}

Status Open(StatusOr<std::unique_ptr<Agent>> (*open_fn)(std::string_view, AgentOptions),
            std::string_view arg, syncagent_agent** out) {
  auto handle = std::make_unique<syncagent_agent>();
  handle->events = std::make_shared<EventSlot>();
  handle->resolver = std::make_shared<ResolverSlot>();
  AgentOptions options;
  options.on_event = [slot = handle->events](const SyncEvent& event) {
    std::lock_guard<std::mutex> lock(slot->mu);
    if (slot->fn == nullptr && slot->listener == nullptr) return;
    const std::string json = Dump(event.ToJson());
    if (slot->fn != nullptr) slot->fn(json.c_str(), slot->user);
    char* copy = nullptr;
    if (slot->listener != nullptr && Give(json, &copy).ok()) slot->listener(copy, slot->user);
  };
  options.custom_resolver =
      [slot = handle->resolver](const ConflictSides& sides) -> StatusOr<CustomResolution> {
    std::lock_guard<std::mutex> lock(slot->mu);
    if (slot->fn == nullptr) return CustomResolution{};  // defer to the configured policy
    char* answer = nullptr;
    const int rc = slot->fn(Dump(SidesToJson(sides)).c_str(), &answer, slot->user);
    std::unique_ptr<char, decltype(&std::free)> owned(answer, &std::free);
    if (rc != 0) {
      CustomResolution leave_open;
      leave_open.kind = CustomResolution::Kind::kLeaveOpen;
      return leave_open;
    }
    if (answer == nullptr) return InvalidArgumentError("the resolver returned 0 without an answer");
    return ParseCustomResolution(answer);
  };
  SYNCAGENT_ASSIGN_OR_RETURN(std::unique_ptr<Agent> agent, open_fn(arg, std::move(options)));
  handle->agent = std::move(agent);
  *out = handle.release();
  return Status();
}

StatusOr<std::unique_ptr<Agent>> OpenJsonFn(std::string_view text, AgentOptions options) {
  return Agent::OpenJson(text, std::move(options));
}
StatusOr<std::unique_ptr<Agent>> OpenFileFn(std::string_view path, AgentOptions options) {
  return Agent::OpenFile(std::string(path), std::move(options));
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
    return Open(&OpenJsonFn, config_json, out);
  });
}

int syncagent_open_file(const char* path, syncagent_agent** out, syncagent_error* err) {
  if (out != nullptr) *out = nullptr;
  return Guard(err, nullptr, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(path, "path"));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(out, "out"));
    return Open(&OpenFileFn, path, out);
  });
}

void syncagent_close(syncagent_agent* agent) {
  if (agent == nullptr) return;
  syncagent_set_event_callback(agent, nullptr, nullptr);
  syncagent_set_conflict_resolver(agent, nullptr, nullptr);
  delete agent;  // the Agent itself lives on while a detached watchdog worker still holds it
}

int syncagent_put(syncagent_agent* agent, const char* collection, const char* key, const char* json,
                  syncagent_error* err) {
  return Guard(err, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(collection, "collection"));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(key, "key"));
    SYNCAGENT_ASSIGN_OR_RETURN(nlohmann::json data, ParseJsonObjectArg(json, "json"));
    return agent->agent->Put(collection, key, data);
  });
}

int syncagent_patch(syncagent_agent* agent, const char* collection, const char* key,
                    const char* json_merge_patch, syncagent_error* err) {
  return Guard(err, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(collection, "collection"));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(key, "key"));
    SYNCAGENT_ASSIGN_OR_RETURN(nlohmann::json patch,
                               ParseJsonObjectArg(json_merge_patch, "json_merge_patch"));
    return agent->agent->Patch(collection, key, patch);
  });
}

int syncagent_delete(syncagent_agent* agent, const char* collection, const char* key,
                     syncagent_error* err) {
  return Guard(err, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(collection, "collection"));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(key, "key"));
    return agent->agent->Delete(collection, key);
  });
}

int syncagent_get(syncagent_agent* agent, const char* collection, const char* key, char** out_json,
                  syncagent_error* err) {
  if (out_json != nullptr) *out_json = nullptr;
  return Guard(err, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(collection, "collection"));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(key, "key"));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(out_json, "out_json"));
    SYNCAGENT_ASSIGN_OR_RETURN(std::optional<Document> doc, agent->agent->Get(collection, key));
    if (!doc) return NotFoundError(std::string(collection) + "/" + key + ": no such document");
    return Give(Dump(doc->data), out_json);
  });
}

int syncagent_sync_now(syncagent_agent* agent, int64_t budget_ms, char** out_report_json,
                       syncagent_error* err) {
  if (out_report_json != nullptr) *out_report_json = nullptr;
  return Guard(err, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    ActiveOp op(agent);
    CycleReport report = agent->agent->SyncNow(BudgetOf(budget_ms), op.token());
    return GiveReport(agent, report.ToJson(), out_report_json);
  });
}

int syncagent_run_headless(syncagent_agent* agent, const char* task_id, int64_t budget_ms,
                           int* out_task_result, char** out_result_json, syncagent_error* err) {
  if (out_result_json != nullptr) *out_result_json = nullptr;
  return Guard(err, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(out_task_result, "out_task_result"));
    Agent& a = *agent->agent;
    ActiveOp op(agent);
    TaskInvocation invocation;
    invocation.task_id = (task_id && *task_id) ? task_id : a.config().schedule.task_id;
    invocation.budget =
        BudgetOf(budget_ms).value_or(Millis(a.config().schedule.time_budget_seconds * 1000));
    invocation.requested_at_wall_ms = a.clock().WallMs();
    invocation.started_at_wall_ms = invocation.requested_at_wall_ms;
    invocation.deadline = a.clock().Now() + invocation.budget;
    invocation.cancel = op.token();
    invocation.periodic = true;
    HeadlessResult result = HeadlessTask(agent->agent).Run(invocation);
    *out_task_result = static_cast<int>(result.task_result);
    return GiveReport(agent, result.ToJson(), out_result_json);
  });
}

int syncagent_cancel(syncagent_agent* agent) {
  return Guard(nullptr, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    std::lock_guard<std::mutex> lock(agent->active_mu);
    for (CancelToken* token : agent->active)
      token->Cancel("cancelled by the app (syncagent_cancel)");
    return Status();
  });
}

int syncagent_status_json(syncagent_agent* agent, char** out_json, syncagent_error* err) {
  if (out_json != nullptr) *out_json = nullptr;
  return Guard(err, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(out_json, "out_json"));
    Agent& a = *agent->agent;
    SYNCAGENT_ASSIGN_OR_RETURN(SyncStatus status, a.GetStatus());
    SYNCAGENT_ASSIGN_OR_RETURN(std::vector<RunRecord> runs, a.ListRuns(100));
    nlohmann::json j = status.ToJson();
    j["schedule_health"] =
        AnalyzeSchedule(runs, Millis(a.config().schedule.minimum_interval_minutes * 60000),
                        a.clock().WallMs())
            .ToJson();
    return GiveReport(agent, std::move(j), out_json);
  });
}

int syncagent_set_event_callback(syncagent_agent* agent, syncagent_event_fn cb, void* user) {
  return Guard(nullptr, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    std::lock_guard<std::mutex> lock(agent->events->mu);
    agent->events->fn = cb;
    agent->events->listener = nullptr;
    agent->events->user = cb ? user : nullptr;
    return Status();
  });
}

int syncagent_set_event_listener(syncagent_agent* agent, syncagent_event_listener_fn cb,
                                 void* user) {
  return Guard(nullptr, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    std::lock_guard<std::mutex> lock(agent->events->mu);
    agent->events->fn = nullptr;
    agent->events->listener = cb;
    agent->events->user = cb ? user : nullptr;
    return Status();
  });
}

int syncagent_set_conflict_resolver(syncagent_agent* agent, syncagent_resolver_fn cb, void* user) {
  return Guard(nullptr, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    std::lock_guard<std::mutex> lock(agent->resolver->mu);
    agent->resolver->fn = cb;
    agent->resolver->user = cb ? user : nullptr;
    return Status();
  });
}

int syncagent_conflicts_json(syncagent_agent* agent, char** out_json, syncagent_error* err) {
  if (out_json != nullptr) *out_json = nullptr;
  return Guard(err, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    SYNCAGENT_RETURN_IF_ERROR(NeedArg(out_json, "out_json"));
    SYNCAGENT_ASSIGN_OR_RETURN(std::vector<Conflict> conflicts, agent->agent->ListConflicts(true));
    nlohmann::json j = nlohmann::json::array();
    for (const Conflict& c : conflicts) j.push_back(ConflictToJson(c));
    return Give(Dump(j), out_json);  // document data: returned as stored, never redacted
  });
}

int syncagent_resolve_conflict(syncagent_agent* agent, int64_t id, const char* resolution_json,
                               syncagent_error* err) {
  return Guard(err, agent, [&]() -> Status {
    SYNCAGENT_RETURN_IF_ERROR(NeedHandle(agent));
    SYNCAGENT_ASSIGN_OR_RETURN(Resolution resolution, ParseResolution(resolution_json));
    return agent->agent->ResolveConflict(id, resolution);
  });
}

}  // extern "C"
