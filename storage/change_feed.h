// ChangeFeed: the store's local change feed. Every committed change to a document row — a local
// write, a pulled change, a conflict resolution (the policy's or the app's), an acknowledgement,
// a dead letter — gives the document the next local sequence number. The number and the change's
// source live ON the document's row (documents.change_seq, change_source), written by the same
// statement that writes the document, so the feed costs two integers per row, not a second table
// write per document. A document whose row is removed (a create cancelled before it left the
// device, a server reset that adopts the server's state) keeps its last change in erased_changes
// until it is written again. So the feed holds one entry per document, its latest change, and
// grows with the number of documents, not with their history; Changes(since) lists the documents
// whose latest change is after `since`, in sequence order. An app mirrors the store by
// remembering the last seq it has seen.
//
// The index that serves Changes(since) in seq order (documents_change_seq, on change_seq) is
// built on first use: a store whose app never reads the feed has no such index, and its writes
// and pulls cost what they would without a feed but for the two integers (docs/benchmarks.md,
// "The change feed's index, built on first read"). Store::Changes builds it before its first
// List() (Indexed(), then BuildIndex() in a write transaction of its own) over the existing
// rows; from then on SQLite maintains it with every write, in every process that opens the
// file (UNIQUE: two documents never share a seq). Without the index List() is still correct
// (SQLite scans and sorts), only slow.
//
// Sequence numbers come from a high-water mark in meta ('change_seq', SeqAllocator): strictly
// increasing within the file, never reused. A transaction that rolls back takes its numbers with
// it. The keys written in the open transaction are kept for the Store's commit observer.
//
// Thread safety: not thread-safe; used under the Store's lock, inside its transactions.
#ifndef SYNCAGENT_STORAGE_CHANGE_FEED_H_
#define SYNCAGENT_STORAGE_CHANGE_FEED_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/seq_allocator.h"
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
  explicit ChangeFeed(SqliteDb& db) : db_(db), seqs_(db, SeqAllocator::kChangeSeq) {}

  // The source the next changes are stamped with (Store sets it per operation; kLocal by
  // default).
  void set_source(ChangeSource source) { source_ = source; }
  ChangeSource source() const { return source_; }
  // Whether Written / Erased keep the keys for TakeWritten (off: nobody observes commits).
  void set_keep_keys(bool keep) { keep_keys_ = keep; }

  // A transaction begins: forgets the cached high-water mark and the kept keys.
  void BeginTransaction();
  // The seq for the document change about to be written. REQUIRES: inside a write transaction.
  StatusOr<int64_t> NextSeq() { return seqs_.Next(); }
  // The document (collection, key) was written with a NextSeq() value.
  void Written(std::string_view collection, std::string_view key);
  // The document's row was removed: its change (the next seq, deleted) is kept in
  // erased_changes. REQUIRES: inside a write transaction.
  Status Erased(std::string_view collection, std::string_view key);
  // Persists the high-water mark; call before commit.
  Status Flush() { return seqs_.Flush(); }
  // The keys written in the transaction that just committed, each once, sorted.
  std::vector<DocumentKey> TakeWritten();

  // Whether the feed's index exists (it is never dropped, so a true answer is remembered).
  StatusOr<bool> Indexed();
  // Builds the feed's index if it is missing. REQUIRES: inside a write transaction.
  Status BuildIndex();

  // The changes with seq > since, oldest first, at most `limit`. Correct without the index but
  // a scan of every document then: Store::Changes builds the index first.
  StatusOr<std::vector<Change>> List(int64_t since, int limit);

 private:
  SqliteDb& db_;
  SeqAllocator seqs_;
  ChangeSource source_ = ChangeSource::kLocal;
  bool keep_keys_ = false;
  bool indexed_ = false;  // Indexed() saw the index (nothing drops it)
  std::vector<DocumentKey> written_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_CHANGE_FEED_H_
