#include "storage/change_feed.h"

#include <algorithm>

#include "storage/sync_state.h"

namespace syncagent {

namespace {

// Keeps an erased document's change. An entry whose document was written again is ignored (its
// documents row is its entry: kList skips it) and dropped by the next erase (kPurgeReborn), so
// the table holds the documents that are gone plus at most those written again since.
constexpr char kErased[] =
    "INSERT INTO erased_changes (collection, key, seq, source) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (collection, key) DO UPDATE SET seq = excluded.seq, source = excluded.source";
constexpr char kPurgeReborn[] =
    "DELETE FROM erased_changes WHERE EXISTS (SELECT 1 FROM documents d WHERE "
    "d.collection = erased_changes.collection AND d.key = erased_changes.key)";
// A compound SELECT ordered by seq: SQLite merges the two arms, each read in seq order from its
// index, and stops at the limit.
constexpr char kList[] =
    "SELECT d.change_seq, d.collection, d.key, d.deleted, d.change_source, "
    SYNCAGENT_SYNC_STATE_SQL " FROM documents d WHERE d.change_seq > ?1 "
    "UNION ALL "
    "SELECT e.seq, e.collection, e.key, 1, e.source, 0 FROM erased_changes e WHERE e.seq > ?1 AND "
    "NOT EXISTS (SELECT 1 FROM documents x WHERE x.collection = e.collection AND x.key = e.key) "
    "ORDER BY 1 LIMIT ?2";

// UNIQUE: a plain index measured no cheaper on a pull (docs/benchmarks.md), and this one refuses
// a duplicate seq (which Store::Verify() also looks for while the index is not built yet).
constexpr char kBuildIndex[] =
    "CREATE UNIQUE INDEX IF NOT EXISTS documents_change_seq ON documents (change_seq)";
constexpr char kHasIndex[] =
    "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'documents_change_seq'";

ChangeSource SourceFromColumn(int64_t value) {
  if (value == static_cast<int64_t>(ChangeSource::kRemote)) return ChangeSource::kRemote;
  if (value == static_cast<int64_t>(ChangeSource::kResolution)) return ChangeSource::kResolution;
  return ChangeSource::kLocal;
}

}  // namespace

std::string_view ChangeSourceName(ChangeSource source) {
  switch (source) {
    case ChangeSource::kLocal: return "local";
    case ChangeSource::kRemote: return "remote";
    case ChangeSource::kResolution: return "resolution";
  }
  return "local";
}

void ChangeFeed::BeginTransaction() {
  seqs_.Reset();
  written_.clear();
}

void ChangeFeed::Written(std::string_view collection, std::string_view key) {
  if (keep_keys_) written_.push_back(DocumentKey{std::string(collection), std::string(key)});
}

Status ChangeFeed::Erased(std::string_view collection, std::string_view key) {
  SYNCAGENT_ASSIGN_OR_RETURN(int64_t seq, NextSeq());
  {
    SYNCAGENT_ASSIGN_OR_RETURN(Statement purge, db_.Prepare(kPurgeReborn));
    SYNCAGENT_RETURN_IF_ERROR(purge.Run());
  }
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kErased));
  stmt.BindTextStatic(1, collection);
  stmt.BindTextStatic(2, key);
  stmt.BindInt(3, seq);
  stmt.BindInt(4, static_cast<int64_t>(source_));
  SYNCAGENT_RETURN_IF_ERROR(stmt.Run());
  Written(collection, key);
  return Status::Ok();
}

std::vector<DocumentKey> ChangeFeed::TakeWritten() {
  std::vector<DocumentKey> keys;
  keys.swap(written_);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

StatusOr<bool> ChangeFeed::Indexed() {
  if (!indexed_) {
    SYNCAGENT_ASSIGN_OR_RETURN(int64_t found, db_.QueryInt(kHasIndex));
    indexed_ = found > 0;
  }
  return indexed_;
}

Status ChangeFeed::BuildIndex() {
  SYNCAGENT_CHECK(db_.InTransaction());
  // indexed_ stays false until Indexed() sees the committed index: a rollback undoes the build.
  return db_.Exec(kBuildIndex, "building the change feed's index");
}

StatusOr<std::vector<Change>> ChangeFeed::List(int64_t since, int limit) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kList));
  stmt.BindInt(1, since);
  stmt.BindInt(2, limit);
  std::vector<Change> changes;
  while (true) {
    SYNCAGENT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    Change change;
    change.seq = stmt.Int(0);
    change.collection = stmt.Text(1);
    change.key = stmt.Text(2);
    change.deleted = stmt.Int(3) != 0;
    change.source = SourceFromColumn(stmt.Int(4));
    change.sync_state = SyncStateFromColumn(stmt.Int(5));
    changes.push_back(std::move(change));
  }
  return changes;
}

}  // namespace syncagent
