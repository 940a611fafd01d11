// Outbox: the sync engine's side of the outbox — reading batches, marking them in flight,
// acknowledging and dead-lettering mutations. Callers own the transaction.
//
// Semantics:
//   PeekBatch(max_count, max_bytes): the oldest mutations by seq, at most max_count, stopping
//     before the estimated wire size would exceed max_bytes (but at least one when any is
//     queued), and at most ONE mutation per document: the batch stops at the first document
//     seen twice, so per-document order is kept. Mutations of a document with an open conflict
//     are held back until the conflict is resolved. Nothing is marked. With `after_seq` and
//     `in_flight` (a pipelined push): only mutations after `after_seq`, and the batch stops at the
//     first mutation of a document in `in_flight`.
//   MarkAttempted(ids, error): attempts += 1, last_error := error (cleared when empty). Call it
//     in its own transaction before sending: from then on local writes never fold into those
//     mutations (the server may apply them).
//   Ack(info): removes the mutation; the document gets rev = server_rev and
//     base_rev = server_rev (null after a delete: the server now has a tombstone);
//     base_data := the document's data when nothing else is queued for it (then dirty = 0),
//     else the server body implied by the acked mutation, and the later mutations of the
//     document are rebased (base_rev := the new base_rev). An ack older than the document's
//     revision (OrderRevisions) only removes the mutation. Unknown id: returns false.
//   DeadLetter(id, code, message): moves the mutation to dead_letters; the document stays as
//     it is locally and is dirty only while other mutations remain queued for it.
//
// Thread safety: not thread-safe; used under the Store's lock.
#ifndef SYNCAGENT_STORAGE_OUTBOX_H_
#define SYNCAGENT_STORAGE_OUTBOX_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "storage/dead_letter_queue.h"
#include "storage/document_rows.h"
#include "storage/outbox_rows.h"
#include "storage/store_context.h"
#include "storage/store_types.h"
#include "syncagent/status.h"

namespace syncagent {

class Outbox {
 public:
  Outbox(const StoreContext& context, DeadLetterQueue& dead_letters)
      : ctx_(context), dead_letters_(dead_letters) {}

  // REQUIRES: max_count >= 1.
  StatusOr<std::vector<Mutation>> PeekBatch(int max_count, int64_t max_bytes,
                                            int64_t after_seq = 0,
                                            const std::vector<Mutation>* in_flight = nullptr);
  // Returns how many ids were known.
  StatusOr<int64_t> MarkAttempted(const std::vector<std::string>& mutation_ids,
                                  std::string_view error);
  // MarkAttempted (no error) of a batch PeekBatch just returned, by its rows' seqs.
  Status MarkTaken(const std::vector<Mutation>& batch);
  // False when the mutation id is unknown (already acked or dropped).
  StatusOr<bool> Ack(const AckInfo& ack);
  // kNotFound for an unknown id; returns the dead letter id.
  StatusOr<int64_t> DeadLetter(std::string_view mutation_id, std::string_view code,
                               std::string_view message);

  // The estimate PeekBatch uses for a mutation's share of a push request body.
  static int64_t EstimateWireBytes(const OutboxRow& row);

 private:
  StoreContext ctx_;
  DeadLetterQueue& dead_letters_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_OUTBOX_H_
