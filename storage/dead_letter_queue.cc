#include "storage/dead_letter_queue.h"

#include "platform/clock.h"
#include "storage/document_rows.h"
#include "storage/hybrid_logical_clock.h"
#include "storage/mutation_row_codec.h"
#include "storage/random_id.h"
#include "storage/seq_allocator.h"
#include "storage/validation.h"

namespace syncagent {

namespace {

// The outbox row's columns, then why it died: parameters and columns after the row's.
constexpr int kCode = kMutationRowColumns + 1;
constexpr char kInsert[] =
    "INSERT INTO dead_letters (" SYNCAGENT_MUTATION_ROW_COLUMNS ", code, message, dead_at) "
    "VALUES (" SYNCAGENT_MUTATION_ROW_PARAMS ", ?12, ?13, ?14)";
static_assert(kCode == 12, "kInsert numbers code, message and dead_at after the row's columns");
#define SYNCAGENT_DEAD_LETTER_COLUMNS "id, " SYNCAGENT_MUTATION_ROW_COLUMNS ", code, message, dead_at"
constexpr char kList[] =
    "SELECT " SYNCAGENT_DEAD_LETTER_COLUMNS " FROM dead_letters ORDER BY id DESC LIMIT ?1";
constexpr char kLoad[] = "SELECT " SYNCAGENT_DEAD_LETTER_COLUMNS " FROM dead_letters WHERE id = ?1";
#undef SYNCAGENT_DEAD_LETTER_COLUMNS
constexpr char kDrop[] = "DELETE FROM dead_letters WHERE id = ?1";
constexpr char kCount[] = "SELECT count(*) FROM dead_letters";

void ReadRow(const Statement& stmt, DeadLetter* letter, OutboxRow* row) {
  letter->id = stmt.Int(0);
  ReadMutationRow(stmt, 1, row);
  letter->code = stmt.TextView(1 + kMutationRowColumns);
  letter->message = stmt.TextView(2 + kMutationRowColumns);
  letter->dead_at = stmt.Int(3 + kMutationRowColumns);
}

}  // namespace

StatusOr<int64_t> DeadLetterQueue::Add(const OutboxRow& row, std::string_view code,
                                       std::string_view message) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, ctx_.db->Prepare(kInsert));
  BindMutationRow(stmt, 1, row);
  stmt.BindTextStatic(kCode, code);
  stmt.BindTextStatic(kCode + 1, message);
  stmt.BindInt(kCode + 2, ctx_.clock->WallMs());
  SYNCAGENT_RETURN_IF_ERROR(stmt.Run());
  return ctx_.db->LastInsertRowId();
}

StatusOr<bool> DeadLetterQueue::Load(int64_t id, DeadLetter* letter, OutboxRow* row) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, ctx_.db->Prepare(kLoad));
  stmt.BindInt(1, id);
  SYNCAGENT_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (found) ReadRow(stmt, letter, row);
  return found;
}

StatusOr<std::vector<DeadLetter>> DeadLetterQueue::List(int64_t limit) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, ctx_.db->Prepare(kList));
  stmt.BindInt(1, limit);
  std::vector<DeadLetter> out;
  OutboxRow row;
  while (true) {
    SYNCAGENT_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    DeadLetter letter;
    ReadRow(stmt, &letter, &row);
    SYNCAGENT_ASSIGN_OR_RETURN(letter.mutation, OutboxRows::ToMutation(row));
    out.push_back(std::move(letter));
  }
  return out;
}

StatusOr<Mutation> DeadLetterQueue::Retry(int64_t id) {
  DeadLetter letter;
  OutboxRow row;
  SYNCAGENT_ASSIGN_OR_RETURN(bool found, Load(id, &letter, &row));
  if (!found) return NotFoundError("dead letter " + std::to_string(id) + " does not exist");
  DocumentRow doc;
  SYNCAGENT_ASSIGN_OR_RETURN(bool exists, ctx_.docs->Load(row.collection, row.key, &doc));
  if (!exists) {
    return FailedPreconditionError("cannot retry dead letter " + std::to_string(id) + ": " +
                                   DocName(row.collection, row.key) + " no longer exists");
  }
  if (doc.HasPending()) {
    return FailedPreconditionError(
        "cannot retry dead letter " + std::to_string(id) + ": " +
        DocName(row.collection, row.key) +
        " has newer pending writes; drop the dead letter instead");
  }
  row.mutation_id = ctx_.ids->NewUuid();
  row.base_rev = doc.base_rev;
  row.hlc = ctx_.hlc->NowText();
  row.created_at = ctx_.clock->WallMs();
  row.attempts = 0;
  row.last_error.reset();
  SYNCAGENT_ASSIGN_OR_RETURN(row.seq, ctx_.seqs->Next());
  SYNCAGENT_RETURN_IF_ERROR(ctx_.outbox->Insert(row));
  doc.AddPending(row.seq);
  SYNCAGENT_RETURN_IF_ERROR(ctx_.docs->Save(doc));
  SYNCAGENT_RETURN_IF_ERROR(Drop(id));
  return OutboxRows::ToMutation(row);
}

Status DeadLetterQueue::Drop(int64_t id) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, ctx_.db->Prepare(kDrop));
  stmt.BindInt(1, id);
  SYNCAGENT_RETURN_IF_ERROR(stmt.Run());
  if (stmt.Changes() == 0) {
    return NotFoundError("dead letter " + std::to_string(id) + " does not exist");
  }
  return Status::Ok();
}

StatusOr<int64_t> DeadLetterQueue::Count() { return ctx_.db->QueryInt(kCount); }

}  // namespace syncagent
