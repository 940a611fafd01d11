#include "storage/document_rows.h"

#include <sqlite3.h>

#include <charconv>

#include "storage/sync_state.h"
#include "storage/validation.h"

namespace syncagent {

namespace {

constexpr char kLoad[] =
    "SELECT rev, deleted, data, dirty, base_rev, base_data, hlc, updated_at, pending_seqs "
    "FROM documents WHERE collection = ?1 AND key = ?2";
constexpr char kSave[] =
    "INSERT INTO documents (collection, key, rev, deleted, data, dirty, base_rev, "
    "base_data, hlc, updated_at, pending_seqs, change_seq, change_source) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
    "ON CONFLICT (collection, key) DO UPDATE SET rev = excluded.rev, "
    "deleted = excluded.deleted, data = excluded.data, dirty = excluded.dirty, "
    "base_rev = excluded.base_rev, base_data = excluded.base_data, hlc = excluded.hlc, "
    "updated_at = excluded.updated_at, pending_seqs = excluded.pending_seqs, "
    "change_seq = excluded.change_seq, change_source = excluded.change_source";
constexpr char kSaveIfNewerAndClean[] =
    "INSERT INTO documents (collection, key, rev, deleted, data, dirty, base_rev, "
    "base_data, hlc, updated_at, pending_seqs, change_seq, change_source) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
    "ON CONFLICT (collection, key) DO UPDATE SET rev = excluded.rev, "
    "deleted = excluded.deleted, data = excluded.data, dirty = excluded.dirty, "
    "base_rev = excluded.base_rev, base_data = excluded.base_data, hlc = excluded.hlc, "
    "updated_at = excluded.updated_at, pending_seqs = excluded.pending_seqs, "
    "change_seq = excluded.change_seq, change_source = excluded.change_source "
    "WHERE documents.dirty = 0 AND rev_newer(documents.rev, excluded.rev) "
    "AND NOT (documents.rev = '' AND documents.deleted = 1 AND documents.hlc > excluded.hlc)";
constexpr char kErase[] = "DELETE FROM documents WHERE collection = ?1 AND key = ?2";
// Column 10 is the document's sync state (storage/sync_state.h).
constexpr char kListLive[] =
    "SELECT key, rev, deleted, data, dirty, base_rev, base_data, hlc, updated_at, "
    "pending_seqs, " SYNCAGENT_SYNC_STATE_SQL " FROM documents d WHERE collection = ?1 AND "
    "key > ?2 AND deleted = 0 ORDER BY key LIMIT ?3";
constexpr char kListAll[] =
    "SELECT key, rev, deleted, data, dirty, base_rev, base_data, hlc, updated_at, "
    "pending_seqs, " SYNCAGENT_SYNC_STATE_SQL " FROM documents d WHERE collection = ?1 AND "
    "key > ?2 ORDER BY key LIMIT ?3";

// Reads columns [first, first+9) of a row (everything after the key) into *row.
void ReadColumns(const Statement& stmt, int first, DocumentRow* row) {
  row->rev = stmt.TextView(first + 0);
  row->deleted = stmt.Int(first + 1) != 0;
  row->data = stmt.OptionalText(first + 2);
  row->dirty = stmt.Int(first + 3) != 0;
  row->base_rev = stmt.OptionalText(first + 4);
  row->base_data = stmt.OptionalText(first + 5);
  row->hlc = stmt.TextView(first + 6);
  row->updated_at = stmt.Int(first + 7);
  row->pending_seqs = stmt.TextView(first + 8);
}

}  // namespace

namespace {
// Parses one decimal seq; corrupt text yields 0 (Verify() reports the mismatch).
int64_t ParseSeq(std::string_view text) {
  int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}
}  // namespace

std::optional<int64_t> DocumentRow::NewestPending() const {
  if (pending_seqs.empty()) return std::nullopt;
  const size_t comma = pending_seqs.rfind(',');
  return ParseSeq(std::string_view(pending_seqs).substr(comma == std::string::npos ? 0 : comma + 1));
}

std::vector<int64_t> DocumentRow::PendingSeqs() const {
  std::vector<int64_t> seqs;
  const std::string_view all(pending_seqs);
  size_t start = 0;
  while (start < all.size()) {
    size_t comma = all.find(',', start);
    if (comma == std::string_view::npos) comma = all.size();
    seqs.push_back(ParseSeq(all.substr(start, comma - start)));
    start = comma + 1;
  }
  return seqs;
}

void DocumentRow::AddPending(int64_t seq) {
  if (!pending_seqs.empty()) pending_seqs += ',';
  pending_seqs += std::to_string(seq);
}

void DocumentRow::RemovePending(int64_t seq) {
  std::string kept;
  for (int64_t s : PendingSeqs()) {
    if (s == seq) continue;
    if (!kept.empty()) kept += ',';
    kept += std::to_string(s);
  }
  pending_seqs = std::move(kept);
}

StatusOr<bool> DocumentRows::Load(std::string_view collection, std::string_view key,
                                  DocumentRow* row) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kLoad));
  stmt.BindTextStatic(1, collection);
  stmt.BindTextStatic(2, key);
  SYNCAGENT_ASSIGN_OR_RETURN(bool found, stmt.Step());
  row->collection = collection;
  row->key = key;
  if (!found) return false;
  ReadColumns(stmt, 0, row);
  return true;
}

namespace {

void RevNewer(sqlite3_context* context, int argc, sqlite3_value** argv) {
  if (argc != 2) return sqlite3_result_error(context, "rev_newer takes two revisions", -1);
  auto text = [](sqlite3_value* v) {
    const unsigned char* t = sqlite3_value_text(v);
    return t == nullptr ? std::string_view()
                        : std::string_view(reinterpret_cast<const char*>(t),
                                           static_cast<size_t>(sqlite3_value_bytes(v)));
  };
  const auto* rule = static_cast<const DocumentRows::PulledOrder*>(sqlite3_user_data(context));
  static const RevisionComparator kGenerations;
  const RevisionOrder order = OrderRevisions(rule->compare ? *rule->compare : kGenerations,
                                             text(argv[0]), text(argv[1]));
  const bool newer = rule->current ? order != RevisionOrder::kSame
                                   : order == RevisionOrder::kRemoteNewer;
  sqlite3_result_int(context, newer ? 1 : 0);
}

}  // namespace

Status DocumentRows::RegisterRevisionOrder(SqliteDb& db, const PulledOrder* order) {
  const int rc = sqlite3_create_function_v2(db.handle(), "rev_newer", 2,
                                            SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                            const_cast<PulledOrder*>(order), RevNewer,
                                            nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return InternalError(db.path() + ": cannot register rev_newer: " + sqlite3_errstr(rc));
  }
  return Status::Ok();
}

Status DocumentRows::Save(const DocumentRow& row) {
  return Bind(kSave, row).status();
}

StatusOr<bool> DocumentRows::SaveIfNewerAndClean(const DocumentRow& row) {
  SYNCAGENT_CHECK(!row.HasPending());
  // A seq taken for a row that is not written is skipped: seqs need only increase.
  SYNCAGENT_ASSIGN_OR_RETURN(int64_t changes, Bind(kSaveIfNewerAndClean, row));
  return changes > 0;
}

StatusOr<int64_t> DocumentRows::Bind(const char* sql, const DocumentRow& row) {
  SYNCAGENT_ASSIGN_OR_RETURN(int64_t seq, feed_.NextSeq());
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(sql));
  stmt.BindTextStatic(1, row.collection);
  stmt.BindTextStatic(2, row.key);
  stmt.BindTextStatic(3, row.rev);
  stmt.BindInt(4, row.deleted ? 1 : 0);
  if (row.data) {
    stmt.BindTextStatic(5, *row.data);
  } else {
    stmt.BindNull(5);
  }
  stmt.BindInt(6, row.HasPending() ? 1 : 0);
  stmt.BindOptionalText(7, row.base_rev);
  if (row.base_data) {
    stmt.BindTextStatic(8, *row.base_data);
  } else {
    stmt.BindNull(8);
  }
  stmt.BindTextStatic(9, row.hlc);
  stmt.BindInt(10, row.updated_at);
  stmt.BindTextStatic(11, row.pending_seqs);
  stmt.BindInt(12, seq);
  stmt.BindInt(13, static_cast<int64_t>(feed_.source()));
  SYNCAGENT_RETURN_IF_ERROR(stmt.Run());
  const int64_t changes = stmt.Changes();
  if (changes > 0) feed_.Written(row.collection, row.key);
  return changes;
}

Status DocumentRows::Erase(std::string_view collection, std::string_view key) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kErase));
  stmt.BindTextStatic(1, collection);
  stmt.BindTextStatic(2, key);
  SYNCAGENT_RETURN_IF_ERROR(stmt.Run());
  return feed_.Erased(collection, key);
}

StatusOr<std::vector<Document>> DocumentRows::List(std::string_view collection,
                                                   const ListOptions& options) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt,
                             db_.Prepare(options.include_deleted ? kListAll : kListLive));
  stmt.BindTextStatic(1, collection);
  stmt.BindTextStatic(2, options.after_key);
  stmt.BindInt(3, options.limit);
  std::vector<Document> out;
  DocumentRow row;
  row.collection = collection;
  while (true) {
    SYNCAGENT_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    row.key = stmt.TextView(0);
    ReadColumns(stmt, 1, &row);
    SYNCAGENT_ASSIGN_OR_RETURN(Document doc, ToDocument(row));
    doc.sync_state = SyncStateFromColumn(stmt.Int(10));
    out.push_back(std::move(doc));
  }
  return out;
}

StatusOr<Document> DocumentRows::ToDocument(const DocumentRow& row) {
  Document doc;
  doc.collection = row.collection;
  doc.key = row.key;
  doc.rev = row.rev;
  doc.deleted = row.deleted;
  if (row.data) {
    SYNCAGENT_ASSIGN_OR_RETURN(doc.data, ParseStoredJson(*row.data, row.collection, row.key, "data"));
  }
  doc.dirty = row.HasPending();
  doc.base_rev = row.base_rev;
  if (row.base_data) {
    SYNCAGENT_ASSIGN_OR_RETURN(
        doc.base_data, ParseStoredJson(*row.base_data, row.collection, row.key, "base_data"));
  }
  doc.hlc = row.hlc;
  doc.updated_at = row.updated_at;
  return doc;
}

}  // namespace syncagent
