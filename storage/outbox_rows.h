// OutboxRows: typed access to the `outbox` table (the durable queue of local mutations).
//
// seq comes from SeqAllocator, so it strictly increases and is never reused, even after the
// newest rows were acknowledged. Only mutations in flight (attempts > 0) are indexed by
// mutation_id; finding a never-attempted one by id walks the queue in seq order. JSON stays text
// here; ToMutation parses it for the API. Callers own the transaction.
//
// Thread safety: not thread-safe; used under the Store's lock.
#ifndef SYNCAGENT_STORAGE_OUTBOX_ROWS_H_
#define SYNCAGENT_STORAGE_OUTBOX_ROWS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/sqlite_db.h"
#include "storage/sqlite_statement.h"
#include "storage/store_types.h"
#include "syncagent/status.h"

namespace syncagent {

struct OutboxRow {
  int64_t seq = 0;
  std::string mutation_id;
  std::string collection;
  std::string key;
  MutationOp op = MutationOp::kPut;
  std::optional<std::string> base_rev;
  std::optional<std::string> data;
  std::string hlc;
  int64_t created_at = 0;
  int64_t attempts = 0;
  std::optional<std::string> last_error;
  // Not an outbox column: the document row's rev as Oldest() read it ("" elsewhere).
  std::string document_rev;
};

class OutboxRows {
 public:
  explicit OutboxRows(SqliteDb& db) : db_(db) {}

  StatusOr<bool> LoadBySeq(int64_t seq, OutboxRow* row);
  // Looks among the mutations in flight first (indexed), then scans the rest.
  StatusOr<bool> LoadById(std::string_view mutation_id, OutboxRow* row);
  // REQUIRES: row.seq comes from SeqAllocator::Next().
  Status Insert(const OutboxRow& row);
  // Rewrites op, data, hlc and base_rev of the row with row.seq (coalescing).
  Status UpdateContent(const OutboxRow& row);
  Status Remove(int64_t seq);
  Status RemoveAll(const std::vector<int64_t>& seqs);
  // Sets base_rev of the given mutations (a document's pending_seqs).
  Status Rebase(const std::vector<int64_t>& seqs, const std::optional<std::string>& base_rev);
  // The collections whose mutations are sent (empty = all): Oldest() skips the others, which
  // stay queued, local-only, until their collection is synced.
  void SetSyncedCollections(const std::vector<std::string>& collections);
  // Binds the synced set at `index` (a JSON array text, or NULL for all) for a query that
  // filters with `(?N IS NULL OR collection IN (SELECT value FROM json_each(?N)))`.
  void BindSyncedCollections(Statement& stmt, int index) const;
  struct QueueSummary {
    int64_t synced = 0;      // rows of synced collections
    int64_t local_only = 0;  // rows of the other collections
    std::optional<int64_t> oldest_synced_created_at;
  };
  StatusOr<QueueSummary> Summarize();
  // The `limit` oldest rows with seq > after_seq, by seq, of the synced collections.
  StatusOr<std::vector<OutboxRow>> Oldest(int64_t limit, int64_t after_seq = 0);
  // attempts += 1 and last_error := error (NULL when empty) for each known id; returns how many
  // were known. In-flight ids use the index; the others are found by one walk in seq order that
  // stops once all are found (they are normally the head of the queue, from PeekBatch).
  StatusOr<int64_t> MarkAttempted(const std::vector<std::string>& mutation_ids,
                                  std::string_view error);
  // attempts += 1 and last_error := NULL for the rows `seqs` (rows just read, e.g. by Oldest:
  // no lookup by id); returns how many exist.
  StatusOr<int64_t> MarkSeqsAttempted(const std::vector<int64_t>& seqs);

  static StatusOr<Mutation> ToMutation(const OutboxRow& row);
  static std::optional<MutationOp> ParseOp(std::string_view text);

 private:
  SqliteDb& db_;
  std::optional<std::string> synced_collections_;  // JSON array; nullopt = all
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_OUTBOX_ROWS_H_
