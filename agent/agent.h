// Agent: the composition root. It turns an AgentConfig into the object graph — the SQLite
// store, the Remote (by default syncagent/1 over libcurl, with its retry policy and token
// provider; AgentOptions can supply the remote, the transport or the clock), the conflict
// resolver and the sync engine — and is what an app (through the C++ API or the C API) holds on
// to.
//
// Local writes go straight to the store (one transaction: document + outbox); nothing is sent
// from the write path. Only SyncNow (and the headless task, which calls it) talks to the network.
//
// What committed transactions changed reaches the app as the documents_changed event and through
// watches (live queries), delivered after the transaction by the thread that committed it
// (agent/change_dispatcher.h): the app's thread after a local write, the cycle's during a sync.
//
// Thread safety: every method may be called from any thread. Local reads and writes are
// serialised by the store; SyncNow runs one cycle at a time (a second concurrent call waits).
// Sync event and resolver callbacks run on the thread running the cycle; documents_changed and
// watch callbacks on the thread that committed the change. A callback must not call SyncNow,
// SetEventCallback or SetConflictResolver (the cycle's thread may be the one calling it).
#ifndef SYNCAGENT_AGENT_AGENT_H_
#define SYNCAGENT_AGENT_AGENT_H_

#include <memory>
#include <mutex>
#include <optional>
#include <functional>
#include <string>
#include <vector>

#include "agent/change_dispatcher.h"
#include "agent/conflict_resolver.h"
#include "agent/cycle_report.h"
#include "agent/sync_engine.h"
#include "agent/sync_events.h"
#include "config/config.h"
#include "net/curl_http_client.h"
#include "net/remote.h"
#include "net/syncagent_remote.h"
#include "storage/store.h"

namespace syncagent {

// The parts an embedder or a test may supply; each must outlive the Agent. What is not supplied
// is built from the config.
struct AgentOptions {
  Clock* clock = nullptr;               // default: the real clock
  // The server. Default: syncagent/1 (SyncagentRemote) over `http`, configured by `server.*`.
  Remote* remote = nullptr;
  // The transport under the default remote. Default: libcurl (CurlHttpClient) configured by
  // `server.*` (TLS, timeouts, size cap). Ignored when `remote` is set.
  HttpClient* http = nullptr;
  TokenProvider* tokens = nullptr;      // default: the config's bearer token (if any)
  EventCallback on_event;               // optional
  CustomResolverFn custom_resolver;     // optional; asked before the configured policy
  uint64_t seed = 0;                    // backoff jitter seed; 0 = random
  // Optional: adjusts the engine's options after they are built from the config's sync.*, for
  // knobs the config does not expose (the deadline's safety margin, push pipelining, the pull's
  // byte cap). Tests and benchmarks use it; `collections` must stay the config's.
  std::function<void(SyncEngineOptions&)> tune_engine;
};

class Agent {
 public:
  static StatusOr<std::unique_ptr<Agent>> Open(const AgentConfig& config, AgentOptions options = {});
  static StatusOr<std::unique_ptr<Agent>> OpenFile(const std::string& config_path,
                                                   AgentOptions options = {});
  static StatusOr<std::unique_ptr<Agent>> OpenJson(std::string_view config_json,
                                                   AgentOptions options = {});
  ~Agent();

  // --- Local data (never touches the network). ---
  // Data and patches nested deeper than kMaxDocumentDepth (common/json_limits.h) are refused with
  // kInvalidArgument ("data: nested deeper than 32 levels (the document limit)") before anything
  // copies or dumps them, so a deep value built by the app cannot overflow the stack here.
  Status Put(std::string_view collection, std::string_view key, const nlohmann::json& data);
  Status Patch(std::string_view collection, std::string_view key, const nlohmann::json& patch);
  Status Delete(std::string_view collection, std::string_view key);
  Status Write(const std::vector<WriteOp>& ops);
  StatusOr<std::optional<Document>> Get(std::string_view collection, std::string_view key);
  StatusOr<std::vector<Document>> List(std::string_view collection, const ListOptions& options = {});
  // One page of the live documents of `collection` matching a Mango selector (Store::Query,
  // docs/queries.md).
  StatusOr<query::QueryResult> Query(std::string_view collection, const query::QuerySpec& spec);
  // The change feed after `since` (Store::Changes).
  StatusOr<std::vector<Change>> Changes(int64_t since, int limit);
  // A live query: `callback` gets Query(collection, spec)'s result now (at the next delivery
  // point: before Watch returns, unless called from a callback or while another thread
  // delivers) and again after each committed transaction that changed a document of
  // `collection`, when the result differs from the one it last got (coalesced); or the error
  // re-running the query met. Returns the watch id. kInvalidArgument for a query Query refuses,
  // a spec with a skip or a bookmark (a watch is a first page), or no callback.
  StatusOr<int64_t> Watch(std::string_view collection, const query::QuerySpec& spec,
                          WatchFn callback);
  // Once it returns, the watch's callback is not running and never runs again (it waits for a
  // running call, unless called from it). kNotFound for an id that is not watched.
  Status Unwatch(int64_t id);
  // Unwatch of every watch.
  void UnwatchAll();

  // --- Sync. ---
  // One cycle with `budget` (default: schedule.time_budget_seconds), cancellable.
  CycleReport SyncNow(std::optional<Millis> budget = std::nullopt,
                      const CancelToken* cancel = nullptr);
  StatusOr<SyncStatus> GetStatus();

  // --- Conflicts and dead letters (the app's side of `manual`). ---
  StatusOr<std::vector<Conflict>> ListConflicts(bool open_only = true);
  Status ResolveConflict(int64_t id, const Resolution& resolution);
  StatusOr<std::vector<DeadLetter>> ListDeadLetters();
  StatusOr<Mutation> RetryDeadLetter(int64_t id);
  Status DropDeadLetter(int64_t id);

  // --- Bookkeeping of the headless task and the CLI: the run log, leases and checkpoints. ---
  // The run log (storage/run_log.h). ListRuns is newest first, with a run noted in the fallback
  // slot (NoteUnloggedRun) while it is the latest.
  StatusOr<int64_t> BeginRun(const RunStart& start);
  Status FinishRun(int64_t id, const RunFinish& finish);
  Status NoteUnloggedRun(int64_t id, const RunStart& start, const RunFinish& finish);
  StatusOr<std::vector<RunRecord>> ListRuns(int64_t limit = 20);
  // Named leases, atomic across processes (storage/lease_table.h).
  StatusOr<bool> AcquireLease(std::string_view name, std::string_view owner, Millis ttl);
  Status ReleaseLease(std::string_view name, std::string_view owner);
  // Checkpoints (small persisted values, e.g. the headless task's retry counter), named only
  // through the registry (storage/checkpoint_key.h).
  StatusOr<std::optional<Checkpoint>> GetCheckpoint(const CheckpointKey& key);
  Status SetCheckpoint(const CheckpointKey& key, std::string_view value);
  // Remote documents this device could not take, newest first.
  StatusOr<std::vector<RemoteSkip>> ListRemoteSkips(int64_t limit);
  const std::string& store_path() const { return store_->path(); }
  const std::string& client_id() const { return store_->client_id(); }

  void SetEventCallback(EventCallback on_event);
  void SetConflictResolver(CustomResolverFn resolver);

  const AgentConfig& config() const { return config_; }
  // The store itself, for tests; the library's callers use the methods above.
  Store& store() { return *store_; }
  Clock& clock() { return *clock_; }

 private:
  Agent(AgentConfig config, Clock* clock);
  // Sets remote_: the injected one, or the remote of server.protocol (syncagent/1 or CouchDB)
  // over the injected or a libcurl transport.
  Status OpenRemote(const AgentOptions& options);
  // The remote's CheckLocalWrite for a write to a synced collection (others stay local).
  Status CheckSyncedWrite(std::string_view collection, std::string_view key,
                          const nlohmann::json& data) const;

  // After each local write: delivers what it committed (change_dispatcher.h).
  template <typename Result>
  Result Delivered(Result result);

  AgentConfig config_;
  Clock* clock_;
  // Declared before store_, which tells it of commits: destroyed after it.
  std::unique_ptr<ChangeDispatcher> changes_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<HttpClient> owned_http_;
  std::unique_ptr<TokenProvider> owned_tokens_;
  std::unique_ptr<Remote> owned_remote_;
  Remote* remote_ = nullptr;
  std::unique_ptr<ConflictResolver> resolver_;
  std::unique_ptr<SyncEngine> engine_;
  std::mutex cycle_mu_;  // one cycle at a time
};

// The engine-side translations of configuration values (exposed for tests).
ResolutionPolicy ToResolutionPolicy(ConflictPolicy policy);
TieRule ToTieRule(MergeTie tie);
RetryOptions ToRetryOptions(const RetryConfig& retry);

}  // namespace syncagent

#endif  // SYNCAGENT_AGENT_AGENT_H_
