// FakeRemote: an in-memory, scriptable Remote (net/remote.h) for unit tests of the sync engine's
// phases (pusher, puller, conflict settler). Test-only: never linked into the product.
//
// The server it models (docs/protocol.md §2–§4, reduced to what the engine can observe):
//   - Documents with integer versions: 1 on create, +1 per change; a delete leaves a tombstone.
//     Versions reach the engine as Rev(n), the revision form the store expects (the only place
//     to change when revisions become text).
//   - Push, each mutation in order:
//       exactly once by mutation id: a replay with the same payload (collection, key, op, base,
//       data) gets the original answer and changes nothing; another payload fails the whole
//       request as kIdReused before anything in it is applied;
//       base check: a null base matches an absent document or a tombstone, a number must equal
//       the current version (0 when absent); a mismatch is a conflict whose current document is
//       included (or left out, see capabilities);
//       a patch of an absent or deleted document is a conflict; a delete of one is
//       applied without a change (its current version, 0 when it never existed).
//   - Pull: a compacted change log (every change moves its document to a new sequence number).
//     Cursors are "e<epoch>.<seq>"; a page's tag names (its cursor, the collection filter), and a
//     query whose tag is that of its cursor, with nothing new after it, is answered "unchanged".
//     A cursor of another epoch (see LoseAllData) or ahead of the log is kCursorRefused.
//     `max_bytes` is ignored (a server without §4.6).
//   - Fetch: the current document, or version 0 / deleted when the server never had it.
//   - Limits, in "wire bytes" (kItemBytes per mutation, answer or change, plus the compact JSON of
//     its document): a push over max_request_bytes fails as kBatchTooLarge with nothing applied;
//     a push answer or a pull page over max_reply_bytes fails as kReplyTooLarge — a push is
//     applied first, so its answer is lost. 0 = no limit.
//   - Own writes are never left out of pulls, whatever capabilities().skips_own_writes says.
//
// The script (what the next calls do, beyond the model):
//   FailNext(call, status, kind)  the next Push / Pull / Fetch fails (nothing applied), one entry
//                                 per call, in order;
//   PassNext(call)                the next call of that kind is not failed (FailNext after it
//                                 then fails a later call);
//   LoseNextPushAnswer()          the next push is applied, then fails as a transient error;
//   RejectNextWrite / ConflictNextWrite  the next write of one document is answered rejected
//                                 (kind, code) or conflict, whatever its base;
//   SetUnusable(doc, reason)      the document gets a new version that the client cannot take
//                                 (pull pages and conflict answers carry `unusable`);
//   set_push_hook(fn)             runs at the start of every push, on the calling thread;
//   set_latency(d)                every call advances the VirtualClock by d and reports d as the
//                                 smoothed RTT (CycleContext::MayStartRequest uses it); a call
//                                 that ends past its deadline fails as kDeadlineExceeded, applying
//                                 nothing (so does one whose cancel token is cancelled).
// Every call is logged (calls()); the log keeps each push's mutation ids and each pull's query
// and page.
//
// Thread safety: one call at a time (net/remote.h). A pipelined push makes its call on a helper
// thread: tests read the fake only between phases. A use of the remote while a call is in
// progress on another thread breaks that contract and is counted (overlapping_uses()).
#ifndef SYNCAGENT_TESTS_AGENT_FAKE_REMOTE_H_
#define SYNCAGENT_TESTS_AGENT_FAKE_REMOTE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/remote.h"
#include "platform/clock.h"

namespace syncagent::testing {

// The revision the store expects for server version n ("" for 0: none), and back. The fake
// writes its integer versions in decimal, as syncagent/1 does.
inline std::string Rev(int64_t version) {
  return version == 0 ? std::string() : std::to_string(version);
}
inline int64_t VersionOf(const std::string& revision) {
  return revision.empty() ? 0 : std::stoll(revision);
}

class FakeRemote final : public Remote {
 public:
  static constexpr int64_t kItemBytes = 64;

  enum class CallKind { kPush, kPull, kFetch };
  // What a push came with from PreparePush.
  enum class Prepared { kNothing, kForItsBatch, kForAnotherBatch };
  struct Call {
    CallKind kind = CallKind::kPush;
    std::vector<std::string> mutation_ids;  // push: the batch, in order
    Prepared prepared = Prepared::kNothing;  // push
    PullQuery query;                        // pull
    std::string document;                   // fetch: "collection/key"
    bool ok = true;                         // false: the call failed (see the Status it returned)
    RemotePage page;                        // pull, when ok: what it answered
  };

  // One document on the server.
  struct ServerDoc {
    std::string collection;
    std::string key;
    int64_t version = 0;
    bool deleted = false;
    nlohmann::json data;     // object, or null when deleted
    std::string hlc;
    int64_t seq = 0;         // its position in the change log
    std::string unusable;    // non-empty: the client cannot take this version
  };

  // `clock` (used for latency) must outlive the fake.
  explicit FakeRemote(VirtualClock* clock) : clock_(clock) {}

  // --- Remote ---
  RemoteCapabilities capabilities() const override;
  void BeginCycle(std::string_view device_id) override;
  // Counts the cycles ended and the calls logged by then (cycles_ended, calls_at_cycle_end).
  void EndCycle() override;
  void DistrustOwnWrites() override;
  StatusOr<std::vector<PushAnswer>> Push(const std::vector<Mutation>& batch,
                                         const CallContext& call) override;
  // A preparation naming the batch's mutation ids (it may run beside a call: not a breach).
  std::unique_ptr<PreparedPush> PreparePush(const std::vector<Mutation>& batch) const override;
  // Push, logging whether `prepared` was made for this batch (Call::prepared).
  StatusOr<std::vector<PushAnswer>> PushPrepared(const std::vector<Mutation>& batch,
                                                 std::unique_ptr<PreparedPush> prepared,
                                                 const CallContext& call) override;
  StatusOr<RemotePage> Pull(const PullQuery& query, const CallContext& call) override;
  StatusOr<RemoteChange> Fetch(const std::string& collection, const std::string& key,
                               const CallContext& call) override;
  // True for the revisions set_write_back_revisions named (none by default, as syncagent/1).
  bool NeedsWriteBack(std::string_view rev) const override {
    return write_back_.count(std::string(rev)) > 0;
  }
  RevisionOrder CompareRevisions(std::string_view local, std::string_view remote) const override;
  const RemoteFailure& last_failure() const override;
  const TransferStats& stats() const override;

  // --- The server, written by "another device" ---
  // Writes `data` (a put) or a tombstone; returns the new version.
  int64_t ServerPut(const std::string& collection, const std::string& key, nlohmann::json data,
                    std::string hlc = "");
  int64_t ServerDelete(const std::string& collection, const std::string& key,
                       std::string hlc = "");
  // Writes a new version of the document that the client cannot take (too deep, say): pulls and
  // conflict answers carry it with `unusable` = reason. Its next change clears that. Returns the
  // new version.
  int64_t SetUnusable(const std::string& collection, const std::string& key, std::string reason);
  std::optional<ServerDoc> ServerGet(const std::string& collection, const std::string& key) const;
  // The server loses every document, its change log and its exactly-once memory (a reset or an
  // old backup): cursors handed out before are refused from now on.
  void LoseAllData();
  // How many times the mutation took effect (exactly once: never more than 1).
  int EffectsOf(const std::string& mutation_id) const;
  // Makes the server remember `mutation_id` with another payload, so a push of it is kIdReused.
  void PoisonMutationId(const std::string& mutation_id);

  // --- Capabilities and limits ---
  RemoteCapabilities& mutable_capabilities() { return caps_; }
  void set_max_request_bytes(int64_t bytes) { max_request_bytes_ = bytes; }
  // Server versions that stand beside others (a CouchDB server's conflicting leaves): taking one
  // needs a write back (NeedsWriteBack).
  void set_write_back_revisions(std::set<std::string> revs) { write_back_ = std::move(revs); }
  void set_max_reply_bytes(int64_t bytes) { max_reply_bytes_ = bytes; }
  void set_latency(Millis latency) { latency_ = latency; }

  // --- The script ---
  void FailNext(CallKind call, Status status,
                RemoteFailure::Kind kind = RemoteFailure::Kind::kOther,
                Millis retry_after = Millis(0));
  // The next call of `call`'s kind proceeds as if unscripted: a FailNext queued after it fails
  // the call after that.
  void PassNext(CallKind call);
  void LoseNextPushAnswer();
  void RejectNextWrite(const std::string& collection, const std::string& key, RejectKind kind,
                       std::string code, std::string message = "refused by the fake");
  void ConflictNextWrite(const std::string& collection, const std::string& key);
  // Called at the start of every push, on the thread making it, with the push's index (0 for the
  // first) and batch: e.g. to change the store "from another thread" while a request is on the
  // wire, or to hold the request.
  using PushHook = std::function<void(size_t index, const std::vector<Mutation>& batch)>;
  void set_push_hook(PushHook hook) { push_hook_ = std::move(hook); }

  // --- The call log ---
  const std::vector<Call>& calls() const { return calls_; }
  std::vector<const Call*> CallsOf(CallKind kind) const;
  // The size of every push batch, in order (failed ones included).
  std::vector<size_t> PushSizes() const;
  // The limit of every pull query, in order.
  std::vector<int> PullLimits() const;
  int distrusted() const { return distrusted_.load(); }
  int cycles_begun() const { return cycles_begun_; }
  int cycles_ended() const { return cycles_ended_; }
  // The size of calls() when the last cycle ended.
  size_t calls_at_cycle_end() const { return calls_at_cycle_end_; }
  // How many times the remote was used while a Push, Pull or Fetch was in progress (on another
  // thread): a breach of the one-call-at-a-time contract (net/remote.h, agent/pusher.h).
  int overlapping_uses() const { return overlapping_uses_.load(); }
  // True while a Push, Pull or Fetch is in progress.
  bool in_call() const { return in_call_.load(); }
  const std::string& device_id() const { return device_id_; }

 private:
  struct Scripted {
    Status status;
    RemoteFailure failure;
    bool lose_answer = false;  // push: apply, then fail
    bool pass = false;         // PassNext: no failure
  };
  struct Remembered {
    nlohmann::json payload;  // the canonical payload (§3.6)
    PushAnswer answer;
  };

  using DocId = std::pair<std::string, std::string>;  // (collection, key)

  static nlohmann::json PayloadOf(const Mutation& m);
  static int64_t ItemBytes(const nlohmann::json& data) {
    return kItemBytes + static_cast<int64_t>(data.dump().size());
  }

  // Marks a call in progress for its lifetime.
  class InCall {
   public:
    explicit InCall(FakeRemote* remote) : remote_(remote) { remote_->in_call_ = true; }
    ~InCall() { remote_->in_call_ = false; }

   private:
    FakeRemote* remote_;
  };
  // Counts a use of the remote that overlaps a call in progress.
  void NoteUse() const;

  StatusOr<std::vector<PushAnswer>> DoPush(const std::vector<Mutation>& batch,
                                           const CallContext& call, Prepared prepared);
  StatusOr<RemotePage> DoPull(const PullQuery& query, const CallContext& call);
  // Logs the call, advances the clock by the latency and counts the request.
  Call& StartCall(CallKind kind);
  // A call that is cancelled, or that ends past its deadline, fails (applying nothing).
  std::optional<Status> Interrupted(const CallContext& context);
  std::optional<Scripted> TakeScripted(CallKind kind);
  // Records a failure of the current call and returns its status.
  Status Failed(Status status, RemoteFailure failure);
  Status Failed(Status status, RemoteFailure::Kind kind);
  void Succeeded();
  Status ReplyTooLarge(int64_t bytes) const;

  // Push: a refusal of the whole request (over max_request_bytes, or a reused id), applying
  // nothing; nullopt when the request is taken.
  std::optional<Status> Refused(const std::vector<Mutation>& batch);
  // Push: the first reused id of the batch (another payload than remembered, or than earlier in
  // the batch), or "".
  std::string ReusedId(const std::vector<Mutation>& batch) const;
  PushAnswer Answer(const Mutation& m);
  PushAnswer Apply(const Mutation& m);
  PushAnswer Conflict(const std::string& collection, const std::string& key) const;
  PushAnswer Applied(const std::string& collection, const std::string& key) const;
  int64_t Write(const std::string& collection, const std::string& key, bool deleted,
                nlohmann::json data, std::string hlc);
  // The answers as the engine sees them (a conflict's current left out unless the capability
  // says it is included).
  std::vector<PushAnswer> Reply(std::vector<PushAnswer> answers) const;
  int64_t ReplyBytes(const std::vector<PushAnswer>& answers) const;

  // Pull and fetch.
  // The document as a change, or "never existed" (version 0, deleted).
  RemoteChange CurrentOf(const std::string& collection, const std::string& key) const;
  std::optional<int64_t> ParseCursor(const std::string& cursor) const;
  std::string Cursor(int64_t seq) const;
  static std::string TagOf(const std::string& cursor, std::vector<std::string> collections);
  static RemoteChange ChangeOf(const ServerDoc& doc);
  // The documents changed after `after`, in log order, within `collections` (empty = all).
  std::vector<const ServerDoc*> ChangedAfter(int64_t after,
                                             const std::vector<std::string>& collections) const;

  VirtualClock* clock_;
  RemoteCapabilities caps_ = RemoteCapabilities{.patch = true,
                                                .skips_own_writes = false,
                                                .conflict_includes_current = true,
                                                .max_batch_mutations = 0,
                                                .max_batch_bytes = 0};
  int64_t max_request_bytes_ = 0;
  std::set<std::string> write_back_;
  int64_t max_reply_bytes_ = 0;
  Millis latency_{0};

  std::map<DocId, ServerDoc> docs_;
  int64_t head_ = 0;                       // the last sequence number given out
  int epoch_ = 1;                          // moves on LoseAllData
  std::map<std::string, Remembered> remembered_;  // by mutation id
  std::map<std::string, int> effects_;            // by mutation id

  std::map<CallKind, std::deque<Scripted>> scripted_;
  // The next writes' answers by document: kRejected (kind, code, message) or kConflict.
  std::map<DocId, std::deque<PushAnswer>> rules_;

  std::vector<Call> calls_;
  RemoteFailure failure_;
  TransferStats stats_;
  std::string device_id_;
  std::atomic<int> distrusted_{0};
  int cycles_begun_ = 0;
  int cycles_ended_ = 0;
  size_t calls_at_cycle_end_ = 0;
  PushHook push_hook_;
  std::atomic<bool> in_call_{false};
  mutable std::atomic<int> overlapping_uses_{0};
};

}  // namespace syncagent::testing

#endif  // SYNCAGENT_TESTS_AGENT_FAKE_REMOTE_H_
