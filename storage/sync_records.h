// The value types of the Store's sync bookkeeping: conflicts, dead letters, the run log, stats
// and the result of applying a pull page.
//
// Thread safety: plain values.
#ifndef SYNCAGENT_STORAGE_SYNC_RECORDS_H_
#define SYNCAGENT_STORAGE_SYNC_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/store_types.h"

namespace syncagent {

enum class ConflictOrigin { kPush, kPull };
enum class ConflictStatus { kOpen, kResolved };

// A divergence between the local document and the server's, kept until resolved. At most one
// open conflict exists per document: recording another one updates the open row (same id).
struct Conflict {
  int64_t id = 0;
  std::string collection;
  std::string key;
  // Local side, as it was when the conflict was recorded.
  nlohmann::json local_data;  // null when deleted
  bool local_deleted = false;
  std::string local_hlc;
  // Remote side (the server's current document).
  std::string remote_rev;  // "" = the server never had it
  bool remote_deleted = false;
  nlohmann::json remote_data;  // null when deleted
  std::string remote_hlc;
  // Common base (the local document's base).
  std::optional<std::string> base_rev;
  nlohmann::json base_data;  // null when none
  ConflictOrigin origin = ConflictOrigin::kPull;
  std::optional<std::string> mutation_id;  // the push mutation that conflicted, if any
  ConflictStatus status = ConflictStatus::kOpen;
  std::string resolution;  // "take_remote" | "keep_local" | "replace" once resolved
  int64_t created_at = 0;
  std::optional<int64_t> resolved_at;
};

// What RecordConflict needs; the local and base sides are read from the document row.
struct ConflictInput {
  std::string collection;
  std::string key;
  std::string remote_rev;  // "" = the server never had it
  bool remote_deleted = false;
  nlohmann::json remote_data;  // object, or null when deleted
  std::string remote_hlc;
  ConflictOrigin origin = ConflictOrigin::kPush;
  std::optional<std::string> mutation_id;
};

// How ResolveConflict settles a conflict (see Store::ResolveConflict).
struct Resolution {
  enum class Kind { kTakeRemote, kKeepLocal, kReplace, kDelete };
  Kind kind = Kind::kTakeRemote;
  nlohmann::json merged;  // kReplace only: the resolved object

  static Resolution TakeRemote() { return {Kind::kTakeRemote, nullptr}; }
  static Resolution KeepLocal() { return {Kind::kKeepLocal, nullptr}; }
  static Resolution Replace(nlohmann::json merged) { return {Kind::kReplace, std::move(merged)}; }
  static Resolution Delete() { return {Kind::kDelete, nullptr}; }
};

// A mutation the server rejected permanently, kept for inspection, retry or drop.
struct DeadLetter {
  int64_t id = 0;
  Mutation mutation;  // every field as it was in the outbox
  std::string code;
  std::string message;
  int64_t dead_at = 0;
};

// A remote version the client could not take (RemoteChange::unusable), kept in remote_skips
// until a usable version of the document arrives.
struct RemoteSkip {
  std::string collection;
  std::string key;
  std::string rev;
  std::string reason;
  int64_t skipped_at = 0;  // wall ms
};

// What ApplyRemotePage did.
struct RemoteApplyResult {
  struct ConflictRef {
    int64_t id = 0;
    std::string collection;
    std::string key;
  };
  int applied = 0;  // written over a clean or absent document
  int skipped = 0;  // stale: the local revision is the remote one or newer
  std::vector<ConflictRef> conflicts;  // local document dirty: recorded, not overwritten
  std::vector<RemoteSkip> unusable;    // RemoteChange::unusable: recorded in remote_skips
  int requeued = 0;  // local deletes the server never recorded, queued again (remote_applier.h)
};

enum class RunResult { kSuccess, kRetry, kFailure, kSkipped, kRunning };
std::string_view RunResultName(RunResult result);  // "success" | "retry" | ... | "running"

struct RunStart {
  std::string task_id;
  int64_t requested_at = 0;  // wall ms when the OS asked for the run
  int64_t budget_ms = 0;
  std::string constraints;  // free text (e.g. "network=unmetered,charging")
};

struct RunFinish {
  RunResult result = RunResult::kSuccess;
  std::string reason;
  int64_t pushed = 0;
  int64_t pulled = 0;
  int64_t conflicts = 0;
  std::string error;
};

// One headless run, as logged in the `runs` table.
struct RunRecord {
  int64_t id = 0;
  std::string task_id;
  int64_t requested_at = 0;
  int64_t started_at = 0;
  std::optional<int64_t> finished_at;
  int64_t budget_ms = 0;
  std::string constraints;
  RunResult result = RunResult::kRunning;
  std::string reason;
  int64_t pushed = 0;
  int64_t pulled = 0;
  int64_t conflicts = 0;
  std::string error;
  // True for an outcome the run log could not record (a full or failing store), read back from
  // its fallback slot (RunLog::NoteUnlogged): id is 0 when not even the start was logged.
  bool unlogged = false;
};

struct StoreStats {
  int64_t queue_depth = 0;                      // outbox rows of synced collections
  int64_t local_only = 0;                       // outbox rows of collections not synced
  int64_t remote_skips = 0;                     // remote documents the client could not take
  std::optional<int64_t> oldest_pending_age_ms;  // now - created_at of the oldest synced row
  int64_t dead_letters = 0;
  int64_t open_conflicts = 0;
  std::optional<RunRecord> last_run;
  int64_t documents = 0;  // live (not deleted) documents
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_SYNC_RECORDS_H_
