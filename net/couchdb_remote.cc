#include "net/couchdb_remote.h"

#include <openssl/evp.h>

#include <algorithm>
#include <functional>
#include <utility>

#include "net/couchdb_conflicts.h"
#include "net/couchdb_revision.h"
#include "net/error_classes.h"
#include "net/wire_json.h"

namespace syncagent {
namespace {

using nlohmann::json;

std::string Base64(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()),
                                static_cast<int>(data.size()));
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

// "error: reason" of a CouchDB error body, for HttpSession's messages; "" when it is not one.
std::string DescribeCouchError(std::string_view body) {
  const json parsed = json::parse(body.begin(), body.end(), nullptr, false);
  if (!parsed.is_object()) return "";
  auto error = parsed.find("error");
  if (error == parsed.end() || !error->is_string()) return "";
  std::string text = error->get<std::string>();
  auto reason = parsed.find("reason");
  if (reason != parsed.end() && reason->is_string()) text += ": " + reason->get<std::string>();
  return wire::ServerText(std::move(text));
}

HttpSessionOptions SessionOptions(const CouchdbRemoteOptions& options) {
  HttpSessionOptions session = options.session;
  session.headers.emplace_back("Accept", "application/json");
  if (!options.username.empty()) {
    session.headers.emplace_back("Authorization",
                                 BasicAuthorization(options.username, options.password));
  }
  if (!session.describe_error) session.describe_error = DescribeCouchError;
  return session;
}

// A 404 that says the database is missing (PouchDB Server: "no_db_file"; CouchDB: "Database does
// not exist."), not one of its documents ("missing", "deleted").
bool MissingDatabase(int status, std::string_view body) {
  if (status != 404) return false;
  const json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  const auto reason = parsed.is_object() ? parsed.find("reason") : parsed.end();
  if (!parsed.is_object() || reason == parsed.end() || !reason->is_string()) return true;
  return *reason == "no_db_file" || *reason == "Database does not exist.";
}

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

// The parent of a create: the revision the device last knew for the document, when it names one.
// A create after a delete so continues the document's history from the tombstone (CouchDB's own
// PUT without _rev does the same): a second root, of a lower generation, would be taken for an
// older version by every device that holds the tombstone. "" (a new root) when the device knew
// no revision.
std::string CreateParent(const std::string& document_rev) {
  std::string known = couchdb::ParseLeafToken(document_rev).on;
  return couchdb::ParseRevision(known) ? known : std::string();
}

// A put of a document the device never knew a revision of: a new root, written without reading
// the server's state first. Should the server hold a live version already (another device
// created the same key), the two are conflicting leaves, which the pull that follows the push
// meets as a contested document and settles by the policy, as CouchDB replication does; a
// deleted one loses to the new live leaf. Anything else needs the server's winner first (a stale
// base, a delete, the attachments an edit keeps).
bool IsNewRoot(const Mutation& m, const std::string& parent) {
  return m.op == MutationOp::kPut && !m.base_rev && parent.empty();
}

PushAnswer Applied(const Mutation& m, std::string rev) {
  PushAnswer answer;
  answer.kind = PushAnswer::Kind::kApplied;
  answer.ack.mutation_id = m.mutation_id;
  answer.ack.server_rev = std::move(rev);
  return answer;
}

PushAnswer Rejected(RejectKind kind, std::string code, std::string message) {
  PushAnswer answer;
  answer.kind = PushAnswer::Kind::kRejected;
  answer.reject = kind;
  answer.code = std::move(code);
  answer.message = std::move(message);
  return answer;
}

PushAnswer Conflict(RemoteChange current) {
  PushAnswer answer;
  answer.kind = PushAnswer::Kind::kConflict;
  answer.current = std::move(current);
  return answer;
}

// What to do with a write, given the server's winning revision of its document (and its
// conflicting leaves) and the write's base.
enum class Decision { kWrite, kAlreadyDone, kConflict };

Decision Decide(const Mutation& m, const couchdb::LeafToken& base, const std::string& rev,
                const couchdb::DocumentState& state) {
  // The server's winner is this very revision: an earlier attempt wrote it (its answer lost), or
  // another device made the same write on the same parent (revision ids are deterministic).
  if (state.exists && state.rev == rev) return Decision::kAlreadyDone;
  const bool live = state.exists && !state.deleted;
  if (!base.others.empty()) {
    // A resolution of a contested document: it goes on when the server has no live leaf it
    // has not seen.
    if (!live) return m.op == MutationOp::kDelete ? Decision::kAlreadyDone : Decision::kConflict;
    return couchdb::CoversLiveLeaves(base, state) ? Decision::kWrite : Decision::kConflict;
  }
  if (m.op == MutationOp::kDelete) {
    if (!live) return Decision::kAlreadyDone;  // never had it, or deleted it already
    return m.base_rev && *m.base_rev == state.rev ? Decision::kWrite : Decision::kConflict;
  }
  if (!m.base_rev) return live ? Decision::kConflict : Decision::kWrite;  // a create
  if (m.base_rev->empty()) return state.exists ? Decision::kConflict : Decision::kWrite;
  return state.exists && state.rev == *m.base_rev ? Decision::kWrite : Decision::kConflict;
}

}  // namespace

// One mutation of a push on its way to the server.
struct CouchdbRemote::Write {
  const Mutation* mutation = nullptr;
  PushAnswer* answer = nullptr;
  std::string id;
  json body;        // without _rev and _revisions
  std::string rev;  // the revision this write makes (couchdb::NextRevision)
  couchdb::LeafToken base;              // the leaf it goes on, and the leaves it supersedes
  std::string parent;                   // the revision `rev` is made on ("" = a new root)
  std::vector<std::string> tombstones;  // the revisions deleting base.others, in order
  bool settled = false;
};

namespace {

// A decoder for Call() that parses the body with `parse` into `*out`.
template <typename T, typename Parse>
std::function<Status(std::string_view)> Into(T* out, Parse parse) {
  return [out, parse](std::string_view body) -> Status {
    auto parsed = parse(body);
    if (!parsed.ok()) return parsed.status();
    *out = std::move(parsed).value();
    return Status::Ok();
  };
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

std::string BasicAuthorization(std::string_view username, std::string_view password) {
  std::string credentials(username);
  credentials += ':';
  credentials += password;
  return "Basic " + Base64(credentials);
}

CouchdbRemote::CouchdbRemote(HttpClient* http, Clock* clock, TokenProvider* tokens,
                             CouchdbRemoteOptions options, uint64_t seed)
    : session_(http, clock, tokens, SessionOptions(options), seed), options_(std::move(options)) {
  options_.password.clear();  // it lives on only in the (redacted) Authorization header
}

void CouchdbRemote::BeginCycle(std::string_view device_id) {
  device_id_ = std::string(device_id);
  verified_.clear();
}

RemoteCapabilities CouchdbRemote::capabilities() const {
  RemoteCapabilities caps;
  caps.patch = false;                     // CouchDB has no patch: whole bodies
  caps.skips_own_writes = false;          // a feed cannot leave out one device's writes
  caps.conflict_includes_current = true;  // the push read it (_all_docs include_docs)
  // `_changes` lists each document once, with its winning leaf as the server holds it now; a
  // live leaf wins over a deleted one whatever their generations.
  caps.pulls_current_versions = true;
  return caps;
}

Status CouchdbRemote::CheckLocalWrite(std::string_view collection, std::string_view key,
                                      const json& data) const {
  (void)collection;
  const StatusOr<std::string> id = couchdb::DocumentIdOf(key);
  if (!id.ok()) return id.status();
  if (data.is_null()) return Status::Ok();  // a delete
  return couchdb::CheckWritableData(data);
}

bool CouchdbRemote::NeedsWriteBack(std::string_view rev) const {
  return !couchdb::ParseLeafToken(rev).others.empty();
}

RevisionOrder CouchdbRemote::CompareRevisions(std::string_view local,
                                              std::string_view remote) const {
  return couchdb::CompareRevisions(local, remote);
}

std::string CouchdbRemote::DatabaseOf(std::string_view collection) const {
  auto it = options_.databases.find(collection);
  return it == options_.databases.end() ? std::string(collection) : it->second;
}

Status CouchdbRemote::Call(const std::string& method, const std::string& database,
                           const std::string& rest, const std::string& body,
                           const CallContext& call,
                           const std::function<Status(std::string_view)>& decode) {
  const std::string path = "/" + UrlEncode(database) + rest;
  for (bool created = false;; created = true) {
    HttpRequest request = session_.NewRequest(method, path);
    if (!body.empty()) {
      request.headers.emplace_back("Content-Type", "application/json");
      request.body = body;
    }
    Status status = session_.Exchange(
        std::move(request), call,
        [&decode](HttpResponse& response) { return decode(response.body); },
        /*retry_too_large=*/rest == "/_bulk_docs");  // a write's lost answer is replayed
    if (status.ok() || !MissingDatabase(session_.last_error_status(), session_.last_error_body())) {
      return status;
    }
    if (!options_.create_databases || created) {
      return FailedPreconditionError("database " + database +
                                     " does not exist on the server; create it or set "
                                     "server.couchdb.create_databases");
    }
    SYNCAGENT_RETURN_IF_ERROR(CreateDatabase(database, call));
  }
}

Status CouchdbRemote::CreateDatabase(const std::string& database, const CallContext& call) {
  Status status = session_.Exchange(
      session_.NewRequest("PUT", "/" + UrlEncode(database)), call,
      [](HttpResponse&) { return Status::Ok(); }, /*retry_too_large=*/false);
  // 412: someone created it in the meantime.
  if (status.ok() || session_.last_error_status() == 412) return Status::Ok();
  return status.WithContext("creating database " + database);
}

StatusOr<std::vector<couchdb::DocumentState>> CouchdbRemote::States(
    const std::string& database, const std::vector<std::string>& ids, const CallContext& call) {
  std::vector<couchdb::DocumentState> states;
  SYNCAGENT_RETURN_IF_ERROR(
      Call("POST", database, "/_all_docs?include_docs=true&conflicts=true",
           json{{"keys", ids}}.dump(), call,
           Into(&states, [&](std::string_view body) {
             return couchdb::ParseAllDocs(body, ids, options_.limits);
           })));
  return states;
}

// The document id, body, revision, base and tombstones of `m`; an error is the mutation's own
// fault.
Status CouchdbRemote::Prepare(const Mutation& m, Write* write) {
  if (m.op == MutationOp::kPatch) {
    return InternalError("a patch reached a remote without patches (capabilities().patch)");
  }
  SYNCAGENT_ASSIGN_OR_RETURN(write->id, couchdb::DocumentIdOf(m.key));
  const bool deleted = m.op == MutationOp::kDelete;
  if (!deleted) SYNCAGENT_RETURN_IF_ERROR(couchdb::CheckWritableData(m.data));
  write->body = couchdb::BuildBody(write->id, deleted ? json() : m.data, nullptr, deleted);
  write->base = couchdb::ParseLeafToken(m.base_rev.value_or(""));
  write->parent = write->base.on;
  if (!m.base_rev && !deleted) write->parent = CreateParent(m.document_rev);
  SYNCAGENT_ASSIGN_OR_RETURN(write->rev, couchdb::NextRevision(write->parent, write->body));
  for (const std::string& leaf : write->base.others) {
    SYNCAGENT_ASSIGN_OR_RETURN(std::string tombstone,
                               couchdb::TombstoneRevision(leaf, write->id));
    write->tombstones.push_back(std::move(tombstone));
  }
  return Status::Ok();
}

StatusOr<std::vector<PushAnswer>> CouchdbRemote::Push(const std::vector<Mutation>& batch,
                                                      const CallContext& call) {
  failure_ = RemoteFailure{};
  std::vector<PushAnswer> answers(batch.size());
  std::map<std::string, std::vector<Write>> by_collection;
  for (size_t i = 0; i < batch.size(); ++i) {
    Write write;
    write.mutation = &batch[i];
    write.answer = &answers[i];
    const Status prepared = Prepare(batch[i], &write);
    if (prepared.code() == StatusCode::kInternal) {
      failure_.kind = RemoteFailure::Kind::kOther;
      return prepared;
    }
    if (!prepared.ok()) {
      answers[i] = Rejected(RejectKind::kInvalidDocument, "invalid_document", prepared.message());
      continue;
    }
    by_collection[batch[i].collection].push_back(std::move(write));
  }
  for (auto& [collection, writes] : by_collection) {
    const Status status = PushCollection(collection, writes, call);
    if (!status.ok()) {
      NoteFailure(/*push=*/true);
      return session_.Redact(status);
    }
  }
  return answers;
}

Status CouchdbRemote::PushCollection(const std::string& collection, std::vector<Write>& writes,
                                     const CallContext& call) {
  const std::string database = DatabaseOf(collection);
  SYNCAGENT_RETURN_IF_ERROR(DropReplays(database, writes, call));
  std::vector<Write*> pending;
  std::vector<std::string> ids;
  std::vector<Write*> to_write;
  for (Write& write : writes) {
    if (write.settled) continue;
    if (IsNewRoot(*write.mutation, write.parent)) {
      to_write.push_back(&write);
      continue;
    }
    pending.push_back(&write);
    ids.push_back(write.id);
  }
  if (pending.empty()) return WriteReplicated(collection, to_write, call);
  SYNCAGENT_ASSIGN_OR_RETURN(std::vector<couchdb::DocumentState> states,
                             States(database, ids, call));
  for (size_t i = 0; i < pending.size(); ++i) {
    Write& write = *pending[i];
    const couchdb::DocumentState& state = states[i];
    switch (Decide(*write.mutation, write.base, write.rev, state)) {
      case Decision::kWrite:
        // An edit keeps the attachments (stubs) of the revision it replaces.
        if (state.doc && !state.doc->attachments.is_null() && !state.deleted &&
            write.mutation->op == MutationOp::kPut) {
          write.body["_attachments"] = state.doc->attachments;
        }
        to_write.push_back(&write);
        break;
      case Decision::kAlreadyDone:
        *write.answer = Applied(*write.mutation, state.exists ? state.rev : "");
        break;
      case Decision::kConflict:
        *write.answer = Conflict(couchdb::ToRemoteChange(collection, write.mutation->key, state));
        break;
    }
  }
  return WriteReplicated(collection, to_write, call);
}

Status CouchdbRemote::DropReplays(const std::string& database, std::vector<Write>& writes,
                                  const CallContext& call) {
  // Only a mutation sent before can be on the server already (TakeBatch marks a batch attempted
  // before it goes out): a batch of first attempts skips the round trip.
  const bool replays = std::any_of(writes.begin(), writes.end(), [](const Write& write) {
    return write.mutation->attempts > 0;
  });
  if (!replays) return Status::Ok();
  std::map<std::string, std::vector<std::string>> asked;
  for (const Write& write : writes) {
    std::vector<std::string>& revs = asked[write.id];
    revs.push_back(write.rev);
    revs.insert(revs.end(), write.tombstones.begin(), write.tombstones.end());
  }
  if (asked.empty()) return Status::Ok();
  std::map<std::string, std::vector<std::string>> missing;
  SYNCAGENT_RETURN_IF_ERROR(Call("POST", database, "/_revs_diff", couchdb::EncodeRevsDiff(asked),
                                 call, Into(&missing, [&asked](std::string_view body) {
                                   return couchdb::ParseRevsDiff(body, asked);
                                 })));
  for (Write& write : writes) {
    if (missing.count(write.id) > 0) continue;
    // The server has this very revision (and its tombstones): an earlier attempt wrote it and
    // its answer was lost.
    *write.answer = Applied(*write.mutation, write.rev);
    write.settled = true;
  }
  return Status::Ok();
}

Status CouchdbRemote::WriteReplicated(const std::string& collection,
                                      std::vector<Write*>& writes, const CallContext& call) {
  if (writes.empty()) return Status::Ok();
  const std::string database = DatabaseOf(collection);
  json docs = json::array();
  std::vector<std::string> ids;
  std::vector<size_t> owner;  // the write each sent document belongs to
  for (size_t w = 0; w < writes.size(); ++w) {
    const Write* write = writes[w];
    json doc = write->body;
    doc["_rev"] = write->rev;
    doc["_revisions"] = couchdb::RevisionsField(write->rev, write->parent);
    docs.push_back(std::move(doc));
    // A resolution deletes the leaves it supersedes in the same request.
    for (size_t t = 0; t < write->tombstones.size(); ++t) {
      docs.push_back({{"_id", write->id},
                      {"_rev", write->tombstones[t]},
                      {"_deleted", true},
                      {"_revisions", couchdb::RevisionsField(write->tombstones[t],
                                                             write->base.others[t])}});
    }
    ids.insert(ids.end(), 1 + write->tombstones.size(), write->id);
    owner.insert(owner.end(), 1 + write->tombstones.size(), w);
  }
  std::vector<std::optional<couchdb::BulkDocsEntry>> entries;
  const Status sent = Call("POST", database, "/_bulk_docs",
                           json{{"new_edits", false}, {"docs", std::move(docs)}}.dump(), call,
                           Into(&entries, [&ids](std::string_view body) {
                             return couchdb::ParseBulkDocs(body, ids, /*new_edits=*/false);
                           }));
  if (!sent.ok()) {
    if (session_.last_error_status() != 400) return sent;
    // A 400 refuses the whole batch without naming the document (PouchDB Server): one by one,
    // the document it is about is found and rejected, and the others are written.
    if (writes.size() == 1) {
      *writes[0]->answer = Rejected(RejectKind::kInvalidDocument, "bad_request",
                                    "database " + database + ": the server refused " +
                                        writes[0]->id + ": " + sent.message());
      return Status::Ok();
    }
    for (Write* write : writes) {
      std::vector<Write*> one = {write};
      SYNCAGENT_RETURN_IF_ERROR(WriteReplicated(collection, one, call));
    }
    return Status::Ok();
  }
  // A write is refused when one of its documents is (the first refusal names it).
  std::vector<const couchdb::BulkDocsEntry*> refusals(writes.size(), nullptr);
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i] && !entries[i]->ok && !refusals[owner[i]]) refusals[owner[i]] = &*entries[i];
  }
  for (size_t i = 0; i < writes.size(); ++i) {
    Write& write = *writes[i];
    if (refusals[i] == nullptr) {
      *write.answer = Applied(*write.mutation, write.rev);
      continue;
    }
    const couchdb::BulkDocsEntry& entry = *refusals[i];
    const std::string what = "database " + database + ": the server refused " + write.id + ": " +
                             entry.error + (entry.reason.empty() ? "" : " (" + entry.reason + ")");
    if (entry.error == "unauthorized") {
      return Status(StatusCodeForHttpStatus(401), what, RetryClassForHttpStatus(401));
    }
    const RejectKind kind =
        entry.error == "forbidden" ? RejectKind::kForbidden : RejectKind::kOther;
    *write.answer = Rejected(kind, entry.error, what);
  }
  return Status::Ok();
}

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
    if (!page->has_value()) continue;
    const couchdb::ChangesPage& read = **page;
    auto changes = couchdb::ToRemoteChanges(collection, read);
    if (!changes.ok()) return FailRead(changes.status());
    const Status contested = AddRivals(database, read, &*changes, call);
    if (!contested.ok()) return FailRead(contested);
    if (!device_id_.empty()) {
      const Status written = WriteCheckpoint(database, read.last_seq, call);
      if (!written.ok()) return FailRead(written);
      MarkCheckpointed(cursor, collection);
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
  SYNCAGENT_RETURN_IF_ERROR(Call("GET", database,
                                 "/_changes?include_docs=true&conflicts=true&limit=" +
                                     std::to_string(limit) +
                                     "&since=" + UrlEncode(since_value),
                                 "", call, Into(&page, [this](std::string_view body) {
                                   return couchdb::ParseChanges(body, options_.limits);
                                 })));
  const bool same_place = page.last_seq == (since.empty() ? "0" : since);
  if (!page.rows.empty() || page.skipped > 0 || !same_place) return std::optional(std::move(page));
  // Caught up, or a server that lost its data: it answers an unknown `since` with an empty page.
  SYNCAGENT_RETURN_IF_ERROR(CheckNotReset(database, since, call));
  return std::optional<couchdb::ChangesPage>();
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
    if (status.ok()) checkpoint_revs_[database] = rev;
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

StatusOr<RemoteChange> CouchdbRemote::Fetch(const std::string& collection, const std::string& key,
                                            const CallContext& call) {
  failure_ = RemoteFailure{};
  SYNCAGENT_ASSIGN_OR_RETURN(const std::string id, couchdb::DocumentIdOf(key));
  auto states = States(DatabaseOf(collection), {id}, call);
  if (!states.ok()) return FailRead(states.status());
  return couchdb::ToRemoteChange(collection, key, states->front());
}

Status CouchdbRemote::FailRead(const Status& status) {
  NoteFailure(/*push=*/false);
  return session_.Redact(status);
}

void CouchdbRemote::NoteFailure(bool push) {
  failure_ = RemoteFailure{};
  failure_.kind = RemoteFailure::Kind::kOther;
  failure_.retry_after = session_.suggested_retry_delay();
  if (reset_seen_) {
    failure_.kind = RemoteFailure::Kind::kCursorRefused;
  } else if (session_.last_reply_too_large()) {
    failure_.kind = RemoteFailure::Kind::kReplyTooLarge;
  } else if (push && session_.last_error_status() == 413) {
    failure_.kind = RemoteFailure::Kind::kBatchTooLarge;
  }
}

}  // namespace syncagent
