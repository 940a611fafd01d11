#include "storage/outbox_rows.h"

#include <unordered_set>

#include "storage/mutation_row_codec.h"
#include "storage/validation.h"

namespace syncagent {

namespace {

#define SYNCAGENT_OUTBOX_COLUMNS SYNCAGENT_MUTATION_ROW_COLUMNS

constexpr char kLoadBySeq[] = "SELECT " SYNCAGENT_OUTBOX_COLUMNS " FROM outbox WHERE seq = ?1";
constexpr char kLoadInFlight[] = "SELECT " SYNCAGENT_OUTBOX_COLUMNS
                                 " FROM outbox WHERE mutation_id = ?1 AND attempts > 0";
constexpr char kLoadByIdScan[] =
    "SELECT " SYNCAGENT_OUTBOX_COLUMNS " FROM outbox WHERE mutation_id = ?1";
// Documents with an open conflict are held back until the conflict is resolved.
// The last column is the document row's rev (OutboxRow::document_rev).
constexpr char kOldest[] =
    "SELECT " SYNCAGENT_OUTBOX_COLUMNS ", (SELECT d.rev FROM documents d WHERE "
    "d.collection = outbox.collection AND d.key = outbox.key) FROM outbox WHERE NOT EXISTS (SELECT 1 FROM conflicts c "
    "WHERE c.status = 'open' AND c.collection = outbox.collection AND c.key = outbox.key) "
    "AND seq > ?2 AND (?3 IS NULL OR collection IN (SELECT value FROM json_each(?3))) "
    "ORDER BY seq LIMIT ?1";
constexpr char kSummarize[] =
    "SELECT count(*) FILTER (WHERE s), min(created_at) FILTER (WHERE s), count(*) FROM "
    "(SELECT created_at, (?1 IS NULL OR collection IN (SELECT value FROM json_each(?1))) AS s "
    "FROM outbox)";
constexpr char kInsert[] = "INSERT INTO outbox (" SYNCAGENT_MUTATION_ROW_COLUMNS
                           ") VALUES (" SYNCAGENT_MUTATION_ROW_PARAMS ")";
constexpr char kUpdateContent[] =
    "UPDATE outbox SET op = ?2, data = ?3, hlc = ?4, base_rev = ?5 WHERE seq = ?1";
constexpr char kRemove[] = "DELETE FROM outbox WHERE seq = ?1";
constexpr char kRebase[] = "UPDATE outbox SET base_rev = ?2 WHERE seq = ?1";
constexpr char kMarkInFlight[] =
    "UPDATE outbox SET attempts = attempts + 1, last_error = ?2 "
    "WHERE mutation_id = ?1 AND attempts > 0";
constexpr char kMarkBySeq[] =
    "UPDATE outbox SET attempts = attempts + 1, last_error = ?2 WHERE seq = ?1";
constexpr char kWalkUnattempted[] =
    "SELECT seq, mutation_id FROM outbox WHERE attempts = 0 ORDER BY seq";

#undef SYNCAGENT_OUTBOX_COLUMNS

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
  if (found) ReadMutationRow(stmt, 0, row);
  return found;
}

StatusOr<bool> OutboxRows::LoadById(std::string_view mutation_id, OutboxRow* row) {
  for (const char* sql : {kLoadInFlight, kLoadByIdScan}) {
    SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(sql));
    stmt.BindTextStatic(1, mutation_id);
    SYNCAGENT_ASSIGN_OR_RETURN(bool found, stmt.Step());
    if (found) {
      ReadMutationRow(stmt, 0, row);
      return true;
    }
  }
  return false;
}

Status OutboxRows::Insert(const OutboxRow& row) {
  SYNCAGENT_CHECK(row.seq > 0);
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kInsert));
  BindMutationRow(stmt, 1, row);
  return stmt.Run();
}

Status OutboxRows::UpdateContent(const OutboxRow& row) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kUpdateContent));
  stmt.BindInt(1, row.seq);
  stmt.BindTextStatic(2, MutationOpName(row.op));
  stmt.BindOptionalTextStatic(3, row.data);
  stmt.BindTextStatic(4, row.hlc);
  stmt.BindOptionalText(5, row.base_rev);
  return stmt.Run();
}

Status OutboxRows::Remove(int64_t seq) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kRemove));
  stmt.BindInt(1, seq);
  return stmt.Run();
}

Status OutboxRows::RemoveAll(const std::vector<int64_t>& seqs) {
  for (int64_t seq : seqs) SYNCAGENT_RETURN_IF_ERROR(Remove(seq));
  return Status::Ok();
}

Status OutboxRows::Rebase(const std::vector<int64_t>& seqs,
                          const std::optional<std::string>& base_rev) {
  for (int64_t seq : seqs) {
    SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kRebase));
    stmt.BindInt(1, seq);
    stmt.BindOptionalText(2, base_rev);
    SYNCAGENT_RETURN_IF_ERROR(stmt.Run());
  }
  return Status::Ok();
}

StatusOr<OutboxRows::QueueSummary> OutboxRows::Summarize() {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kSummarize));
  BindSyncedCollections(stmt, 1);
  QueueSummary summary;
  SYNCAGENT_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  if (has_row) {
    summary.synced = stmt.Int(0);
    summary.oldest_synced_created_at = stmt.OptionalInt(1);
    summary.local_only = stmt.Int(2) - summary.synced;
  }
  return summary;
}

void OutboxRows::SetSyncedCollections(const std::vector<std::string>& collections) {
  if (collections.empty()) {
    synced_collections_.reset();
  } else {
    synced_collections_ = nlohmann::json(collections).dump();
  }
}

void OutboxRows::BindSyncedCollections(Statement& stmt, int index) const {
  if (synced_collections_) {
    stmt.BindText(index, *synced_collections_);
  } else {
    stmt.BindNull(index);
  }
}

StatusOr<std::vector<OutboxRow>> OutboxRows::Oldest(int64_t limit, int64_t after_seq) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kOldest));
  stmt.BindInt(1, limit);
  stmt.BindInt(2, after_seq);
  BindSyncedCollections(stmt, 3);
  std::vector<OutboxRow> out;
  while (true) {
    SYNCAGENT_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    OutboxRow& row = out.emplace_back();
    ReadMutationRow(stmt, 0, &row);
    row.document_rev = stmt.OptionalText(kMutationRowColumns).value_or("");
  }
  return out;
}

StatusOr<int64_t> OutboxRows::MarkAttempted(const std::vector<std::string>& mutation_ids,
                                            std::string_view error) {
  int64_t known = 0;
  std::unordered_set<std::string_view> wanted;
  for (const std::string& id : mutation_ids) {
    SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kMarkInFlight));
    stmt.BindTextStatic(1, id);
    if (error.empty()) {
      stmt.BindNull(2);
    } else {
      stmt.BindTextStatic(2, error);
    }
    SYNCAGENT_RETURN_IF_ERROR(stmt.Run());
    if (stmt.Changes() > 0) {
      ++known;
    } else {
      wanted.insert(id);
    }
  }
  if (wanted.empty()) return known;
  std::vector<int64_t> seqs;
  {
    SYNCAGENT_ASSIGN_OR_RETURN(Statement walk, db_.Prepare(kWalkUnattempted));
    while (!wanted.empty()) {
      SYNCAGENT_ASSIGN_OR_RETURN(bool has_row, walk.Step());
      if (!has_row) break;
      if (wanted.erase(walk.TextView(1)) > 0) seqs.push_back(walk.Int(0));
    }
  }
  for (int64_t seq : seqs) {
    SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kMarkBySeq));
    stmt.BindInt(1, seq);
    if (error.empty()) {
      stmt.BindNull(2);
    } else {
      stmt.BindTextStatic(2, error);
    }
    SYNCAGENT_RETURN_IF_ERROR(stmt.Run());
    ++known;
  }
  return known;
}

StatusOr<int64_t> OutboxRows::MarkSeqsAttempted(const std::vector<int64_t>& seqs) {
  int64_t known = 0;
  for (int64_t seq : seqs) {
    SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kMarkBySeq));
    stmt.BindInt(1, seq);
    stmt.BindNull(2);
    SYNCAGENT_RETURN_IF_ERROR(stmt.Run());
    known += stmt.Changes();
  }
  return known;
}

StatusOr<Mutation> OutboxRows::ToMutation(const OutboxRow& row) {
  Mutation m;
  m.seq = row.seq;
  m.mutation_id = row.mutation_id;
  m.collection = row.collection;
  m.key = row.key;
  m.op = row.op;
  m.base_rev = row.base_rev;
  m.document_rev = row.document_rev;
  if (row.data) {
    SYNCAGENT_ASSIGN_OR_RETURN(m.data,
                               ParseStoredJson(*row.data, row.collection, row.key, "mutation data"));
  }
  m.hlc = row.hlc;
  m.created_at = row.created_at;
  m.attempts = static_cast<int>(row.attempts);
  m.last_error = row.last_error.value_or("");
  return m;
}

}  // namespace syncagent
