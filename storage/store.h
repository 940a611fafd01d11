// Store: syncagent's durable local state in one SQLite file — documents, the outbox of local
// mutations, pull checkpoints, conflicts, dead letters, the run log, leases and meta.
//
// Why: the app's writes must survive crashes and reach the server exactly once, and a headless
// sync run must be able to stop at any point and resume. Every operation below that changes more
// than one row does so in ONE transaction (all-or-nothing, crash-safe).
//
// The file: WAL journal, synchronous NORMAL or FULL, busy timeout, STRICT tables, schema versioned
// by PRAGMA user_version with forward migrations (a newer version is refused, untouched), created
// owner-only (0600; -wal/-shm inherit the mode; an existing file is tightened). Open() never
// writes to a file it then rejects (corrupt, not SQLite, newer schema, read-only).
//
// Semantics (details in the component headers):
//   - Document model: store_types.h. Local writes: local_writer.h (validation, HLC stamp,
//     outbox append or coalescing). Outbox, acks, dead letters: outbox.h, dead_letter_queue.h.
//     Pull pages: remote_applier.h. Conflicts: conflict_store.h. Leases: lease_table.h.
//   - Invariant (checked by Verify()): a document is dirty <=> it has outbox rows, and its
//     pending_seqs column lists exactly those rows' seqs.
//   - Every local write is stamped by a hybrid logical clock whose node id is client_id()
//     (a random id generated once per database); the last stamp is persisted with each write.
//
// Errors: Status everywhere, no exceptions. SQLite errors map as documented in sqlite_db.h and
// name the path ("database is locked" -> kUnavailable, full -> kResourceExhausted, not a
// database -> kDataLoss, read-only -> kPermissionDenied). Invalid input is kInvalidArgument /
// kNotFound naming the collection and key, and leaves the store unchanged.
//
// Threading: one SQLite connection per Store; a Store is meant to be used by one thread at a
// time. Every public method takes an internal mutex, so concurrent calls from several threads
// are safe (serialised), not parallel. Several Stores (in one or several processes) may open the
// same file; SQLite's locking (BEGIN IMMEDIATE + busy timeout) arbitrates between them.
#ifndef SYNCAGENT_STORAGE_STORE_H_
#define SYNCAGENT_STORAGE_STORE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/clock.h"
#include "storage/change_feed.h"
#include "storage/checkpoint_key.h"
#include "storage/checkpoint_table.h"
#include "storage/conflict_store.h"
#include "storage/dead_letter_queue.h"
#include "storage/document_rows.h"
#include "storage/hybrid_logical_clock.h"
#include "storage/lease_table.h"
#include "storage/local_writer.h"
#include "storage/meta_table.h"
#include "storage/outbox.h"
#include "storage/outbox_rows.h"
#include "storage/query/query_spec.h"
#include "storage/random_id.h"
#include "storage/remote_applier.h"
#include "storage/remote_skips.h"
#include "storage/run_log.h"
#include "storage/seq_allocator.h"
#include "storage/sqlite_db.h"
#include "storage/store_context.h"
#include "storage/store_types.h"
#include "storage/sync_records.h"
#include "syncagent/status.h"

namespace syncagent {

class Store {
 public:
  // The checkpoint ApplyRemotePage uses unless told otherwise.
  static constexpr std::string_view kPullCheckpoint = CheckpointKey::kPullName;
  // The collection set kPullCheckpoint's cursor covers (see pull_scope.h).
  static constexpr std::string_view kPullCollectionsCheckpoint = CheckpointKey::kPullCollectionsName;

  // Opens (creating if needed) the database at options.path.
  // REQUIRES: options.clock != nullptr and outlives the Store.
  static StatusOr<std::unique_ptr<Store>> Open(const StoreOptions& options);

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  ~Store();

  const std::string& path() const { return db_->path(); }
  // This database's random client id ("c-" + 32 hex digits), also the HLC node id.
  const std::string& client_id() const { return client_id_; }

  // --- Local writes: document + outbox in one transaction (see local_writer.h). ---
  Status Put(std::string_view collection, std::string_view key, const nlohmann::json& data);
  // RFC 7396 merge patch; kNotFound when the document is missing or deleted.
  Status Patch(std::string_view collection, std::string_view key, const nlohmann::json& patch);
  // kNotFound when the document is missing or already deleted.
  Status Delete(std::string_view collection, std::string_view key);
  // Many writes in ONE transaction, applied in order; all-or-nothing. A failure names the index
  // of the failing write ("write #3: ...").
  Status Write(const std::vector<WriteOp>& ops);

  // --- Reads. ---
  // nullopt when absent (or deleted, unless include_deleted).
  StatusOr<std::optional<Document>> Get(std::string_view collection, std::string_view key,
                                        bool include_deleted = false);
  StatusOr<std::vector<Document>> List(std::string_view collection,
                                       const ListOptions& options = {});
  // The live documents of `collection` that match spec.selector, in spec.sort's order, one page
  // (storage/query/query_runner.h; the collation and the semantics are in docs/queries.md).
  // kInvalidArgument for a bad collection, a limit outside 1..10000, a negative skip or a
  // bookmark of another query.
  StatusOr<query::QueryResult> Query(std::string_view collection, const query::QuerySpec& spec);
  // SQLite's plan for that query (which index it uses), for tests and diagnostics.
  StatusOr<std::string> ExplainQuery(std::string_view collection, const query::QuerySpec& spec);

  // --- Change feed (see change_feed.h). ---
  // Each document's latest change with seq > since, oldest first, at most `limit` (1..10000).
  // Local writes, acks and dead letters are "local", pulls and server resets "remote", conflict
  // resolutions (the policy's or the app's) "resolution". The store's first call builds the
  // feed's index over its documents in a write transaction (one sort of their seqs); while that
  // cannot be done (the write lock held elsewhere past the busy timeout, the store full) the
  // answer comes from a scan of the documents instead, and the next call tries again.
  StatusOr<std::vector<Change>> Changes(int64_t since, int limit);

  // --- Outbox (see outbox.h). ---
  StatusOr<std::vector<Mutation>> PeekBatch(int max_count, int64_t max_bytes);
  // PeekBatch and MarkAttempted in one write transaction: a local write from this or another
  // process lands either before (and is in the batch) or after (and queues a new mutation),
  // never folds into a mutation that is being sent.
  StatusOr<std::vector<Mutation>> TakeBatch(int max_count, int64_t max_bytes);
  // TakeBatch for a pipelined push, taken while `in_flight` is on the wire: only mutations with
  // seq > after_seq, ending before the first mutation of a document in `in_flight` (whose answer
  // may rebase it). Its mutations therefore do not depend on the answers to `in_flight`.
  StatusOr<std::vector<Mutation>> TakeBatchAfter(int max_count, int64_t max_bytes,
                                                 int64_t after_seq,
                                                 const std::vector<Mutation>& in_flight);
  // Returns how many of the ids were in the outbox.
  StatusOr<int64_t> MarkAttempted(const std::vector<std::string>& mutation_ids,
                                  std::string_view error = {});
  // kNotFound (and no change) when the mutation id is unknown: replaying an ack is harmless.
  Status Ack(const AckInfo& ack);
  // Several acks in one transaction; unknown ids are skipped. Returns how many were applied.
  StatusOr<int64_t> AckBatch(const std::vector<AckInfo>& acks);
  // Moves the mutation to dead_letters; returns the dead letter id. kNotFound if unknown.
  StatusOr<int64_t> DeadLetter(std::string_view mutation_id, std::string_view code,
                               std::string_view message);
  StatusOr<std::vector<syncagent::DeadLetter>> ListDeadLetters(int64_t limit = 100);
  // Re-enqueues a dead letter as a new mutation (new id and seq, rebased); see
  // dead_letter_queue.h.
  StatusOr<Mutation> RetryDeadLetter(int64_t id);
  Status DropDeadLetter(int64_t id);

  // --- Pull (see remote_applier.h): the changes and the cursor in ONE transaction. ---
  StatusOr<RemoteApplyResult> ApplyRemotePage(const std::vector<RemoteChange>& changes,
                                              std::string_view cursor,
                                              std::string_view etag = {},
                                              std::string_view checkpoint_name = kPullCheckpoint);

  // Remote versions the client could not take (remote_skips.h), oldest first.
  StatusOr<std::vector<RemoteSkip>> ListRemoteSkips(int64_t limit = 100);

  // --- Conflicts (see conflict_store.h). ---
  StatusOr<int64_t> RecordConflict(const ConflictInput& input);
  // At most `limit` conflicts with id > after_id, oldest first (ConflictStore::List): to see
  // them all, page on with the last id returned until a page comes back short.
  StatusOr<std::vector<Conflict>> ListConflicts(bool open_only = true, int64_t limit = 1000,
                                                int64_t after_id = 0);
  StatusOr<Conflict> GetConflict(int64_t id);
  Status ResolveConflict(int64_t id, const Resolution& resolution);
  // Re-reads an open conflict's local side from its document (after ResolveConflict's kAborted).
  Status RefreshConflict(int64_t id);

  // --- Checkpoints. ---
  StatusOr<std::optional<Checkpoint>> GetCheckpoint(std::string_view name);
  Status SetCheckpoint(std::string_view name, std::string_view value,
                       std::string_view etag = {});
  // The server lost what it had acknowledged: forget every server revision under `rule` in one
  // transaction (server_reset.h). Returns the mutations queued (reupload) or documents dropped.
  StatusOr<int64_t> ForgetServer(ServerResetRule rule);
  // Before a pull with `collections` (empty = all): drops the pull cursor when the set is wider
  // than the one it covers, and records the set (pull_scope.h). True when the cursor was dropped.
  StatusOr<bool> AlignPullCollections(const std::vector<std::string>& collections);

  // --- Leases (see lease_table.h); atomic across Stores and processes. ---
  StatusOr<bool> AcquireLease(std::string_view name, std::string_view owner, Millis ttl);
  Status ReleaseLease(std::string_view name, std::string_view owner);

  // --- Run log. ---
  StatusOr<int64_t> BeginRun(const RunStart& start);
  Status FinishRun(int64_t id, const RunFinish& finish);
  // When BeginRun (id 0) or FinishRun (the run's id) failed, e.g. on a full disk: keeps the
  // outcome in the run log's fixed-size fallback slot, rewritten in place so that it needs no
  // new page (see run_log.h). Best effort: the store's error when even that fails.
  Status NoteUnloggedRun(int64_t id, const RunStart& start, const RunFinish& finish);
  // Newest first, with a run noted by NoteUnloggedRun while it is the latest (RunLog::List).
  StatusOr<std::vector<RunRecord>> ListRuns(int64_t limit = 20);

  // --- Health. ---
  StatusOr<StoreStats> Stats();
  // PRAGMA integrity_check (kDataLoss with SQLite's findings) plus the store's own invariants
  // (kInternal naming the broken one).
  Status Verify();

  // --- Hybrid logical clock. ---
  // A fresh stamp (strictly greater than all before); persisted.
  StatusOr<HlcStamp> NewHlc();
  // Merges a remote stamp (kInvalidArgument if it does not parse); persisted.
  StatusOr<HlcStamp> ObserveHlc(std::string_view remote_stamp);

 private:
  Store(const StoreOptions& options, std::unique_ptr<SqliteDb> db, std::string client_id);

  // Runs `body` in an IMMEDIATE transaction under the lock, persisting the HLC before commit.
  template <typename Body>
  auto InWriteTransaction(Body&& body) -> decltype(body());
  // Raises the persisted HLC stamp if the clock moved since the last persist, and persists the
  // outbox seq high-water mark.
  Status PersistMeta();
  // Builds the change feed's index in a transaction of its own if it is missing (Changes).
  // REQUIRES: mu_ held, no transaction open.
  Status BuildFeedIndexIfMissing();
  Status WriteOne(MutationOp op, std::string_view collection, std::string_view key,
                  const nlohmann::json& data);

  std::mutex mu_;
  StoreOptions options_;
  DocumentRows::PulledOrder pulled_order_;  // rev_newer's rule; outlives db_
  std::unique_ptr<SqliteDb> db_;
  std::string client_id_;
  HybridLogicalClock hlc_;
  HlcStamp persisted_hlc_;
  RandomIdGenerator ids_;
  ChangeFeed feed_;
  DocumentRows docs_;
  OutboxRows outbox_rows_;
  SeqAllocator seqs_;
  StoreContext ctx_;
  MetaTable meta_;
  LocalWriter writer_;
  DeadLetterQueue dead_letters_;
  Outbox outbox_;
  ConflictStore conflicts_;
  CheckpointTable checkpoints_;
  RemoteSkips remote_skips_;
  RemoteApplier remote_;
  LeaseTable leases_;
  RunLog runs_;
  // The generated columns of the declared indexes: JSON path -> base name (index_columns.h).
  std::map<std::string, std::string> index_columns_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_STORE_H_
