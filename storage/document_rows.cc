#include "storage/document_rows.h"

#include "storage/validation.h"

namespace syncagent {

namespace {

constexpr char kLoad[] =
    "SELECT version, deleted, data, dirty, base_version, base_data, hlc, updated_at, pending_seq "
    "FROM documents WHERE collection = ?1 AND key = ?2";
constexpr char kSave[] =
    "INSERT INTO documents (collection, key, version, deleted, data, dirty, base_version, "
    "base_data, hlc, updated_at, pending_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
    "ON CONFLICT (collection, key) DO UPDATE SET version = excluded.version, "
    "deleted = excluded.deleted, data = excluded.data, dirty = excluded.dirty, "
    "base_version = excluded.base_version, base_data = excluded.base_data, hlc = excluded.hlc, "
    "updated_at = excluded.updated_at, pending_seq = excluded.pending_seq";
constexpr char kErase[] = "DELETE FROM documents WHERE collection = ?1 AND key = ?2";
constexpr char kListLive[] =
    "SELECT key, version, deleted, data, dirty, base_version, base_data, hlc, updated_at, "
    "pending_seq FROM documents WHERE collection = ?1 AND key > ?2 AND deleted = 0 "
    "ORDER BY key LIMIT ?3";
constexpr char kListAll[] =
    "SELECT key, version, deleted, data, dirty, base_version, base_data, hlc, updated_at, "
    "pending_seq FROM documents WHERE collection = ?1 AND key > ?2 ORDER BY key LIMIT ?3";

// Reads columns [first, first+9) of a row (everything after the key) into *row.
void ReadColumns(const Statement& stmt, int first, DocumentRow* row) {
  row->version = stmt.Int(first + 0);
  row->deleted = stmt.Int(first + 1) != 0;
  row->data = stmt.OptionalText(first + 2);
  row->dirty = stmt.Int(first + 3) != 0;
  row->base_version = stmt.OptionalInt(first + 4);
  row->base_data = stmt.OptionalText(first + 5);
  row->hlc = stmt.TextView(first + 6);
  row->updated_at = stmt.Int(first + 7);
  row->pending_seq = stmt.OptionalInt(first + 8);
}

}  // namespace

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

Status DocumentRows::Save(const DocumentRow& row) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kSave));
  stmt.BindTextStatic(1, row.collection);
  stmt.BindTextStatic(2, row.key);
  stmt.BindInt(3, row.version);
  stmt.BindInt(4, row.deleted ? 1 : 0);
  if (row.data) {
    stmt.BindTextStatic(5, *row.data);
  } else {
    stmt.BindNull(5);
  }
  stmt.BindInt(6, row.dirty ? 1 : 0);
  stmt.BindOptionalInt(7, row.base_version);
  if (row.base_data) {
    stmt.BindTextStatic(8, *row.base_data);
  } else {
    stmt.BindNull(8);
  }
  stmt.BindTextStatic(9, row.hlc);
  stmt.BindInt(10, row.updated_at);
  stmt.BindOptionalInt(11, row.pending_seq);
  return stmt.Run();
}

Status DocumentRows::Erase(std::string_view collection, std::string_view key) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kErase));
  stmt.BindTextStatic(1, collection);
  stmt.BindTextStatic(2, key);
  return stmt.Run();
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
    out.push_back(std::move(doc));
  }
  return out;
}

StatusOr<Document> DocumentRows::ToDocument(const DocumentRow& row) {
  Document doc;
  doc.collection = row.collection;
  doc.key = row.key;
  doc.version = row.version;
  doc.deleted = row.deleted;
  if (row.data) {
    SYNCAGENT_ASSIGN_OR_RETURN(doc.data, ParseStoredJson(*row.data, row.collection, row.key, "data"));
  }
  doc.dirty = row.dirty;
  doc.base_version = row.base_version;
  if (row.base_data) {
    SYNCAGENT_ASSIGN_OR_RETURN(
        doc.base_data, ParseStoredJson(*row.base_data, row.collection, row.key, "base_data"));
  }
  doc.hlc = row.hlc;
  doc.updated_at = row.updated_at;
  return doc;
}

}  // namespace syncagent
