// ServerReset: what the store does when the engine finds that the server lost what it had
// acknowledged (its data was reset or restored from an old backup, or base_url now points at
// another server): every server revision the device holds is meaningless from then on.
//
// Forget(rule), in the caller's transaction:
//   - the pull cursor and its collection set are dropped (the next pull starts from the
//     beginning);
//   - kReupload (sync.on_server_reset "reupload", the default; nothing local is lost): every live
//     document becomes a local create (a clean one with base version 0, "only if the server never
//     had it", so it never overwrites or re-creates what another device wrote or deleted since) — version 0, no base version (its base body stays, as the
//     common ancestor for conflict resolution) — with its queued mutations replaced
//     by ONE put of its current data under a new mutation id (the old ids belong to the old
//     server's memory); a deleted document with queued mutations keeps one delete (no base); a
//     clean deleted document stays a tombstone at version 0 (a delete the server does not know
//     of), so an older copy re-uploaded by another device is deleted again (remote_applier.h). What the server still has comes back in the pull and
//     meets these writes as ordinary conflicts, settled by the configured policy.
//   - kAdoptServer (the device becomes a copy of the server): every document that is live or has
//     queued mutations is first kept in a resolved conflict record (its local side, against a
//     remote "never existed"; resolution take_remote), then every document and queued mutation
//     is dropped; the pull brings back what the server has.
// Returns how many mutations it queued (kReupload) or documents it dropped (kAdoptServer).
//
// Thread safety: not thread-safe; used under the Store's lock.
#ifndef SYNCAGENT_STORAGE_SERVER_RESET_H_
#define SYNCAGENT_STORAGE_SERVER_RESET_H_

#include <cstdint>
#include <string_view>

#include "storage/checkpoint_table.h"
#include "storage/conflict_store.h"
#include "storage/document_rows.h"
#include "storage/store_context.h"
#include "storage/store_types.h"
#include "syncagent/status.h"

namespace syncagent {

class ServerReset {
 public:
  ServerReset(const StoreContext& context, ConflictStore& conflicts, CheckpointTable& checkpoints)
      : ctx_(context), conflicts_(conflicts), checkpoints_(checkpoints) {}

  // REQUIRES: a write transaction is open. `cursor_names`: the checkpoints to drop.
  StatusOr<int64_t> Forget(ServerResetRule rule, const std::vector<std::string_view>& cursor_names);

 private:
  // One document under kReupload; returns the mutations queued (0 or 1).
  StatusOr<int64_t> Reupload(DocumentRow& doc);
  // One document under kAdoptServer; returns 1 when it was dropped.
  StatusOr<int64_t> Adopt(DocumentRow& doc);

  StoreContext ctx_;
  ConflictStore& conflicts_;
  CheckpointTable& checkpoints_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_SERVER_RESET_H_
