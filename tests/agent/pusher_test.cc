// Pusher (agent/pusher.h) against FakeRemote: batching, halving, dead letters, every rejection
// kind, conflicts (with the current document included or fetched), server resets, lost answers
// and partial cycles at the deadline. Real SQLite store, virtual time.
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


// --- The fake itself: docs/protocol.md §3.4, row by row ---

TEST(FakeRemoteTest, FollowsTheConcurrencyRuleOfTheProtocol) {
  struct Row {
    std::string key;
    MutationOp op;
    std::optional<int64_t> base;
    json data;
    PushAnswer::Kind kind;
    int64_t version;  // applied: the new version; conflict: the current one
    bool deleted;     // conflict: the current document is a tombstone
  };
  using K = PushAnswer::Kind;
  const std::vector<Row> rows = {
      {"n1", MutationOp::kPut, std::nullopt, {{"a", 1}}, K::kApplied, 1, false},
      {"n1", MutationOp::kPut, std::nullopt, {{"a", 9}}, K::kConflict, 1, false},
      {"n1", MutationOp::kPatch, 1, {{"b", 2}}, K::kApplied, 2, false},
      {"n1", MutationOp::kPut, 1, {{"a", 3}}, K::kConflict, 2, false},
      {"n1", MutationOp::kPut, 2, {{"a", 3}}, K::kApplied, 3, false},
      {"n1", MutationOp::kDelete, 3, nullptr, K::kApplied, 4, false},
      {"n1", MutationOp::kDelete, std::nullopt, nullptr, K::kApplied, 4, false},
      {"n1", MutationOp::kPatch, 4, {{"c", 1}}, K::kConflict, 4, true},
      {"n1", MutationOp::kPut, std::nullopt, {{"d", 1}}, K::kApplied, 5, false},
      {"ghost", MutationOp::kPut, 7, json::object(), K::kConflict, 0, true},
  };
  VirtualClock clock;
  FakeRemote remote(&clock);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    Mutation m;
    m.mutation_id = "m" + std::to_string(i);
    m.collection = "notes";
    m.key = row.key;
    m.op = row.op;
    if (row.base) m.base_rev = Rev(*row.base);
    m.data = row.data;
    auto answers = remote.Push({m}, CallContext{});
    ASSERT_OK(answers.status());
    ASSERT_EQ(answers->size(), 1u);
    const PushAnswer& answer = answers->front();
    EXPECT_EQ(answer.kind, row.kind) << "row " << i + 1;
    if (row.kind == K::kApplied) {
      EXPECT_EQ(answer.ack.server_rev, Rev(row.version)) << "row " << i + 1;
    }
    if (row.kind == K::kConflict) {
      ASSERT_TRUE(answer.current.has_value()) << "row " << i + 1;
      EXPECT_EQ(answer.current->rev, Rev(row.version)) << "row " << i + 1;
      EXPECT_EQ(answer.current->deleted, row.deleted) << "row " << i + 1;
    }
  }
  EXPECT_EQ(remote.ServerGet("notes", "n1")->data, json({{"d", 1}}));
  EXPECT_EQ(remote.CompareRevisions("9", "10"), RevisionOrder::kRemoteNewer);
  EXPECT_EQ(remote.CompareRevisions("10", "9"), RevisionOrder::kLocalNewer);
  EXPECT_EQ(remote.CompareRevisions("7", "7"), RevisionOrder::kSame);
}

// --- Batching ---

TEST(PusherTest, BatchesByCount) {
  PhaseHarness h(PushOptions(3));
  PutNotes(h, 7);
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kComplete);
  EXPECT_EQ(h.remote().PushSizes(), (std::vector<size_t>{3, 3, 1}));
  EXPECT_EQ(h.report().pushed, 7);
  EXPECT_EQ(h.report().applied, 7);
  ExpectAllAcked(h, 7);
  int64_t announced = 0;
  for (const SyncEvent& e : h.EventsOf(SyncEventType::kBatchPushed)) announced += e.count;
  EXPECT_EQ(announced, 7);
}

TEST(PusherTest, BatchesByBytes) {
  // ~1,000 bytes of data per mutation (about 1,250 by the store's estimate): two fit in 3,000.
  PhaseHarnessOptions options = PushOptions(100);
  options.engine.push_batch_bytes = 3000;
  PhaseHarness h(options);
  PutNotes(h, 5, 1000);
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kComplete);
  EXPECT_EQ(h.remote().PushSizes(), (std::vector<size_t>{2, 2, 1}));
  ExpectAllAcked(h, 5);
}

TEST(PusherTest, TheRemotesBatchLimitsWinOverTheConfiguredOnes) {
  PhaseHarness by_count(PushOptions(100));
  by_count.remote().mutable_capabilities().max_batch_mutations = 2;
  PutNotes(by_count, 5);
  by_count.NewCycle();
  EXPECT_EQ(by_count.Push(), PhaseEnd::kComplete);
  EXPECT_EQ(by_count.remote().PushSizes(), (std::vector<size_t>{2, 2, 1}));

  PhaseHarness by_bytes(PushOptions(100));
  by_bytes.remote().mutable_capabilities().max_batch_bytes = 3000;
  PutNotes(by_bytes, 5, 1000);
  by_bytes.NewCycle();
  EXPECT_EQ(by_bytes.Push(), PhaseEnd::kComplete);
  EXPECT_EQ(by_bytes.remote().PushSizes(), (std::vector<size_t>{2, 2, 1}));
}

TEST(PusherTest, PipelinedPushSendsEveryMutationOnceInOutboxOrder) {
  PhaseHarness h(PushOptions(2, /*pipeline=*/true));
  PutNotes(h, 7);
  // n3's answer, a conflict, is recorded while the next batch is on the wire. The server never
  // had n3 and the write was a create: a conflict, not a sign of a server reset.
  h.remote().ConflictNextWrite("notes", Key(3));
  const std::vector<std::string> queued = Ids(h.Outbox());
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kComplete);
  std::vector<std::string> sent;
  for (const FakeRemote::Call* call : h.remote().CallsOf(FakeRemote::CallKind::kPush)) {
    sent.insert(sent.end(), call->mutation_ids.begin(), call->mutation_ids.end());
  }
  EXPECT_EQ(sent, queued);
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(h.remote().EffectsOf(queued[i]), i == 3 ? 0 : 1) << Key(i);
    EXPECT_EQ(h.Doc("notes", Key(i))->rev, Rev(i == 3 ? 0 : 1)) << Key(i);
  }
  const auto conflicts = h.Conflicts();
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0].key, Key(3));
  EXPECT_EQ(conflicts[0].remote_rev, Rev(0));
  EXPECT_FALSE(h.report().server_reset);
  EXPECT_EQ(h.remote().overlapping_uses(), 0);
}

// The prepared requests kinds of the pushes made so far, in order.
std::vector<FakeRemote::Prepared> PreparedOf(const FakeRemote& remote) {
  std::vector<FakeRemote::Prepared> kinds;
  for (const FakeRemote::Call* call : remote.CallsOf(FakeRemote::CallKind::kPush)) {
    kinds.push_back(call->prepared);
  }
  return kinds;
}

// Each batch taken while a request is on the wire is prepared (Remote::PreparePush) there too,
// and goes out with its own preparation; the first batch has none to come with.
TEST(PusherTest, PipelinedPushPreparesEachNextBatchWhileTheRequestBeforeIsOut) {
  using P = FakeRemote::Prepared;
  PhaseHarness h(PushOptions(2, /*pipeline=*/true));
  PutNotes(h, 7);
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kComplete);
  EXPECT_EQ(PreparedOf(h.remote()),
            (std::vector<P>{P::kNothing, P::kForItsBatch, P::kForItsBatch, P::kForItsBatch}));
  ExpectAllAcked(h, 7);

  PhaseHarness serial(PushOptions(2));
  PutNotes(serial, 3);
  serial.NewCycle();
  EXPECT_EQ(serial.Push(), PhaseEnd::kComplete);
  EXPECT_EQ(PreparedOf(serial.remote()), (std::vector<P>{P::kNothing, P::kNothing}));
}

// A failed request gives back the batch taken behind it with its preparation: the next cycle
// takes that batch again, in order, and never sends a preparation of another batch.
TEST(PusherTest, APreparedBatchIsGivenBackWithItsBatchWhenTheRequestBeforeFails) {
  using P = FakeRemote::Prepared;
  PhaseHarness h(PushOptions(2, /*pipeline=*/true));
  PutNotes(h, 6);
  const std::vector<std::string> queued = Ids(h.Outbox());
  h.remote().PassNext(FakeRemote::CallKind::kPush);
  h.remote().FailNext(FakeRemote::CallKind::kPush, UnavailableError("503"));
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kFailed);
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kComplete);
  EXPECT_EQ(PreparedOf(h.remote()),
            (std::vector<P>{P::kNothing, P::kForItsBatch, P::kNothing, P::kForItsBatch}));
  const auto pushes = h.remote().CallsOf(FakeRemote::CallKind::kPush);
  EXPECT_EQ(pushes[2]->mutation_ids, pushes[1]->mutation_ids) << "the failed batch, again";
  EXPECT_EQ(pushes[3]->mutation_ids, (std::vector<std::string>{queued[4], queued[5]}));
  ExpectAllAcked(h, 6);
}

// --- Too large: the request, the answer ---

TEST(PusherTest, BatchTooLargeHalvesDownToOneThenDeadLettersPayloadTooLarge) {
  PhaseHarness h(PushOptions(8));
  // n0, n1, big, n3, n4: the server takes at most 1,000 bytes a request; `big` alone is over.
  h.remote().set_max_request_bytes(1000);
  PutNotes(h, 5);
  ASSERT_OK(h.store().Put("notes", Key(2), {{"text", std::string(2000, 'x')}}));
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kComplete);
  // 5 too large -> 2 (ok, grows to 4) -> [big, n3, n4] too large -> [big] too large: dead
  // letter -> [n3] (ok, grows to 2) -> [n4].
  EXPECT_EQ(h.remote().PushSizes(), (std::vector<size_t>{5, 2, 3, 1, 1, 1}));
  const auto letters = h.DeadLetters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].mutation.key, Key(2));
  EXPECT_EQ(letters[0].code, "payload_too_large");
  EXPECT_NE(letters[0].message.find("over the server's 1000"), std::string::npos)
      << letters[0].message;
  EXPECT_EQ(h.report().rejected, 1);
  EXPECT_EQ(h.report().applied, 4);
  const auto events = h.EventsOf(SyncEventType::kDeadLetter);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].key, Key(2));
  EXPECT_EQ(events[0].detail, "payload_too_large");
  EXPECT_FALSE(h.remote().ServerGet("notes", Key(2)).has_value());
  EXPECT_EQ(h.QueueDepth(), 0);
}

TEST(PusherTest, ReplyTooLargeHalvesTheBatchAndEachMutationTakesEffectOnce) {
  PhaseHarness h(PushOptions(8));
  // Two answers fit in the client's reply cap; the server applies a batch before answering, so
  // every halving is a replay of mutations it already applied.
  h.remote().set_max_reply_bytes(2 * FakeRemote::kItemBytes);
  PutNotes(h, 8);
  const std::vector<std::string> queued = Ids(h.Outbox());
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kComplete);
  EXPECT_EQ(h.remote().PushSizes(), (std::vector<size_t>{8, 4, 2, 4, 2, 4, 2, 2}));
  for (const std::string& id : queued) EXPECT_EQ(h.remote().EffectsOf(id), 1) << id;
  EXPECT_TRUE(h.DeadLetters().empty());
  ExpectAllAcked(h, 8);
}

TEST(PusherTest, ASingleMutationsReplyTooLargeIsRetriedNotDeadLettered) {
  PhaseHarness h(PushOptions(8));
  h.remote().set_max_reply_bytes(FakeRemote::kItemBytes - 1);  // no answer fits
  PutNotes(h, 1);
  const std::string id = h.Outbox().at(0).mutation_id;
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kFailed);
  EXPECT_EQ(h.report().outcome, CycleOutcome::kRetry);
  EXPECT_EQ(h.report().error.retry_class(), RetryClass::kTransient);
  EXPECT_TRUE(h.DeadLetters().empty());
  EXPECT_EQ(h.QueueDepth(), 1);
  EXPECT_EQ(h.remote().EffectsOf(id), 1);  // applied: only the answer was lost

  h.remote().set_max_reply_bytes(0);
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kComplete);
  EXPECT_EQ(h.remote().EffectsOf(id), 1);
  ExpectAllAcked(h, 1);
}

// --- Rejections ---

TEST(PusherTest, IdReusedDeadLettersOnlyTheNamedMutation) {
  PhaseHarness h(PushOptions(10));
  PutNotes(h, 3);
  const std::vector<std::string> ids = Ids(h.Outbox());
  h.remote().PoisonMutationId(ids[1]);
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kComplete);
  // The whole request fails before anything is applied; the rest goes again without n1.
  EXPECT_EQ(h.remote().PushSizes(), (std::vector<size_t>{3, 2}));
  const auto letters = h.DeadLetters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].mutation.mutation_id, ids[1]);
  EXPECT_EQ(letters[0].code, "mutation_id_reused");
  EXPECT_EQ(h.report().rejected, 1);
  EXPECT_EQ(h.remote().EffectsOf(ids[0]), 1);
  EXPECT_EQ(h.remote().EffectsOf(ids[1]), 0);
  EXPECT_EQ(h.remote().EffectsOf(ids[2]), 1);
  EXPECT_EQ(h.Doc("notes", Key(0))->rev, Rev(1));
  EXPECT_EQ(h.Doc("notes", Key(2))->rev, Rev(1));
}

TEST(PusherTest, EveryRejectKindIsDeadLetteredWithTheRemotesCodeAndAnEvent) {
  struct Case {
    RejectKind kind;
    std::string code;
  };
  const std::vector<Case> cases = {{RejectKind::kPayloadTooLarge, "payload_too_large"},
                                   {RejectKind::kInvalidDocument, "invalid_document"},
                                   {RejectKind::kIdReused, "mutation_id_reused"},
                                   {RejectKind::kForbidden, "forbidden"},
                                   {RejectKind::kOther, "quota_exceeded"}};
  PhaseHarness h(PushOptions(10));
  PutNotes(h, static_cast<int>(cases.size()) + 1);  // the last one is accepted
  for (size_t i = 0; i < cases.size(); ++i) {
    h.remote().RejectNextWrite("notes", Key(static_cast<int>(i)), cases[i].kind, cases[i].code,
                               "why: " + cases[i].code);
  }
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kComplete);
  EXPECT_EQ(h.report().rejected, static_cast<int64_t>(cases.size()));
  EXPECT_EQ(h.report().applied, 1);
  const auto letters = h.DeadLetters();
  const auto events = h.EventsOf(SyncEventType::kDeadLetter);
  ASSERT_EQ(letters.size(), cases.size());
  ASSERT_EQ(events.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    const DeadLetter* letter = nullptr;
    for (const DeadLetter& l : letters) {
      if (l.mutation.key == Key(static_cast<int>(i))) letter = &l;
    }
    ASSERT_NE(letter, nullptr) << cases[i].code;
    EXPECT_EQ(letter->code, cases[i].code);
    EXPECT_EQ(letter->message, "why: " + cases[i].code);
    EXPECT_EQ(events[i].key, Key(static_cast<int>(i)));
    EXPECT_EQ(events[i].detail, cases[i].code);
  }
  EXPECT_EQ(h.Doc("notes", Key(static_cast<int>(cases.size())))->rev, Rev(1));
  EXPECT_EQ(h.QueueDepth(), 0);
}

// --- Conflicts ---

// notes/n1 `put` is written and pushed, then `patch` is written; returns the mutations that the
// next push sends.
std::vector<Mutation> SentForAPatch(PhaseHarness& h, const json& put, const json& patch) {
  EXPECT_OK(h.store().Put("notes", "n1", put));
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kComplete);
  EXPECT_OK(h.store().Patch("notes", "n1", patch));
  std::vector<Mutation> sent;
  h.remote().set_push_hook([&](size_t, const std::vector<Mutation>& batch) {
    sent.insert(sent.end(), batch.begin(), batch.end());
  });
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kComplete);
  h.remote().set_push_hook(nullptr);
  return sent;
}

// A remote without merge patches receives each patch as the whole document it makes: the
// server's body at the patch's base with the patch applied (never the bare patch).
TEST(PusherTest, ARemoteWithoutPatchesGetsWholeDocuments) {
  PhaseHarness h(PushOptions(10));
  h.remote().mutable_capabilities().patch = false;
  const std::vector<Mutation> sent =
      SentForAPatch(h, {{"title", "a"}, {"body", "b"}, {"tags", {{"x", 1}}}},
                    {{"title", "A"}, {"tags", {{"x", nullptr}, {"y", 2}}}});
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].op, MutationOp::kPut);
  const json whole = {{"title", "A"}, {"body", "b"}, {"tags", {{"y", 2}}}};
  EXPECT_EQ(sent[0].data, whole);
  EXPECT_EQ(h.remote().ServerGet("notes", "n1")->data, whole);
  EXPECT_EQ(h.Doc("notes", "n1")->data, whole);
  EXPECT_FALSE(h.Doc("notes", "n1")->dirty);
}

TEST(PusherTest, ARemoteWithPatchesGetsThePatch) {
  PhaseHarness h(PushOptions(10));
  const std::vector<Mutation> sent =
      SentForAPatch(h, {{"title", "a"}, {"body", "b"}}, {{"title", "A"}});
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].op, MutationOp::kPatch);
  EXPECT_EQ(sent[0].data, json({{"title", "A"}}));
  EXPECT_EQ(h.remote().ServerGet("notes", "n1")->data, json({{"title", "A"}, {"body", "b"}}));
}

TEST(PusherTest, ConflictWithTheCurrentDocumentIncludedIsRecorded) {
  PhaseHarness h(PushOptions(10));
  h.EditOnBothSides({{"title", "base"}}, {{"title", "server"}}, {{"title", "local"}});
  const std::string id = h.Outbox().at(0).mutation_id;
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kComplete);
  EXPECT_TRUE(h.remote().CallsOf(FakeRemote::CallKind::kFetch).empty());
  EXPECT_EQ(h.report().conflicts, 1);
  const auto conflicts = h.Conflicts();
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0].origin, ConflictOrigin::kPush);
  EXPECT_EQ(conflicts[0].mutation_id, id);
  EXPECT_EQ(conflicts[0].remote_rev, Rev(2));
  EXPECT_EQ(conflicts[0].remote_data, json({{"title", "server"}}));
  EXPECT_EQ(conflicts[0].local_data, json({{"title", "local"}}));
  EXPECT_EQ(h.remote().ServerGet("notes", "n1")->data, json({{"title", "server"}}));
}

TEST(PusherTest, ConflictWithoutTheCurrentDocumentFetchesIt) {
  PhaseHarness h(PushOptions(10, /*pipeline=*/true));  // pipelining is off for such a remote
  h.remote().mutable_capabilities().conflict_includes_current = false;
  h.EditOnBothSides({{"title", "base"}}, {{"title", "server"}}, {{"title", "local"}});
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kComplete);
  const auto fetches = h.remote().CallsOf(FakeRemote::CallKind::kFetch);
  ASSERT_EQ(fetches.size(), 1u);
  EXPECT_EQ(fetches[0]->document, "notes/n1");
  const auto conflicts = h.Conflicts();
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0].remote_rev, Rev(2));
  EXPECT_EQ(conflicts[0].remote_data, json({{"title", "server"}}));
  EXPECT_EQ(h.remote().overlapping_uses(), 0);
}

TEST(PusherTest, AFailedFetchFailsTheCycleAndKeepsTheMutation) {
  PhaseHarness h(PushOptions(10));
  h.remote().mutable_capabilities().conflict_includes_current = false;
  h.EditOnBothSides({{"title", "base"}}, {{"title", "server"}}, {{"title", "local"}});
  h.remote().FailNext(FakeRemote::CallKind::kFetch, UnavailableError("fetch: 503"),
                      RemoteFailure::Kind::kOther, 3s);
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kFailed);
  EXPECT_EQ(h.report().outcome, CycleOutcome::kRetry);
  EXPECT_EQ(h.report().retry_after, 3s);
  EXPECT_NE(h.report().error.message().find("fetching notes/n1"), std::string::npos)
      << h.report().error.ToString();
  EXPECT_TRUE(h.Conflicts().empty());
  EXPECT_EQ(h.QueueDepth(), 1);

  h.NewCycle();  // the replay is answered "conflict" again, and the fetch works
  EXPECT_EQ(h.Push(), PhaseEnd::kComplete);
  ASSERT_EQ(h.Conflicts().size(), 1u);
  EXPECT_EQ(h.Conflicts()[0].remote_rev, Rev(2));
}

TEST(PusherTest, AnAcknowledgedDocumentThatNeverExistedMeansTheServerLostItsData) {
  PhaseHarness h(PushOptions(10));
  ASSERT_OK(h.store().Put("notes", "n1", {{"title", "v1"}}));
  h.NewCycle();
  ASSERT_EQ(h.Push(), PhaseEnd::kComplete);
  h.remote().LoseAllData();
  ASSERT_OK(h.store().Patch("notes", "n1", {{"body", "more"}}));  // based on version 1
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kComplete);
  // Not a conflict: sync.on_server_reset (reupload) ran and the document went back.
  EXPECT_TRUE(h.report().server_reset);
  EXPECT_FALSE(h.ctx().server_reset_seen);  // handled within the phase
  EXPECT_EQ(h.EventsOf(SyncEventType::kServerReset).size(), 1u);
  EXPECT_EQ(h.report().conflicts, 0);
  EXPECT_TRUE(h.Conflicts(/*open_only=*/false).empty());
  const auto server = h.remote().ServerGet("notes", "n1");
  ASSERT_TRUE(server.has_value());
  EXPECT_EQ(server->data, json({{"title", "v1"}, {"body", "more"}}));
  EXPECT_EQ(h.Doc("notes", "n1")->rev, Rev(1));
  EXPECT_EQ(h.QueueDepth(), 0);
}

TEST(PusherTest, AConflictWithAVersionTheClientCannotTakeIsDeadLetteredRemoteUnusable) {
  PhaseHarness h(PushOptions(10));
  ASSERT_OK(h.store().Put("notes", "n1", {{"title", "v1"}}));
  h.NewCycle();
  ASSERT_EQ(h.Push(), PhaseEnd::kComplete);
  h.remote().SetUnusable("notes", "n1", "nested deeper than 32 levels");
  ASSERT_OK(h.store().Put("notes", "n1", {{"title", "local"}}));
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kComplete);
  const auto letters = h.DeadLetters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].code, "remote_unusable");
  EXPECT_NE(letters[0].message.find("nested deeper than 32 levels"), std::string::npos);
  EXPECT_EQ(h.EventsOf(SyncEventType::kDeadLetter).size(), 1u);
  EXPECT_TRUE(h.Conflicts().empty());
  EXPECT_EQ(h.Doc("notes", "n1")->data, json({{"title", "local"}}));  // the local edit is kept
}

TEST(PusherTest, ARejectionWithoutACodeIsDeadLetteredUnderItsKind) {
  PhaseHarness h(PushOptions(10));
  PutNotes(h, 1);
  h.remote().RejectNextWrite("notes", Key(0), RejectKind::kForbidden, "", "no reason given");
  h.NewCycle();
  EXPECT_EQ(h.Push(), PhaseEnd::kComplete);
  const auto letters = h.DeadLetters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].code, "forbidden");
  EXPECT_EQ(letters[0].message, "no reason given");
  ASSERT_EQ(h.EventsOf(SyncEventType::kDeadLetter).size(), 1u);
  EXPECT_EQ(h.EventsOf(SyncEventType::kDeadLetter)[0].detail, "forbidden");
}

}  // namespace
}  // namespace syncagent
