// ConflictSettler (agent/conflict_settler.h) on conflicts recorded through FakeRemote: each
// ResolutionPolicy's decision and what it does to the store (document, outbox, conflict row,
// events), the custom resolver, identical sides, and a local write racing a decision.
// Real SQLite store, virtual time.
#include "agent/conflict_settler.h"

#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "tests/agent/phase_harness.h"

namespace syncagent {
namespace {

using nlohmann::json;
using testing::PhaseHarness;
using testing::PhaseHarnessOptions;
using testing::Rev;

// Stamps that sort before and after any stamp this device makes (2026 wall clock).
const std::string kOldStamp = "000000000000001-00000000-c-other";
const std::string kNewStamp = "999999999999999-00000000-c-other";

PhaseHarnessOptions Policy(ResolutionPolicy policy, TieRule tie = TieRule::kServer,
                           CustomResolverFn custom = nullptr) {
  PhaseHarnessOptions options;
  options.policy = policy;
  options.tie = tie;
  options.custom = std::move(custom);
  return options;
}

// Records the conflict of PhaseHarness::EditOnBothSides (a push answered "conflict") and starts
// the cycle that settles it.
void RecordConflict(PhaseHarness& h, const json& base, const json& server, const json& local,
                    const std::string& server_hlc = "") {
  h.EditOnBothSides(base, server, local, server_hlc);
  h.NewCycle();
  ASSERT_EQ(h.Push(), PhaseEnd::kComplete);
  ASSERT_EQ(h.Conflicts().size(), 1u);
  h.NewCycle();
}

// Settles, expecting `queued` decisions that queued a write.
void Settle(PhaseHarness& h, int queued) {
  auto settled = h.Settle();
  ASSERT_OK(settled.status());
  EXPECT_EQ(*settled, queued);
}

// The one settled conflict's resolution, and the one kConflictResolved event's detail.
void ExpectResolved(PhaseHarness& h, const std::string& resolution, const std::string& detail) {
  EXPECT_TRUE(h.Conflicts().empty());
  const auto all = h.Conflicts(/*open_only=*/false);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].status, ConflictStatus::kResolved);
  EXPECT_EQ(all[0].resolution, resolution);
  const auto events = h.EventsOf(SyncEventType::kConflictResolved);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].key, "n1");
  EXPECT_EQ(events[0].detail, detail);
  EXPECT_EQ(h.report().resolved, 1);
}

// The server's document was taken: version 2, clean, nothing queued.
void ExpectServersDocument(PhaseHarness& h, const json& server) {
  auto doc = h.Doc("notes", "n1");
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->data, server);
  EXPECT_EQ(doc->rev, Rev(2));
  EXPECT_FALSE(doc->dirty);
  EXPECT_EQ(h.QueueDepth(), 0);
}

// `data` was written over the server's version: one put based on version 2, which the next push
// applies as version 3.
void ExpectWrittenOverTheServer(PhaseHarness& h, const json& data) {
  const auto outbox = h.Outbox();
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox[0].op, MutationOp::kPut);
  EXPECT_EQ(outbox[0].data, data);
  EXPECT_EQ(outbox[0].base_rev, Rev(2));
  EXPECT_EQ(h.Doc("notes", "n1")->data, data);
  h.NewCycle();
  ASSERT_EQ(h.Push(), PhaseEnd::kComplete);
  const auto server = h.remote().ServerGet("notes", "n1");
  ASSERT_TRUE(server.has_value());
  EXPECT_EQ(server->version, 3);
  EXPECT_EQ(server->data, data);
  EXPECT_EQ(h.Doc("notes", "n1")->rev, Rev(3));
}

const json kBase = {{"title", "base"}};
const json kServer = {{"title", "server"}};
const json kLocal = {{"title", "local"}};

TEST(ConflictSettlerTest, ServerWinsTakesTheServersDocument) {
  PhaseHarness h(Policy(ResolutionPolicy::kServerWins));
  RecordConflict(h, kBase, kServer, kLocal);
  Settle(h, 0);
  ExpectResolved(h, "take_remote", "server_wins");
  ExpectServersDocument(h, kServer);
}

TEST(ConflictSettlerTest, TakingAServerVersionThatNeedsAWriteBackQueuesItsWrite) {
  PhaseHarness h(Policy(ResolutionPolicy::kServerWins));
  h.remote().set_write_back_revisions({Rev(2)});  // version 2 stands beside others
  RecordConflict(h, kBase, kServer, kLocal);
  Settle(h, 1);  // counted: the next push round sends it
  ExpectResolved(h, "take_remote", "server_wins");
  auto queued = h.store().PeekBatch(10, 1 << 20);
  ASSERT_OK(queued.status());
  ASSERT_EQ(queued->size(), 1u);
  EXPECT_EQ((*queued)[0].op, MutationOp::kPut);
  EXPECT_EQ((*queued)[0].base_rev, Rev(2));
  EXPECT_EQ((*queued)[0].data, kServer);
}

TEST(ConflictSettlerTest, ClientWinsWritesTheLocalDocumentOverTheServersVersion) {
  PhaseHarness h(Policy(ResolutionPolicy::kClientWins));
  RecordConflict(h, kBase, kServer, kLocal);
  Settle(h, 1);
  ExpectResolved(h, "replace", "client_wins");
  ExpectWrittenOverTheServer(h, kLocal);
}

TEST(ConflictSettlerTest, LastWriterWinsTakesTheLaterStamp) {
  {
    PhaseHarness h(Policy(ResolutionPolicy::kLastWriterWins));
    RecordConflict(h, kBase, kServer, kLocal, kNewStamp);
    Settle(h, 0);
    ExpectResolved(h, "take_remote", "last_writer_wins");
    ExpectServersDocument(h, kServer);
  }
  {
    PhaseHarness h(Policy(ResolutionPolicy::kLastWriterWins));
    RecordConflict(h, kBase, kServer, kLocal, kOldStamp);
    Settle(h, 1);
    ExpectResolved(h, "replace", "last_writer_wins");
    ExpectWrittenOverTheServer(h, kLocal);
  }
}

TEST(ConflictSettlerTest, MergeKeepsEachSidesOwnChanges) {
  PhaseHarness h(Policy(ResolutionPolicy::kMerge));
  RecordConflict(h, {{"title", "base"}, {"body", "base"}}, {{"title", "server"}, {"body", "base"}},
                 {{"title", "base"}, {"body", "local"}});
  Settle(h, 1);
  ExpectResolved(h, "replace", "merge");
  ExpectWrittenOverTheServer(h, {{"title", "server"}, {"body", "local"}});
}

// A field changed on both sides is decided by the tie rule.
class MergeTieTest
    : public ::testing::TestWithParam<std::tuple<TieRule, std::string, std::string>> {};

TEST_P(MergeTieTest, AFieldChangedOnBothSidesFollowsTheTieRule) {
  const auto& [tie, server_hlc, winner] = GetParam();
  PhaseHarness h(Policy(ResolutionPolicy::kMerge, tie));
  RecordConflict(h, {{"title", "base"}, {"n", 0}}, {{"title", "server"}, {"n", 0}},
                 {{"title", "local"}, {"n", 1}}, server_hlc);
  const json merged = {{"title", winner}, {"n", 1}};
  Settle(h, 1);
  ExpectResolved(h, "replace", "merge (1 tied fields)");
  ExpectWrittenOverTheServer(h, merged);
}

INSTANTIATE_TEST_SUITE_P(
    TieRules, MergeTieTest,
    ::testing::Values(std::make_tuple(TieRule::kServer, kOldStamp, "server"),
                      std::make_tuple(TieRule::kClient, kNewStamp, "local"),
                      std::make_tuple(TieRule::kNewer, kOldStamp, "local"),
                      std::make_tuple(TieRule::kNewer, kNewStamp, "server")));

TEST(ConflictSettlerTest, AMergeThatEqualsTheServersDocumentTakesIt) {
  PhaseHarness h(Policy(ResolutionPolicy::kMerge, TieRule::kServer));
  RecordConflict(h, kBase, kServer, kLocal);
  Settle(h, 0);
  ExpectResolved(h, "take_remote", "merge (1 tied fields)");
  ExpectServersDocument(h, kServer);
}

TEST(ConflictSettlerTest, ManualLeavesTheConflictOpenAnnouncedOnceAndHoldsThePush) {
  PhaseHarness h(Policy(ResolutionPolicy::kManual));
  RecordConflict(h, kBase, kServer, kLocal);
  Settle(h, 0);
  Settle(h, 0);  // again in the same cycle: still open, not announced twice
  const auto open = h.Conflicts();
  ASSERT_EQ(open.size(), 1u);
  const auto announced = h.EventsOf(SyncEventType::kConflict);
  ASSERT_EQ(announced.size(), 1u);
  EXPECT_EQ(announced[0].detail, "manual");
  EXPECT_TRUE(h.EventsOf(SyncEventType::kConflictResolved).empty());
  EXPECT_EQ(h.report().resolved, 0);
  EXPECT_EQ(h.Doc("notes", "n1")->data, kLocal);
  EXPECT_TRUE(h.Outbox().empty());  // held back until the app decides

  // The app decides (the API's path).
  ConflictDecision decision;
  decision.kind = ConflictDecision::Kind::kWrite;
  decision.data = {{"title", "by the app"}};
  ASSERT_OK(ConflictSettler::Apply(&h.store(), open[0].id, decision));
  ExpectWrittenOverTheServer(h, decision.data);
}

TEST(ConflictSettlerTest, IdenticalSidesAreTakenAsTheServersWhateverThePolicy) {
  PhaseHarness h(Policy(ResolutionPolicy::kManual));
  RecordConflict(h, kBase, kServer, kServer);
  Settle(h, 0);
  ExpectResolved(h, "take_remote", "identical");
  ExpectServersDocument(h, kServer);
  EXPECT_TRUE(h.EventsOf(SyncEventType::kConflict).empty());
}

TEST(ConflictSettlerTest, ACustomResolverDecidesFirst) {
  std::vector<ConflictSides> asked;
  PhaseHarness h(Policy(ResolutionPolicy::kServerWins, TieRule::kServer,
                        [&](const ConflictSides& sides) -> StatusOr<CustomResolution> {
                          asked.push_back(sides);
                          return CustomResolution{CustomResolution::Kind::kUse,
                                                  {{"title", "custom"}}};
                        }));
  RecordConflict(h, kBase, kServer, kLocal);
  Settle(h, 1);
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].base.data, kBase);
  EXPECT_EQ(asked[0].local.data, kLocal);
  EXPECT_EQ(asked[0].remote.data, kServer);
  EXPECT_EQ(asked[0].remote.rev, Rev(2));
  ExpectResolved(h, "replace", "custom");
  ExpectWrittenOverTheServer(h, {{"title", "custom"}});
}

TEST(ConflictSettlerTest, ACustomResolverMayDeferToThePolicy) {
  PhaseHarness h(Policy(ResolutionPolicy::kServerWins, TieRule::kServer,
                        [](const ConflictSides&) -> StatusOr<CustomResolution> {
                          return CustomResolution{};  // kDefer
                        }));
  RecordConflict(h, kBase, kServer, kLocal);
  Settle(h, 0);
  ExpectResolved(h, "take_remote", "server_wins");
  ExpectServersDocument(h, kServer);
}

TEST(ConflictSettlerTest, AFailingCustomResolverLeavesTheConflictOpen) {
  PhaseHarness h(Policy(ResolutionPolicy::kServerWins, TieRule::kServer,
                        [](const ConflictSides&) -> StatusOr<CustomResolution> {
                          return InternalError("the app's resolver broke");
                        }));
  RecordConflict(h, kBase, kServer, kLocal);
  Settle(h, 0);
  EXPECT_EQ(h.Conflicts().size(), 1u);
  const auto announced = h.EventsOf(SyncEventType::kConflict);
  ASSERT_EQ(announced.size(), 1u);
  EXPECT_EQ(announced[0].detail, "custom: the app's resolver broke");
  EXPECT_EQ(h.Doc("notes", "n1")->data, kLocal);
}

TEST(ConflictSettlerTest, ALocalWriteDuringTheDecisionIsDecidedAgainNotDropped) {
  PhaseHarness* device = nullptr;
  std::vector<json> locals_seen;
  const json newer = {{"title", "written while deciding"}};
  PhaseHarness h(Policy(
      ResolutionPolicy::kServerWins, TieRule::kServer,
      [&](const ConflictSides& sides) -> StatusOr<CustomResolution> {
        locals_seen.push_back(sides.local.data);
        if (locals_seen.size() == 1) {
          // The app writes between the read of the conflict and the decision's transaction.
          EXPECT_OK(device->store().Put("notes", "n1", newer));
          return CustomResolution{CustomResolution::Kind::kTakeRemote, nullptr};
        }
        return CustomResolution{CustomResolution::Kind::kKeepLocal, nullptr};
      }));
  device = &h;
  RecordConflict(h, kBase, kServer, kLocal);
  Settle(h, 1);
  EXPECT_EQ(locals_seen, (std::vector<json>{kLocal, newer}));
  ExpectResolved(h, "replace", "custom");
  ExpectWrittenOverTheServer(h, newer);
}

// Records a conflict against notes' or drafts' local document `key` (the server has version 2).
void RecordRemoteVersion(PhaseHarness& h, const std::string& collection, const std::string& key) {
  ConflictInput input;
  input.collection = collection;
  input.key = key;
  input.remote_rev = Rev(2);
  input.remote_data = kServer;
  ASSERT_OK(h.store().RecordConflict(input).status());
}

// More open manual conflicts than one page of the store's list (1,000 by default) come first; the
// settleable conflicts recorded after them are still reached and settled.
TEST(ConflictSettlerTest, ConflictsAfterMoreThanAThousandManualOnesAreSettled) {
  constexpr int kManual = 1500;
  constexpr int kSettleable = 5;
  PhaseHarnessOptions options = Policy(ResolutionPolicy::kClientWins);
  options.collection_policies = {{"drafts", ResolutionPolicy::kManual}};
  PhaseHarness h(options);
  std::vector<WriteOp> writes;
  for (int i = 0; i < kManual; ++i) {
    writes.push_back(WriteOp::Put("drafts", testing::Key(i), kLocal));
  }
  for (int i = 0; i < kSettleable; ++i) {
    writes.push_back(WriteOp::Put("notes", testing::Key(i), kLocal));
  }
  ASSERT_OK(h.store().Write(writes));
  for (const WriteOp& w : writes) RecordRemoteVersion(h, w.collection, w.key);
  h.NewCycle();

  Settle(h, kSettleable);  // each client_wins decision queues a put over version 2
  EXPECT_EQ(h.report().resolved, kSettleable);
  EXPECT_EQ(h.EventsOf(SyncEventType::kConflictResolved).size(), size_t{kSettleable});
  EXPECT_EQ(h.EventsOf(SyncEventType::kConflict).size(), size_t{kManual});
  const auto stats = h.store().Stats();
  ASSERT_OK(stats.status());
  EXPECT_EQ(stats->open_conflicts, kManual);
  for (int i = 0; i < kSettleable; ++i) {
    const auto doc = h.Doc("notes", testing::Key(i));
    ASSERT_TRUE(doc.has_value());
    EXPECT_EQ(doc->rev, Rev(2)) << testing::Key(i);  // rebased on the server's version
  }
  int rebased_puts = 0;
  for (const Mutation& m : h.Outbox()) {
    if (m.collection == "notes" && m.base_rev == Rev(2)) ++rebased_puts;
  }
  EXPECT_EQ(rebased_puts, kSettleable);
}

}  // namespace
}  // namespace syncagent
