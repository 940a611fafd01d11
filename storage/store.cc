#include "storage/store.h"

#include <algorithm>
#include <utility>

#include "storage/db_file.h"
#include "storage/pull_scope.h"
#include "storage/query/index_sync.h"
#include "storage/query/query_runner.h"
#include "storage/schema_migrations.h"
#include "storage/server_reset.h"
#include "storage/sync_state.h"
#include "storage/transaction.h"
#include "storage/validation.h"

namespace syncagent {

namespace {

constexpr char kEnableWal[] = "PRAGMA journal_mode = WAL";
constexpr char kPageSize[] = "PRAGMA page_size";
constexpr char kLiveDocuments[] = "SELECT count(*) FROM documents WHERE deleted = 0";
constexpr char kIntegrityCheck[] = "PRAGMA integrity_check";

// The store's own invariants: each query counts violations.
struct Invariant {
  const char* name;
  const char* sql;
};
constexpr Invariant kInvariants[] = {
    {"every dirty document has an outbox entry",
     "SELECT count(*) FROM documents d WHERE d.dirty = 1 AND NOT EXISTS "
     "(SELECT 1 FROM outbox o WHERE o.collection = d.collection AND o.key = d.key)"},
    {"every outbox entry belongs to a dirty document",
     "SELECT count(*) FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE "
     "d.collection = o.collection AND d.key = o.key AND d.dirty = 1)"},
    {"pending_seqs lists exactly the document's outbox entries, ascending",
     "WITH queued AS (SELECT collection, key, group_concat(seq, ',') AS seqs FROM "
     "(SELECT collection, key, seq FROM outbox ORDER BY collection, key, seq) "
     "GROUP BY collection, key) "
     "SELECT count(*) FROM documents d LEFT JOIN queued q USING (collection, key) "
     "WHERE d.pending_seqs != coalesce(q.seqs, '') OR d.dirty != (d.pending_seqs != '')"},
    {"the outbox seq high-water mark is at least every queued seq",
     "SELECT count(*) FROM outbox WHERE seq > (SELECT value FROM meta WHERE name = 'seq')"},
    {"a tombstone has no data and a live document has data",
     "SELECT count(*) FROM documents WHERE (deleted = 1) = (data IS NOT NULL)"},
    {"the change seq high-water mark is at least every document's and erased document's seq",
     "SELECT (SELECT count(*) FROM documents WHERE change_seq > "
     "(SELECT value FROM meta WHERE name = 'change_seq')) + (SELECT count(*) FROM erased_changes "
     "WHERE seq > (SELECT value FROM meta WHERE name = 'change_seq'))"},
    {"every document has a change seq, and an erased document's entry is older than its row",
     "SELECT (SELECT count(*) FROM documents WHERE change_seq <= 0) + (SELECT count(*) FROM "
     "erased_changes e JOIN documents d USING (collection, key) WHERE e.seq >= d.change_seq)"},
    {"a change seq belongs to one document",
     "SELECT (SELECT count(*) FROM erased_changes e JOIN documents d ON d.change_seq = e.seq) + "
     "(SELECT count(*) FROM (SELECT change_seq FROM documents GROUP BY change_seq "
     "HAVING count(*) > 1))"},
};

// Stamps the change-feed rows of one store operation with `source`; kLocal again afterwards.
class SourceScope {
 public:
  SourceScope(ChangeFeed& feed, ChangeSource source) : feed_(feed) { feed_.set_source(source); }
  ~SourceScope() { feed_.set_source(ChangeSource::kLocal); }
  SourceScope(const SourceScope&) = delete;
  SourceScope& operator=(const SourceScope&) = delete;

 private:
  ChangeFeed& feed_;
};

}  // namespace

StatusOr<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  if (options.clock == nullptr) return InvalidArgumentError("StoreOptions.clock is required");
  if (options.busy_timeout_ms < 0 || options.max_size_bytes < 0) {
    return InvalidArgumentError("StoreOptions: busy_timeout_ms and max_size_bytes must be >= 0");
  }
  SYNCAGENT_RETURN_IF_ERROR(PrepareDatabaseFile(options.path));
  SYNCAGENT_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db,
                             SqliteDb::Open(options.path, options.busy_timeout_ms));
  // Read-only probe first: a damaged file or a newer schema is refused before any write.
  SYNCAGENT_ASSIGN_OR_RETURN(int version, SchemaMigrator::CheckVersion(*db));
  (void)version;
  if (db->IsReadOnly()) {
    return PermissionDeniedError(options.path +
                                 ": database file is read-only (no write permission for this "
                                 "process); syncagent needs read-write access");
  }
  SYNCAGENT_ASSIGN_OR_RETURN(std::string mode, db->QueryText(kEnableWal));
  if (mode != "wal") {
    return IoError(options.path + ": cannot enable the WAL journal (journal_mode is \"" + mode +
                   "\"); is the directory writable?");
  }
  SYNCAGENT_RETURN_IF_ERROR(db->Exec(options.synchronous == SyncMode::kFull
                                         ? "PRAGMA synchronous = FULL"
                                         : "PRAGMA synchronous = NORMAL",
                                     "setting synchronous"));
  // 8 MiB of page cache (SQLite's default is 2 MiB): a pull of ~1M documents keeps the
  // documents B-tree's inner pages cached (docs/benchmarks.md), still far under the 40 MB target.
  SYNCAGENT_RETURN_IF_ERROR(db->Exec("PRAGMA cache_size = -8192", "setting the page cache size"));
  SYNCAGENT_RETURN_IF_ERROR(SchemaMigrator::Migrate(*db));
  if (options.max_size_bytes > 0) {
    SYNCAGENT_ASSIGN_OR_RETURN(int64_t page_size, db->QueryInt(kPageSize));
    const int64_t pages = std::max<int64_t>(1, options.max_size_bytes / page_size);
    const std::string sql = "PRAGMA max_page_count = " + std::to_string(pages);
    SYNCAGENT_RETURN_IF_ERROR(db->Exec(sql.c_str(), "setting the size cap"));
  }

  MetaTable meta(*db);
  SYNCAGENT_ASSIGN_OR_RETURN(std::optional<std::string> client_id, meta.Get(MetaTable::kClientId));
  SYNCAGENT_ASSIGN_OR_RETURN(std::optional<std::string> hlc_text, meta.Get(MetaTable::kHlc));
  if (!client_id || !hlc_text) {
    RandomIdGenerator ids;
    Transaction txn(*db);
    SYNCAGENT_RETURN_IF_ERROR(txn.Begin());
    SYNCAGENT_RETURN_IF_ERROR(meta.InsertIfMissing(MetaTable::kClientId, ids.NewClientId()));
    SYNCAGENT_RETURN_IF_ERROR(txn.Commit());
    SYNCAGENT_ASSIGN_OR_RETURN(client_id, meta.Get(MetaTable::kClientId));
    SYNCAGENT_ASSIGN_OR_RETURN(hlc_text, meta.Get(MetaTable::kHlc));
  }
  if (!client_id || client_id->empty() || !hlc_text) {
    return DataLossError(options.path + ": meta table lacks the client id");
  }
  HlcStamp last;
  if (!hlc_text->empty()) {
    SYNCAGENT_ASSIGN_OR_RETURN(last, HybridLogicalClock::Parse(*hlc_text));
  }
  SYNCAGENT_ASSIGN_OR_RETURN(query::IndexPlan indexes, query::PlanIndexes(options.indexes));
  SYNCAGENT_RETURN_IF_ERROR(query::SyncIndexes(*db, indexes));
  std::unique_ptr<Store> store(new Store(options, std::move(db), *client_id));
  store->index_columns_ = std::move(indexes.columns);
  store->pulled_order_.compare = &store->options_.compare_revisions;
  store->pulled_order_.current = options.pulled_is_current;
  SYNCAGENT_RETURN_IF_ERROR(
      DocumentRows::RegisterRevisionOrder(*store->db_, &store->pulled_order_));
  store->hlc_.Restore(last);
  store->persisted_hlc_ = store->hlc_.Last();
  return store;
}

Store::Store(const StoreOptions& options, std::unique_ptr<SqliteDb> db, std::string client_id)
    : options_(options),
      db_(std::move(db)),
      client_id_(std::move(client_id)),
      hlc_(*options.clock, client_id_),
      feed_(*db_),
      docs_(*db_, feed_),
      outbox_rows_(*db_),
      seqs_(*db_),
      ctx_{db_.get(), options.clock, &hlc_, &ids_, &docs_, &outbox_rows_, &seqs_,
           &options_.compare_revisions, &options_.needs_write_back},
      meta_(*db_),
      writer_(ctx_),
      dead_letters_(ctx_),
      outbox_(ctx_, dead_letters_),
      conflicts_(ctx_),
      checkpoints_(ctx_),
      remote_skips_(ctx_),
      remote_(ctx_, conflicts_, checkpoints_, remote_skips_),
      leases_(ctx_),
      runs_(ctx_) {
  outbox_rows_.SetSyncedCollections(options.synced_collections);
  feed_.set_keep_keys(static_cast<bool>(options_.on_commit));
}

Store::~Store() = default;

template <typename Body>
auto Store::InWriteTransaction(Body&& body) -> decltype(body()) {
  struct ResetSeqs {
    SeqAllocator& seqs;
    ~ResetSeqs() { seqs.Reset(); }
  } reset_seqs{seqs_};
  seqs_.Reset();
  feed_.BeginTransaction();
  Transaction txn(*db_);
  SYNCAGENT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  auto result = body();
  if (!result.ok()) return result;
  SYNCAGENT_RETURN_IF_ERROR(PersistMeta());
  SYNCAGENT_RETURN_IF_ERROR(txn.Commit());
  if (options_.on_commit) {
    std::vector<DocumentKey> keys = feed_.TakeWritten();
    if (!keys.empty()) options_.on_commit(std::move(keys));
  }
  return result;
}

Status Store::PersistMeta() {
  SYNCAGENT_RETURN_IF_ERROR(seqs_.Flush());
  SYNCAGENT_RETURN_IF_ERROR(feed_.Flush());
  const HlcStamp last = hlc_.Last();
  if (last.wall_ms == persisted_hlc_.wall_ms && last.logical == persisted_hlc_.logical) {
    return Status::Ok();
  }
  SYNCAGENT_RETURN_IF_ERROR(meta_.RaiseHlc(hlc_.LastText()));
  persisted_hlc_ = last;  // (a rollback after this only leaves the stored stamp behind memory)
  return Status::Ok();
}

Status Store::WriteOne(MutationOp op, std::string_view collection, std::string_view key,
                       const nlohmann::json& data) {
  std::lock_guard lock(mu_);
  return InWriteTransaction([&] { return writer_.Apply(op, collection, key, data); });
}

Status Store::Put(std::string_view collection, std::string_view key, const nlohmann::json& data) {
  return WriteOne(MutationOp::kPut, collection, key, data);
}

Status Store::Patch(std::string_view collection, std::string_view key,
                    const nlohmann::json& patch) {
  return WriteOne(MutationOp::kPatch, collection, key, patch);
}

Status Store::Delete(std::string_view collection, std::string_view key) {
  static const nlohmann::json kNull;
  return WriteOne(MutationOp::kDelete, collection, key, kNull);
}

Status Store::Write(const std::vector<WriteOp>& ops) {
  std::lock_guard lock(mu_);
  return InWriteTransaction([&]() -> Status {
    for (size_t i = 0; i < ops.size(); ++i) {
      const WriteOp& op = ops[i];
      Status status = writer_.Apply(op.op, op.collection, op.key, op.data);
      if (!status.ok()) return status.WithContext("write #" + std::to_string(i));
    }
    return Status::Ok();
  });
}

StatusOr<std::optional<Document>> Store::Get(std::string_view collection, std::string_view key,
                                             bool include_deleted) {
  SYNCAGENT_RETURN_IF_ERROR(ValidateDocumentId(collection, key));
  std::lock_guard lock(mu_);
  Transaction txn(*db_);  // the document and its sync state from one snapshot
  SYNCAGENT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kDeferred));
  DocumentRow row;
  SYNCAGENT_ASSIGN_OR_RETURN(bool exists, docs_.Load(collection, key, &row));
  if (!exists || (row.deleted && !include_deleted)) return std::optional<Document>();
  SYNCAGENT_ASSIGN_OR_RETURN(Document doc, DocumentRows::ToDocument(row));
  SYNCAGENT_ASSIGN_OR_RETURN(doc.sync_state, LoadSyncState(*db_, collection, key));
  SYNCAGENT_RETURN_IF_ERROR(txn.Commit());
  return std::optional<Document>(std::move(doc));
}

StatusOr<std::vector<Document>> Store::List(std::string_view collection,
                                            const ListOptions& options) {
  SYNCAGENT_RETURN_IF_ERROR(ValidateCollection(collection));
  if (options.limit < 1 || options.limit > 10000) {
    return InvalidArgumentError("List(\"" + std::string(collection) + "\"): limit " +
                                std::to_string(options.limit) + " must be 1..10000");
  }
  std::lock_guard lock(mu_);
  return docs_.List(collection, options);
}

namespace {
Status CheckQuery(std::string_view collection, const query::QuerySpec& spec) {
  SYNCAGENT_RETURN_IF_ERROR(ValidateCollection(collection));
  if (spec.limit < 1 || spec.limit > query::kMaxQueryLimit || spec.skip < 0) {
    return InvalidArgumentError("Query(\"" + std::string(collection) + "\"): limit " +
                                std::to_string(spec.limit) + " must be 1..10000 and skip " +
                                std::to_string(spec.skip) + " at least 0");
  }
  return Status::Ok();
}
}  // namespace

StatusOr<query::QueryResult> Store::Query(std::string_view collection,
                                          const query::QuerySpec& spec) {
  SYNCAGENT_RETURN_IF_ERROR(CheckQuery(collection, spec));
  std::lock_guard lock(mu_);
  Transaction txn(*db_);  // the rows and their sync state from one snapshot
  SYNCAGENT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kDeferred));
  SYNCAGENT_ASSIGN_OR_RETURN(query::QueryResult result,
                             query::QueryRunner(*db_, &index_columns_).Run(collection, spec));
  SYNCAGENT_RETURN_IF_ERROR(txn.Commit());
  return result;
}

StatusOr<std::string> Store::ExplainQuery(std::string_view collection,
                                          const query::QuerySpec& spec) {
  SYNCAGENT_RETURN_IF_ERROR(CheckQuery(collection, spec));
  std::lock_guard lock(mu_);
  return query::QueryRunner(*db_, &index_columns_).Explain(collection, spec);
}

StatusOr<std::vector<Change>> Store::Changes(int64_t since, int limit) {
  if (since < 0 || limit < 1 || limit > 10000) {
    return InvalidArgumentError("Changes: since " + std::to_string(since) +
                                " must be at least 0 and limit " + std::to_string(limit) +
                                " 1..10000");
  }
  std::lock_guard lock(mu_);
  SYNCAGENT_RETURN_IF_ERROR(BuildFeedIndexIfMissing());
  return feed_.List(since, limit);
}

Status Store::BuildFeedIndexIfMissing() {
  SYNCAGENT_ASSIGN_OR_RETURN(bool indexed, feed_.Indexed());
  if (indexed) return Status::Ok();
  Transaction txn(*db_);
  Status built = txn.Begin(Transaction::Mode::kImmediate);
  if (built.ok()) built = feed_.BuildIndex();
  if (built.ok()) built = txn.Commit();
  // Locked elsewhere past the busy timeout, or the store is full: the read goes on without the
  // index (a scan, as correct), and the next read tries again.
  if (built.code() == StatusCode::kUnavailable ||
      built.code() == StatusCode::kResourceExhausted) {
    return Status::Ok();
  }
  return built;
}

StatusOr<std::vector<Mutation>> Store::PeekBatch(int max_count, int64_t max_bytes) {
  std::lock_guard lock(mu_);
  return outbox_.PeekBatch(max_count, max_bytes);
}

StatusOr<std::vector<Mutation>> Store::TakeBatch(int max_count, int64_t max_bytes) {
  return TakeBatchAfter(max_count, max_bytes, /*after_seq=*/0, /*in_flight=*/{});
}

StatusOr<std::vector<Mutation>> Store::TakeBatchAfter(int max_count, int64_t max_bytes,
                                                     int64_t after_seq,
                                                     const std::vector<Mutation>& in_flight) {
  std::lock_guard lock(mu_);
  return InWriteTransaction([&]() -> StatusOr<std::vector<Mutation>> {
    SYNCAGENT_ASSIGN_OR_RETURN(std::vector<Mutation> batch,
                               outbox_.PeekBatch(max_count, max_bytes, after_seq, &in_flight));
    SYNCAGENT_RETURN_IF_ERROR(outbox_.MarkTaken(batch));
    return batch;
  });
}

StatusOr<int64_t> Store::MarkAttempted(const std::vector<std::string>& mutation_ids,
                                       std::string_view error) {
  std::lock_guard lock(mu_);
  return InWriteTransaction([&] { return outbox_.MarkAttempted(mutation_ids, error); });
}

Status Store::Ack(const AckInfo& ack) {
  std::lock_guard lock(mu_);
  StatusOr<bool> acked = InWriteTransaction([&] { return outbox_.Ack(ack); });
  if (!acked.ok()) return acked.status();
  if (!*acked) {
    return NotFoundError("ack of mutation " + ack.mutation_id +
                         ": not in the outbox (already acknowledged or dropped)");
  }
  return Status::Ok();
}

StatusOr<int64_t> Store::AckBatch(const std::vector<AckInfo>& acks) {
  std::lock_guard lock(mu_);
  return InWriteTransaction([&]() -> StatusOr<int64_t> {
    int64_t applied = 0;
    for (const AckInfo& ack : acks) {
      SYNCAGENT_ASSIGN_OR_RETURN(bool acked, outbox_.Ack(ack));
      if (acked) ++applied;
    }
    return applied;
  });
}

StatusOr<int64_t> Store::DeadLetter(std::string_view mutation_id, std::string_view code,
                                    std::string_view message) {
  std::lock_guard lock(mu_);
  return InWriteTransaction([&] { return outbox_.DeadLetter(mutation_id, code, message); });
}

StatusOr<std::vector<syncagent::DeadLetter>> Store::ListDeadLetters(int64_t limit) {
  std::lock_guard lock(mu_);
  return dead_letters_.List(limit);
}

StatusOr<Mutation> Store::RetryDeadLetter(int64_t id) {
  std::lock_guard lock(mu_);
  return InWriteTransaction([&] { return dead_letters_.Retry(id); });
}

Status Store::DropDeadLetter(int64_t id) {
  std::lock_guard lock(mu_);
  return InWriteTransaction([&] { return dead_letters_.Drop(id); });
}

StatusOr<RemoteApplyResult> Store::ApplyRemotePage(const std::vector<RemoteChange>& changes,
                                                   std::string_view cursor,
                                                   std::string_view etag,
                                                   std::string_view checkpoint_name) {
  std::lock_guard lock(mu_);
  SourceScope source(feed_, ChangeSource::kRemote);
  return InWriteTransaction([&] { return remote_.Apply(changes, checkpoint_name, cursor, etag); });
}

StatusOr<int64_t> Store::RecordConflict(const ConflictInput& input) {
  std::lock_guard lock(mu_);
  return InWriteTransaction([&] { return conflicts_.Record(input); });
}

StatusOr<std::vector<Conflict>> Store::ListConflicts(bool open_only, int64_t limit,
                                                     int64_t after_id) {
  std::lock_guard lock(mu_);
  return conflicts_.List(open_only, limit, after_id);
}

StatusOr<Conflict> Store::GetConflict(int64_t id) {
  std::lock_guard lock(mu_);
  return conflicts_.Get(id);
}

Status Store::ResolveConflict(int64_t id, const Resolution& resolution) {
  std::lock_guard lock(mu_);
  SourceScope source(feed_, ChangeSource::kResolution);
  return InWriteTransaction([&] { return conflicts_.Resolve(id, resolution); });
}

Status Store::RefreshConflict(int64_t id) {
  std::lock_guard lock(mu_);
  return InWriteTransaction([&] { return conflicts_.Refresh(id); });
}

StatusOr<std::optional<Checkpoint>> Store::GetCheckpoint(std::string_view name) {
  std::lock_guard lock(mu_);
  return checkpoints_.Get(name);
}

Status Store::SetCheckpoint(std::string_view name, std::string_view value,
                            std::string_view etag) {
  std::lock_guard lock(mu_);
  return InWriteTransaction([&] { return checkpoints_.Set(name, value, etag); });
}

StatusOr<std::vector<RemoteSkip>> Store::ListRemoteSkips(int64_t limit) {
  std::lock_guard lock(mu_);
  return remote_skips_.List(limit);
}

StatusOr<int64_t> Store::ForgetServer(ServerResetRule rule) {
  std::lock_guard lock(mu_);
  ServerReset reset(ctx_, conflicts_, checkpoints_);
  SourceScope source(feed_, ChangeSource::kRemote);
  return InWriteTransaction(
      [&] { return reset.Forget(rule, {kPullCheckpoint, kPullCollectionsCheckpoint}); });
}

StatusOr<bool> Store::AlignPullCollections(const std::vector<std::string>& collections) {
  std::lock_guard lock(mu_);
  PullScope scope(checkpoints_, kPullCheckpoint, kPullCollectionsCheckpoint);
  return InWriteTransaction([&] { return scope.Align(collections); });
}

StatusOr<bool> Store::AcquireLease(std::string_view name, std::string_view owner, Millis ttl) {
  std::lock_guard lock(mu_);
  return InWriteTransaction([&] { return leases_.Acquire(name, owner, ttl.count()); });
}

Status Store::ReleaseLease(std::string_view name, std::string_view owner) {
  std::lock_guard lock(mu_);
  return InWriteTransaction([&] { return leases_.Release(name, owner); });
}

StatusOr<int64_t> Store::BeginRun(const RunStart& start) {
  std::lock_guard lock(mu_);
  return InWriteTransaction([&] { return runs_.Begin(start); });
}

Status Store::FinishRun(int64_t id, const RunFinish& finish) {
  std::lock_guard lock(mu_);
  return InWriteTransaction([&] { return runs_.Finish(id, finish); });
}

Status Store::NoteUnloggedRun(int64_t id, const RunStart& start, const RunFinish& finish) {
  std::lock_guard lock(mu_);
  // Deliberately outside InWriteTransaction: only the slot's row is rewritten, nothing else.
  return runs_.NoteUnlogged(id, start, finish);
}

StatusOr<std::vector<RunRecord>> Store::ListRuns(int64_t limit) {
  std::lock_guard lock(mu_);
  return runs_.List(limit);
}

StatusOr<StoreStats> Store::Stats() {
  std::lock_guard lock(mu_);
  Transaction txn(*db_);  // one consistent snapshot
  SYNCAGENT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kDeferred));
  StoreStats stats;
  SYNCAGENT_ASSIGN_OR_RETURN(OutboxRows::QueueSummary queue, outbox_rows_.Summarize());
  stats.queue_depth = queue.synced;
  stats.local_only = queue.local_only;
  if (queue.oldest_synced_created_at) {
    stats.oldest_pending_age_ms =
        std::max<int64_t>(0, options_.clock->WallMs() - *queue.oldest_synced_created_at);
  }
  SYNCAGENT_ASSIGN_OR_RETURN(stats.dead_letters, dead_letters_.Count());
  SYNCAGENT_ASSIGN_OR_RETURN(stats.open_conflicts, conflicts_.CountOpen());
  SYNCAGENT_ASSIGN_OR_RETURN(stats.remote_skips, remote_skips_.Count());
  SYNCAGENT_ASSIGN_OR_RETURN(std::vector<RunRecord> runs, runs_.List(1));
  if (!runs.empty()) stats.last_run = std::move(runs.front());
  SYNCAGENT_ASSIGN_OR_RETURN(stats.documents, db_->QueryInt(kLiveDocuments));
  SYNCAGENT_RETURN_IF_ERROR(txn.Commit());
  return stats;
}

Status Store::Verify() {
  std::lock_guard lock(mu_);
  Transaction txn(*db_);
  SYNCAGENT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kDeferred));
  {
    SYNCAGENT_ASSIGN_OR_RETURN(Statement check, db_->Prepare(kIntegrityCheck));
    std::string findings;
    while (true) {
      SYNCAGENT_ASSIGN_OR_RETURN(bool row, check.Step());
      if (!row) break;
      if (check.TextView(0) == "ok") continue;
      if (!findings.empty()) findings += "; ";
      findings += check.TextView(0);
    }
    if (!findings.empty()) {
      return DataLossError(db_->path() + ": integrity check failed: " + findings);
    }
  }
  for (const Invariant& invariant : kInvariants) {
    SYNCAGENT_ASSIGN_OR_RETURN(int64_t violations, db_->QueryInt(invariant.sql));
    if (violations != 0) {
      return InternalError(db_->path() + ": invariant \"" + invariant.name + "\" broken by " +
                           std::to_string(violations) + " row(s)");
    }
  }
  return txn.Commit();
}

StatusOr<HlcStamp> Store::NewHlc() {
  std::lock_guard lock(mu_);
  return InWriteTransaction([&]() -> StatusOr<HlcStamp> { return hlc_.Now(); });
}

StatusOr<HlcStamp> Store::ObserveHlc(std::string_view remote_stamp) {
  SYNCAGENT_ASSIGN_OR_RETURN(HlcStamp remote, HybridLogicalClock::Parse(remote_stamp));
  std::lock_guard lock(mu_);
  return InWriteTransaction([&]() -> StatusOr<HlcStamp> { return hlc_.Observe(remote); });
}

}  // namespace syncagent
