// ConflictStore: the `conflicts` table — divergences between a dirty local document and the
// server's version, recorded by the engine (push answered "conflict") or by ApplyRemotePage (a
// pulled change for a dirty document), and settled by a Resolution.
//
// At most one OPEN conflict exists per document (a partial unique index enforces it):
// recording a new one for the same document updates the open row in place (same id) with the
// latest local, remote and base sides.
//
// Resolve(id, resolution), in the caller's transaction:
//   kTakeRemote  document := remote (rev, deleted, data; base := remote), clean; every
//                queued mutation of the document is dropped. When the remote revision needs a
//                write to be taken (StoreOptions::needs_write_back: the server keeps other
//                versions beside it), one put of the remote data based on it is queued (the
//                document is then dirty with the remote's data), which supersedes the others.
//   kKeepLocal   local data stays; rev := remote revision, base_rev := remote revision
//                (null if the remote is a tombstone), base_data := remote data; queued
//                mutations are replaced by ONE fresh put (or delete) of the local state based on
//                the remote version, under a new mutation id (the server remembers the old ids
//                with their conflict answers, and a rebased patch would not reproduce the local
//                document). A local tombstone against a remote tombstone queues nothing.
//   kReplace     document := merged (live, dirty), base := remote; queued mutations of the
//                document are replaced by one put(merged) based on the remote version.
//   kDelete      document := tombstone, base := remote; queued mutations of the document are
//                replaced by one delete based on the remote version (none when the remote is
//                already gone: then the document is clean).
// and the conflict becomes resolved with resolution "take_remote" | "keep_local" | "replace" | "delete".
//
// Thread safety: not thread-safe; used under the Store's lock.
#ifndef SYNCAGENT_STORAGE_CONFLICT_STORE_H_
#define SYNCAGENT_STORAGE_CONFLICT_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/document_rows.h"
#include "storage/store_context.h"
#include "storage/sync_records.h"
#include "syncagent/status.h"

namespace syncagent {

class ConflictStore {
 public:
  // The server side of a conflict, JSON as text (nullopt when deleted).
  struct RemoteSide {
    std::string rev;
    bool deleted = false;
    std::optional<std::string> data;
    std::string hlc;
  };

  explicit ConflictStore(const StoreContext& context) : ctx_(context) {}

  // Records a conflict against the current document row (kNotFound when there is none).
  StatusOr<int64_t> Record(const ConflictInput& input);
  // Records a conflict whose local/base sides come from `doc`; returns the conflict id.
  StatusOr<int64_t> RecordFor(const DocumentRow& doc, const RemoteSide& remote,
                              ConflictOrigin origin, const std::optional<std::string>& mutation_id);
  // At most `limit` conflicts with id > after_id, oldest (lowest id) first. A keyset page: the
  // next page starts after the last id returned, whatever was resolved meanwhile.
  StatusOr<std::vector<Conflict>> List(bool open_only, int64_t limit, int64_t after_id = 0);
  // kNotFound for an unknown id.
  StatusOr<Conflict> Get(int64_t id);
  // kNotFound for an unknown id, kFailedPrecondition when already resolved, kInvalidArgument
  // when kReplace's merged value is not an object, kAborted (nothing changed) when the local
  // document was written since the conflict's local side was recorded: the resolution was
  // decided on a stale local side and would drop that write (except kKeepLocal, which keeps
  // the current local document). Refresh, then decide again.
  Status Resolve(int64_t id, const Resolution& resolution);
  // Re-reads the conflict's local side from the document as it is now.
  Status Refresh(int64_t id);
  StatusOr<int64_t> CountOpen();

 private:
  struct Resolving;  // one Resolve in progress (conflict_store.cc)

  // kAborted when `doc` is no longer the local side the conflict recorded.
  Status CheckLocalUnchanged(int64_t id, const Conflict& c, const DocumentRow& doc);
  // Resolve's effect on the document (its queued mutations already removed), by kind.
  Status ApplyTo(Resolving& r, Resolution::Kind kind, const std::string& merged_text);
  // Queues one mutation of the document, based on the remote version.
  Status Enqueue(Resolving& r, MutationOp op, const std::optional<std::string>& data);
  Status MarkResolved(int64_t id, Resolution::Kind kind, int64_t now);

  StoreContext ctx_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_CONFLICT_STORE_H_
