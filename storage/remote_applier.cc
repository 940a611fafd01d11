#include "storage/remote_applier.h"

#include "platform/clock.h"
#include "storage/document_rows.h"
#include "storage/hybrid_logical_clock.h"
#include "storage/queued_write.h"
#include "storage/validation.h"

namespace syncagent {

namespace {

// The server side of `change`, its data validated as an object (text kept as it came).
StatusOr<ConflictStore::RemoteSide> SideOf(const RemoteChange& change, const std::string& where) {
  ConflictStore::RemoteSide remote{change.rev, change.deleted, std::nullopt, change.hlc};
  if (change.deleted) return remote;
  if (!change.data_text.empty()) {
    // Text from the codec's validating scanner; only its shape is checked here.
    if (change.data_text.front() != '{' || change.data_text.back() != '}') {
      return InvalidArgumentError("remote data for " + change.collection + "/" + change.key +
                                  " must be a JSON object")
          .WithContext(where);
    }
    remote.data = change.data_text;
    return remote;
  }
  SYNCAGENT_RETURN_IF_ERROR(
      ValidateObject(change.collection, change.key, change.data, "remote data")
          .WithContext(where));
  std::string text;
  SYNCAGENT_RETURN_IF_ERROR(DumpJson(change.data, change.collection, change.key, &text));
  remote.data = std::move(text);
  return remote;
}

// The clean row of a remote version.
DocumentRow CleanRow(const RemoteChange& change, const ConflictStore::RemoteSide& side,
                     int64_t now) {
  DocumentRow row;
  row.collection = change.collection;
  row.key = change.key;
  row.rev = change.rev;
  row.deleted = change.deleted;
  row.data = side.data;
  row.base_rev = change.deleted ? std::nullopt : std::optional<std::string>(change.rev);
  row.base_data = side.data;
  row.hlc = change.hlc;
  row.updated_at = now;
  return row;
}

}  // namespace

StatusOr<std::optional<int64_t>> RemoteApplier::ApplyContested(const RemoteChange& change,
                                                const ConflictStore::RemoteSide& winner,
                                                int64_t now, const std::string& where) {
  // The versions, best first; `mine` is the one the local document is at, if any.
  std::vector<const RemoteChange*> versions = {&change};
  for (const RemoteChange& rival : change.rivals) versions.push_back(&rival);
  DocumentRow doc;
  SYNCAGENT_ASSIGN_OR_RETURN(bool exists, ctx_.docs->Load(change.collection, change.key, &doc));
  std::optional<size_t> mine;
  for (size_t i = 0; exists && i < versions.size(); ++i) {
    // A local write based on exactly this state of the server already settles it.
    if (doc.HasPending() && doc.base_rev == versions[i]->rev) return std::optional<int64_t>();
    if (!mine &&
        OrderRevisions(*ctx_.revisions, doc.rev, versions[i]->rev) == RevisionOrder::kSame) {
      mine = i;
    }
  }
  // The remote side is the best version that is not the local one.
  const size_t theirs = mine == 0u ? 1 : 0;
  ConflictStore::RemoteSide remote = winner;
  if (theirs != 0) {
    SYNCAGENT_ASSIGN_OR_RETURN(remote, SideOf(*versions[theirs], where));
  }
  const bool clean = !exists || !doc.HasPending();
  if (!mine && clean) {
    // No version of this device's own is at stake (the versions were written elsewhere): the
    // next best version becomes the clean local side, so the policy decides between the
    // server's two best versions.
    SYNCAGENT_ASSIGN_OR_RETURN(ConflictStore::RemoteSide side, SideOf(*versions[1], where));
    doc = CleanRow(*versions[1], side, now);
    SYNCAGENT_RETURN_IF_ERROR(ctx_.docs->Save(doc));
  }
  // A clean local side is one of the versions: their common ancestor is the conflict's base, or
  // none when the versions share no history (two roots: the same key created on two devices);
  // its own revision is no base, for the policy would see no local change. A local edit keeps
  // its own base.
  DocumentRow sides = doc;
  if (clean && !change.ancestor_rev.empty() && change.ancestor_data.is_object()) {
    std::string text;
    SYNCAGENT_RETURN_IF_ERROR(DumpJson(change.ancestor_data, change.collection, change.key, &text));
    sides.base_rev = change.ancestor_rev;
    sides.base_data = std::move(text);
  } else if (clean) {
    sides.base_rev.reset();
    sides.base_data.reset();
  }
  SYNCAGENT_ASSIGN_OR_RETURN(
      int64_t id, conflicts_.RecordFor(sides, remote, ConflictOrigin::kPull, std::nullopt));
  return std::optional<int64_t>(id);
}

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
    SYNCAGENT_ASSIGN_OR_RETURN(ConflictStore::RemoteSide remote, SideOf(change, where()));
    if (!change.hlc.empty()) {
      auto stamp = HybridLogicalClock::Parse(change.hlc);
      if (stamp.ok()) ctx_.hlc->Observe(*stamp);
    }
    if (!change.rivals.empty()) {
      SYNCAGENT_ASSIGN_OR_RETURN(std::optional<int64_t> id,
                                 ApplyContested(change, remote, now, where()));
      if (id) result.conflicts.push_back({*id, change.collection, change.key});
      if (!id) ++result.skipped;
      continue;
    }
    // The common case — a new document, or a newer version of a clean one — is one upsert.
    const DocumentRow fresh = CleanRow(change, remote, now);
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
