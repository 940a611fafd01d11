// A document's sync state (SyncState, store_types.h), computed from the store's own tables when
// it is read, so it can never disagree with them:
//   conflict  an open row in `conflicts` for the document;
//   rejected  a row in `dead_letters` for it (until the app retries or drops the dead letter);
//   pending   the document is dirty (queued mutations: waiting or on the wire);
//   synced    otherwise.
// The first that holds wins: a document with an open conflict and queued writes is "conflict".
// Both lookups are index descents (conflicts_one_open, dead_letters_document).
//
// Thread safety: not thread-safe; used under the Store's lock.
#ifndef SYNCAGENT_STORAGE_SYNC_STATE_H_
#define SYNCAGENT_STORAGE_SYNC_STATE_H_

#include <cstdint>
#include <string_view>

#include "storage/sqlite_db.h"
#include "storage/store_types.h"
#include "syncagent/status.h"

// An SQL expression: the sync state of the `documents` row aliased `d`, as the integer value of
// its SyncState (SyncStateFromColumn turns it back). A macro so that it can be pasted into the
// store's constant statements (SqliteDb::Prepare caches statements by their address).
#define SYNCAGENT_SYNC_STATE_SQL                                                            \
  "(CASE WHEN EXISTS (SELECT 1 FROM conflicts c WHERE c.collection = d.collection AND "     \
  "c.key = d.key AND c.status = 'open') THEN 2 "                                           \
  "WHEN EXISTS (SELECT 1 FROM dead_letters x WHERE x.collection = d.collection AND "       \
  "x.key = d.key) THEN 3 WHEN d.dirty = 1 THEN 1 ELSE 0 END)"

namespace syncagent {

// The SyncState of a SYNCAGENT_SYNC_STATE_SQL column (kSynced for a value it never produces).
SyncState SyncStateFromColumn(int64_t value);

// Whether any document can be in conflict or rejected (an open conflict or a dead letter exists):
// when not, a dirty document is pending and any other synced, with no lookup per document.
StatusOr<bool> AnyConflictOrDeadLetter(SqliteDb& db);

// The sync state of the document (collection, key); kSynced when there is no such row.
// REQUIRES: called inside a transaction when it must agree with another read.
StatusOr<SyncState> LoadSyncState(SqliteDb& db, std::string_view collection,
                                  std::string_view key);

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_SYNC_STATE_H_
