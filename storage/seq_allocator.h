// SeqAllocator: hands out sequence numbers (the outbox's, meta 'seq'; the change feed's, meta
// 'change_seq') that strictly increase and are never reused, without SQLite's AUTOINCREMENT
// (whose sqlite_sequence table costs one more page per commit).
//
// The high-water mark lives in a meta row, on the same page as the persisted HLC stamp that is
// rewritten by every write transaction anyway. The first Next() of a transaction reads it; Flush()
// writes the last handed-out value back before commit; Reset() forgets the cached value when the
// transaction ends (commit or rollback). Because writers hold BEGIN IMMEDIATE, no other
// connection can allocate between the read and the write.
//
// Thread safety: not thread-safe; used under the Store's lock, inside a write transaction.
#ifndef SYNCAGENT_STORAGE_SEQ_ALLOCATOR_H_
#define SYNCAGENT_STORAGE_SEQ_ALLOCATOR_H_

#include <cstdint>

#include "storage/sqlite_db.h"
#include "syncagent/status.h"

namespace syncagent {

class SeqAllocator {
 public:
  static constexpr char kOutboxSeq[] = "seq";
  static constexpr char kChangeSeq[] = "change_seq";

  // `meta_name`: the meta row holding the high-water mark (a static string).
  explicit SeqAllocator(SqliteDb& db, const char* meta_name = kOutboxSeq)
      : db_(db), meta_name_(meta_name) {}

  // REQUIRES: a write transaction is open.
  StatusOr<int64_t> Next();
  // Persists the high-water mark if Next() was called in this transaction.
  Status Flush();
  // Call when the transaction ends.
  void Reset() {
    loaded_ = false;
    dirty_ = false;
  }

 private:
  SqliteDb& db_;
  const char* meta_name_;
  bool loaded_ = false;
  bool dirty_ = false;
  int64_t last_ = 0;
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_SEQ_ALLOCATOR_H_
