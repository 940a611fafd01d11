// RemoteApplier: applies one pull page — the server's changes plus the cursor that covers
// them — inside the caller's single transaction, so a crash leaves either the whole page and
// its cursor or neither.
//
// For each change, in order:
//   - invalid collection/key, or live data that is not an object -> kInvalidArgument (the
//     whole page is rolled back by the caller);
//   - unusable (RemoteChange::unusable)  -> recorded in remote_skips; the local document is
//                                     left untouched;
//   - no local document            -> stored (a tombstone is kept as deleted = 1, data null);
//   - local revision the same or newer (OrderRevisions) -> skipped (stale);
//   - local clean tombstone at rev "" (a delete the server never recorded) with a later HLC
//     stamp than the remote version -> the delete is queued again against that version
//     (`requeued`): the remote version was written before the delete, not over it;
//   - contested (RemoteChange::rivals: the server keeps several versions) -> a conflict (origin
//     pull) whose remote side is the best version the local document is not at; when the local
//     document is at none of them and has no local edits (or is absent), the next best version
//     is stored first as its clean local side, so the policy decides between the server's two
//     best versions. When the local side is one of the versions, the conflict's base is their
//     common ancestor (RemoteChange::ancestor_*) when the server sent it; skipped when a queued local write is based on exactly one of its rev
//     tokens (a resolution of that very state, not sent yet). Every rev token of a contested change supersedes the others when written
//     on, so any resolution leaves the server one version (ConflictStore: kTakeRemote writes);
//   - local document dirty         -> not overwritten: an open conflict (origin pull) is
//                                     recorded with the local, remote and base sides;
//   - otherwise (clean)            -> overwritten;
//   stored/overwritten rows get rev = remote revision, base = remote (base_rev null
//   for a tombstone), dirty = 0, hlc = the remote stamp. Each remote stamp is observed into
//   the HLC. A usable change clears the document's remote_skips row. Finally the checkpoint
//   `name` is set to (cursor, etag).
//
// Thread safety: not thread-safe; used under the Store's lock.
#ifndef SYNCAGENT_STORAGE_REMOTE_APPLIER_H_
#define SYNCAGENT_STORAGE_REMOTE_APPLIER_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/checkpoint_table.h"
#include "storage/conflict_store.h"
#include "storage/remote_skips.h"
#include "storage/store_context.h"
#include "storage/sync_records.h"
#include "syncagent/status.h"

namespace syncagent {

class RemoteApplier {
 public:
  RemoteApplier(const StoreContext& context, ConflictStore& conflicts,
                CheckpointTable& checkpoints, RemoteSkips& skips)
      : ctx_(context), conflicts_(conflicts), checkpoints_(checkpoints), skips_(skips) {}

  // REQUIRES: an IMMEDIATE transaction is open.
  StatusOr<RemoteApplyResult> Apply(const std::vector<RemoteChange>& changes,
                                    std::string_view checkpoint_name, std::string_view cursor,
                                    std::string_view etag);

 private:
  // A contested change (see above); returns the conflict's id, nullopt when a local write based
  // on exactly one of its rev tokens is queued (it already settles that state: skipped).
  StatusOr<std::optional<int64_t>> ApplyContested(const RemoteChange& change,
                                   const ConflictStore::RemoteSide& winner, int64_t now,
                                   const std::string& where);

  StoreContext ctx_;
  ConflictStore& conflicts_;
  CheckpointTable& checkpoints_;
  RemoteSkips& skips_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_REMOTE_APPLIER_H_
