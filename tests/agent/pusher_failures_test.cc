// Pusher (agent/pusher.h) against FakeRemote, continued: transient failures, lost answers,
// cancellation and the deadline, and the regressions the fake found (pipelined push and
// remote, a failed Fetch). Real SQLite store, virtual time.
#include "agent/pusher.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/agent/phase_harness.h"

namespace syncagent {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::FakeRemote;
using testing::Key;
using testing::PhaseHarness;
using testing::PhaseHarnessOptions;
using testing::ExpectAllAcked;
using testing::Ids;
using testing::PushOptions;
using testing::PutNotes;
using testing::Rev;

// --- Failures and time ---

TEST(PusherTest, ATransientFailureIsARetryWithTheRemotesDelayAndKeepsTheQueue) {
  PhaseHarness h(PushOptions(10));
  PutNotes(h, 2);
  h.remote().FailNext(FakeRemote::CallKind::kPush, UnavailableError("503"),
                      RemoteFailure::Kind::kOther, 30s);
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kFailed);
  EXPECT_EQ(h.report().outcome, CycleOutcome::kRetry);
  EXPECT_EQ(h.report().retry_after, 30s);
  EXPECT_EQ(h.QueueDepth(), 2);
  EXPECT_TRUE(h.DeadLetters().empty());
}

TEST(PusherTest, ALostAnswerIsReplayedAndTakesEffectOnce) {
  PhaseHarness h(PushOptions(10));
  PutNotes(h, 3);
  const std::vector<std::string> ids = Ids(h.Outbox());
  h.remote().LoseNextPushAnswer();
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kFailed);
  EXPECT_EQ(h.report().outcome, CycleOutcome::kRetry);
  EXPECT_GE(h.remote().distrusted(), 1);  // its own writes must come back in the pull
  EXPECT_EQ(h.QueueDepth(), 3);
  for (const std::string& id : ids) EXPECT_EQ(h.remote().EffectsOf(id), 1);

  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kComplete);
  const auto pushes = h.remote().CallsOf(FakeRemote::CallKind::kPush);
  ASSERT_EQ(pushes.size(), 2u);
  EXPECT_EQ(pushes[1]->mutation_ids, ids);  // the same mutations, the same ids
  for (const std::string& id : ids) EXPECT_EQ(h.remote().EffectsOf(id), 1);
  ExpectAllAcked(h, 3);
}

TEST(PusherTest, CancelledByTheOsMidRequestEndsPartialWithWhatWasAnswered) {
  PhaseHarness h(PushOptions(1));
  PutNotes(h, 3);
  h.remote().set_push_hook([&](size_t index, const std::vector<Mutation>&) {
    if (index == 1) h.cancel().Cancel("expired by the OS");
  });
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kStopped);
  EXPECT_EQ(h.report().outcome, CycleOutcome::kPartial);
  EXPECT_EQ(h.report().stop, StopKind::kCancelled);
  EXPECT_EQ(h.report().cancel_reason, "expired by the OS");
  EXPECT_EQ(h.remote().PushSizes(), (std::vector<size_t>{1, 1}));
  EXPECT_EQ(h.Doc("notes", Key(0))->rev, Rev(1));
  EXPECT_EQ(h.QueueDepth(), 2);
  EXPECT_TRUE(h.DeadLetters().empty());
}

TEST(PusherTest, ThroughTheEngineALostAnswerIsRecordedNextCycleAndAnIdleCycleIsOneRequest) {
  PhaseHarness h(PushOptions(10, /*pipeline=*/true));
  PutNotes(h, 3);
  const std::vector<std::string> ids = Ids(h.Outbox());
  h.remote().LoseNextPushAnswer();
  EXPECT_EQ(h.RunCycle().outcome, CycleOutcome::kRetry);

  const CycleReport replayed = h.RunCycle();
  EXPECT_EQ(replayed.outcome, CycleOutcome::kDone) << replayed.ToJson().dump();
  EXPECT_EQ(replayed.applied, 3);
  for (const std::string& id : ids) EXPECT_EQ(h.remote().EffectsOf(id), 1);
  ExpectAllAcked(h, 3);

  const CycleReport idle = h.RunCycle();
  EXPECT_EQ(idle.outcome, CycleOutcome::kDone);
  EXPECT_EQ(idle.requests, 1);
  EXPECT_TRUE(h.remote().calls().back().page.unchanged);
}

class PusherDeadlineTest : public ::testing::TestWithParam<bool> {};

TEST_P(PusherDeadlineTest, StopsBeforeTheDeadlineWithEverythingDoneSoFarCommitted) {
  // Each request takes 1 s; after the first the margin is 3 x RTT = 3 s, so in a 5 s budget the
  // request at t=1 s may start (1 + 3 < 5) and the one at t=2 s may not (2 + 3 >= 5).
  PhaseHarnessOptions options = PushOptions(1, /*pipeline=*/GetParam());
  options.engine.min_margin = 500ms;
  options.engine.rtt_factor = 3.0;
  PhaseHarness h(options);
  h.remote().set_latency(1s);
  PutNotes(h, 5);
  h.NewCycle(5s);
  EXPECT_EQ(h.Push(), PhaseEnd::kStopped);
  EXPECT_EQ(h.report().outcome, CycleOutcome::kPartial);
  EXPECT_EQ(h.report().stop, StopKind::kDeadline);
  EXPECT_EQ(h.remote().PushSizes(), (std::vector<size_t>{1, 1}));
  EXPECT_EQ(h.QueueDepth(), 3);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(h.Doc("notes", Key(i))->rev, Rev(1)) << Key(i);
    EXPECT_FALSE(h.Doc("notes", Key(i))->dirty) << Key(i);
  }

  h.NewCycle(60s);
  EXPECT_EQ(h.Push(), PhaseEnd::kComplete);
  ExpectAllAcked(h, 5);
}

TEST_P(PusherDeadlineTest, ARequestCutByTheDeadlineEndsTheCyclePartial) {
  PhaseHarnessOptions options = PushOptions(10, /*pipeline=*/GetParam());
  options.engine.min_margin = 500ms;
  PhaseHarness h(options);
  h.remote().set_latency(2s);  // longer than the whole budget
  PutNotes(h, 2);
  h.NewCycle(1s);
  EXPECT_EQ(h.Push(), PhaseEnd::kStopped);
  EXPECT_EQ(h.report().outcome, CycleOutcome::kPartial);
  EXPECT_EQ(h.report().stop, StopKind::kDeadline);
  EXPECT_EQ(h.QueueDepth(), 2);
}

INSTANTIATE_TEST_SUITE_P(Pipelined, PusherDeadlineTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "Pipelined" : "Sequential";
                         });

// A slow server and a short budget, whole cycles of the real engine: every call takes 300 ms of
// virtual time, each cycle gets 2 s, the queue needs ten pushes of two. Every cycle returns
// before its deadline, the first one partial with what it did kept; the next cycles finish the
// job. (Moved from fault_matrix_test.cc, where it ran on the real clock against a delaying mock
// server and so depended on the machine's speed.)
TEST(SlowRemoteDeadlineTest, EveryCycleReturnsBeforeItsDeadlineAndTheNextOnesFinishTheJob) {
  PhaseHarness h(PushOptions(2, /*pipeline=*/true));
  h.remote().set_latency(300ms);
  constexpr int kWrites = 20;
  PutNotes(h, kWrites);
  int64_t applied = 0;
  int cycles = 0;
  CycleReport report;
  do {
    ++cycles;
    const MonoTime deadline = h.clock().Now() + 2s;
    report = h.RunCycle(2s);
    SCOPED_TRACE("cycle " + std::to_string(cycles) + ": " + report.ToJson().dump());
    EXPECT_LT(h.clock().Now(), deadline);
    applied += report.applied;
    EXPECT_EQ(h.QueueDepth(), kWrites - applied);  // progress is kept
    int on_server = 0;
    for (int i = 0; i < kWrites; ++i) on_server += h.remote().ServerGet("notes", Key(i)) ? 1 : 0;
    EXPECT_EQ(on_server, applied);
    if (cycles == 1) {
      EXPECT_EQ(report.outcome, CycleOutcome::kPartial);
      EXPECT_EQ(report.stop, StopKind::kDeadline);
      EXPECT_GT(report.applied, 0);
      EXPECT_LT(report.applied, kWrites);
    } else if (report.outcome != CycleOutcome::kDone) {
      EXPECT_EQ(report.outcome, CycleOutcome::kPartial);
      EXPECT_GT(report.applied + report.pulled, 0) << "a cycle made no progress";
    }
  } while (report.outcome != CycleOutcome::kDone && cycles < 8);
  EXPECT_EQ(report.outcome, CycleOutcome::kDone);
  EXPECT_EQ(applied, kWrites);
  ExpectAllAcked(h, kWrites);
  EXPECT_EQ(h.remote().overlapping_uses(), 0);
}

// --- Found in the engine (disabled until fixed; see the comments) ---

// A one-shot gate between two threads. Wait() gives up after a minute (a hang guard for an
// engine that no longer interleaves as expected, not a timing the test relies on).
class Gate {
 public:
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::minutes(1), [this] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Regression (a data race found with the fake): while a pipelined request is on the wire, the
// cycle's thread records the previous batch's answers. When an applied answer cannot be recorded
// (its mutation left the outbox meanwhile), the origin must be abandoned — but the remote belongs
// to the helper thread until the request returns (pusher.h, net/remote.h): the pusher tells the
// remote afterwards (Pusher::AbandonOriginSoon).
// The gates make the interleaving certain: batch 1 = [n0, n1], batch 2 = [n2]; n0 is applied
// but dead-lettered "elsewhere" while batch 1 is on the wire; n1 is refused, and its dead-letter
// event (recorded before the acks) waits until batch 2's push has started; batch 2's push waits
// until batch 1 is recorded.
TEST(PusherTest, ThePipelineLeavesTheRemoteAloneWhileARequestIsOnTheWire) {
  PhaseHarness h(PushOptions(2, /*pipeline=*/true));
  PutNotes(h, 3);
  const std::vector<std::string> ids = Ids(h.Outbox());
  h.remote().RejectNextWrite("notes", Key(1), RejectKind::kForbidden, "forbidden");
  Gate second_push_started;
  Gate first_batch_recorded;
  h.remote().set_push_hook([&](size_t index, const std::vector<Mutation>&) {
    if (index == 0) EXPECT_OK(h.store().DeadLetter(ids[0], "test", "dropped elsewhere").status());
    if (index == 1) {
      second_push_started.Open();
      EXPECT_TRUE(first_batch_recorded.Wait());
    }
  });
  h.set_on_event([&](const SyncEvent& e) {
    if (e.type == SyncEventType::kDeadLetter && e.key == Key(1)) {
      EXPECT_TRUE(second_push_started.Wait());
    }
    if (e.type == SyncEventType::kBatchPushed) first_batch_recorded.Open();
  });
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kComplete);
  EXPECT_EQ(h.remote().PushSizes(), (std::vector<size_t>{2, 1}));
  EXPECT_GE(h.remote().distrusted(), 1);  // the unrecorded answer did abandon the origin...
  EXPECT_EQ(h.remote().overlapping_uses(), 0);  // ...but while the second push was in progress
}

// When the Fetch of a conflict's current document fails, every other answer of the batch is
// still recorded (acknowledgements included); only the conflicting mutation waits for its replay
// in the next cycle, which reports retry.
TEST(PusherTest, AFailedFetchKeepsTheBatchsOtherAnswers) {
  PhaseHarness h(PushOptions(10));
  h.remote().mutable_capabilities().conflict_includes_current = false;
  h.EditOnBothSides({{"title", "base"}}, {{"title", "server"}}, {{"title", "local"}});
  ASSERT_OK(h.store().Put("notes", "after", {{"applied", true}}));
  h.remote().FailNext(FakeRemote::CallKind::kFetch, UnavailableError("fetch: 503"));
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kFailed);
  EXPECT_EQ(h.report().outcome, CycleOutcome::kRetry);
  ASSERT_TRUE(h.remote().ServerGet("notes", "after").has_value());  // the server applied it
  EXPECT_EQ(h.Doc("notes", "after")->rev, Rev(1));
  EXPECT_FALSE(h.Doc("notes", "after")->dirty);
}

// A conflict answered without the current document near the deadline: the Fetch is not started
// when the margin leaves no room for it; the mutation stays queued, the batch's acknowledgements
// are kept, and the cycle stops partial at the deadline.
TEST(PusherTest, NoFetchIsStartedPastTheDeadlineMargin) {
  PhaseHarnessOptions options = PushOptions(10);
  options.engine.min_margin = 500ms;
  options.engine.rtt_factor = 3.0;
  PhaseHarness h(options);
  h.remote().mutable_capabilities().conflict_includes_current = false;
  h.EditOnBothSides({{"title", "base"}}, {{"title", "server"}}, {{"title", "local"}});
  ASSERT_OK(h.store().Put("notes", "after", {{"applied", true}}));
  h.remote().set_latency(1s);  // after the push: t = 1 s, margin 3 s, budget 3.5 s
  h.NewCycle(3500ms);
  EXPECT_EQ(h.Push(), PhaseEnd::kStopped);
  EXPECT_TRUE(h.remote().CallsOf(FakeRemote::CallKind::kFetch).empty());
  EXPECT_EQ(h.report().outcome, CycleOutcome::kPartial);
  EXPECT_EQ(h.report().stop, StopKind::kDeadline);
  EXPECT_EQ(h.Doc("notes", "after")->rev, Rev(1));
  EXPECT_TRUE(h.Conflicts().empty());
  EXPECT_EQ(h.QueueDepth(), 1);

  h.NewCycle(60s);  // the replay meets the conflict again and fetches it
  EXPECT_EQ(h.Push(), PhaseEnd::kComplete);
  ASSERT_EQ(h.Conflicts().size(), 1u);
  EXPECT_EQ(h.Conflicts()[0].remote_data, json({{"title", "server"}}));
}

}  // namespace
}  // namespace syncagent
