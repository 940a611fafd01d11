// Transaction: a scoped SQLite transaction that rolls back unless committed.
//
// Writers use kImmediate (BEGIN IMMEDIATE takes the write lock up front, so two processes never
// deadlock upgrading read locks; a held lock surfaces as kUnavailable "database is locked" after
// the busy timeout). Readers that need one consistent snapshot use kDeferred.
//
// Thread safety: not thread-safe; used under the Store's lock.
#ifndef SYNCAGENT_STORAGE_TRANSACTION_H_
#define SYNCAGENT_STORAGE_TRANSACTION_H_

#include "storage/sqlite_db.h"
#include "syncagent/status.h"

namespace syncagent {

class Transaction {
 public:
  enum class Mode { kDeferred, kImmediate };

  explicit Transaction(SqliteDb& db) : db_(db) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  // Rolls back an open, uncommitted transaction (SQLite may already have rolled it back itself,
  // e.g. after SQLITE_FULL; that is detected and not an error).
  ~Transaction();

  // REQUIRES: no transaction is open on the connection.
  Status Begin(Mode mode = Mode::kImmediate);
  Status Commit();

 private:
  SqliteDb& db_;
  bool open_ = false;
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_TRANSACTION_H_
