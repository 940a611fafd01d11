#include "storage/mutation_row_codec.h"

namespace syncagent {

void ReadMutationRow(const Statement& stmt, int first, OutboxRow* row) {
  row->seq = stmt.Int(first);
  row->mutation_id = stmt.TextView(first + 1);
  row->collection = stmt.TextView(first + 2);
  row->key = stmt.TextView(first + 3);
  row->op = OutboxRows::ParseOp(stmt.TextView(first + 4)).value_or(MutationOp::kPut);
  row->base_rev = stmt.OptionalText(first + 5);
  row->data = stmt.OptionalText(first + 6);
  row->hlc = stmt.TextView(first + 7);
  row->created_at = stmt.Int(first + 8);
  row->attempts = stmt.Int(first + 9);
  row->last_error = stmt.OptionalText(first + 10);
}

void BindMutationRow(Statement& stmt, int first, const OutboxRow& row) {
  stmt.BindInt(first, row.seq);
  stmt.BindTextStatic(first + 1, row.mutation_id);
  stmt.BindTextStatic(first + 2, row.collection);
  stmt.BindTextStatic(first + 3, row.key);
  stmt.BindTextStatic(first + 4, MutationOpName(row.op));
  stmt.BindOptionalTextStatic(first + 5, row.base_rev);
  stmt.BindOptionalTextStatic(first + 6, row.data);
  stmt.BindTextStatic(first + 7, row.hlc);
  stmt.BindInt(first + 8, row.created_at);
  stmt.BindInt(first + 9, row.attempts);
  stmt.BindOptionalTextStatic(first + 10, row.last_error);
}

}  // namespace syncagent
