// syncagent::SyncAgent: the public C++ API of syncagent (libsyncagent.so), for an app that embeds
// the agent. It needs only this directory (include/), the standard library and nlohmann/json
// (>= 3.10) on the include path; with CMake: find_package(syncagent 0.2 CONFIG) and link
// syncagent::cxx.
//
// Documents, reports and callbacks' arguments are JSON (nlohmann::json) in the shapes of the C API
// (syncagent.h): the cycle report, the headless result, the status, a conflict, a resolver's sides
// and answer, a resolution. Errors are Status values (status.h); no exception leaves this API.
//
// Local writes are durable and queued in one transaction; nothing is sent from the write path.
// Only SyncNow and RunHeadless talk to the network.
//
// Thread safety: every method may be called from any thread, concurrently. Local reads and writes
// are serialised by the store; one sync cycle runs at a time (a second SyncNow waits). Cancel may
// be called from any thread, also from a callback. Event and resolver callbacks run on the thread
// running the cycle, except documents_changed and watch callbacks, which run on the thread that
// committed the change, after its transaction: the app's own thread after a local write (before
// the write returns, unless another thread is delivering at that moment), the cycle's during a
// sync. A callback must not call SetEventCallback / SetConflictResolver (they wait for a running
// callback to return, so that no callback is ever called after the call that replaced it
// returned), nor SyncNow / RunHeadless (the cycle's thread may be the one calling it back).
#ifndef SYNCAGENT_INCLUDE_SYNCAGENT_AGENT_H_
#define SYNCAGENT_INCLUDE_SYNCAGENT_AGENT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "syncagent/status.h"

#if defined(__GNUC__) || defined(__clang__)
#define SYNCAGENT_CXX_API __attribute__((visibility("default")))
#else
#define SYNCAGENT_CXX_API
#endif

namespace syncagent {

class Agent;  // the internal composition root (not part of this API)

// What a headless run (RunHeadless) tells the OS scheduler.
enum class HeadlessOutcome : int {
  kSuccess = 0,  // done, partial at the deadline (more next time), skipped or deferred
  kRetry = 1,    // ask the scheduler to retry after `report["retry_delay_ms"]`
  kFailure = 2,  // permanent: a retry would fail the same way
};

struct HeadlessRun {
  HeadlessOutcome outcome = HeadlessOutcome::kSuccess;
  nlohmann::json report;  // the headless result, as syncagent_run_headless's out_result_json
};

class SYNCAGENT_CXX_API SyncAgent {
 public:
  // Called with each sync event ({"type": ..., ...}, as the C API's event callback).
  using EventFn = std::function<void(const nlohmann::json& event)>;
  // Asked first for each conflict with its sides {"collection","key","base","local","remote"};
  // answers {"action": "take_remote"|"keep_local"|"use"|"delete"|"leave_open"|"defer",
  // "data": {...} for "use"}. A null answer defers to the configured policy; a non-OK Status
  // leaves the conflict open for the app.
  using ResolverFn = std::function<StatusOr<nlohmann::json>(const nlohmann::json& sides)>;
  // Called with a watch's new result ({"docs": [...], "bookmark": ...}, as Query's) or the error
  // that re-running its query met (the watch stays; the next change re-runs it).
  using WatchFn = std::function<void(int64_t watch_id, const StatusOr<nlohmann::json>& result)>;

  // Opens the agent described by a config (docs/config.md): JSON text, or a file. On failure the
  // message lists every config error with its JSON path.
  static StatusOr<std::unique_ptr<SyncAgent>> OpenJson(std::string_view config_json);
  static StatusOr<std::unique_ptr<SyncAgent>> OpenFile(const std::string& config_path);

  // Cancels the running operations, stops the callbacks and watches and closes the store. A cycle
  // that a headless watchdog left running finishes on its own thread without calling back.
  ~SyncAgent();
  SyncAgent(const SyncAgent&) = delete;
  SyncAgent& operator=(const SyncAgent&) = delete;

  // --- Local data (never touches the network). ---
  // REQUIRES: `data` / `patch` is an object nested at most 32 levels (else kInvalidArgument).
  Status Put(std::string_view collection, std::string_view key, const nlohmann::json& data);
  // An RFC 7386 JSON merge patch over the current document.
  Status Patch(std::string_view collection, std::string_view key, const nlohmann::json& patch);
  Status Delete(std::string_view collection, std::string_view key);
  // The document's data, or nullopt when there is none (never written, or deleted).
  StatusOr<std::optional<nlohmann::json>> Get(std::string_view collection, std::string_view key);
  // One page of the live documents of `collection` that match a Mango selector
  // (docs/queries.md). `query`: {"selector": {...}, "sort": ["a", {"b": "desc"}], "limit": N
  // (1..10000, default 25), "skip": N, "bookmark": "..."}, every member optional. Returns
  // {"docs": [{"key","data","rev","sync_state"}], "bookmark": "..." | null}: pass the bookmark
  // back for the next page (null when the page came back short). sync_state is "pending" (a
  // local change queued or on the wire), "synced", "conflict" (open) or "rejected" (dead letter).
  // A bad query is kInvalidArgument naming the JSON path and the operator
  // ("query.selector.n.$in: wrong operand type for $in: expected an array, got a string").
  StatusOr<nlohmann::json> Query(std::string_view collection, const nlohmann::json& query);
  // The local change feed: each document's latest change with seq > `since`, oldest first, at
  // most `limit` (1..10000): [{"seq","collection","key","deleted","source","sync_state"}], source
  // "local" (the device's writes, their acks and dead letters), "remote" (pulled) or "resolution"
  // (a conflict resolved). Remember the last seq to ask for what changed since. One row per
  // document is kept, so the feed does not grow with history.
  StatusOr<nlohmann::json> Changes(int64_t since, int limit = 1000);
  // A live query over `collection`: `selector` (a Mango selector, {} = every document), `sort`
  // (as Query's "sort"; null = by key) and `limit` (1..10000). `callback` gets the current
  // result first (on this thread, before Watch returns, unless another thread is delivering or
  // Watch is called from a callback), then, after each committed transaction that changed a
  // document of `collection` — a local write, a pull, an acknowledgement, a resolution — the new
  // result whenever it differs from the one it last got (changes are coalesced: during a sync,
  // within the event throttle). Never while a transaction is open. Returns the watch id. A bad
  // selector or sort is kInvalidArgument naming the JSON path ("watch.selector.n.$in: ...");
  // so is a missing callback.
  StatusOr<int64_t> Watch(std::string_view collection, const nlohmann::json& selector,
                          const nlohmann::json& sort, int limit, WatchFn callback);
  // Stops a watch. Once Unwatch returns, its callback is not running and is never called again
  // (Unwatch waits for a running call, unless called from that callback). kNotFound for an id
  // that is not watched (never returned by Watch, or already unwatched).
  Status Unwatch(int64_t watch_id);

  // --- Sync. ---
  // One cycle with `budget` (default: the config's schedule.time_budget_seconds); returns the
  // cycle report (as syncagent_sync_now's). Cancel stops it early.
  StatusOr<nlohmann::json> SyncNow(std::optional<std::chrono::milliseconds> budget = std::nullopt);
  // What `syncagent run` and syncagent_run_headless do: one OS wake-up (single flight across
  // processes, run log, watchdog, retry delay). `task_id` "" means the config's schedule.task_id.
  StatusOr<HeadlessRun> RunHeadless(std::string_view task_id = {},
                                    std::optional<std::chrono::milliseconds> budget = std::nullopt);
  // Cancels every SyncNow / RunHeadless running on this agent now. Never blocks on them.
  void Cancel(std::string_view reason = "cancelled by the app");

  // The local state without the network: queue, conflicts, dead letters, last cycle, and the
  // schedule's health (as syncagent_status_json's).
  StatusOr<nlohmann::json> GetStatus();
  // The newest `limit` runs of the run log, newest first:
  // [{"id","task_id","requested_at_ms","started_at_ms","finished_at_ms","budget_ms","result",
  //   "reason","pushed","pulled","conflicts","error","in_run_log"}].
  StatusOr<nlohmann::json> ListRuns(int limit = 20);

  // --- Callbacks (each replaces the previous one; nullptr removes it). ---
  void SetEventCallback(EventFn on_event);
  void SetConflictResolver(ResolverFn resolver);

  // --- Conflicts and dead letters (the app's side of the `manual` policy). ---
  // [{"id","collection","key","origin","status","base","local","remote","created_at",...}]
  StatusOr<nlohmann::json> ListConflicts(bool open_only = true);
  // `resolution`: {"action": "take_remote"|"keep_local"|"use"|"delete", "data": {...} for "use"}.
  Status ResolveConflict(int64_t id, const nlohmann::json& resolution);
  // [{"id","collection","key","op","mutation_id","data","code","message","dead_at"}]
  StatusOr<nlohmann::json> ListDeadLetters();
  // Queues the dead letter's write again (a new write, sent by the next cycle).
  Status RetryDeadLetter(int64_t id);
  Status DropDeadLetter(int64_t id);

 private:
  struct Impl;
  friend struct SyncAgentAccess;  // the library's own shims (agent/sync_agent_access.h)
  explicit SyncAgent(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_INCLUDE_SYNCAGENT_AGENT_H_
