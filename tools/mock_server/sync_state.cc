#include "tools/mock_server/sync_state.h"

#include <algorithm>
#include <charconv>
#include <random>
#include <set>

#include "common/json_limits.h"
#include "storage/json_merge_patch.h"

namespace syncagent::mock {
namespace {

using nlohmann::json;

std::string NewEpoch() {
  std::random_device device;
  std::mt19937_64 rng((static_cast<uint64_t>(device()) << 32) ^ device());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string epoch;
  for (int i = 0; i < 8; ++i) epoch += kHex[rng() % 16];
  return epoch;
}

json AppliedResult(const std::string& id, const DocumentState& doc) {
  return {{"mutation_id", id}, {"status", "applied"}, {"version", doc.version}, {"hlc", doc.hlc}};
}

json ConflictResult(const std::string& id, const DocumentState* current) {
  json state = current
                   ? current->ToCurrentJson()
                   : json{{"version", 0}, {"deleted", true}, {"data", nullptr}, {"hlc", nullptr}};
  return {{"mutation_id", id}, {"status", "conflict"}, {"current", std::move(state)}};
}

// Room left in a max_bytes page for what surrounds the changes (cursor, has_more, brackets).
constexpr int64_t kPullEnvelopeBytes = 256;

json RejectedResult(const json& id_echo, const std::string& code, const std::string& message) {
  return {{"mutation_id", id_echo}, {"status", "rejected"}, {"code", code}, {"message", message}};
}

}  // namespace

StatusOr<std::unique_ptr<SyncState>> SyncState::Open(const std::string& data_file) {
  std::unique_ptr<StatePersistence> persistence;
  StatePersistence::Snapshot snapshot;
  if (!data_file.empty()) {
    SYNCAGENT_ASSIGN_OR_RETURN(persistence, StatePersistence::Open(data_file));
    SYNCAGENT_ASSIGN_OR_RETURN(snapshot, persistence->Load());
  }
  std::unique_ptr<SyncState> state(new SyncState(std::move(persistence)));
  std::lock_guard<std::mutex> lock(state->mu_);
  state->epoch_ = snapshot.epoch.empty() ? NewEpoch() : snapshot.epoch;
  state->head_ = snapshot.head;
  for (auto& doc : snapshot.documents) {
    DocKey key{doc.collection, doc.key};
    state->feed_[doc.change_seq] = key;
    state->documents_[key] = std::move(doc);
  }
  for (auto& [id, record] : snapshot.mutations) state->mutations_[id] = std::move(record);
  if (state->persistence_ && snapshot.epoch.empty()) {
    SYNCAGENT_RETURN_IF_ERROR(state->FlushLocked());
  }
  return state;
}

SyncState::PushOutcome SyncState::Push(const json& mutations, const std::string& origin) {
  std::vector<ParsedMutation> parsed;
  parsed.reserve(mutations.size());
  for (const json& raw : mutations) parsed.push_back(ParseMutation(raw));

  std::lock_guard<std::mutex> lock(mu_);
  // Exactly-once, phase 1: a reused mutation_id with another payload fails the whole request
  // before anything is applied.
  std::map<std::string, const std::string*> in_request;
  for (const ParsedMutation& p : parsed) {
    if (!p.mutation_id) continue;
    const std::string& id = *p.mutation_id;
    auto stored = mutations_.find(id);
    auto earlier = in_request.find(id);
    const bool reused = (stored != mutations_.end() && stored->second.canonical != p.canonical) ||
                        (earlier != in_request.end() && *earlier->second != p.canonical);
    if (reused) {
      PushOutcome outcome;
      outcome.http_status = 422;
      outcome.body = {{"error",
                       {{"code", "mutation_id_reused"},
                        {"message", "mutation_id " + id +
                                        " was already used with a different payload; nothing in "
                                        "this request was applied"},
                        {"mutation_id", id}}}};
      return outcome;
    }
    in_request.emplace(id, &p.canonical);
  }

  // Phase 2: in order, each mutation independent of the others.
  json results = json::array();
  for (const ParsedMutation& p : parsed) {
    if (p.mutation_id) {
      auto stored = mutations_.find(*p.mutation_id);
      if (stored != mutations_.end()) {
        ++stored->second.replay_count;
        dirty_mutations_.push_back(*p.mutation_id);
        results.push_back(stored->second.result);
        continue;
      }
    }
    json result = p.mutation ? ApplyLocked(*p.mutation, origin)
                             : RejectedResult(p.id_echo, p.error_code, p.error);
    if (p.mutation_id) {
      MutationRecord record;
      record.canonical = p.canonical;
      record.result = result;
      record.applied_count = result["status"] == "applied" ? 1 : 0;
      mutations_[*p.mutation_id] = std::move(record);
      dirty_mutations_.push_back(*p.mutation_id);
    }
    results.push_back(std::move(result));
  }
  PushOutcome outcome;
  if (Status status = FlushLocked(); !status.ok()) {
    outcome.http_status = 500;
    outcome.body = {{"error", {{"code", "internal"}, {"message", status.ToString()}}}};
    return outcome;
  }
  outcome.body = {{"results", std::move(results)}};
  return outcome;
}

json SyncState::ApplyLocked(const Mutation& m, const std::string& origin) {
  auto it = documents_.find({m.collection, m.key});
  const DocumentState* current = it == documents_.end() ? nullptr : &it->second;
  const bool live = current && !current->deleted;
  const int64_t current_version = current ? current->version : 0;
  const bool matches = m.base_version ? *m.base_version == current_version : !live;
  if (!matches) return ConflictResult(m.mutation_id, current);
  DocumentState next;
  next.collection = m.collection;
  next.key = m.key;
  next.version = current_version + 1;
  next.hlc = m.hlc;
  // The pusher knows the resulting document exactly (what it sent, or its patch applied to the
  // version it named).
  next.origin = origin;
  switch (m.op) {
    case MutationOp::kPut:
      next.data = m.data;
      break;
    case MutationOp::kPatch:
      if (!live) return ConflictResult(m.mutation_id, current);
      next.data = MergePatched(current->data, m.data);
      if (std::string problem = DocumentTextProblem(next.data.dump()); !problem.empty()) {
        return RejectedResult(m.mutation_id, "invalid_document",
                              "data: the patched document is " + problem + " (the document limit)");
      }
      break;
    case MutationOp::kDelete:
      if (!live) {
        // Nothing to delete: applied, no new change; report the state as it is.
        return {{"mutation_id", m.mutation_id},
                {"status", "applied"},
                {"version", current_version},
                {"hlc", current ? current->hlc : json()}};
      }
      next.deleted = true;
      next.data = nullptr;
      break;
  }
  return AppliedResult(m.mutation_id, CommitChangeLocked(std::move(next)));
}

DocumentState& SyncState::CommitChangeLocked(DocumentState document) {
  DocKey key{document.collection, document.key};
  auto it = documents_.find(key);
  if (it != documents_.end()) feed_.erase(it->second.change_seq);
  document.change_seq = ++head_;
  feed_[document.change_seq] = key;
  dirty_documents_.push_back(key);
  DocumentState& stored = documents_[key];
  stored = std::move(document);
  return stored;
}

StatusOr<SyncState::PullPage> SyncState::Pull(const std::string& cursor, size_t limit,
                                              const std::vector<std::string>& collections,
                                              const std::string& skip_origin,
                                              int64_t max_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  SYNCAGENT_ASSIGN_OR_RETURN(int64_t after, DecodeCursorLocked(cursor));
  const std::set<std::string> filter(collections.begin(), collections.end());
  PullPage page;
  int64_t last_seq = after;
  int64_t bytes = kPullEnvelopeBytes;  // the page's estimated body size so far
  for (auto it = feed_.upper_bound(after); it != feed_.end(); ++it) {
    if (!filter.empty() && filter.count(it->second.first) == 0) continue;
    const DocumentState& doc = documents_.at(it->second);
    if (!skip_origin.empty() && doc.origin == skip_origin) {
      // Covered by the cursor without being sent: the puller wrote this version itself. Past a
      // full page too, so a page followed only by the puller's own changes ends the pass.
      last_seq = it->first;
      ++page.skipped;
      continue;
    }
    if (page.changes.size() == limit) {
      page.has_more = true;
      break;
    }
    std::string text = doc.ToChangeJson().dump(-1, ' ', false, json::error_handler_t::replace);
    if (max_bytes > 0 && bytes + static_cast<int64_t>(text.size()) + 1 > max_bytes) {
      if (!page.changes.empty()) {
        page.has_more = true;
        break;
      }
      // Too large for any page the puller takes: a stub, so its cursor moves past it.
      text = json{{"collection", doc.collection}, {"key", doc.key}, {"version", doc.version},
                  {"deleted", false}, {"omitted", "too_large"}, {"size", text.size()}}
                 .dump();
    }
    bytes += static_cast<int64_t>(text.size()) + 1;
    page.changes.push_back(std::move(text));
    last_seq = it->first;
  }
  // The cursor covers exactly what was returned or skipped; with nothing returned or skipped it
  // moves to the head.
  const bool covered_nothing = page.changes.empty() && page.skipped == 0;
  page.cursor = EncodeCursorLocked(covered_nothing ? head_ : last_seq);
  return page;
}

StatusOr<DocumentState> SyncState::AdminPut(const std::string& collection, const std::string& key,
                                            const json& data, const json& hlc) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = documents_.find({collection, key});
  DocumentState next;
  next.collection = collection;
  next.key = key;
  next.version = (it == documents_.end() ? 0 : it->second.version) + 1;
  next.data = data;
  next.hlc = hlc;
  DocumentState stored = CommitChangeLocked(std::move(next));
  SYNCAGENT_RETURN_IF_ERROR(FlushLocked());
  return stored;
}

StatusOr<DocumentState> SyncState::AdminDelete(const std::string& collection,
                                               const std::string& key, const json& hlc) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = documents_.find({collection, key});
  if (it == documents_.end() || it->second.deleted) {
    return NotFoundError("no live document " + collection + "/" + key);
  }
  DocumentState next = it->second;
  next.origin.clear();  // written by "another client": no puller may skip it
  ++next.version;
  next.deleted = true;
  next.data = nullptr;
  next.hlc = hlc;
  DocumentState stored = CommitChangeLocked(std::move(next));
  SYNCAGENT_RETURN_IF_ERROR(FlushLocked());
  return stored;
}

std::vector<DocumentState> SyncState::Documents() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<DocumentState> out;
  out.reserve(documents_.size());
  for (const auto& [key, doc] : documents_) out.push_back(doc);
  return out;
}

std::optional<DocumentState> SyncState::Find(const std::string& collection,
                                             const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = documents_.find({collection, key});
  if (it == documents_.end()) return std::nullopt;
  return it->second;
}

SyncState::Stats SyncState::GetStats() const {
  std::lock_guard<std::mutex> lock(mu_);
  Stats stats;
  for (const auto& [id, record] : mutations_) {
    stats.applied[id] = record.applied_count;
    if (record.replay_count > 0) stats.replayed[id] = record.replay_count;
  }
  stats.head = head_;
  stats.documents = static_cast<int64_t>(documents_.size());
  return stats;
}

std::string SyncState::HeadCursor() const {
  std::lock_guard<std::mutex> lock(mu_);
  return EncodeCursorLocked(head_);
}

Status SyncState::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  documents_.clear();
  feed_.clear();
  mutations_.clear();
  dirty_documents_.clear();
  dirty_mutations_.clear();
  head_ = 0;
  epoch_ = NewEpoch();
  if (!persistence_) return Status::Ok();
  SYNCAGENT_RETURN_IF_ERROR(persistence_->Begin());
  if (Status status = persistence_->Clear(); !status.ok()) {
    persistence_->Rollback();
    return status;
  }
  SYNCAGENT_RETURN_IF_ERROR(persistence_->Commit());
  return FlushLocked();
}

std::string SyncState::EncodeCursorLocked(int64_t seq) const {
  return "c1." + epoch_ + "." + std::to_string(seq);
}

StatusOr<int64_t> SyncState::DecodeCursorLocked(const std::string& cursor) const {
  if (cursor.empty()) return int64_t{0};
  const std::string prefix = "c1." + epoch_ + ".";
  if (cursor.size() <= prefix.size() || cursor.compare(0, prefix.size(), prefix) != 0) {
    return InvalidArgumentError("cursor was not issued by this server (or the server was reset)");
  }
  int64_t seq = -1;
  const char* begin = cursor.data() + prefix.size();
  const char* end = cursor.data() + cursor.size();
  auto [ptr, ec] = std::from_chars(begin, end, seq);
  if (ec != std::errc() || ptr != end || seq < 0 || seq > head_) {
    return InvalidArgumentError("cursor is malformed or ahead of the server");
  }
  return seq;
}

Status SyncState::FlushLocked() {
  if (!persistence_) {
    dirty_documents_.clear();
    dirty_mutations_.clear();
    return Status::Ok();
  }
  auto write_all = [&]() -> Status {
    for (const DocKey& key : dirty_documents_) {
      SYNCAGENT_RETURN_IF_ERROR(persistence_->SaveDocument(documents_.at(key)));
    }
    for (const std::string& id : dirty_mutations_) {
      SYNCAGENT_RETURN_IF_ERROR(persistence_->SaveMutation(id, mutations_.at(id)));
    }
    return persistence_->SaveMeta(epoch_, head_);
  };
  Status status = persistence_->Begin();
  if (status.ok()) {
    status = write_all();
    if (status.ok()) status = persistence_->Commit();
    if (!status.ok()) persistence_->Rollback();
  }
  dirty_documents_.clear();
  dirty_mutations_.clear();
  return status;
}

}  // namespace syncagent::mock
