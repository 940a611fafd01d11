// The columns an outbox row and a dead letter share (a dead letter is the outbox row it was, plus
// why it died): one column list, one reader and one binder for both tables, so the two cannot
// drift apart.
//
// Thread safety: pure functions on the caller's statement.
#ifndef SYNCAGENT_STORAGE_MUTATION_ROW_CODEC_H_
#define SYNCAGENT_STORAGE_MUTATION_ROW_CODEC_H_

#include "storage/outbox_rows.h"
#include "storage/sqlite_statement.h"

namespace syncagent {

// The shared columns, in the order ReadMutationRow and BindMutationRow use (SQL text, for
// string-literal concatenation into statements), and the matching parameters ?1 .. ?11.
#define SYNCAGENT_MUTATION_ROW_COLUMNS                                                   \
  "seq, mutation_id, collection, key, op, base_rev, data, hlc, created_at, attempts, " \
  "last_error"
#define SYNCAGENT_MUTATION_ROW_PARAMS "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11"
inline constexpr int kMutationRowColumns = 11;

// Reads the shared columns of the current result row, starting at column `first` (0-based).
void ReadMutationRow(const Statement& stmt, int first, OutboxRow* row);

// Binds the shared columns to parameters first .. first + kMutationRowColumns - 1 (1-based).
// REQUIRES: `row` outlives the statement's execution (its text is bound without a copy).
void BindMutationRow(Statement& stmt, int first, const OutboxRow& row);

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_MUTATION_ROW_CODEC_H_
