// RemoteSkips: the `remote_skips` table — remote document versions the client could not take
// (RemoteChange::unusable: too deep, too large, left out by the server). One row per document,
// its latest such version; the row is removed when a usable version of the document is applied.
// The local document is never touched by a skip: what the device holds stays as it was.
//
// Thread safety: not thread-safe; used under the Store's lock. Callers own the transaction.
#ifndef SYNCAGENT_STORAGE_REMOTE_SKIPS_H_
#define SYNCAGENT_STORAGE_REMOTE_SKIPS_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "storage/store_context.h"
#include "storage/sync_records.h"
#include "syncagent/status.h"

namespace syncagent {

class RemoteSkips {
 public:
  explicit RemoteSkips(const StoreContext& context) : ctx_(context) {}

  // Inserts or replaces the document's row.
  Status Record(const RemoteSkip& skip);
  // Removes the document's row, if any.
  Status Clear(std::string_view collection, std::string_view key);
  StatusOr<int64_t> Count();
  // Oldest first.
  StatusOr<std::vector<RemoteSkip>> List(int64_t limit);

 private:
  StoreContext ctx_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_REMOTE_SKIPS_H_
