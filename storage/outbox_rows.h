// OutboxRows: typed access to the `outbox` table (the durable queue of local mutations).
//
// seq is an AUTOINCREMENT key, so it strictly increases and is never reused, even after the
// newest rows were acknowledged. JSON stays text here; ToMutation parses it for the API.
// Callers own the transaction.
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
#include "storage/store_types.h"
#include "syncagent/status.h"

namespace syncagent {

struct OutboxRow {
  int64_t seq = 0;
  std::string mutation_id;
  std::string collection;
  std::string key;
  MutationOp op = MutationOp::kPut;
  std::optional<int64_t> base_version;
  std::optional<std::string> data;
  std::string hlc;
  int64_t created_at = 0;
  int64_t attempts = 0;
  std::optional<std::string> last_error;
  bool force = false;
};

class OutboxRows {
 public:
  explicit OutboxRows(SqliteDb& db) : db_(db) {}

  StatusOr<bool> LoadBySeq(int64_t seq, OutboxRow* row);
  StatusOr<bool> LoadById(std::string_view mutation_id, OutboxRow* row);
  // Appends row (row.seq is ignored) and returns the new seq.
  StatusOr<int64_t> Insert(const OutboxRow& row);
  // Rewrites op, data, hlc and base_version of the row with row.seq (coalescing).
  Status UpdateContent(const OutboxRow& row);
  Status Remove(int64_t seq);
  // The newest seq queued for the document, if any.
  StatusOr<std::optional<int64_t>> NewestSeqFor(std::string_view collection, std::string_view key);
  // Sets base_version of every queued mutation of the document.
  Status Rebase(std::string_view collection, std::string_view key,
                std::optional<int64_t> base_version);
  // Removes every queued mutation of the document.
  Status RemoveAllFor(std::string_view collection, std::string_view key);
  // The `limit` oldest rows, by seq.
  StatusOr<std::vector<OutboxRow>> Oldest(int64_t limit);
  // attempts += 1 and last_error := error (NULL when empty); false when the id is unknown.
  StatusOr<bool> MarkAttempted(std::string_view mutation_id, std::string_view error);

  static StatusOr<Mutation> ToMutation(const OutboxRow& row);
  static std::optional<MutationOp> ParseOp(std::string_view text);

 private:
  SqliteDb& db_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_OUTBOX_ROWS_H_
