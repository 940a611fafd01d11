#include "storage/conflict_store.h"

#include "storage/json_equal.h"

#include <algorithm>

#include "platform/clock.h"
#include "storage/hybrid_logical_clock.h"
#include "storage/outbox_rows.h"
#include "storage/random_id.h"
#include "storage/seq_allocator.h"
#include "storage/validation.h"

namespace syncagent {

namespace {

constexpr char kFindOpen[] =
    "SELECT id FROM conflicts WHERE collection = ?1 AND key = ?2 AND status = 'open'";
constexpr char kInsert[] =
    "INSERT INTO conflicts (collection, key, local_data, local_deleted, local_hlc, "
    "remote_rev, remote_deleted, remote_data, remote_hlc, base_rev, base_data, origin, "
    "mutation_id, status, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'open', ?14)";
constexpr char kUpdate[] =
    "UPDATE conflicts SET local_data = ?3, local_deleted = ?4, local_hlc = ?5, "
    "remote_rev = ?6, remote_deleted = ?7, remote_data = ?8, remote_hlc = ?9, "
    "base_rev = ?10, base_data = ?11, origin = ?12, mutation_id = ?13, created_at = ?14 "
    "WHERE id = ?15 AND collection = ?1 AND key = ?2";
#define SYNCAGENT_CONFLICT_COLUMNS                                                           \
  "id, collection, key, local_data, local_deleted, local_hlc, remote_rev, "              \
  "remote_deleted, remote_data, remote_hlc, base_rev, base_data, origin, mutation_id, " \
  "status, resolution, created_at, resolved_at"
constexpr char kListOpen[] =
    "SELECT " SYNCAGENT_CONFLICT_COLUMNS
    " FROM conflicts WHERE status = 'open' AND id > ?2 ORDER BY id LIMIT ?1";
constexpr char kListAll[] =
    "SELECT " SYNCAGENT_CONFLICT_COLUMNS " FROM conflicts WHERE id > ?2 ORDER BY id LIMIT ?1";
constexpr char kGet[] = "SELECT " SYNCAGENT_CONFLICT_COLUMNS " FROM conflicts WHERE id = ?1";
#undef SYNCAGENT_CONFLICT_COLUMNS
constexpr char kMarkResolved[] =
    "UPDATE conflicts SET status = 'resolved', resolution = ?2, resolved_at = ?3 WHERE id = ?1";
constexpr char kCountOpen[] = "SELECT count(*) FROM conflicts WHERE status = 'open'";

StatusOr<nlohmann::json> ParseOptional(const Statement& stmt, int column, const Conflict& c,
                                       std::string_view what) {
  if (stmt.IsNull(column)) return nlohmann::json(nullptr);
  return ParseStoredJson(stmt.TextView(column), c.collection, c.key, what);
}

StatusOr<Conflict> ReadConflict(const Statement& stmt) {
  Conflict c;
  c.id = stmt.Int(0);
  c.collection = stmt.TextView(1);
  c.key = stmt.TextView(2);
  SYNCAGENT_ASSIGN_OR_RETURN(c.local_data, ParseOptional(stmt, 3, c, "conflict local_data"));
  c.local_deleted = stmt.Int(4) != 0;
  c.local_hlc = stmt.TextView(5);
  c.remote_rev = stmt.Text(6);
  c.remote_deleted = stmt.Int(7) != 0;
  SYNCAGENT_ASSIGN_OR_RETURN(c.remote_data, ParseOptional(stmt, 8, c, "conflict remote_data"));
  c.remote_hlc = stmt.TextView(9);
  c.base_rev = stmt.OptionalText(10);
  SYNCAGENT_ASSIGN_OR_RETURN(c.base_data, ParseOptional(stmt, 11, c, "conflict base_data"));
  c.origin = stmt.TextView(12) == "push" ? ConflictOrigin::kPush : ConflictOrigin::kPull;
  c.mutation_id = stmt.OptionalText(13);
  c.status = stmt.TextView(14) == "open" ? ConflictStatus::kOpen : ConflictStatus::kResolved;
  c.resolution = stmt.TextView(15);
  c.created_at = stmt.Int(16);
  c.resolved_at = stmt.OptionalInt(17);
  return c;
}

const char* ResolutionName(Resolution::Kind kind) {
  switch (kind) {
    case Resolution::Kind::kTakeRemote: return "take_remote";
    case Resolution::Kind::kKeepLocal: return "keep_local";
    case Resolution::Kind::kReplace: return "replace";
    case Resolution::Kind::kDelete: return "delete";
  }
  return "take_remote";
}

}  // namespace

StatusOr<int64_t> ConflictStore::Record(const ConflictInput& input) {
  SYNCAGENT_RETURN_IF_ERROR(ValidateDocumentId(input.collection, input.key));
  RemoteSide remote{input.remote_rev, input.remote_deleted, std::nullopt, input.remote_hlc};
  if (!input.remote_deleted) {
    SYNCAGENT_RETURN_IF_ERROR(
        ValidateObject(input.collection, input.key, input.remote_data, "remote data"));
    std::string text;
    SYNCAGENT_RETURN_IF_ERROR(DumpJson(input.remote_data, input.collection, input.key, &text));
    remote.data = std::move(text);
  }
  DocumentRow doc;
  SYNCAGENT_ASSIGN_OR_RETURN(bool exists, ctx_.docs->Load(input.collection, input.key, &doc));
  if (!exists) {
    return NotFoundError("cannot record a conflict for " + DocName(input.collection, input.key) +
                         ": no local document");
  }
  return RecordFor(doc, remote, input.origin, input.mutation_id);
}

StatusOr<int64_t> ConflictStore::RecordFor(const DocumentRow& doc, const RemoteSide& remote,
                                           ConflictOrigin origin,
                                           const std::optional<std::string>& mutation_id) {
  std::optional<int64_t> open_id;
  {
    SYNCAGENT_ASSIGN_OR_RETURN(Statement find, ctx_.db->Prepare(kFindOpen));
    find.BindTextStatic(1, doc.collection);
    find.BindTextStatic(2, doc.key);
    SYNCAGENT_ASSIGN_OR_RETURN(bool found, find.Step());
    if (found) open_id = find.Int(0);
  }
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, ctx_.db->Prepare(open_id ? kUpdate : kInsert));
  stmt.BindTextStatic(1, doc.collection);
  stmt.BindTextStatic(2, doc.key);
  stmt.BindOptionalText(3, doc.deleted ? std::nullopt : doc.data);
  stmt.BindInt(4, doc.deleted ? 1 : 0);
  stmt.BindTextStatic(5, doc.hlc);
  stmt.BindTextStatic(6, remote.rev);
  stmt.BindInt(7, remote.deleted ? 1 : 0);
  stmt.BindOptionalText(8, remote.deleted ? std::nullopt : remote.data);
  stmt.BindTextStatic(9, remote.hlc);
  stmt.BindOptionalText(10, doc.base_rev);
  stmt.BindOptionalText(11, doc.base_data);
  stmt.BindTextStatic(12, origin == ConflictOrigin::kPush ? "push" : "pull");
  stmt.BindOptionalText(13, mutation_id);
  stmt.BindInt(14, ctx_.clock->WallMs());
  if (open_id) stmt.BindInt(15, *open_id);
  SYNCAGENT_RETURN_IF_ERROR(stmt.Run());
  return open_id ? *open_id : ctx_.db->LastInsertRowId();
}

Status ConflictStore::Refresh(int64_t id) {
  SYNCAGENT_ASSIGN_OR_RETURN(Conflict c, Get(id));
  if (c.status != ConflictStatus::kOpen) return Status::Ok();
  DocumentRow doc;
  SYNCAGENT_ASSIGN_OR_RETURN(bool exists, ctx_.docs->Load(c.collection, c.key, &doc));
  if (!exists) return Status::Ok();
  RemoteSide remote{c.remote_rev, c.remote_deleted, std::nullopt, c.remote_hlc};
  if (!c.remote_deleted && !c.remote_data.is_null()) {
    std::string text;
    SYNCAGENT_RETURN_IF_ERROR(DumpJson(c.remote_data, c.collection, c.key, &text));
    remote.data = std::move(text);
  }
  return RecordFor(doc, remote, c.origin, c.mutation_id).status();
}

StatusOr<std::vector<Conflict>> ConflictStore::List(bool open_only, int64_t limit,
                                                    int64_t after_id) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, ctx_.db->Prepare(open_only ? kListOpen : kListAll));
  stmt.BindInt(1, limit);
  stmt.BindInt(2, after_id);
  std::vector<Conflict> out;
  while (true) {
    SYNCAGENT_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    SYNCAGENT_ASSIGN_OR_RETURN(Conflict c, ReadConflict(stmt));
    out.push_back(std::move(c));
  }
  return out;
}

StatusOr<Conflict> ConflictStore::Get(int64_t id) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, ctx_.db->Prepare(kGet));
  stmt.BindInt(1, id);
  SYNCAGENT_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return NotFoundError("conflict " + std::to_string(id) + " does not exist");
  return ReadConflict(stmt);
}

// One Resolve in progress: the conflict, its document as it will be saved, and the sides the
// resolution writes from.
struct ConflictStore::Resolving {
  const Conflict& c;
  DocumentRow doc;
  std::optional<std::string> remote_text;  // the server's document, null when deleted
  std::optional<std::string> remote_base;  // the base of queued mutations: the remote revision
  std::string stamp;                       // the HLC stamp of what the resolution writes
  int64_t now = 0;
};

Status ConflictStore::Resolve(int64_t id, const Resolution& resolution) {
  SYNCAGENT_ASSIGN_OR_RETURN(Conflict c, Get(id));
  if (c.status != ConflictStatus::kOpen) {
    return FailedPreconditionError("conflict " + std::to_string(id) + " on " +
                                   DocName(c.collection, c.key) + " is already resolved (" +
                                   c.resolution + ")");
  }
  std::string merged_text;
  if (resolution.kind == Resolution::Kind::kReplace) {
    SYNCAGENT_RETURN_IF_ERROR(ValidateObject(c.collection, c.key, resolution.merged, "merged"));
    SYNCAGENT_RETURN_IF_ERROR(DumpJson(resolution.merged, c.collection, c.key, &merged_text));
    SYNCAGENT_RETURN_IF_ERROR(CheckDocumentSize(merged_text, c.collection, c.key, "merged"));
  }
  Resolving r{c, {}, std::nullopt, std::nullopt, {}, 0};
  if (!c.remote_deleted && !c.remote_data.is_null()) {
    std::string text;
    SYNCAGENT_RETURN_IF_ERROR(DumpJson(c.remote_data, c.collection, c.key, &text));
    r.remote_text = std::move(text);
  }
  if (!c.remote_deleted) r.remote_base = c.remote_rev;

  SYNCAGENT_ASSIGN_OR_RETURN(bool exists, ctx_.docs->Load(c.collection, c.key, &r.doc));
  if (exists && resolution.kind != Resolution::Kind::kKeepLocal) {
    SYNCAGENT_RETURN_IF_ERROR(CheckLocalUnchanged(id, c, r.doc));
  }
  if (!exists) {  // a never-synced document whose create was cancelled meanwhile
    r.doc.rev.clear();
    r.doc.deleted = true;
    r.doc.data.reset();
    r.doc.ClearPending();
  }
  r.stamp = ctx_.hlc->NowText();
  r.now = ctx_.clock->WallMs();
  if (OrderRevisions(*ctx_.revisions, r.doc.rev, c.remote_rev) == RevisionOrder::kRemoteNewer) {
    r.doc.rev = c.remote_rev;
  }
  r.doc.base_rev = r.remote_base;
  r.doc.base_data = r.remote_text;
  r.doc.updated_at = r.now;

  // Every resolution replaces the document's queued mutations.
  SYNCAGENT_RETURN_IF_ERROR(ctx_.outbox->RemoveAll(r.doc.PendingSeqs()));
  r.doc.ClearPending();
  SYNCAGENT_RETURN_IF_ERROR(ApplyTo(r, resolution.kind, merged_text));
  SYNCAGENT_RETURN_IF_ERROR(ctx_.docs->Save(r.doc));
  return MarkResolved(id, resolution.kind, r.now);
}

Status ConflictStore::CheckLocalUnchanged(int64_t id, const Conflict& c, const DocumentRow& doc) {
  bool same = doc.deleted == c.local_deleted;
  if (same && !doc.deleted) {
    SYNCAGENT_ASSIGN_OR_RETURN(
        nlohmann::json current,
        ParseStoredJson(doc.data.value_or("null"), c.collection, c.key, "data"));
    same = JsonEqual(current, c.local_data);
  }
  if (same) return Status::Ok();
  return AbortedError("conflict " + std::to_string(id) + " on " + DocName(c.collection, c.key) +
                      ": the local document was written after the conflict was recorded; "
                      "decide again on the current local side");
}

Status ConflictStore::ApplyTo(Resolving& r, Resolution::Kind kind,
                              const std::string& merged_text) {
  switch (kind) {
    case Resolution::Kind::kTakeRemote:
      r.doc.deleted = r.c.remote_deleted;
      r.doc.data = r.remote_text;
      r.doc.hlc = r.c.remote_hlc.empty() ? r.stamp : r.c.remote_hlc;
      // A version the server keeps beside others is taken by writing it again on itself: the
      // write supersedes the others, so the server is left with this one.
      if (r.remote_base && ctx_.write_back != nullptr && *ctx_.write_back &&
          (*ctx_.write_back)(r.c.remote_rev)) {
        return Enqueue(r, MutationOp::kPut, r.remote_text);
      }
      return Status::Ok();
    case Resolution::Kind::kKeepLocal:
      // The queued mutations may already be known to the server under their ids (a conflict
      // answer is remembered), and a patch rebased onto another version would not reproduce the
      // local document: they are replaced with one fresh put (or delete) of the local state.
      if (!r.doc.deleted) return Enqueue(r, MutationOp::kPut, r.doc.data);
      if (r.remote_base) return Enqueue(r, MutationOp::kDelete, std::nullopt);
      return Status::Ok();
    case Resolution::Kind::kReplace:
      r.doc.deleted = false;
      r.doc.data = merged_text;
      return Enqueue(r, MutationOp::kPut, merged_text);
    case Resolution::Kind::kDelete:
      r.doc.deleted = true;
      r.doc.data.reset();
      r.doc.hlc = r.stamp;
      // The server still has a live document: delete it there too.
      if (r.remote_base) return Enqueue(r, MutationOp::kDelete, std::nullopt);
      return Status::Ok();
  }
  return InternalError("unknown resolution");
}

Status ConflictStore::Enqueue(Resolving& r, MutationOp op,
                              const std::optional<std::string>& data) {
  OutboxRow row;
  row.mutation_id = ctx_.ids->NewUuid();
  row.collection = r.c.collection;
  row.key = r.c.key;
  row.op = op;
  row.base_rev = r.remote_base;
  row.data = data;
  row.hlc = r.stamp;
  row.created_at = r.now;
  SYNCAGENT_ASSIGN_OR_RETURN(row.seq, ctx_.seqs->Next());
  SYNCAGENT_RETURN_IF_ERROR(ctx_.outbox->Insert(row));
  r.doc.AddPending(row.seq);
  r.doc.hlc = r.stamp;
  return Status::Ok();
}

Status ConflictStore::MarkResolved(int64_t id, Resolution::Kind kind, int64_t now) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement mark, ctx_.db->Prepare(kMarkResolved));
  mark.BindInt(1, id);
  mark.BindTextStatic(2, ResolutionName(kind));
  mark.BindInt(3, now);
  return mark.Run();
}

StatusOr<int64_t> ConflictStore::CountOpen() { return ctx_.db->QueryInt(kCountOpen); }

}  // namespace syncagent
