// PullScope: keeps the pull cursor honest about what it covers. A cursor covers the changes of
// the collection set it was pulled with (config sync.collections); the set is stored beside it
// (checkpoint kPullCollectionsCheckpoint, a JSON array, sorted; [] = all collections).
//
// Align(collections), at the start of every pull, in the caller's transaction:
//   - same set, or a narrower one (every collection was already covered): the cursor stays;
//   - a wider set (a collection added, or "all" after a list): the cursor is dropped, so the
//     pull starts from the beginning and backfills the added collections (documents already held
//     come back at their current version and are skipped as stale);
//   - no stored set (a store from before this rule): the current set is taken as the cursor's.
// The stored set is then the current one.
//
// Thread safety: not thread-safe; used under the Store's lock.
#ifndef SYNCAGENT_STORAGE_PULL_SCOPE_H_
#define SYNCAGENT_STORAGE_PULL_SCOPE_H_

#include <string>
#include <string_view>
#include <vector>

#include "storage/checkpoint_table.h"
#include "syncagent/status.h"

namespace syncagent {

class PullScope {
 public:
  PullScope(CheckpointTable& checkpoints, std::string_view cursor_name,
            std::string_view collections_name)
      : checkpoints_(checkpoints), cursor_name_(cursor_name), collections_name_(collections_name) {}

  // REQUIRES: a write transaction is open. Returns true when the cursor was dropped.
  StatusOr<bool> Align(std::vector<std::string> collections);

 private:
  CheckpointTable& checkpoints_;
  std::string_view cursor_name_;
  std::string_view collections_name_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_PULL_SCOPE_H_
