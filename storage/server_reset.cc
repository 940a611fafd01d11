#include "storage/server_reset.h"

#include <utility>

#include "storage/outbox_rows.h"
#include "storage/queued_write.h"

namespace syncagent {
namespace {

constexpr char kKeysAfter[] =
    "SELECT collection, key FROM documents WHERE (collection, key) > (?1, ?2) "
    "ORDER BY collection, key LIMIT 500";

}  // namespace

StatusOr<int64_t> ServerReset::Forget(ServerResetRule rule,
                                      const std::vector<std::string_view>& cursor_names) {
  for (std::string_view name : cursor_names) {
    SYNCAGENT_RETURN_IF_ERROR(checkpoints_.Delete(name));
  }
  int64_t count = 0;
  std::pair<std::string, std::string> last;
  for (;;) {
    // Keys first, in chunks: the rows are rewritten or erased while walking.
    std::vector<std::pair<std::string, std::string>> keys;
    {
      SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, ctx_.db->Prepare(kKeysAfter));
      stmt.BindText(1, last.first);
      stmt.BindText(2, last.second);
      for (;;) {
        SYNCAGENT_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
        if (!has_row) break;
        keys.emplace_back(stmt.Text(0), stmt.Text(1));
      }
    }
    if (keys.empty()) return count;
    last = keys.back();
    DocumentRow doc;
    for (const auto& [collection, key] : keys) {
      SYNCAGENT_ASSIGN_OR_RETURN(bool exists, ctx_.docs->Load(collection, key, &doc));
      if (!exists) continue;
      SYNCAGENT_ASSIGN_OR_RETURN(int64_t n,
                                 rule == ServerResetRule::kReupload ? Reupload(doc) : Adopt(doc));
      count += n;
    }
  }
}

StatusOr<int64_t> ServerReset::Reupload(DocumentRow& doc) {
  if (doc.deleted && !doc.HasPending()) {
    // Kept, as a delete the server does not know of: a copy of the document that another device
    // re-uploads, written before this delete, gets the delete again (remote_applier.h).
    doc.rev.clear();
    doc.base_rev.reset();
    doc.base_data.reset();
    SYNCAGENT_RETURN_IF_ERROR(ctx_.docs->Save(doc));
    return 0;
  }
  // A clean copy is offered only where the server never had the document (base rev "":
  // "never existed"), so it loses to any version or tombstone written since the reset; a local
  // change is sent as a plain create (no base) and meets such a version as a conflict.
  const std::optional<std::string> base =
      doc.deleted || doc.HasPending() ? std::nullopt : std::optional<std::string>("");
  SYNCAGENT_RETURN_IF_ERROR(ctx_.outbox->RemoveAll(doc.PendingSeqs()));
  doc.ClearPending();
  SYNCAGENT_RETURN_IF_ERROR(QueueWrite(ctx_, &doc,
                                       doc.deleted ? MutationOp::kDelete : MutationOp::kPut, base));
  doc.rev.clear();
  doc.base_rev.reset();  // base_data stays: the common ancestor for the conflicts to come
  SYNCAGENT_RETURN_IF_ERROR(ctx_.docs->Save(doc));
  return 1;
}

StatusOr<int64_t> ServerReset::Adopt(DocumentRow& doc) {
  if (!doc.deleted || doc.HasPending()) {
    const ConflictStore::RemoteSide never_existed{"", true, std::nullopt, ""};
    SYNCAGENT_ASSIGN_OR_RETURN(
        int64_t id, conflicts_.RecordFor(doc, never_existed, ConflictOrigin::kPull, std::nullopt));
    SYNCAGENT_RETURN_IF_ERROR(conflicts_.Resolve(id, Resolution::TakeRemote()));
  }
  SYNCAGENT_ASSIGN_OR_RETURN(bool exists, ctx_.docs->Load(doc.collection, doc.key, &doc));
  if (exists) {
    SYNCAGENT_RETURN_IF_ERROR(ctx_.outbox->RemoveAll(doc.PendingSeqs()));
    SYNCAGENT_RETURN_IF_ERROR(ctx_.docs->Erase(doc.collection, doc.key));
  }
  return 1;
}

}  // namespace syncagent
