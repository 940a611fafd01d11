// LocalWriter: the app's local writes (put, patch, delete): the document row and its outbox
// mutation change together, inside the caller's transaction.
//
// Each write:
//   1. validates the address and data (kInvalidArgument naming collection/key); a patch or delete
//      of a missing or deleted document is kNotFound;
//   2. stamps the write with the HLC;
//   3. coalesces into the document's newest outbox mutation when that one was never attempted
//      (attempts == 0), else appends a new mutation whose base_rev is the document's
//      base_rev. Folding rules (P = pending mutation, W = new write):
//        W put                     -> P becomes put(new data)
//        W patch, P put            -> put(patched data)
//        W patch, P patch          -> patch(P then W composed); put(patched data) when the
//                                     composition is not expressible as one merge patch
//        W delete, P put-create    -> P removed; the never-synced document vanishes (or, if the
//          (P.base_rev null)      server knows it as a tombstone, becomes that clean tombstone
//                                     again). If older, attempted mutations of the document are
//                                     still queued, P becomes a delete instead.
//        W delete, other P         -> P becomes delete
//      A mutation that has been attempted is never altered (the server may have applied it).
//   4. updates the document row: data, deleted, hlc, updated_at, pending_seqs (so dirty = 1).
//
// Thread safety: not thread-safe; used under the Store's lock.
#ifndef SYNCAGENT_STORAGE_LOCAL_WRITER_H_
#define SYNCAGENT_STORAGE_LOCAL_WRITER_H_

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "storage/document_rows.h"
#include "storage/outbox_rows.h"
#include "storage/store_context.h"
#include "storage/store_types.h"
#include "syncagent/status.h"

namespace syncagent {

class LocalWriter {
 public:
  explicit LocalWriter(const StoreContext& context) : ctx_(context) {}

  // REQUIRES: an IMMEDIATE transaction is open (the caller commits or rolls back).
  // `data`: the full object (put), the merge patch object (patch), ignored (delete).
  Status Apply(MutationOp op, std::string_view collection, std::string_view key,
               const nlohmann::json& data);

  // Composes two merge patches into one with the effect of applying `first` then `second`;
  // nullopt when no single merge patch has that effect (second sets an object under a member
  // that first removed or replaced by a non-object). Exposed for tests.
  static std::optional<nlohmann::json> ComposePatches(const nlohmann::json& first,
                                                      const nlohmann::json& second);

 private:
  enum class Fold { kAppend, kFolded, kCancelled };

  // Tries to fold the write into pending_ (the document's never-attempted newest mutation).
  StatusOr<Fold> Coalesce(MutationOp op, const nlohmann::json& patch, const std::string& stamp);

  StoreContext ctx_;
  // Scratch rows reused across writes (no per-write allocation once warmed up).
  DocumentRow doc_;
  OutboxRow pending_;
  OutboxRow append_;
  std::string new_data_;   // the document's new data (put/patch)
  std::string patch_text_;  // the patch as text (patch)
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_LOCAL_WRITER_H_
