// DocumentRows: typed access to the `documents` table (one row per (collection, key)).
//
// Rows are moved as DocumentRow values with JSON kept as text, so writers that only copy data
// never parse it. Every Save, SaveIfNewerAndClean that writes, and Erase is a change of the
// document in the change feed: the row is written with the feed's next seq and source in the
// same statement (change_feed.h). Load/Save are the building blocks of every component that
// touches documents (local writes, acks, remote pages, conflict resolution); callers own the
// transaction.
//
// Thread safety: not thread-safe; used under the Store's lock.
#ifndef SYNCAGENT_STORAGE_DOCUMENT_ROWS_H_
#define SYNCAGENT_STORAGE_DOCUMENT_ROWS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/change_feed.h"
#include "storage/sqlite_db.h"
#include "storage/store_types.h"
#include "syncagent/status.h"

namespace syncagent {

// A `documents` row. See store_types.h for the meaning of each field. pending_seqs lists the
// document's outbox seqs ("12,17", ascending; "" = none): the newest one is the mutation later
// writes may coalesce into, and Save() derives `dirty` from it, so dirty <=> queued mutations.
struct DocumentRow {
  std::string collection;
  std::string key;
  std::string rev;
  bool deleted = false;
  std::optional<std::string> data;
  bool dirty = false;
  std::optional<std::string> base_rev;
  std::optional<std::string> base_data;
  std::string hlc;
  int64_t updated_at = 0;
  std::string pending_seqs;

  bool HasPending() const { return !pending_seqs.empty(); }
  std::optional<int64_t> NewestPending() const;
  std::vector<int64_t> PendingSeqs() const;
  // REQUIRES: seq is greater than every listed seq.
  void AddPending(int64_t seq);
  void RemovePending(int64_t seq);
  void ClearPending() { pending_seqs.clear(); }
};

class DocumentRows {
 public:
  // REQUIRES: `feed` outlives this object.
  DocumentRows(SqliteDb& db, ChangeFeed& feed) : db_(db), feed_(feed) {}

  // How SaveIfNewerAndClean orders a pulled revision against the stored one.
  struct PulledOrder {
    const RevisionComparator* compare = nullptr;  // the protocol's order (null = generations)
    bool current = false;  // StoreOptions::pulled_is_current: any other revision is taken
  };
  // Gives `db` the SQL function rev_newer(stored, incoming) that SaveIfNewerAndClean uses:
  // 1 when OrderRevisions(*order->compare, stored, incoming) is kRemoteNewer, or (when
  // order->current) anything but kSame. `order` and its comparator must outlive the connection.
  static Status RegisterRevisionOrder(SqliteDb& db, const PulledOrder* order);

  // Loads the row into *row (its collection/key set); false when there is none.
  StatusOr<bool> Load(std::string_view collection, std::string_view key, DocumentRow* row);
  // Inserts or replaces every column of row.
  Status Save(const DocumentRow& row);
  // Save, but only when there is no row yet or the stored row is clean (no queued mutations)
  // and its revision older than row.rev (RegisterRevisionOrder's comparator) — and not a delete
  // the server never recorded (rev "") with a later stamp than row's (remote_applier.h decides
  // that one): one B-tree descent instead of Load + Save for the common case of a pull. False
  // when nothing was written (the caller then loads the row to see why).
  // REQUIRES: row has no pending mutations.
  StatusOr<bool> SaveIfNewerAndClean(const DocumentRow& row);
  Status Erase(std::string_view collection, std::string_view key);

  // Documents of `collection` in key order after options.after_key.
  StatusOr<std::vector<Document>> List(std::string_view collection, const ListOptions& options);

  // Parses the JSON columns; kDataLoss when stored text is not JSON.
  static StatusOr<Document> ToDocument(const DocumentRow& row);

 private:
  // Binds row to `sql` (kSave's parameters), runs it, and returns the rows it changed.
  // Runs a save statement for `row` with the feed's next seq; returns the rows changed.
  StatusOr<int64_t> Bind(const char* sql, const DocumentRow& row);

  SqliteDb& db_;
  ChangeFeed& feed_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_DOCUMENT_ROWS_H_
