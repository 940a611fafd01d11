#include "storage/outbox_rows.h"

#include "storage/validation.h"

namespace syncagent {

namespace {

#define SYNCAGENT_OUTBOX_COLUMNS                                                              \
  "seq, mutation_id, collection, key, op, base_version, data, hlc, created_at, attempts, " \
  "last_error, force"

constexpr char kLoadBySeq[] = "SELECT " SYNCAGENT_OUTBOX_COLUMNS " FROM outbox WHERE seq = ?1";
constexpr char kLoadById[] =
    "SELECT " SYNCAGENT_OUTBOX_COLUMNS " FROM outbox WHERE mutation_id = ?1";
constexpr char kOldest[] = "SELECT " SYNCAGENT_OUTBOX_COLUMNS " FROM outbox ORDER BY seq LIMIT ?1";
constexpr char kInsert[] =
    "INSERT INTO outbox (mutation_id, collection, key, op, base_version, data, hlc, created_at, "
    "attempts, last_error, force) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
constexpr char kUpdateContent[] =
    "UPDATE outbox SET op = ?2, data = ?3, hlc = ?4, base_version = ?5 WHERE seq = ?1";
constexpr char kRemove[] = "DELETE FROM outbox WHERE seq = ?1";
constexpr char kNewestSeqFor[] =
    "SELECT max(seq) FROM outbox WHERE collection = ?1 AND key = ?2";
constexpr char kRebase[] =
    "UPDATE outbox SET base_version = ?3 WHERE collection = ?1 AND key = ?2";
constexpr char kRemoveAllFor[] = "DELETE FROM outbox WHERE collection = ?1 AND key = ?2";
constexpr char kMarkAttempted[] =
    "UPDATE outbox SET attempts = attempts + 1, last_error = ?2 WHERE mutation_id = ?1";

#undef SYNCAGENT_OUTBOX_COLUMNS

void ReadRow(const Statement& stmt, OutboxRow* row) {
  row->seq = stmt.Int(0);
  row->mutation_id = stmt.TextView(1);
  row->collection = stmt.TextView(2);
  row->key = stmt.TextView(3);
  row->op = OutboxRows::ParseOp(stmt.TextView(4)).value_or(MutationOp::kPut);
  row->base_version = stmt.OptionalInt(5);
  row->data = stmt.OptionalText(6);
  row->hlc = stmt.TextView(7);
  row->created_at = stmt.Int(8);
  row->attempts = stmt.Int(9);
  row->last_error = stmt.OptionalText(10);
  row->force = stmt.Int(11) != 0;
}

void BindData(Statement& stmt, int index, const std::optional<std::string>& data) {
  if (data) {
    stmt.BindTextStatic(index, *data);
  } else {
    stmt.BindNull(index);
  }
}

}  // namespace

std::optional<MutationOp> OutboxRows::ParseOp(std::string_view text) {
  if (text == "put") return MutationOp::kPut;
  if (text == "patch") return MutationOp::kPatch;
  if (text == "delete") return MutationOp::kDelete;
  return std::nullopt;
}

StatusOr<bool> OutboxRows::LoadBySeq(int64_t seq, OutboxRow* row) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kLoadBySeq));
  stmt.BindInt(1, seq);
  SYNCAGENT_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (found) ReadRow(stmt, row);
  return found;
}

StatusOr<bool> OutboxRows::LoadById(std::string_view mutation_id, OutboxRow* row) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kLoadById));
  stmt.BindTextStatic(1, mutation_id);
  SYNCAGENT_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (found) ReadRow(stmt, row);
  return found;
}

StatusOr<int64_t> OutboxRows::Insert(const OutboxRow& row) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kInsert));
  stmt.BindTextStatic(1, row.mutation_id);
  stmt.BindTextStatic(2, row.collection);
  stmt.BindTextStatic(3, row.key);
  stmt.BindTextStatic(4, MutationOpName(row.op));
  stmt.BindOptionalInt(5, row.base_version);
  BindData(stmt, 6, row.data);
  stmt.BindTextStatic(7, row.hlc);
  stmt.BindInt(8, row.created_at);
  stmt.BindInt(9, row.attempts);
  BindData(stmt, 10, row.last_error);
  stmt.BindInt(11, row.force ? 1 : 0);
  SYNCAGENT_RETURN_IF_ERROR(stmt.Run());
  return db_.LastInsertRowId();
}

Status OutboxRows::UpdateContent(const OutboxRow& row) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kUpdateContent));
  stmt.BindInt(1, row.seq);
  stmt.BindTextStatic(2, MutationOpName(row.op));
  BindData(stmt, 3, row.data);
  stmt.BindTextStatic(4, row.hlc);
  stmt.BindOptionalInt(5, row.base_version);
  return stmt.Run();
}

Status OutboxRows::Remove(int64_t seq) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kRemove));
  stmt.BindInt(1, seq);
  return stmt.Run();
}

StatusOr<std::optional<int64_t>> OutboxRows::NewestSeqFor(std::string_view collection,
                                                          std::string_view key) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kNewestSeqFor));
  stmt.BindTextStatic(1, collection);
  stmt.BindTextStatic(2, key);
  SYNCAGENT_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return std::optional<int64_t>();
  return stmt.OptionalInt(0);
}

Status OutboxRows::Rebase(std::string_view collection, std::string_view key,
                          std::optional<int64_t> base_version) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kRebase));
  stmt.BindTextStatic(1, collection);
  stmt.BindTextStatic(2, key);
  stmt.BindOptionalInt(3, base_version);
  return stmt.Run();
}

Status OutboxRows::RemoveAllFor(std::string_view collection, std::string_view key) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kRemoveAllFor));
  stmt.BindTextStatic(1, collection);
  stmt.BindTextStatic(2, key);
  return stmt.Run();
}

StatusOr<std::vector<OutboxRow>> OutboxRows::Oldest(int64_t limit) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kOldest));
  stmt.BindInt(1, limit);
  std::vector<OutboxRow> out;
  while (true) {
    SYNCAGENT_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    ReadRow(stmt, &out.emplace_back());
  }
  return out;
}

StatusOr<bool> OutboxRows::MarkAttempted(std::string_view mutation_id, std::string_view error) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kMarkAttempted));
  stmt.BindTextStatic(1, mutation_id);
  if (error.empty()) {
    stmt.BindNull(2);
  } else {
    stmt.BindTextStatic(2, error);
  }
  SYNCAGENT_RETURN_IF_ERROR(stmt.Run());
  return stmt.Changes() > 0;
}

StatusOr<Mutation> OutboxRows::ToMutation(const OutboxRow& row) {
  Mutation m;
  m.seq = row.seq;
  m.mutation_id = row.mutation_id;
  m.collection = row.collection;
  m.key = row.key;
  m.op = row.op;
  m.base_version = row.base_version;
  if (row.data) {
    SYNCAGENT_ASSIGN_OR_RETURN(m.data,
                               ParseStoredJson(*row.data, row.collection, row.key, "mutation data"));
  }
  m.hlc = row.hlc;
  m.created_at = row.created_at;
  m.attempts = static_cast<int>(row.attempts);
  m.last_error = row.last_error.value_or("");
  m.force = row.force;
  return m;
}

}  // namespace syncagent
