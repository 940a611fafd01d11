// CheckpointTable: named progress markers (`checkpoints` table), e.g. the pull cursor and the
// ETag of the page it came from. ApplyRemotePage writes its cursor here in the same transaction
// as the changes it covers. Callers own the transaction.
//
// Thread safety: not thread-safe; used under the Store's lock.
#ifndef SYNCAGENT_STORAGE_CHECKPOINT_TABLE_H_
#define SYNCAGENT_STORAGE_CHECKPOINT_TABLE_H_

#include <optional>
#include <string_view>

#include "storage/store_context.h"
#include "storage/store_types.h"
#include "syncagent/status.h"

namespace syncagent {

class CheckpointTable {
 public:
  explicit CheckpointTable(const StoreContext& context) : ctx_(context) {}

  StatusOr<std::optional<Checkpoint>> Get(std::string_view name);
  // REQUIRES: name is non-empty (kInvalidArgument otherwise).
  Status Set(std::string_view name, std::string_view value, std::string_view etag);
  // Removes the checkpoint; absent is not an error.
  Status Delete(std::string_view name);

 private:
  StoreContext ctx_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_CHECKPOINT_TABLE_H_
