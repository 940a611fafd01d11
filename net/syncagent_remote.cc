#include "net/syncagent_remote.h"

#include <charconv>

namespace syncagent {
namespace {

RejectKind RejectKindForCode(std::string_view code) {
  if (code == "payload_too_large") return RejectKind::kPayloadTooLarge;
  if (code == "invalid_mutation" || code == "invalid_document") return RejectKind::kInvalidDocument;
  if (code == "mutation_id_reused") return RejectKind::kIdReused;
  if (code == "forbidden") return RejectKind::kForbidden;
  return RejectKind::kOther;
}

std::optional<int64_t> ParseVersion(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value < 0) return std::nullopt;
  return value;
}

}  // namespace

std::string_view RejectKindName(RejectKind kind) {
  switch (kind) {
    case RejectKind::kPayloadTooLarge: return "payload_too_large";
    case RejectKind::kInvalidDocument: return "invalid_document";
    case RejectKind::kIdReused: return "id_reused";
    case RejectKind::kForbidden: return "forbidden";
    case RejectKind::kOther: return "other";
  }
  return "other";
}

namespace {

std::string RevisionOfVersion(int64_t version) {
  return version == 0 ? std::string() : std::to_string(version);
}

StatusOr<std::optional<int64_t>> VersionOfBase(const std::optional<std::string>& base) {
  if (!base) return std::optional<int64_t>();
  if (base->empty()) return std::optional<int64_t>(0);  // "only if the server never had it"
  const auto version = ParseVersion(*base);
  if (!version || *version == 0) {
    return InvalidArgumentError("revision \"" + *base +
                                "\" is not a syncagent/1 version (a positive integer)");
  }
  return std::optional<int64_t>(*version);
}

}  // namespace

StatusOr<WireMutation> ToWire(const Mutation& m) {
  WireMutation w;
  w.mutation_id = m.mutation_id;
  w.seq = m.seq;
  w.collection = m.collection;
  w.key = m.key;
  switch (m.op) {
    case MutationOp::kPut: w.op = WireOp::kPut; break;
    case MutationOp::kPatch: w.op = WireOp::kPatch; break;
    case MutationOp::kDelete: w.op = WireOp::kDelete; break;
  }
  SYNCAGENT_ASSIGN_OR_RETURN(w.base_version, VersionOfBase(m.base_rev));
  w.data = m.data;
  w.hlc = m.hlc;
  return w;
}

RemoteChange FromWire(WireChange c) {
  RemoteChange change;
  change.collection = std::move(c.collection);
  change.key = std::move(c.key);
  change.rev = RevisionOfVersion(c.document.version);
  change.deleted = c.document.deleted;
  change.data = std::move(c.document.data);
  change.data_text = std::move(c.document.data_text);
  change.hlc = std::move(c.document.hlc);
  change.unusable = std::move(c.document.unusable);
  return change;
}

SyncagentRemote::SyncagentRemote(HttpClient* http, Clock* clock, TokenProvider* tokens,
                                 SyncagentRemoteOptions options, uint64_t seed)
    : client_(http, clock, tokens, options.client, seed), options_(std::move(options)) {}

RemoteCapabilities SyncagentRemote::capabilities() const {
  RemoteCapabilities caps;
  caps.patch = true;
  caps.skips_own_writes = options_.skip_own_writes;
  caps.conflict_includes_current = true;
  return caps;
}

void SyncagentRemote::BeginCycle(std::string_view device_id) {
  device_id_ = std::string(device_id);
  origin_.clear();
}

void SyncagentRemote::NoteFailure(const Status& status, bool push) {
  failure_ = RemoteFailure{};
  failure_.kind = RemoteFailure::Kind::kOther;
  failure_.retry_after = client_.suggested_retry_delay();
  const auto& wire = client_.last_wire_error();
  if (client_.last_reply_too_large()) {
    failure_.kind = RemoteFailure::Kind::kReplyTooLarge;
  } else if (push && status.code() == StatusCode::kResourceExhausted &&
             status.retry_class() == RetryClass::kPermanent) {
    failure_.kind = RemoteFailure::Kind::kBatchTooLarge;  // 413
  } else if (push && wire && wire->code == "mutation_id_reused" && !wire->mutation_id.empty()) {
    failure_.kind = RemoteFailure::Kind::kIdReused;
    failure_.mutation_id = wire->mutation_id;
  } else if (!push && wire && wire->code == "invalid_cursor") {
    failure_.kind = RemoteFailure::Kind::kCursorRefused;
  }
}

StatusOr<std::vector<PushAnswer>> SyncagentRemote::Push(const std::vector<Mutation>& batch,
                                                        const CallContext& call) {
  PushRequest request;
  request.client_id = device_id_;
  request.batch_id = "b-" + ids_.NewUuid();
  if (options_.skip_own_writes && origin_.empty()) {
    // Random and never stored: a restored copy of the database must not skip writes it lacks.
    origin_ = "o-" + ids_.NewUuid();
  }
  request.origin = origin_;
  request.mutations.reserve(batch.size());
  for (const Mutation& m : batch) {
    auto wire = ToWire(m);
    if (!wire.ok()) {  // a store written for another protocol: nothing to send
      failure_ = RemoteFailure{RemoteFailure::Kind::kOther, {}, Millis(0)};
      return wire.status().WithContext("mutation " + m.mutation_id + " of " + m.collection + "/" +
                                       m.key);
    }
    request.mutations.push_back(std::move(*wire));
  }
  auto response = client_.Push(request, call);
  if (!response.ok()) {
    NoteFailure(response.status(), /*push=*/true);
    return response.status();
  }
  failure_ = RemoteFailure{};
  std::vector<PushAnswer> answers;
  answers.reserve(response->results.size());
  for (size_t i = 0; i < response->results.size(); ++i) {
    PushResult& r = response->results[i];
    PushAnswer answer;
    switch (r.kind) {
      case PushResult::Kind::kApplied:
        answer.kind = PushAnswer::Kind::kApplied;
        answer.ack = AckInfo{batch[i].mutation_id, RevisionOfVersion(r.version), std::move(r.hlc)};
        break;
      case PushResult::Kind::kConflict:
        answer.kind = PushAnswer::Kind::kConflict;
        answer.current = FromWire(WireChange{batch[i].collection, batch[i].key, std::move(r.current)});
        break;
      case PushResult::Kind::kRejected:
        answer.kind = PushAnswer::Kind::kRejected;
        answer.reject = RejectKindForCode(r.code);
        answer.code = std::move(r.code);
        answer.message = std::move(r.message);
        break;
    }
    answers.push_back(std::move(answer));
  }
  return answers;
}

StatusOr<RemotePage> SyncagentRemote::Pull(const PullQuery& query, const CallContext& call) {
  PullRequest request;
  request.cursor = query.cursor;
  request.if_none_match = query.cursor_tag;
  request.limit = query.limit;
  request.collections = query.collections;
  request.max_bytes = query.max_bytes;
  if (options_.skip_own_writes) request.skip_origin = origin_;
  auto page = client_.Pull(request, call);
  if (!page.ok()) {
    NoteFailure(page.status(), /*push=*/false);
    return page.status();
  }
  failure_ = RemoteFailure{};
  RemotePage out;
  out.unchanged = page->not_modified;
  out.cursor = std::move(page->cursor);
  out.cursor_tag = std::move(page->etag);
  out.has_more = page->has_more;
  out.changes.reserve(page->changes.size());
  for (WireChange& c : page->changes) out.changes.push_back(FromWire(std::move(c)));
  return out;
}

StatusOr<RemoteChange> SyncagentRemote::Fetch(const std::string& collection,
                                              const std::string& key, const CallContext&) {
  return Status(StatusCode::kFailedPrecondition,
                "syncagent/1 has no single-document read (its conflicts carry the document): " +
                    collection + "/" + key,
                RetryClass::kPermanent);
}

RevisionOrder SyncagentRemote::CompareRevisions(std::string_view local,
                                                std::string_view remote) const {
  const auto a = ParseVersion(local);
  const auto b = ParseVersion(remote);
  // Not a syncagent/1 version: no order can be claimed, so the engine treats it as a conflict.
  if (!a || !b) return RevisionOrder::kDiverged;
  if (*a == *b) return RevisionOrder::kSame;
  return *a < *b ? RevisionOrder::kRemoteNewer : RevisionOrder::kLocalNewer;
}

}  // namespace syncagent
