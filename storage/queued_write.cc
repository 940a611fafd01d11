#include "storage/queued_write.h"

#include "platform/clock.h"
#include "storage/outbox_rows.h"
#include "storage/random_id.h"
#include "storage/seq_allocator.h"

namespace syncagent {

Status QueueWrite(const StoreContext& ctx, DocumentRow* doc, MutationOp op,
                  std::optional<std::string> base_rev) {
  OutboxRow row;
  SYNCAGENT_ASSIGN_OR_RETURN(row.seq, ctx.seqs->Next());
  ctx.ids->NewUuidInto(&row.mutation_id);
  row.collection = doc->collection;
  row.key = doc->key;
  row.op = op;
  row.base_rev = std::move(base_rev);
  if (op == MutationOp::kPut) row.data = doc->data;
  row.hlc = doc->hlc;
  row.created_at = ctx.clock->WallMs();
  SYNCAGENT_RETURN_IF_ERROR(ctx.outbox->Insert(row));
  doc->AddPending(row.seq);
  return Status::Ok();
}

}  // namespace syncagent
