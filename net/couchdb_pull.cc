// CouchdbRemote::Pull (net/couchdb_remote.h has the protocol): each collection's `_changes`, its
// contested documents' leaves (`_bulk_get`), this device's `_local/` checkpoints, and the
// detection of a server that lost its data.
#include "net/couchdb_remote.h"

#include <algorithm>
#include <map>
#include <utility>

#include "net/couchdb_conflicts.h"
#include "net/couchdb_remote_internal.h"
#include "net/wire_json.h"

namespace syncagent {
namespace {

using couchdb_internal::Into;
using nlohmann::json;

// The cursor's member listing the collections whose database holds this device's checkpoint;
// '~' cannot start a collection's name.
constexpr const char* kCheckpointed = "~checkpointed";

bool Checkpointed(const json& cursor, const std::string& collection) {
  const auto list = cursor.find(kCheckpointed);
  return list != cursor.end() && list->is_array() &&
         std::find(list->begin(), list->end(), json(collection)) != list->end();
}

void MarkCheckpointed(json& cursor, const std::string& collection) {
  if (Checkpointed(cursor, collection)) return;
  json& list = cursor[kCheckpointed];
  if (!list.is_array()) list = json::array();
  list.push_back(collection);
}

// Reads the non-empty string `member` of a checkpoint answer (PUT: "rev", GET: "_rev").
Status ReadCheckpointRev(std::string_view body, const char* member, std::string* rev) {
  constexpr std::string_view kWhat = "checkpoint answer";
  const json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return wire::FieldError(kWhat, "(root)", "an object", &parsed);
  SYNCAGENT_ASSIGN_OR_RETURN(*rev, wire::ObjectReader(kWhat, "", parsed).String(member));
  return Status::Ok();
}

}  // namespace

StatusOr<RemotePage> CouchdbRemote::Pull(const PullQuery& query, const CallContext& call) {
  failure_ = RemoteFailure{};
  reset_seen_ = false;
  if (query.collections.empty()) {
    return FailedPreconditionError("a CouchDB pull needs the collections listed "
                                   "(sync.collections)");
  }
  json cursor = json::object();
  if (!query.cursor.empty()) {
    cursor = json::parse(query.cursor, nullptr, /*allow_exceptions=*/false);
    if (!cursor.is_object()) {
      failure_.kind = RemoteFailure::Kind::kCursorRefused;
      return FailedPreconditionError("the pull cursor is not a CouchDB one ({collection: "
                                     "last_seq}); pulling from the start");
    }
  }
  for (size_t i = 0; i < query.collections.size(); ++i) {
    const std::string& collection = query.collections[i];
    const auto known = cursor.find(collection);
    const std::string since = known == cursor.end() ? "" : known->dump();
    const std::string database = DatabaseOf(collection);
    if (!since.empty() && Checkpointed(cursor, collection)) {
      const Status verified = VerifyCheckpoint(database, call);
      if (!verified.ok()) return FailRead(verified);
    }
    auto page = PullCollection(collection, since, query.limit, call);
    if (!page.ok()) return FailRead(page.status());
    if (!page->has_value()) {
      // Caught up: a checkpoint held back is written now.
      if (const Status written = WriteHeldCheckpoint(database, call); !written.ok()) {
        return FailRead(written);
      }
      continue;
    }
    couchdb::ChangesPage& read = **page;
    auto changes = couchdb::ToRemoteChanges(collection, read);
    if (!changes.ok()) return FailRead(changes.status());
    const Status contested = AddRivals(database, read, &*changes, call);
    if (!contested.ok()) return FailRead(contested);
    if (!device_id_.empty() && CheckpointDue(database, read, query.limit)) {
      const Status written = WriteCheckpoint(database, read.last_seq, call);
      if (!written.ok()) return FailRead(written);
      MarkCheckpointed(cursor, collection);
    } else if (!device_id_.empty()) {
      held_checkpoints_[database] = read.last_seq;
      ++pages_since_checkpoint_[database];
    }
    cursor[collection] = json::parse(read.last_seq);
    RemotePage out;
    out.changes = std::move(*changes);
    out.cursor = cursor.dump();
    out.has_more = static_cast<int>(read.rows.size()) + read.skipped >= query.limit ||
                   i + 1 < query.collections.size();
    return out;
  }
  RemotePage out;
  out.unchanged = true;
  out.cursor = query.cursor;
  return out;
}

StatusOr<std::optional<couchdb::ChangesPage>> CouchdbRemote::PullCollection(
    const std::string& collection, const std::string& since, int limit, const CallContext& call) {
  const std::string database = DatabaseOf(collection);
  SYNCAGENT_ASSIGN_OR_RETURN(const std::string since_value, couchdb::SinceValue(since));
  couchdb::ChangesPage page;
  auto read = [&](std::string_view body) -> Status {
    ReadNextAhead(database, body, since, limit, call);
    SYNCAGENT_ASSIGN_OR_RETURN(page, couchdb::ParseChanges(body, options_.limits));
    return Status::Ok();
  };
  const std::string rest = ChangesRest(since_value, limit);
  const std::optional<std::string> ahead =
      read_ahead_ ? read_ahead_->Take("/" + UrlEncode(database) + rest, call.cancel)
                  : std::nullopt;
  // A page requested ahead that does not parse is requested again, as a malformed answer is.
  if (!ahead || !read(*ahead).ok()) {
    SYNCAGENT_RETURN_IF_ERROR(Call("GET", database, rest, "", call, read));
  }
  const bool same_place = page.last_seq == (since.empty() ? "0" : since);
  if (!page.rows.empty() || page.skipped > 0 || !same_place) return std::optional(std::move(page));
  // Caught up, or a server that lost its data: it answers an unknown `since` with an empty page.
  SYNCAGENT_RETURN_IF_ERROR(CheckNotReset(database, since, call));
  return std::optional<couchdb::ChangesPage>();
}

std::string CouchdbRemote::ChangesRest(const std::string& since_value, int limit) {
  return "/_changes?include_docs=true&conflicts=true&limit=" + std::to_string(limit) +
         "&since=" + UrlEncode(since_value);
}

void CouchdbRemote::ReadNextAhead(const std::string& database, std::string_view body,
                                  const std::string& since, int limit, const CallContext& call) {
  if (!read_ahead_) return;
  const std::optional<couchdb::ChangesShape> shape = couchdb::PeekChanges(body);
  // Only after a full page (the pull goes on) that moved the cursor.
  if (!shape || shape->rows < limit || shape->last_seq == since) return;
  const StatusOr<std::string> next = couchdb::SinceValue(shape->last_seq);
  if (!next.ok()) return;
  read_ahead_->Start("/" + UrlEncode(database) + ChangesRest(*next, limit), call.deadline);
}

Status CouchdbRemote::AddRivals(const std::string& database, const couchdb::ChangesPage& page,
                                std::vector<RemoteChange>* changes, const CallContext& call) {
  const std::vector<couchdb::RevisionRef> leaves_wanted = couchdb::LeavesToRead(page);
  if (leaves_wanted.empty()) return Status::Ok();
  auto read = [&](const std::string& rest, const std::vector<couchdb::RevisionRef>& wanted,
                  std::map<couchdb::RevisionRef, couchdb::RevisionBody>* out) {
    if (wanted.empty()) return Status::Ok();
    return Call("POST", database, rest, couchdb::EncodeBulkGet(wanted), call,
                Into(out, [&](std::string_view body) {
                  return couchdb::ParseBulkGet(body, wanted, options_.limits);
                }));
  };
  std::map<couchdb::RevisionRef, couchdb::RevisionBody> leaves;
  SYNCAGENT_RETURN_IF_ERROR(read("/_bulk_get?revs=true", leaves_wanted, &leaves));
  std::map<couchdb::RevisionRef, couchdb::RevisionBody> ancestors;
  SYNCAGENT_RETURN_IF_ERROR(
      read("/_bulk_get", couchdb::AncestorsToRead(page, leaves), &ancestors));
  for (size_t i = 0; i < page.rows.size(); ++i) {
    couchdb::AddRivals(page.rows[i], leaves, ancestors, &(*changes)[i]);
  }
  return Status::Ok();
}

Status CouchdbRemote::CheckNotReset(const std::string& database, const std::string& since,
                                    const CallContext& call) {
  const json seq = json::parse(since.begin(), since.end(), nullptr, /*allow_exceptions=*/false);
  if (!seq.is_number_integer() || seq.get<int64_t>() <= 0) return Status::Ok();  // CouchDB 3
  std::string reply;
  SYNCAGENT_RETURN_IF_ERROR(Call("GET", database, "", "", call, [&reply](std::string_view body) {
    reply = std::string(body);
    return Status::Ok();
  }));
  const json info = json::parse(reply, nullptr, /*allow_exceptions=*/false);
  const auto update_seq = info.is_object() ? info.find("update_seq") : info.end();
  if (!info.is_object() || update_seq == info.end() || !update_seq->is_number_integer()) {
    return Status::Ok();  // a server without integer sequences: nothing to compare
  }
  if (update_seq->get<int64_t>() >= seq.get<int64_t>()) return Status::Ok();
  reset_seen_ = true;
  return Status(StatusCode::kDataLoss,
                "database " + database + " is at update_seq " + update_seq->dump() +
                    ", before the stored last_seq " + since + ": the server lost its data",
                RetryClass::kTransient);
}

std::string CouchdbRemote::CheckpointPath() const {
  return "/_local/" + UrlEncode("syncagent-" + device_id_);
}

Status CouchdbRemote::VerifyCheckpoint(const std::string& database, const CallContext& call) {
  if (device_id_.empty() || verified_.count(database) > 0) return Status::Ok();
  std::string rev;
  const Status status = Call("GET", database, CheckpointPath(), "", call,
                             [&rev](std::string_view body) {
                               return ReadCheckpointRev(body, "_rev", &rev);
                             });
  if (status.code() == StatusCode::kFailedPrecondition) return status;  // no such database
  if (!status.ok() && session_.last_error_status() != 404) return status;
  if (!status.ok()) {
    reset_seen_ = true;
    checkpoint_revs_.erase(database);
    return Status(StatusCode::kDataLoss,
                  "database " + database + " no longer has this device's checkpoint (" +
                      CheckpointPath().substr(1) + "): the server lost its data",
                  RetryClass::kTransient);
  }
  checkpoint_revs_[database] = rev;
  verified_.insert(database);
  return Status::Ok();
}

bool CouchdbRemote::CheckpointDue(const std::string& database, const couchdb::ChangesPage& page,
                                  int limit) {
  const auto written = pages_since_checkpoint_.find(database);
  return written == pages_since_checkpoint_.end() ||
         written->second + 1 >= kPagesPerCheckpoint ||
         static_cast<int>(page.rows.size()) + page.skipped < limit;  // a short page: caught up
}

Status CouchdbRemote::WriteHeldCheckpoint(const std::string& database, const CallContext& call) {
  const auto held = held_checkpoints_.find(database);
  if (held == held_checkpoints_.end()) return Status::Ok();
  return WriteCheckpoint(database, held->second, call);
}

Status CouchdbRemote::WriteCheckpoint(const std::string& database, const std::string& last_seq,
                                      const CallContext& call) {
  auto put = [&]() {
    json doc = {{"last_seq", json::parse(last_seq, nullptr, false)}, {"device", device_id_}};
    if (auto known = checkpoint_revs_.find(database); known != checkpoint_revs_.end()) {
      doc["_rev"] = known->second;
    }
    std::string rev;
    const Status status = Call("PUT", database, CheckpointPath(), doc.dump(), call,
                               [&rev](std::string_view body) {
                                 return ReadCheckpointRev(body, "rev", &rev);
                               });
    if (status.ok()) {
      checkpoint_revs_[database] = rev;
      verified_.insert(database);  // it exists: written in this cycle
      pages_since_checkpoint_[database] = 0;
      held_checkpoints_.erase(database);
    }
    return status;
  };
  Status status = put();
  const int refused = session_.last_error_status();
  if (status.ok() || (refused != 409 && refused != 404)) return status;
  // The checkpoint is not at the revision we knew: another one is there (written by a pull whose
  // cursor was not kept: 409), or none (the server lost it: 404). Read which, then write again.
  std::string current;
  const Status read = Call("GET", database, CheckpointPath(), "", call,
                           [&current](std::string_view body) {
                             return ReadCheckpointRev(body, "_rev", &current);
                           });
  if (read.ok()) {
    checkpoint_revs_[database] = current;
  } else if (session_.last_error_status() == 404) {
    checkpoint_revs_.erase(database);
  } else {
    return read;
  }
  return put();
}

}  // namespace syncagent
