// ChangeFeed: the store's local change feed. Every committed change to a document row — a local
// write, a pulled change, a conflict resolution (the policy's or the app's), an acknowledgement,
// a dead letter — gives the document the next local sequence number. The `changes` table keeps
// ONE row per document (its latest change), so it grows with the number of documents, not with
// their history; Changes(since) lists the documents whose latest change is after `since`, in
// sequence order. An app mirrors the store by remembering the last seq it has seen.
//
// Sequence numbers are max(seq) + 1 at the time of the write (the unique index on seq answers
// max in one descent): strictly increasing within the file, never reused, since rows are only
// ever moved to a higher seq. A transaction that rolls back takes its numbers with it.
//
// Thread safety: not thread-safe; used under the Store's lock, inside its transactions.
#ifndef SYNCAGENT_STORAGE_CHANGE_FEED_H_
#define SYNCAGENT_STORAGE_CHANGE_FEED_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/sqlite_db.h"
#include "storage/store_types.h"
#include "syncagent/status.h"

namespace syncagent {

// What made a change: the device's own writes (and their acknowledgements and dead letters),
// the server's (a pull, a server reset), or a conflict's resolution.
enum class ChangeSource { kLocal, kRemote, kResolution };
std::string_view ChangeSourceName(ChangeSource source);  // "local" | "remote" | "resolution"

// One entry of the feed: the document's latest change.
struct Change {
  int64_t seq = 0;
  std::string collection;
  std::string key;
  bool deleted = false;  // a tombstone, or a row that was removed
  ChangeSource source = ChangeSource::kLocal;
  SyncState sync_state = SyncState::kSynced;  // as of the read
};

class ChangeFeed {
 public:
  explicit ChangeFeed(SqliteDb& db) : db_(db) {}

  // The source Record stamps until changed (Store sets it per operation; kLocal by default).
  void set_source(ChangeSource source) { source_ = source; }
  ChangeSource source() const { return source_; }

  // The document changed: it gets the next seq. REQUIRES: inside a write transaction.
  Status Record(std::string_view collection, std::string_view key, bool deleted);

  // The changes with seq > since, oldest first, at most `limit`.
  StatusOr<std::vector<Change>> List(int64_t since, int limit);

 private:
  SqliteDb& db_;
  ChangeSource source_ = ChangeSource::kLocal;
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_CHANGE_FEED_H_
