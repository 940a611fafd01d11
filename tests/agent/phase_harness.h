// PhaseHarness: one device for unit tests of the sync engine's phases (pusher, puller, conflict
// settler) — a real Store on a temp SQLite file, a FakeRemote, a ConflictResolver and the
// CycleContext of the cycle under test, all on one VirtualClock. Nothing here sleeps: time moves
// only by the fake's latency or by the test.
//
// Use: write to store(), script remote(), then NewCycle(budget) and run one phase (Push, Pull,
// Settle) or a whole cycle (RunCycle: the real SyncEngine). report() and events() are the current
// cycle's; progress events are delivered unthrottled.
#ifndef SYNCAGENT_TESTS_AGENT_PHASE_HARNESS_H_
#define SYNCAGENT_TESTS_AGENT_PHASE_HARNESS_H_

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/conflict_settler.h"
#include "agent/puller.h"
#include "agent/pusher.h"
#include "agent/sync_engine.h"
#include "tests/agent/fake_remote.h"
#include "tests/storage/store_test_util.h"

namespace syncagent::testing {

// "n0", "n1", ...: the keys tests write.
inline std::string Key(int i) { return "n" + std::to_string(i); }

struct PhaseHarnessOptions {
  SyncEngineOptions engine;
  ResolutionPolicy policy = ResolutionPolicy::kServerWins;
  std::map<std::string, ResolutionPolicy> collection_policies;  // overrides `policy`
  TieRule tie = TieRule::kServer;
  CustomResolverFn custom;
};

// The push tests' options: `batch_size` mutations per push, pipelined or not.
inline PhaseHarnessOptions PushOptions(int batch_size, bool pipeline = false) {
  PhaseHarnessOptions options;
  options.engine.push_batch_size = batch_size;
  options.engine.pipeline_push = pipeline;
  return options;
}

class PhaseHarness {
 public:
  explicit PhaseHarness(PhaseHarnessOptions options = {}) : options_(std::move(options)) {
    options_.engine.event_throttle = Millis(0);
    StoreOptions store_options;
    store_options.path = dir_.File("device.db");
    store_options.clock = &clock_;
    store_options.synced_collections = options_.engine.collections;
    // As Agent::Open wires it: the remote says which versions need a write back.
    store_options.needs_write_back = [this](std::string_view rev) {
      return remote_.NeedsWriteBack(rev);
    };
    auto store = Store::Open(store_options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (store.ok()) store_ = std::move(*store);
    resolver_ = std::make_unique<ConflictResolver>(
        options_.policy, options_.collection_policies, options_.tie, options_.custom);
  }

  Store& store() { return *store_; }
  FakeRemote& remote() { return remote_; }
  VirtualClock& clock() { return clock_; }
  SyncEngineOptions& engine_options() { return options_.engine; }
  CycleReport& report() { return report_; }
  const std::vector<SyncEvent>& events() const { return events_; }
  CycleContext& ctx() { return ctx_; }
  // The current cycle's token (what the OS's expiration handler cancels).
  CancelToken& cancel() { return *cancel_; }
  // Also called with every event, on the cycle's thread, after it is recorded.
  void set_on_event(EventCallback on_event) { on_event_ = std::move(on_event); }

  // Starts a cycle that ends `budget` from now: a fresh report, events, cancel token and settler.
  CycleContext& NewCycle(Millis budget = Millis(60000)) {
    report_ = CycleReport{};
    cancel_ = std::make_unique<CancelToken>();
    events_.clear();
    emitter_ = std::make_unique<EventEmitter>(&clock_, Recorder(), Millis(0));
    ctx_ = CycleContext{};
    ctx_.store = store_.get();
    ctx_.remote = &remote_;
    ctx_.clock = &clock_;
    ctx_.resolver = resolver_.get();
    ctx_.events = emitter_.get();
    ctx_.options = &options_.engine;
    ctx_.deadline = clock_.Now() + budget;
    ctx_.cancel = cancel_.get();
    ctx_.report = &report_;
    settler_ = std::make_unique<ConflictSettler>(&ctx_);
    remote_.BeginCycle(store_->client_id());
    return ctx_;
  }

  // One phase in the current cycle.
  PhaseEnd Push() { return Pusher(&ctx_).Run(); }
  PhaseEnd Pull(int* queued_writes = nullptr) {
    int ignored = 0;
    return Puller(&ctx_, settler_.get()).Run(queued_writes ? queued_writes : &ignored);
  }
  StatusOr<int> Settle() { return settler_->SettleOpen(); }

  // A whole cycle of the real engine (its own report and events).
  CycleReport RunCycle(Millis budget = Millis(60000)) {
    events_.clear();
    SyncEngine engine(store_.get(), &remote_, &clock_, resolver_.get(), options_.engine,
                      Recorder());
    report_ = engine.RunCycle(clock_.Now() + budget);
    return report_;
  }

  // notes/n1 `base` is written and pushed (version 1); then another device moves it to version 2
  // with `server` (stamped `server_hlc`) and this device puts `local` (based on version 1). The
  // next push meets a conflict.
  void EditOnBothSides(const nlohmann::json& base, const nlohmann::json& server,
                       const nlohmann::json& local, const std::string& server_hlc = "") {
    ASSERT_OK(store_->Put("notes", "n1", base));
    NewCycle();
    ASSERT_EQ(Push(), PhaseEnd::kComplete);
    ASSERT_EQ(remote_.ServerPut("notes", "n1", server, server_hlc), 2);
    ASSERT_OK(store_->Put("notes", "n1", local));
  }

  // --- Reading the store ---
  std::optional<Document> Doc(const std::string& collection, const std::string& key) {
    auto doc = store_->Get(collection, key, /*include_deleted=*/true);
    EXPECT_TRUE(doc.ok()) << doc.status().ToString();
    return doc.ok() ? *doc : std::nullopt;
  }
  std::vector<Mutation> Outbox() {
    auto batch = store_->PeekBatch(10000, int64_t{1} << 40);
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    return batch.ok() ? *batch : std::vector<Mutation>{};
  }
  int64_t QueueDepth() {
    auto stats = store_->Stats();
    EXPECT_TRUE(stats.ok()) << stats.status().ToString();
    return stats.ok() ? stats->queue_depth : -1;
  }
  std::vector<DeadLetter> DeadLetters() {
    auto letters = store_->ListDeadLetters();
    EXPECT_TRUE(letters.ok()) << letters.status().ToString();
    return letters.ok() ? *letters : std::vector<DeadLetter>{};
  }
  std::vector<Conflict> Conflicts(bool open_only = true) {
    auto conflicts = store_->ListConflicts(open_only);
    EXPECT_TRUE(conflicts.ok()) << conflicts.status().ToString();
    return conflicts.ok() ? *conflicts : std::vector<Conflict>{};
  }
  std::optional<Checkpoint> PullCheckpoint() {
    auto checkpoint = store_->GetCheckpoint(Store::kPullCheckpoint);
    EXPECT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
    return checkpoint.ok() ? *checkpoint : std::nullopt;
  }
  // The events of one type in the current cycle.
  std::vector<SyncEvent> EventsOf(SyncEventType type) const {
    std::vector<SyncEvent> out;
    for (const SyncEvent& e : events_) {
      if (e.type == type) out.push_back(e);
    }
    return out;
  }

 private:
  EventCallback Recorder() {
    return [this](const SyncEvent& e) {
      events_.push_back(e);
      if (on_event_) on_event_(e);
    };
  }

  TempDir dir_;
  VirtualClock clock_;
  PhaseHarnessOptions options_;
  std::unique_ptr<Store> store_;
  FakeRemote remote_{&clock_};
  std::unique_ptr<ConflictResolver> resolver_;
  CycleReport report_;
  std::vector<SyncEvent> events_;
  EventCallback on_event_;
  std::unique_ptr<EventEmitter> emitter_;
  std::unique_ptr<CancelToken> cancel_;
  CycleContext ctx_;
  std::unique_ptr<ConflictSettler> settler_;
};

// notes/n0 .. n(count-1), each {"i": i} plus `padding` bytes of text.
inline void PutNotes(PhaseHarness& h, int count, size_t padding = 0) {
  for (int i = 0; i < count; ++i) {
    ASSERT_OK(h.store().Put("notes", Key(i), {{"i", i}, {"text", std::string(padding, 'x')}}));
  }
}

// The mutation ids of a batch, in order.
inline std::vector<std::string> Ids(const std::vector<Mutation>& batch) {
  std::vector<std::string> ids;
  for (const Mutation& m : batch) ids.push_back(m.mutation_id);
  return ids;
}

// Every document of notes/n0..n(count-1) is acknowledged at version 1 and clean.
inline void ExpectAllAcked(PhaseHarness& h, int count) {
  for (int i = 0; i < count; ++i) {
    auto doc = h.Doc("notes", Key(i));
    ASSERT_TRUE(doc.has_value()) << Key(i);
    EXPECT_EQ(doc->rev, Rev(1)) << Key(i);
    EXPECT_FALSE(doc->dirty) << Key(i);
  }
  EXPECT_EQ(h.QueueDepth(), 0);
}

}  // namespace syncagent::testing

#endif  // SYNCAGENT_TESTS_AGENT_PHASE_HARNESS_H_
