// SyncAgent (include/syncagent/agent.h): the public C++ API over the internal Agent. Every body
// converts between the Agent's types and JSON and turns an exception into an INTERNAL Status at
// this boundary.
//
// Callbacks go through shared slots installed once at open: replacing a callback, or destroying
// the SyncAgent, swaps the slot under its mutex, so a callback is never called after the call that
// replaced it returned — even by a cycle that a headless watchdog left running on a detached
// thread (it keeps the Agent alive, not the app's callback).
#include <exception>
#include <mutex>
#include <set>
#include <utility>

#include "agent/agent.h"
#include "agent/c_api_json.h"
#include "agent/headless_task.h"
#include "agent/schedule_health.h"
#include "agent/sync_agent_access.h"
#include "platform/cancel_token.h"
#include "syncagent/agent.h"

namespace syncagent {

// The callback slots SyncAgent::Impl holds. Not in the anonymous namespace: a class with external
// linkage (Impl) must not hold members of internal types (GCC's -Wsubobject-linkage, which fires
// when this file is compiled inside a unity batch).
namespace sync_agent_detail {

struct EventSlot {
  std::mutex mu;
  SyncAgent::EventFn fn;
};

struct ResolverSlot {
  std::mutex mu;
  SyncAgent::ResolverFn fn;
};

}  // namespace sync_agent_detail

namespace {

using sync_agent_detail::EventSlot;
using sync_agent_detail::ResolverSlot;

// Runs `body` (returning Status or StatusOr) and turns an exception into INTERNAL.
template <typename Body>
auto Guard(Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& e) {
    return InternalError(std::string("unexpected exception: ") + e.what());
  } catch (...) {
    return InternalError("unexpected exception");
  }
}

void DeliverEvent(EventSlot& slot, const SyncEvent& event) {
  std::lock_guard<std::mutex> lock(slot.mu);
  if (!slot.fn) return;
  try {
    slot.fn(event.ToJson());
  } catch (...) {
    // The app's exception must not unwind through the engine; the event is dropped.
  }
}

StatusOr<CustomResolution> AskResolver(ResolverSlot& slot, const ConflictSides& sides) {
  std::lock_guard<std::mutex> lock(slot.mu);
  if (!slot.fn) return CustomResolution{};  // defer to the configured policy
  StatusOr<nlohmann::json> answer = Guard([&] { return slot.fn(capi::SidesToJson(sides)); });
  if (!answer.ok()) return answer.status();  // left open, with the resolver's reason
  if (answer->is_null()) return CustomResolution{};
  return capi::CustomResolutionFromJson(*answer);
}

}  // namespace

struct SyncAgent::Impl {
  std::shared_ptr<Agent> agent;
  std::shared_ptr<sync_agent_detail::EventSlot> events =
      std::make_shared<sync_agent_detail::EventSlot>();
  std::shared_ptr<sync_agent_detail::ResolverSlot> resolver =
      std::make_shared<sync_agent_detail::ResolverSlot>();
  std::mutex active_mu;
  std::set<CancelToken*> active;  // tokens of the running SyncNow / RunHeadless
};

namespace {

// Registers a cancel token for the duration of one SyncNow / RunHeadless.
template <typename ImplT>
class ActiveOp {
 public:
  explicit ActiveOp(ImplT& impl) : impl_(impl) {
    std::lock_guard<std::mutex> lock(impl_.active_mu);
    impl_.active.insert(&token_);
  }
  ~ActiveOp() {
    std::lock_guard<std::mutex> lock(impl_.active_mu);
    impl_.active.erase(&token_);
  }
  ActiveOp(const ActiveOp&) = delete;
  ActiveOp& operator=(const ActiveOp&) = delete;
  const CancelToken* token() const { return &token_; }

 private:
  ImplT& impl_;
  CancelToken token_;
};

using OpenFn = StatusOr<std::unique_ptr<Agent>> (*)(std::string_view, AgentOptions);

StatusOr<std::unique_ptr<Agent>> OpenJsonFn(std::string_view text, AgentOptions options) {
  return Agent::OpenJson(text, std::move(options));
}
StatusOr<std::unique_ptr<Agent>> OpenFileFn(std::string_view path, AgentOptions options) {
  return Agent::OpenFile(std::string(path), std::move(options));
}

}  // namespace

StatusOr<std::unique_ptr<SyncAgent>> SyncAgentAccess::Open(OpenFn open_fn, std::string_view arg) {
  return Guard([&]() -> StatusOr<std::unique_ptr<SyncAgent>> {
    auto impl = std::make_unique<SyncAgent::Impl>();
    AgentOptions options;
    options.on_event = [slot = impl->events](const SyncEvent& event) { DeliverEvent(*slot, event); };
    options.custom_resolver = [slot = impl->resolver](const ConflictSides& sides) {
      return AskResolver(*slot, sides);
    };
    SYNCAGENT_ASSIGN_OR_RETURN(std::unique_ptr<Agent> agent, open_fn(arg, std::move(options)));
    impl->agent = std::move(agent);
    return std::unique_ptr<SyncAgent>(new SyncAgent(std::move(impl)));
  });
}

Agent& SyncAgentAccess::agent(SyncAgent& sync_agent) { return *sync_agent.impl_->agent; }

StatusOr<std::unique_ptr<SyncAgent>> SyncAgent::OpenJson(std::string_view config_json) {
  return SyncAgentAccess::Open(&OpenJsonFn, config_json);
}

StatusOr<std::unique_ptr<SyncAgent>> SyncAgent::OpenFile(const std::string& config_path) {
  return SyncAgentAccess::Open(&OpenFileFn, config_path);
}

SyncAgent::SyncAgent(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SyncAgent::~SyncAgent() {
  Cancel("the agent was closed");
  SetEventCallback(nullptr);
  SetConflictResolver(nullptr);
  impl_->agent->UnwatchAll();  // a cycle a headless watchdog left running calls none back
}

Status SyncAgent::Put(std::string_view collection, std::string_view key,
                      const nlohmann::json& data) {
  return Guard([&] { return impl_->agent->Put(collection, key, data); });
}

Status SyncAgent::Patch(std::string_view collection, std::string_view key,
                        const nlohmann::json& patch) {
  return Guard([&] { return impl_->agent->Patch(collection, key, patch); });
}

Status SyncAgent::Delete(std::string_view collection, std::string_view key) {
  return Guard([&] { return impl_->agent->Delete(collection, key); });
}

StatusOr<std::optional<nlohmann::json>> SyncAgent::Get(std::string_view collection,
                                                       std::string_view key) {
  return Guard([&]() -> StatusOr<std::optional<nlohmann::json>> {
    SYNCAGENT_ASSIGN_OR_RETURN(std::optional<Document> doc, impl_->agent->Get(collection, key));
    if (!doc || doc->deleted) return std::optional<nlohmann::json>();
    return std::optional<nlohmann::json>(std::move(doc->data));
  });
}

StatusOr<nlohmann::json> SyncAgent::Query(std::string_view collection,
                                          const nlohmann::json& query) {
  return Guard([&]() -> StatusOr<nlohmann::json> {
    SYNCAGENT_ASSIGN_OR_RETURN(query::QuerySpec spec, query::ParseQuery(query));
    SYNCAGENT_ASSIGN_OR_RETURN(query::QueryResult result, impl_->agent->Query(collection, spec));
    return capi::QueryResultToJson(std::move(result));
  });
}

StatusOr<nlohmann::json> SyncAgent::Changes(int64_t since, int limit) {
  return Guard([&]() -> StatusOr<nlohmann::json> {
    SYNCAGENT_ASSIGN_OR_RETURN(std::vector<Change> changes, impl_->agent->Changes(since, limit));
    nlohmann::json j = nlohmann::json::array();
    for (const Change& change : changes) j.push_back(capi::ChangeToJson(change));
    return j;
  });
}

StatusOr<int64_t> SyncAgent::Watch(std::string_view collection, const nlohmann::json& selector,
                                   const nlohmann::json& sort, int limit, WatchFn callback) {
  return Guard([&]() -> StatusOr<int64_t> {
    if (!callback) return InvalidArgumentError("watch: a callback is required");
    nlohmann::json query = {{"selector", selector}, {"limit", limit}};
    if (!sort.is_null()) query["sort"] = sort;
    SYNCAGENT_ASSIGN_OR_RETURN(query::QuerySpec spec, query::ParseQuery(query, "watch"));
    return impl_->agent->Watch(
        collection, spec,
        [fn = std::move(callback)](int64_t id, const StatusOr<query::QueryResult>& result) {
          StatusOr<nlohmann::json> j =
              result.ok() ? StatusOr<nlohmann::json>(capi::QueryResultToJson(*result))
                          : StatusOr<nlohmann::json>(result.status());
          fn(id, j);  // an exception is dropped by the dispatcher
        });
  });
}

Status SyncAgent::Unwatch(int64_t watch_id) {
  return Guard([&] { return impl_->agent->Unwatch(watch_id); });
}

StatusOr<nlohmann::json> SyncAgent::SyncNow(std::optional<std::chrono::milliseconds> budget) {
  return Guard([&]() -> StatusOr<nlohmann::json> {
    ActiveOp<Impl> op(*impl_);
    return impl_->agent->SyncNow(budget, op.token()).ToJson();
  });
}

StatusOr<HeadlessRun> SyncAgent::RunHeadless(std::string_view task_id,
                                             std::optional<std::chrono::milliseconds> budget) {
  return Guard([&]() -> StatusOr<HeadlessRun> {
    Agent& a = *impl_->agent;
    ActiveOp<Impl> op(*impl_);
    WakeRequest request;
    request.task_id = std::string(task_id);
    request.budget = budget;
    request.cancel = op.token();
    request.periodic = true;  // what an OS scheduler's adapter calls
    const TaskInvocation invocation = InvocationNow(a, request);
    HeadlessResult result = HeadlessTask(impl_->agent).Run(invocation);
    return HeadlessRun{static_cast<HeadlessOutcome>(result.task_result), result.ToJson()};
  });
}

void SyncAgent::Cancel(std::string_view reason) {
  std::lock_guard<std::mutex> lock(impl_->active_mu);
  for (CancelToken* token : impl_->active) token->Cancel(std::string(reason));
}

StatusOr<nlohmann::json> SyncAgent::GetStatus() {
  return Guard([&]() -> StatusOr<nlohmann::json> {
    Agent& a = *impl_->agent;
    SYNCAGENT_ASSIGN_OR_RETURN(SyncStatus status, a.GetStatus());
    SYNCAGENT_ASSIGN_OR_RETURN(std::vector<RunRecord> runs, a.ListRuns(100));
    nlohmann::json j = status.ToJson();
    j["schedule_health"] =
        AnalyzeSchedule(runs, Millis(a.config().schedule.minimum_interval_minutes * 60000),
                        a.clock().WallMs())
            .ToJson();
    return j;
  });
}

StatusOr<nlohmann::json> SyncAgent::ListRuns(int limit) {
  return Guard([&]() -> StatusOr<nlohmann::json> {
    SYNCAGENT_ASSIGN_OR_RETURN(std::vector<RunRecord> runs, impl_->agent->ListRuns(limit));
    nlohmann::json j = nlohmann::json::array();
    for (const RunRecord& run : runs) j.push_back(capi::RunRecordToJson(run));
    return j;
  });
}

void SyncAgent::SetEventCallback(EventFn on_event) {
  std::lock_guard<std::mutex> lock(impl_->events->mu);
  impl_->events->fn = std::move(on_event);
}

void SyncAgent::SetConflictResolver(ResolverFn resolver) {
  std::lock_guard<std::mutex> lock(impl_->resolver->mu);
  impl_->resolver->fn = std::move(resolver);
}

StatusOr<nlohmann::json> SyncAgent::ListConflicts(bool open_only) {
  return Guard([&]() -> StatusOr<nlohmann::json> {
    SYNCAGENT_ASSIGN_OR_RETURN(std::vector<Conflict> conflicts,
                               impl_->agent->ListConflicts(open_only));
    nlohmann::json j = nlohmann::json::array();
    for (const Conflict& c : conflicts) j.push_back(capi::ConflictToJson(c));
    return j;
  });
}

Status SyncAgent::ResolveConflict(int64_t id, const nlohmann::json& resolution) {
  return Guard([&]() -> Status {
    SYNCAGENT_ASSIGN_OR_RETURN(Resolution parsed, capi::ResolutionFromJson(resolution));
    return impl_->agent->ResolveConflict(id, parsed);
  });
}

StatusOr<nlohmann::json> SyncAgent::ListDeadLetters() {
  return Guard([&]() -> StatusOr<nlohmann::json> {
    SYNCAGENT_ASSIGN_OR_RETURN(std::vector<DeadLetter> letters, impl_->agent->ListDeadLetters());
    nlohmann::json j = nlohmann::json::array();
    for (const DeadLetter& d : letters) j.push_back(capi::DeadLetterToJson(d));
    return j;
  });
}

Status SyncAgent::RetryDeadLetter(int64_t id) {
  return Guard([&] { return impl_->agent->RetryDeadLetter(id).status(); });
}

Status SyncAgent::DropDeadLetter(int64_t id) {
  return Guard([&] { return impl_->agent->DropDeadLetter(id); });
}

}  // namespace syncagent
