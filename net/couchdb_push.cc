// CouchdbRemote::Push (net/couchdb_remote.h has the protocol): each mutation prepared as a write
// with the revision the agent computes, replays dropped (`_revs_diff`), the others decided
// against the server's winners (`_all_docs`) and written with `_bulk_docs` new_edits:false.
#include "net/couchdb_remote.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "net/couchdb_conflicts.h"
#include "net/couchdb_remote_internal.h"
#include "net/couchdb_revision.h"
#include "net/error_classes.h"

namespace syncagent {
namespace {

using couchdb_internal::Into;
using nlohmann::json;

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

// `body` (a serialised JSON object) with the members `members` ("\"name\":value,...") added.
void AppendWithMembers(std::string_view body, std::string_view members, std::string* out) {
  out->append(body.substr(0, body.size() - 1));  // without its closing brace
  out->push_back(',');
  out->append(members);
  out->push_back('}');
}

}  // namespace

// One mutation of a push on its way to the server.
struct CouchdbRemote::Write {
  const Mutation* mutation = nullptr;  // bound by PushPrepared
  PushAnswer* answer = nullptr;        // bound by PushPrepared
  std::string id;
  std::string body;  // serialised, compact: without _rev and _revisions
  std::string rev;   // the revision this write makes (couchdb::NextRevision)
  couchdb::LeafToken base;              // the leaf it goes on, and the leaves it supersedes
  std::string parent;                   // the revision `rev` is made on ("" = a new root)
  std::vector<std::string> tombstones;  // the revisions deleting base.others, in order
  bool settled = false;
};

// A `_bulk_docs` new_edits:false of writes, put together from the bodies as Prepare serialised
// them: each write's document with its revision and history, then the tombstones of the leaves
// it supersedes.
struct CouchdbRemote::BulkRequest {
  explicit BulkRequest(const std::vector<const Write*>& writes) {
    std::string& text = body.bytes;
    text = R"({"new_edits":false,"docs":[)";
    size_t size = text.size() + 2;
    for (const Write* write : writes) size += write->body.size() + 160;
    text.reserve(size);
    for (size_t w = 0; w < writes.size(); ++w) {
      const Write* write = writes[w];
      if (w > 0) text.push_back(',');
      AppendWithMembers(write->body,
                        "\"_rev\":\"" + write->rev + "\",\"_revisions\":" +
                            couchdb::RevisionsField(write->rev, write->parent).dump(),
                        &text);
      for (size_t t = 0; t < write->tombstones.size(); ++t) {
        text.push_back(',');
        text.append(json{{"_id", write->id},
                         {"_rev", write->tombstones[t]},
                         {"_deleted", true},
                         {"_revisions", couchdb::RevisionsField(write->tombstones[t],
                                                                write->base.others[t])}}
                        .dump());
      }
      ids.insert(ids.end(), 1 + write->tombstones.size(), write->id);
      owner.insert(owner.end(), 1 + write->tombstones.size(), w);
    }
    text.append("]}");
  }

  Body body{std::string()};
  std::vector<std::string> ids;  // the document of each sent entry
  std::vector<size_t> owner;     // the write each sent entry belongs to
};

// PreparePush's work: each mutation of the batch prepared, in order.
struct CouchdbRemote::Prepared final : PreparedPush {
  std::vector<std::string> mutation_ids;  // the batch it was made for
  std::vector<Write> writes;
  std::vector<Status> outcomes;  // Prepare's result per mutation
  // By collection: its whole `_bulk_docs`, encoded, when nothing else is to be asked first
  // (PrepareRequests).
  std::map<std::string, BulkRequest> requests;

  bool MadeFor(const std::vector<Mutation>& batch) const {
    return std::equal(mutation_ids.begin(), mutation_ids.end(), batch.begin(), batch.end(),
                      [](const std::string& id, const Mutation& m) { return id == m.mutation_id; });
  }
};

std::unique_ptr<PreparedPush> CouchdbRemote::PreparePush(
    const std::vector<Mutation>& batch) const {
  std::unique_ptr<Prepared> prepared = PrepareAll(batch);
  // A request that cannot be made ahead is made by the push itself (which reports why).
  if (!PrepareRequests(batch, prepared.get()).ok()) prepared->requests.clear();
  return prepared;
}

Status CouchdbRemote::PrepareRequests(const std::vector<Mutation>& batch,
                                      Prepared* prepared) const {
  std::map<std::string, std::vector<const Write*>> by_collection;
  std::set<std::string> others;  // collections with a write that needs more than `_bulk_docs`
  for (size_t i = 0; i < batch.size(); ++i) {
    const Write& write = prepared->writes[i];
    if (prepared->outcomes[i].ok() && batch[i].attempts == 0 &&
        IsNewRoot(batch[i], write.parent)) {
      by_collection[batch[i].collection].push_back(&write);
    } else {
      others.insert(batch[i].collection);
    }
  }
  for (auto& [collection, writes] : by_collection) {
    if (others.count(collection) > 0) continue;
    BulkRequest request(writes);
    HttpRequest encoded;
    encoded.body = std::move(request.body.bytes);
    SYNCAGENT_RETURN_IF_ERROR(session_.EncodeBody(&encoded));
    std::string encoding;  // what EncodeBody added
    for (const auto& [name, value] : encoded.headers) {
      if (name == "Content-Encoding") encoding = value;
    }
    request.body = Body(std::move(encoded.body), std::move(encoding));
    prepared->requests.emplace(collection, std::move(request));
  }
  return Status::Ok();
}

std::unique_ptr<CouchdbRemote::Prepared> CouchdbRemote::PrepareAll(
    const std::vector<Mutation>& batch) {
  auto prepared = std::make_unique<Prepared>();
  prepared->writes.resize(batch.size());
  prepared->outcomes.reserve(batch.size());
  prepared->mutation_ids.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    prepared->mutation_ids.push_back(batch[i].mutation_id);
    prepared->outcomes.push_back(Prepare(batch[i], &prepared->writes[i]));
  }
  return prepared;
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
  // The text the revision id is made from is the one sent.
  SYNCAGENT_ASSIGN_OR_RETURN(
      write->body, couchdb::CanonicalText(couchdb::BuildBody(
                       write->id, deleted ? json() : m.data, nullptr, deleted)));
  write->base = couchdb::ParseLeafToken(m.base_rev.value_or(""));
  write->parent = write->base.on;
  if (!m.base_rev && !deleted) write->parent = CreateParent(m.document_rev);
  SYNCAGENT_ASSIGN_OR_RETURN(write->rev, couchdb::NextRevisionOfText(write->parent, write->body));
  for (const std::string& leaf : write->base.others) {
    SYNCAGENT_ASSIGN_OR_RETURN(std::string tombstone,
                               couchdb::TombstoneRevision(leaf, write->id));
    write->tombstones.push_back(std::move(tombstone));
  }
  return Status::Ok();
}

StatusOr<std::vector<PushAnswer>> CouchdbRemote::Push(const std::vector<Mutation>& batch,
                                                      const CallContext& call) {
  return PushPrepared(batch, nullptr, call);
}

StatusOr<std::vector<PushAnswer>> CouchdbRemote::PushPrepared(
    const std::vector<Mutation>& batch, std::unique_ptr<PreparedPush> prepared,
    const CallContext& call) {
  failure_ = RemoteFailure{};
  auto* ready = dynamic_cast<Prepared*>(prepared.get());
  std::unique_ptr<Prepared> made_now;
  if (ready == nullptr || !ready->MadeFor(batch)) {
    made_now = PrepareAll(batch);
    ready = made_now.get();
  }
  std::vector<PushAnswer> answers(batch.size());
  std::map<std::string, std::vector<Write>> by_collection;
  for (size_t i = 0; i < batch.size(); ++i) {
    Write write = std::move(ready->writes[i]);
    write.mutation = &batch[i];
    write.answer = &answers[i];
    const Status& outcome = ready->outcomes[i];
    if (outcome.code() == StatusCode::kInternal) {
      failure_.kind = RemoteFailure::Kind::kOther;
      return outcome;
    }
    if (!outcome.ok()) {
      answers[i] = Rejected(RejectKind::kInvalidDocument, "invalid_document", outcome.message());
      continue;
    }
    by_collection[batch[i].collection].push_back(std::move(write));
  }
  for (auto& [collection, writes] : by_collection) {
    const auto request = ready->requests.find(collection);
    const Status status = PushCollection(
        collection, writes, call, request == ready->requests.end() ? nullptr : &request->second);
    if (!status.ok()) {
      NoteFailure(/*push=*/true);
      return session_.Redact(status);
    }
  }
  return answers;
}

Status CouchdbRemote::PushCollection(const std::string& collection, std::vector<Write>& writes,
                                     const CallContext& call, const BulkRequest* prebuilt) {
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
  if (pending.empty()) {
    // Every write a new root on a first attempt: the request PreparePush made, when it did.
    const bool whole = prebuilt != nullptr && to_write.size() == writes.size();
    return WriteReplicated(collection, to_write, call, whole ? prebuilt : nullptr);
  }
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
          std::string kept;
          AppendWithMembers(write.body, "\"_attachments\":" + state.doc->attachments.dump(),
                            &kept);
          write.body = std::move(kept);
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
                                      std::vector<Write*>& writes, const CallContext& call,
                                      const BulkRequest* prebuilt) {
  if (writes.empty()) return Status::Ok();
  const std::string database = DatabaseOf(collection);
  std::optional<BulkRequest> made;
  if (prebuilt == nullptr) made.emplace(std::vector<const Write*>(writes.begin(), writes.end()));
  const BulkRequest& request = prebuilt != nullptr ? *prebuilt : *made;
  const std::vector<std::string>& ids = request.ids;
  const std::vector<size_t>& owner = request.owner;
  std::vector<std::optional<couchdb::BulkDocsEntry>> entries;
  const Status sent = Call("POST", database, "/_bulk_docs", request.body, call,
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

}  // namespace syncagent
