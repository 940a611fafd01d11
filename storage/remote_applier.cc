#include "storage/remote_applier.h"

#include "platform/clock.h"
#include "storage/document_rows.h"
#include "storage/hybrid_logical_clock.h"
#include "storage/queued_write.h"
#include "storage/validation.h"

namespace syncagent {

StatusOr<RemoteApplyResult> RemoteApplier::Apply(const std::vector<RemoteChange>& changes,
                                                 std::string_view checkpoint_name,
                                                 std::string_view cursor,
                                                 std::string_view etag) {
  RemoteApplyResult result;
  DocumentRow doc;
  const int64_t now = ctx_.clock->WallMs();
  // Clearing skips costs a statement per change: only done while the table has rows.
  SYNCAGENT_ASSIGN_OR_RETURN(int64_t skipped_before, skips_.Count());
  for (size_t i = 0; i < changes.size(); ++i) {
    const RemoteChange& change = changes[i];
    auto where = [i] { return "remote change #" + std::to_string(i); };
    if (Status valid = ValidateDocumentId(change.collection, change.key); !valid.ok()) {
      return valid.WithContext(where());
    }
    if (!change.unusable.empty()) {
      RemoteSkip skip{change.collection, change.key, change.rev, change.unusable, now};
      SYNCAGENT_RETURN_IF_ERROR(skips_.Record(skip).WithContext(where()));
      result.unusable.push_back(std::move(skip));
      continue;
    }
    if (skipped_before > 0) SYNCAGENT_RETURN_IF_ERROR(skips_.Clear(change.collection, change.key));
    ConflictStore::RemoteSide remote{change.rev, change.deleted, std::nullopt, change.hlc};
    if (!change.deleted && !change.data_text.empty()) {
      // Text from the codec's validating scanner; only its shape is checked here.
      if (change.data_text.front() != '{' || change.data_text.back() != '}') {
        return InvalidArgumentError("remote data for " + change.collection + "/" + change.key +
                                    " must be a JSON object")
            .WithContext(where());
      }
      remote.data = change.data_text;
    } else if (!change.deleted) {
      SYNCAGENT_RETURN_IF_ERROR(
          ValidateObject(change.collection, change.key, change.data, "remote data")
              .WithContext(where()));
      std::string text;
      SYNCAGENT_RETURN_IF_ERROR(DumpJson(change.data, change.collection, change.key, &text));
      remote.data = std::move(text);
    }
    if (!change.hlc.empty()) {
      auto stamp = HybridLogicalClock::Parse(change.hlc);
      if (stamp.ok()) ctx_.hlc->Observe(*stamp);
    }
    // The common case — a new document, or a newer version of a clean one — is one upsert.
    DocumentRow fresh;
    fresh.collection = change.collection;
    fresh.key = change.key;
    fresh.rev = change.rev;
    fresh.deleted = change.deleted;
    fresh.data = remote.data;
    fresh.base_rev = change.deleted ? std::nullopt : std::optional<std::string>(change.rev);
    fresh.base_data = remote.data;
    fresh.hlc = change.hlc;
    fresh.updated_at = now;
    SYNCAGENT_ASSIGN_OR_RETURN(bool saved, ctx_.docs->SaveIfNewerAndClean(fresh));
    if (saved) {
      ++result.applied;
      continue;
    }
    // Not written: the stored row is as new or newer (skip), or has local edits (conflict).
    SYNCAGENT_ASSIGN_OR_RETURN(bool exists, ctx_.docs->Load(change.collection, change.key, &doc));
    if (!exists) {
      return InternalError(where() + " for " + change.collection + "/" + change.key +
                           " was neither applied nor found");
    }
    const RevisionOrder order = OrderRevisions(*ctx_.revisions, doc.rev, change.rev);
    if (order == RevisionOrder::kSame || order == RevisionOrder::kLocalNewer) {
      ++result.skipped;
      continue;
    }
    if (doc.rev.empty() && doc.deleted && !doc.HasPending() && doc.hlc > change.hlc) {
      // A delete the server never recorded (it did not have the document then, e.g. after it
      // lost its data) is later than this version: the version was written before the delete
      // and without knowing of it. The delete is sent again, against this version.
      doc.rev = change.rev;
      doc.base_rev = change.rev;
      doc.base_data = remote.data;
      SYNCAGENT_RETURN_IF_ERROR(QueueWrite(ctx_, &doc, MutationOp::kDelete, change.rev));
      SYNCAGENT_RETURN_IF_ERROR(ctx_.docs->Save(doc));
      ++result.requeued;
      continue;
    }
    SYNCAGENT_ASSIGN_OR_RETURN(
        int64_t id, conflicts_.RecordFor(doc, remote, ConflictOrigin::kPull, std::nullopt));
    result.conflicts.push_back({id, change.collection, change.key});
  }
  SYNCAGENT_RETURN_IF_ERROR(checkpoints_.Set(checkpoint_name, cursor, etag));
  return result;
}

}  // namespace syncagent
