#include "agent/agent.h"

#include <algorithm>

#include "common/json_limits.h"
#include "net/couchdb_remote.h"

namespace syncagent {
namespace {

// The document depth limit, checked on the app's value before anything copies, dumps or compares
// it (those are recursive in nlohmann/json and would overflow the stack on a deep value).
Status CheckDepth(const nlohmann::json& value, std::string_view what) {
  if (std::string problem = DocumentDepthProblem(value); !problem.empty()) {
    return InvalidArgumentError(std::string(what) + ": " + problem + " (the document limit)");
  }
  return Status::Ok();
}

// The app's callback `fn`, marked as one of the dispatcher's while it runs: a write it makes
// leaves its changes to the next delivery point instead of delivering inside the callback.
template <typename Fn>
Fn InScope(const ChangeDispatcher* dispatcher, Fn fn) {
  if (!fn) return nullptr;
  return [dispatcher, fn = std::move(fn)](const auto&... args) {
    ChangeDispatcher::CallbackScope scope(dispatcher);
    return fn(args...);
  };
}

SyncEngineOptions EngineOptionsFrom(const AgentConfig& c, const AgentOptions& options) {
  SyncEngineOptions engine_options;
  engine_options.push_batch_size = static_cast<int>(c.sync.push_batch_size);
  engine_options.push_batch_bytes = c.sync.push_batch_bytes;
  engine_options.pull_page_size = static_cast<int>(c.sync.pull_page_size);
  engine_options.collections = c.sync.collections;
  engine_options.on_server_reset = c.sync.on_server_reset == OnServerReset::kAdoptServer
                                       ? ServerResetRule::kAdoptServer
                                       : ServerResetRule::kReupload;
  // Headroom for the page envelope around the changes the server counts.
  engine_options.pull_max_bytes = std::max<int64_t>(4096, c.server.max_response_bytes - 65536);
  if (options.tune_engine) options.tune_engine(engine_options);
  return engine_options;
}

}  // namespace

ResolutionPolicy ToResolutionPolicy(ConflictPolicy policy) {
  switch (policy) {
    case ConflictPolicy::kServerWins: return ResolutionPolicy::kServerWins;
    case ConflictPolicy::kClientWins: return ResolutionPolicy::kClientWins;
    case ConflictPolicy::kLastWriterWins: return ResolutionPolicy::kLastWriterWins;
    case ConflictPolicy::kMerge: return ResolutionPolicy::kMerge;
    case ConflictPolicy::kManual: return ResolutionPolicy::kManual;
  }
  return ResolutionPolicy::kMerge;
}

TieRule ToTieRule(MergeTie tie) {
  switch (tie) {
    case MergeTie::kServer: return TieRule::kServer;
    case MergeTie::kClient: return TieRule::kClient;
    case MergeTie::kNewer: return TieRule::kNewer;
  }
  return TieRule::kServer;
}

RetryOptions ToRetryOptions(const RetryConfig& retry) {
  RetryOptions options;
  options.initial_delay = Millis(retry.initial_delay_ms);
  options.multiplier = retry.multiplier;
  options.max_delay = Millis(retry.max_delay_ms);
  switch (retry.jitter) {
    case JitterKind::kFull: options.jitter = BackoffJitter::kFull; break;
    case JitterKind::kEqual: options.jitter = BackoffJitter::kEqual; break;
    case JitterKind::kDecorrelated: options.jitter = BackoffJitter::kDecorrelated; break;
    case JitterKind::kNone: options.jitter = BackoffJitter::kNone; break;
  }
  options.max_attempts = static_cast<int>(retry.max_attempts_per_cycle);
  options.honor_retry_after = retry.honor_retry_after;
  options.max_retry_after = Millis(retry.max_retry_after_ms);
  options.max_wait_in_cycle = Millis(retry.max_wait_in_cycle_ms);
  return options;
}

Agent::Agent(AgentConfig config, Clock* clock) : config_(std::move(config)), clock_(clock) {}
Agent::~Agent() = default;

StatusOr<std::unique_ptr<Agent>> Agent::Open(const AgentConfig& config, AgentOptions options) {
  Clock* clock = options.clock ? options.clock : RealClock::Default();
  std::unique_ptr<Agent> agent(new Agent(config, clock));
  const AgentConfig& c = agent->config_;

  SYNCAGENT_RETURN_IF_ERROR(agent->OpenRemote(options));
  Remote* remote = agent->remote_;
  const SyncEngineOptions engine_options = EngineOptionsFrom(c, options);
  Agent* self = agent.get();
  agent->changes_ = std::make_unique<ChangeDispatcher>(
      clock, engine_options.event_throttle,
      [self](std::string_view collection, const query::QuerySpec& spec) {
        return self->store_->Query(collection, spec);
      });
  ChangeDispatcher* changes = agent->changes_.get();
  changes->SetEventCallback(options.on_event);

  StoreOptions store_options;
  store_options.path = c.storage.path;
  store_options.synchronous =
      c.storage.synchronous == Synchronous::kFull ? SyncMode::kFull : SyncMode::kNormal;
  store_options.busy_timeout_ms = static_cast<int>(c.storage.busy_timeout_ms);
  store_options.max_size_bytes = c.storage.max_size_mb * 1024 * 1024;
  store_options.clock = clock;
  store_options.synced_collections = c.sync.collections;
  for (const IndexConfig& index : c.storage.indexes) {
    store_options.indexes.push_back({index.collection, index.fields});
  }
  // Revisions are the remote's tokens: it orders them.
  store_options.compare_revisions = [remote](std::string_view local, std::string_view rev) {
    return remote->CompareRevisions(local, rev);
  };
  store_options.pulled_is_current = remote->capabilities().pulls_current_versions;
  store_options.on_commit = [changes](std::vector<DocumentKey> keys) {
    changes->OnCommit(std::move(keys));
  };
  store_options.needs_write_back = [remote](std::string_view rev) {
    return remote->NeedsWriteBack(rev);
  };
  SYNCAGENT_ASSIGN_OR_RETURN(agent->store_, Store::Open(store_options));

  std::map<std::string, ResolutionPolicy> per_collection;
  for (const auto& [name, policy] : c.sync.conflict.per_collection) {
    per_collection[name] = ToResolutionPolicy(policy);
  }
  agent->resolver_ = std::make_unique<ConflictResolver>(
      ToResolutionPolicy(c.sync.conflict.default_policy), std::move(per_collection),
      ToTieRule(c.sync.conflict.merge_tie), InScope(changes, options.custom_resolver));
  agent->engine_ = std::make_unique<SyncEngine>(agent->store_.get(), agent->remote_, clock,
                                                agent->resolver_.get(), engine_options,
                                                InScope(changes, options.on_event));
  agent->engine_->set_change_dispatcher(changes);
  return agent;
}

namespace {

// The remote of the config's server.protocol, over `http`.
std::unique_ptr<Remote> NewRemote(const AgentConfig& c, HttpClient* http, Clock* clock,
                                  TokenProvider* tokens, uint64_t seed) {
  std::vector<std::pair<std::string, std::string>> headers(c.server.headers.begin(),
                                                           c.server.headers.end());
  switch (c.server.protocol) {
    case ServerProtocol::kSyncagent:
      break;
    case ServerProtocol::kCouchdb: {
      CouchdbRemoteOptions couch;
      couch.session.base_url = c.server.base_url;
      couch.session.headers = std::move(headers);
      couch.session.retry = ToRetryOptions(c.retry);
      couch.databases = c.server.couchdb.databases;
      couch.create_databases = c.server.couchdb.create_databases;
      if (c.server.auth.type == AuthType::kBasic) {
        couch.username = c.server.auth.username;
        couch.password = c.server.auth.password.reveal();
      }
      couch.limits.max_body_bytes = c.server.max_response_bytes;
      return std::make_unique<CouchdbRemote>(http, clock, tokens, std::move(couch), seed);
    }
  }
  SyncagentRemoteOptions remote_options;
  remote_options.client.base_url = c.server.base_url;
  remote_options.client.headers = std::move(headers);
  remote_options.client.retry = ToRetryOptions(c.retry);
  remote_options.client.limits.max_body_bytes = c.server.max_response_bytes;
  remote_options.skip_own_writes = c.sync.skip_own_changes;
  return std::make_unique<SyncagentRemote>(http, clock, tokens, remote_options, seed);
}

}  // namespace

Status Agent::OpenRemote(const AgentOptions& options) {
  if (options.remote != nullptr) {
    remote_ = options.remote;
    return Status::Ok();
  }
  const AgentConfig& c = config_;
  HttpClient* http = options.http;
  if (http == nullptr) {
    CurlHttpClientOptions http_options;
    http_options.allow_insecure_http = c.server.allow_insecure_http;
    http_options.ca_file = c.server.tls.ca_file;
    http_options.pinned_public_keys = c.server.tls.pinned_public_keys;
    http_options.connect_timeout = Millis(c.server.timeouts.connect_ms);
    http_options.request_timeout = Millis(c.server.timeouts.request_ms);
    http_options.max_response_bytes = c.server.max_response_bytes;
    http_options.gzip_request_min_bytes = c.server.gzip_request_min_bytes;
    SYNCAGENT_ASSIGN_OR_RETURN(owned_http_, CurlHttpClient::Create(http_options, clock_));
    http = owned_http_.get();
  }
  TokenProvider* tokens = options.tokens;
  if (tokens == nullptr && c.server.auth.type == AuthType::kBearer) {
    owned_tokens_ = std::make_unique<StaticTokenProvider>(c.server.auth.token.reveal());
    tokens = owned_tokens_.get();
  }
  owned_remote_ = NewRemote(c, http, clock_, tokens,
                            options.seed != 0 ? options.seed : std::random_device{}());
  remote_ = owned_remote_.get();
  return Status::Ok();
}

StatusOr<std::unique_ptr<Agent>> Agent::OpenFile(const std::string& config_path,
                                                 AgentOptions options) {
  SYNCAGENT_ASSIGN_OR_RETURN(AgentConfig config, LoadConfigFile(config_path));
  return Open(config, std::move(options));
}

StatusOr<std::unique_ptr<Agent>> Agent::OpenJson(std::string_view config_json,
                                                 AgentOptions options) {
  SYNCAGENT_ASSIGN_OR_RETURN(AgentConfig config, ParseConfig(config_json));
  return Open(config, std::move(options));
}

template <typename Result>
Result Agent::Delivered(Result result) {
  changes_->Deliver(ChangeDispatcher::When::kNow);
  return result;
}

Status Agent::CheckSyncedWrite(std::string_view collection, std::string_view key,
                               const nlohmann::json& data) const {
  const std::vector<std::string>& synced = config_.sync.collections;
  if (!synced.empty() && std::find(synced.begin(), synced.end(), collection) == synced.end()) {
    return Status::Ok();
  }
  return remote_->CheckLocalWrite(collection, key, data);
}

Status Agent::Put(std::string_view collection, std::string_view key, const nlohmann::json& data) {
  SYNCAGENT_RETURN_IF_ERROR(CheckDepth(data, "data"));
  SYNCAGENT_RETURN_IF_ERROR(CheckSyncedWrite(collection, key, data));
  return Delivered(store_->Put(collection, key, data));
}
Status Agent::Patch(std::string_view collection, std::string_view key,
                    const nlohmann::json& patch) {
  SYNCAGENT_RETURN_IF_ERROR(CheckDepth(patch, "patch"));
  SYNCAGENT_RETURN_IF_ERROR(CheckSyncedWrite(collection, key, patch));
  return Delivered(store_->Patch(collection, key, patch));
}
Status Agent::Delete(std::string_view collection, std::string_view key) {
  SYNCAGENT_RETURN_IF_ERROR(CheckSyncedWrite(collection, key, nullptr));
  return Delivered(store_->Delete(collection, key));
}
Status Agent::Write(const std::vector<WriteOp>& ops) {
  for (size_t i = 0; i < ops.size(); ++i) {
    const WriteOp& op = ops[i];
    Status status = CheckDepth(op.data, op.op == MutationOp::kPatch ? "patch" : "data");
    if (status.ok()) {
      status = CheckSyncedWrite(op.collection, op.key,
                                op.op == MutationOp::kDelete ? nlohmann::json() : op.data);
    }
    if (!status.ok()) return status.WithContext("write #" + std::to_string(i));
  }
  return Delivered(store_->Write(ops));
}
StatusOr<std::optional<Document>> Agent::Get(std::string_view collection, std::string_view key) {
  return store_->Get(collection, key);
}

StatusOr<query::QueryResult> Agent::Query(std::string_view collection,
                                          const query::QuerySpec& spec) {
  return store_->Query(collection, spec);
}

StatusOr<std::vector<Change>> Agent::Changes(int64_t since, int limit) {
  return store_->Changes(since, limit);
}

StatusOr<int64_t> Agent::Watch(std::string_view collection, const query::QuerySpec& spec,
                               WatchFn callback) {
  if (!callback) return InvalidArgumentError("watch: a callback is required");
  if (spec.skip != 0 || !spec.bookmark.empty()) {
    return InvalidArgumentError(
        "watch: a watch has no skip or bookmark (it follows the first page of its query)");
  }
  // Refused here rather than in every callback: the collection, the limit, the sort's fields.
  SYNCAGENT_RETURN_IF_ERROR(store_->Query(collection, spec).status().WithContext("watch"));
  return changes_->Watch(std::string(collection), spec, std::move(callback));
}

Status Agent::Unwatch(int64_t id) { return changes_->Unwatch(id); }

void Agent::UnwatchAll() { changes_->UnwatchAll(); }
StatusOr<std::vector<Document>> Agent::List(std::string_view collection,
                                            const ListOptions& options) {
  return store_->List(collection, options);
}

CycleReport Agent::SyncNow(std::optional<Millis> budget, const CancelToken* cancel) {
  std::lock_guard<std::mutex> lock(cycle_mu_);
  const Millis b = budget.value_or(Millis(config_.schedule.time_budget_seconds * 1000));
  return engine_->RunCycle(clock_->Now() + b, cancel);
}

StatusOr<SyncStatus> Agent::GetStatus() { return engine_->GetStatus(); }

StatusOr<int64_t> Agent::BeginRun(const RunStart& start) { return store_->BeginRun(start); }

Status Agent::FinishRun(int64_t id, const RunFinish& finish) { return store_->FinishRun(id, finish); }

Status Agent::NoteUnloggedRun(int64_t id, const RunStart& start, const RunFinish& finish) {
  return store_->NoteUnloggedRun(id, start, finish);
}

StatusOr<std::vector<RunRecord>> Agent::ListRuns(int64_t limit) { return store_->ListRuns(limit); }

StatusOr<bool> Agent::AcquireLease(std::string_view name, std::string_view owner, Millis ttl) {
  return store_->AcquireLease(name, owner, ttl);
}

Status Agent::ReleaseLease(std::string_view name, std::string_view owner) {
  return store_->ReleaseLease(name, owner);
}

StatusOr<std::optional<Checkpoint>> Agent::GetCheckpoint(const CheckpointKey& key) {
  return store_->GetCheckpoint(key.name());
}

Status Agent::SetCheckpoint(const CheckpointKey& key, std::string_view value) {
  return store_->SetCheckpoint(key.name(), value);
}

StatusOr<std::vector<RemoteSkip>> Agent::ListRemoteSkips(int64_t limit) {
  return store_->ListRemoteSkips(limit);
}

StatusOr<std::vector<Conflict>> Agent::ListConflicts(bool open_only) {
  return store_->ListConflicts(open_only);
}
Status Agent::ResolveConflict(int64_t id, const Resolution& resolution) {
  SYNCAGENT_RETURN_IF_ERROR(CheckDepth(resolution.merged, "resolution data"));
  return Delivered(store_->ResolveConflict(id, resolution));
}
StatusOr<std::vector<DeadLetter>> Agent::ListDeadLetters() { return store_->ListDeadLetters(); }
StatusOr<Mutation> Agent::RetryDeadLetter(int64_t id) {
  return Delivered(store_->RetryDeadLetter(id));
}
Status Agent::DropDeadLetter(int64_t id) { return Delivered(store_->DropDeadLetter(id)); }

void Agent::SetEventCallback(EventCallback on_event) {
  changes_->SetEventCallback(on_event);
  std::lock_guard<std::mutex> lock(cycle_mu_);
  engine_->SetEventCallback(InScope(changes_.get(), std::move(on_event)));
}

void Agent::SetConflictResolver(CustomResolverFn resolver) {
  std::lock_guard<std::mutex> lock(cycle_mu_);
  resolver_->SetCustom(InScope(changes_.get(), std::move(resolver)));
}

}  // namespace syncagent
