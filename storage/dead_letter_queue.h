// DeadLetterQueue: mutations the server rejected permanently (the `dead_letters` table).
//
// A dead letter keeps every field the mutation had in the outbox plus the rejection code,
// message and time. The app may inspect them, Retry one (re-enqueue it as a NEW mutation: new
// mutation_id, new seq, base_rev rebased on the document's current base_rev, attempts
// 0) or Drop it. Callers own the transaction.
//
// Thread safety: not thread-safe; used under the Store's lock.
#ifndef SYNCAGENT_STORAGE_DEAD_LETTER_QUEUE_H_
#define SYNCAGENT_STORAGE_DEAD_LETTER_QUEUE_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "storage/outbox_rows.h"
#include "storage/store_context.h"
#include "storage/sync_records.h"
#include "syncagent/status.h"

namespace syncagent {

class DeadLetterQueue {
 public:
  explicit DeadLetterQueue(const StoreContext& context) : ctx_(context) {}

  // Records `row` as dead (the caller removes it from the outbox); returns the dead letter id.
  StatusOr<int64_t> Add(const OutboxRow& row, std::string_view code, std::string_view message);
  // Newest first, at most `limit`.
  StatusOr<std::vector<DeadLetter>> List(int64_t limit);
  // kNotFound for an unknown id; kFailedPrecondition when the document no longer exists or has
  // newer pending writes (re-sending the old mutation after them would reorder the edits).
  StatusOr<Mutation> Retry(int64_t id);
  // kNotFound for an unknown id.
  Status Drop(int64_t id);
  StatusOr<int64_t> Count();

 private:
  StatusOr<bool> Load(int64_t id, DeadLetter* letter, OutboxRow* row);

  StoreContext ctx_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_DEAD_LETTER_QUEUE_H_
