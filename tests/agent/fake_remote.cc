#include "tests/agent/fake_remote.h"

#include <algorithm>
#include <charconv>

#include "platform/cancel_token.h"
#include "storage/json_merge_patch.h"

namespace syncagent::testing {
using nlohmann::json;

// --- Remote ---

RemoteCapabilities FakeRemote::capabilities() const {
  NoteUse();
  return caps_;
}

void FakeRemote::BeginCycle(std::string_view device_id) {
  NoteUse();
  ++cycles_begun_;
  device_id_ = std::string(device_id);
}

void FakeRemote::EndCycle() {
  NoteUse();
  ++cycles_ended_;
  calls_at_cycle_end_ = calls_.size();
}

void FakeRemote::DistrustOwnWrites() {
  NoteUse();
  ++distrusted_;
}

const RemoteFailure& FakeRemote::last_failure() const {
  NoteUse();
  return failure_;
}

const TransferStats& FakeRemote::stats() const {
  NoteUse();
  return stats_;
}

void FakeRemote::NoteUse() const {
  if (in_call_) ++overlapping_uses_;
}

StatusOr<std::vector<PushAnswer>> FakeRemote::Push(const std::vector<Mutation>& batch,
                                                   const CallContext& context) {
  InCall in_call(this);
  if (push_hook_) push_hook_(CallsOf(CallKind::kPush).size(), batch);
  return DoPush(batch, context, Prepared::kNothing);
}

namespace {

struct FakePrepared final : PreparedPush {
  std::vector<std::string> mutation_ids;
};

}  // namespace

std::unique_ptr<PreparedPush> FakeRemote::PreparePush(const std::vector<Mutation>& batch) const {
  auto prepared = std::make_unique<FakePrepared>();
  for (const Mutation& m : batch) prepared->mutation_ids.push_back(m.mutation_id);
  return prepared;
}

StatusOr<std::vector<PushAnswer>> FakeRemote::PushPrepared(const std::vector<Mutation>& batch,
                                                           std::unique_ptr<PreparedPush> prepared,
                                                           const CallContext& context) {
  InCall in_call(this);
  if (push_hook_) push_hook_(CallsOf(CallKind::kPush).size(), batch);
  Prepared kind = Prepared::kNothing;
  if (const auto* made = dynamic_cast<const FakePrepared*>(prepared.get())) {
    std::vector<std::string> ids;
    for (const Mutation& m : batch) ids.push_back(m.mutation_id);
    kind = made->mutation_ids == ids ? Prepared::kForItsBatch : Prepared::kForAnotherBatch;
  }
  return DoPush(batch, context, kind);
}

StatusOr<RemotePage> FakeRemote::Pull(const PullQuery& query, const CallContext& context) {
  InCall in_call(this);
  return DoPull(query, context);
}

StatusOr<std::vector<PushAnswer>> FakeRemote::DoPush(const std::vector<Mutation>& batch,
                                                     const CallContext& context,
                                                     Prepared prepared) {
  Call& call = StartCall(CallKind::kPush);
  call.prepared = prepared;
  for (const Mutation& m : batch) call.mutation_ids.push_back(m.mutation_id);
  if (auto cut = Interrupted(context)) return *cut;
  const std::optional<Scripted> scripted = TakeScripted(CallKind::kPush);
  if (scripted && !scripted->lose_answer) return Failed(scripted->status, scripted->failure);

  if (auto refused = Refused(batch)) return *refused;
  std::vector<PushAnswer> answers;
  answers.reserve(batch.size());
  for (const Mutation& m : batch) answers.push_back(Answer(m));
  if (scripted) return Failed(scripted->status, scripted->failure);  // applied, answer lost
  std::vector<PushAnswer> reply = Reply(std::move(answers));
  if (const int64_t bytes = ReplyBytes(reply); max_reply_bytes_ > 0 && bytes > max_reply_bytes_) {
    return Failed(ReplyTooLarge(bytes), RemoteFailure::Kind::kReplyTooLarge);
  }
  Succeeded();
  return reply;
}

StatusOr<RemotePage> FakeRemote::DoPull(const PullQuery& query, const CallContext& context) {
  Call& call = StartCall(CallKind::kPull);
  call.query = query;
  if (auto cut = Interrupted(context)) return *cut;
  if (auto scripted = TakeScripted(CallKind::kPull)) {
    return Failed(scripted->status, scripted->failure);
  }
  const std::optional<int64_t> after = ParseCursor(query.cursor);
  if (!after) {
    return Failed(Status(StatusCode::kInvalidArgument,
                         "invalid_cursor: " + query.cursor + " is not a cursor of this server",
                         RetryClass::kPermanent),
                  RemoteFailure::Kind::kCursorRefused);
  }
  if (query.limit < 1) {
    return Failed(Status(StatusCode::kInvalidArgument, "invalid_request: limit < 1",
                         RetryClass::kPermanent),
                  RemoteFailure::Kind::kOther);
  }
  const std::vector<const ServerDoc*> changed = ChangedAfter(*after, query.collections);
  RemotePage page;
  if (changed.empty() && !query.cursor_tag.empty() &&
      query.cursor_tag == TagOf(query.cursor, query.collections)) {
    page.unchanged = true;
  } else {
    const size_t n = std::min(changed.size(), static_cast<size_t>(query.limit));
    int64_t page_bytes = 0;
    for (size_t i = 0; i < n; ++i) {
      page.changes.push_back(ChangeOf(*changed[i]));
      page_bytes += ItemBytes(page.changes.back().data);
    }
    if (max_reply_bytes_ > 0 && page_bytes > max_reply_bytes_) {
      return Failed(ReplyTooLarge(page_bytes), RemoteFailure::Kind::kReplyTooLarge);
    }
    page.has_more = changed.size() > n;
    // An empty page's cursor moves to the head of the log (it covers "nothing up to now").
    page.cursor = Cursor(n > 0 ? changed[n - 1]->seq : head_);
    page.cursor_tag = TagOf(page.cursor, query.collections);
  }
  call.page = page;
  Succeeded();
  return page;
}

StatusOr<RemoteChange> FakeRemote::Fetch(const std::string& collection, const std::string& key,
                                         const CallContext& context) {
  InCall in_call(this);
  Call& call = StartCall(CallKind::kFetch);
  call.document = collection + "/" + key;
  if (auto cut = Interrupted(context)) return *cut;
  if (auto scripted = TakeScripted(CallKind::kFetch)) {
    return Failed(scripted->status, scripted->failure);
  }
  Succeeded();
  return CurrentOf(collection, key);
}

RevisionOrder FakeRemote::CompareRevisions(std::string_view local,
                                           std::string_view remote) const {
  // The fake's revisions are its versions in decimal, without leading zeros: the longer text is
  // the larger number, and equal lengths compare as text.
  if (local == remote) return RevisionOrder::kSame;
  const bool remote_newer =
      local.size() != remote.size() ? local.size() < remote.size() : local < remote;
  return remote_newer ? RevisionOrder::kRemoteNewer : RevisionOrder::kLocalNewer;
}

// --- The server, written by "another device" ---

int64_t FakeRemote::ServerPut(const std::string& collection, const std::string& key, json data,
                              std::string hlc) {
  return Write(collection, key, /*deleted=*/false, std::move(data), std::move(hlc));
}

int64_t FakeRemote::ServerDelete(const std::string& collection, const std::string& key,
                                 std::string hlc) {
  return Write(collection, key, /*deleted=*/true, nullptr, std::move(hlc));
}

int64_t FakeRemote::SetUnusable(const std::string& collection, const std::string& key,
                                std::string reason) {
  const int64_t version = Write(collection, key, /*deleted=*/false, json::object(), "");
  docs_[DocId{collection, key}].unusable = std::move(reason);
  return version;
}

std::optional<FakeRemote::ServerDoc> FakeRemote::ServerGet(const std::string& collection,
                                                           const std::string& key) const {
  auto it = docs_.find(DocId{collection, key});
  if (it == docs_.end()) return std::nullopt;
  return it->second;
}

void FakeRemote::LoseAllData() {
  docs_.clear();
  remembered_.clear();
  head_ = 0;
  ++epoch_;
}

int FakeRemote::EffectsOf(const std::string& mutation_id) const {
  auto it = effects_.find(mutation_id);
  return it == effects_.end() ? 0 : it->second;
}

void FakeRemote::PoisonMutationId(const std::string& mutation_id) {
  remembered_[mutation_id] = Remembered{json{{"another", "payload"}}, PushAnswer{}};
}

// --- The script ---

void FakeRemote::FailNext(CallKind call, Status status, RemoteFailure::Kind kind,
                          Millis retry_after) {
  Scripted step;
  step.status = std::move(status);
  step.failure.kind = kind;
  step.failure.retry_after = retry_after;
  scripted_[call].push_back(std::move(step));
}

void FakeRemote::PassNext(CallKind call) {
  Scripted step;
  step.pass = true;
  scripted_[call].push_back(std::move(step));
}

void FakeRemote::LoseNextPushAnswer() {
  FailNext(CallKind::kPush,
           UnavailableError("the connection broke after the request was sent (answer lost)"));
  scripted_[CallKind::kPush].back().lose_answer = true;
}

void FakeRemote::RejectNextWrite(const std::string& collection, const std::string& key,
                                 RejectKind kind, std::string code, std::string message) {
  PushAnswer answer;
  answer.kind = PushAnswer::Kind::kRejected;
  answer.reject = kind;
  answer.code = std::move(code);
  answer.message = std::move(message);
  rules_[DocId{collection, key}].push_back(std::move(answer));
}

void FakeRemote::ConflictNextWrite(const std::string& collection, const std::string& key) {
  PushAnswer answer;
  answer.kind = PushAnswer::Kind::kConflict;
  rules_[DocId{collection, key}].push_back(std::move(answer));
}

// --- The call log ---

std::vector<const FakeRemote::Call*> FakeRemote::CallsOf(CallKind kind) const {
  std::vector<const Call*> out;
  for (const Call& call : calls_) {
    if (call.kind == kind) out.push_back(&call);
  }
  return out;
}

std::vector<size_t> FakeRemote::PushSizes() const {
  std::vector<size_t> out;
  for (const Call* call : CallsOf(CallKind::kPush)) out.push_back(call->mutation_ids.size());
  return out;
}

std::vector<int> FakeRemote::PullLimits() const {
  std::vector<int> out;
  for (const Call* call : CallsOf(CallKind::kPull)) out.push_back(call->query.limit);
  return out;
}

// --- Calls ---

FakeRemote::Call& FakeRemote::StartCall(CallKind kind) {
  calls_.push_back(Call{});
  calls_.back().kind = kind;
  clock_->Advance(latency_);
  ++stats_.requests;
  if (latency_.count() > 0) stats_.smoothed_rtt = latency_;
  return calls_.back();
}

std::optional<Status> FakeRemote::Interrupted(const CallContext& context) {
  if (context.cancel && context.cancel->IsCancelled()) {
    return Failed(CancelledError("cancelled"), RemoteFailure::Kind::kOther);
  }
  if (context.deadline && clock_->Now() > *context.deadline) {
    return Failed(DeadlineExceededError("the request did not finish before the deadline"),
                  RemoteFailure::Kind::kOther);
  }
  return std::nullopt;
}

std::optional<FakeRemote::Scripted> FakeRemote::TakeScripted(CallKind kind) {
  std::deque<Scripted>& queue = scripted_[kind];
  if (queue.empty()) return std::nullopt;
  Scripted step = std::move(queue.front());
  queue.pop_front();
  if (step.pass) return std::nullopt;
  return step;
}

Status FakeRemote::Failed(Status status, RemoteFailure failure) {
  failure_ = std::move(failure);
  calls_.back().ok = false;
  return status;
}

Status FakeRemote::Failed(Status status, RemoteFailure::Kind kind) {
  RemoteFailure failure;
  failure.kind = kind;
  return Failed(std::move(status), std::move(failure));
}

void FakeRemote::Succeeded() { failure_ = RemoteFailure{}; }

Status FakeRemote::ReplyTooLarge(int64_t bytes) const {
  return Status(StatusCode::kResourceExhausted,
                "the reply's " + std::to_string(bytes) + " bytes are over the client's " +
                    std::to_string(max_reply_bytes_),
                RetryClass::kTransient);
}

// --- Push ---

json FakeRemote::PayloadOf(const Mutation& m) {
  return json{{"collection", m.collection},
              {"key", m.key},
              {"op", MutationOpName(m.op)},
              {"base", m.base_rev ? json(VersionOf(*m.base_rev)) : json()},
              {"data", m.data}};
}

std::optional<Status> FakeRemote::Refused(const std::vector<Mutation>& batch) {
  int64_t request_bytes = 0;
  for (const Mutation& m : batch) request_bytes += ItemBytes(m.data);
  if (max_request_bytes_ > 0 && request_bytes > max_request_bytes_) {
    return Failed(Status(StatusCode::kResourceExhausted,
                         "payload_too_large: the request's " + std::to_string(request_bytes) +
                             " bytes are over the server's " + std::to_string(max_request_bytes_),
                         RetryClass::kPermanent),
                  RemoteFailure::Kind::kBatchTooLarge);
  }
  std::string reused = ReusedId(batch);
  if (reused.empty()) return std::nullopt;
  RemoteFailure failure;
  failure.kind = RemoteFailure::Kind::kIdReused;
  failure.mutation_id = reused;
  return Failed(Status(StatusCode::kInvalidArgument,
                       "mutation_id_reused: " + reused + "; nothing in this request was applied",
                       RetryClass::kPermanent),
                failure);
}

std::string FakeRemote::ReusedId(const std::vector<Mutation>& batch) const {
  std::map<std::string, json> in_batch;
  for (const Mutation& m : batch) {
    const json payload = PayloadOf(m);
    auto known = remembered_.find(m.mutation_id);
    if (known != remembered_.end() && known->second.payload != payload) return m.mutation_id;
    auto [earlier, fresh] = in_batch.emplace(m.mutation_id, payload);
    if (!fresh && earlier->second != payload) return m.mutation_id;
  }
  return "";
}

PushAnswer FakeRemote::Answer(const Mutation& m) {
  auto known = remembered_.find(m.mutation_id);
  if (known != remembered_.end()) return known->second.answer;  // a replay: nothing applied
  PushAnswer answer = Apply(m);
  answer.ack.mutation_id = m.mutation_id;
  remembered_[m.mutation_id] = Remembered{PayloadOf(m), answer};
  return answer;
}

PushAnswer FakeRemote::Apply(const Mutation& m) {
  const DocId id{m.collection, m.key};
  if (auto rule = rules_.find(id); rule != rules_.end() && !rule->second.empty()) {
    PushAnswer scripted = std::move(rule->second.front());
    rule->second.pop_front();
    if (scripted.kind == PushAnswer::Kind::kConflict) return Conflict(m.collection, m.key);
    return scripted;
  }
  auto it = docs_.find(id);
  const int64_t current = it == docs_.end() ? 0 : it->second.version;
  const bool live = it != docs_.end() && !it->second.deleted;
  const bool base_matches = m.base_rev ? VersionOf(*m.base_rev) == current : !live;
  if (!base_matches) return Conflict(m.collection, m.key);
  switch (m.op) {
    case MutationOp::kPut:
      Write(m.collection, m.key, /*deleted=*/false, m.data, m.hlc);
      break;
    case MutationOp::kPatch:
      if (!live) return Conflict(m.collection, m.key);
      Write(m.collection, m.key, /*deleted=*/false, MergePatched(it->second.data, m.data), m.hlc);
      break;
    case MutationOp::kDelete:
      if (!live) return Applied(m.collection, m.key);  // nothing to delete: no change
      Write(m.collection, m.key, /*deleted=*/true, nullptr, m.hlc);
      break;
  }
  ++effects_[m.mutation_id];
  return Applied(m.collection, m.key);
}

PushAnswer FakeRemote::Conflict(const std::string& collection, const std::string& key) const {
  PushAnswer answer;
  answer.kind = PushAnswer::Kind::kConflict;
  answer.current = CurrentOf(collection, key);
  return answer;
}

PushAnswer FakeRemote::Applied(const std::string& collection, const std::string& key) const {
  PushAnswer answer;
  answer.kind = PushAnswer::Kind::kApplied;
  auto it = docs_.find(DocId{collection, key});
  answer.ack.server_rev = Rev(it == docs_.end() ? 0 : it->second.version);
  if (it != docs_.end()) answer.ack.server_hlc = it->second.hlc;
  return answer;
}

int64_t FakeRemote::Write(const std::string& collection, const std::string& key, bool deleted,
                          json data, std::string hlc) {
  ServerDoc& doc = docs_[DocId{collection, key}];
  doc.collection = collection;
  doc.key = key;
  doc.version += 1;
  doc.deleted = deleted;
  doc.data = deleted ? json() : std::move(data);
  doc.hlc = std::move(hlc);
  doc.seq = ++head_;
  doc.unusable.clear();
  return doc.version;
}

std::vector<PushAnswer> FakeRemote::Reply(std::vector<PushAnswer> answers) const {
  if (!caps_.conflict_includes_current) {
    for (PushAnswer& answer : answers) answer.current.reset();
  }
  return answers;
}

int64_t FakeRemote::ReplyBytes(const std::vector<PushAnswer>& answers) const {
  int64_t bytes = 0;
  for (const PushAnswer& answer : answers) {
    bytes += answer.current ? ItemBytes(answer.current->data) : kItemBytes;
  }
  return bytes;
}

// --- Pull and fetch ---

RemoteChange FakeRemote::CurrentOf(const std::string& collection, const std::string& key) const {
  auto it = docs_.find(DocId{collection, key});
  if (it != docs_.end()) return ChangeOf(it->second);
  RemoteChange never;  // the server never had it
  never.collection = collection;
  never.key = key;
  never.rev = Rev(0);
  never.deleted = true;
  return never;
}

RemoteChange FakeRemote::ChangeOf(const ServerDoc& doc) {
  RemoteChange change;
  change.collection = doc.collection;
  change.key = doc.key;
  change.rev = Rev(doc.version);
  change.deleted = doc.deleted;
  change.hlc = doc.hlc;
  change.unusable = doc.unusable;
  if (doc.unusable.empty()) change.data = doc.data;
  return change;
}

std::optional<int64_t> FakeRemote::ParseCursor(const std::string& cursor) const {
  if (cursor.empty()) return 0;
  const std::string prefix = "e" + std::to_string(epoch_) + ".";
  if (cursor.rfind(prefix, 0) != 0) return std::nullopt;
  int64_t seq = 0;
  const char* end = cursor.data() + cursor.size();
  auto [ptr, ec] = std::from_chars(cursor.data() + prefix.size(), end, seq);
  if (ec != std::errc() || ptr != end || seq < 0 || seq > head_) return std::nullopt;
  return seq;
}

std::string FakeRemote::Cursor(int64_t seq) const {
  return "e" + std::to_string(epoch_) + "." + std::to_string(seq);
}

std::string FakeRemote::TagOf(const std::string& cursor, std::vector<std::string> collections) {
  std::sort(collections.begin(), collections.end());
  std::string tag = "tag(" + cursor + "|";
  for (const std::string& c : collections) tag += c + ",";
  return tag + ")";
}

std::vector<const FakeRemote::ServerDoc*> FakeRemote::ChangedAfter(
    int64_t after, const std::vector<std::string>& collections) const {
  std::vector<const ServerDoc*> out;
  for (const auto& [id, doc] : docs_) {
    const bool wanted = collections.empty() ||
                        std::find(collections.begin(), collections.end(), doc.collection) !=
                            collections.end();
    if (doc.seq > after && wanted) out.push_back(&doc);
  }
  std::sort(out.begin(), out.end(),
            [](const ServerDoc* a, const ServerDoc* b) { return a->seq < b->seq; });
  return out;
}

}  // namespace syncagent::testing
