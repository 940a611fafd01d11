#include "storage/remote_applier.h"

#include "platform/clock.h"
#include "storage/document_rows.h"
#include "storage/hybrid_logical_clock.h"
#include "storage/validation.h"

namespace syncagent {

StatusOr<RemoteApplyResult> RemoteApplier::Apply(const std::vector<RemoteChange>& changes,
                                                 std::string_view checkpoint_name,
                                                 std::string_view cursor,
                                                 std::string_view etag) {
  RemoteApplyResult result;
  DocumentRow doc;
  const int64_t now = ctx_.clock->WallMs();
  for (size_t i = 0; i < changes.size(); ++i) {
    const RemoteChange& change = changes[i];
    const std::string where = "remote change #" + std::to_string(i);
    SYNCAGENT_RETURN_IF_ERROR(
        ValidateDocumentId(change.collection, change.key).WithContext(where));
    ConflictStore::RemoteSide remote{change.version, change.deleted, std::nullopt, change.hlc};
    if (!change.deleted) {
      SYNCAGENT_RETURN_IF_ERROR(
          ValidateObject(change.collection, change.key, change.data, "remote data")
              .WithContext(where));
      std::string text;
      SYNCAGENT_RETURN_IF_ERROR(DumpJson(change.data, change.collection, change.key, &text));
      remote.data = std::move(text);
    }
    if (!change.hlc.empty()) {
      auto stamp = HybridLogicalClock::Parse(change.hlc);
      if (stamp.ok()) ctx_.hlc->Observe(*stamp);
    }
    SYNCAGENT_ASSIGN_OR_RETURN(bool exists, ctx_.docs->Load(change.collection, change.key, &doc));
    if (exists && doc.version >= change.version) {
      ++result.skipped;
      continue;
    }
    if (exists && doc.dirty) {
      SYNCAGENT_ASSIGN_OR_RETURN(
          int64_t id, conflicts_.RecordFor(doc, remote, ConflictOrigin::kPull, std::nullopt));
      result.conflicts.push_back({id, change.collection, change.key});
      continue;
    }
    doc.version = change.version;
    doc.deleted = change.deleted;
    doc.data = remote.data;
    doc.base_version =
        change.deleted ? std::nullopt : std::optional<int64_t>(change.version);
    doc.base_data = std::move(remote.data);
    doc.hlc = change.hlc;
    doc.updated_at = now;
    doc.ClearPending();  // the document was clean (or absent): nothing was pending
    SYNCAGENT_RETURN_IF_ERROR(ctx_.docs->Save(doc));
    ++result.applied;
  }
  SYNCAGENT_RETURN_IF_ERROR(checkpoints_.Set(checkpoint_name, cursor, etag));
  return result;
}

}  // namespace syncagent
