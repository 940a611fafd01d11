// SyncEngine against the mock server over loopback, with real SQLite files.
#include "agent/sync_engine.h"

#include <sqlite3.h>

#include <algorithm>
#include <thread>

#include <gtest/gtest.h>

#include "tests/agent/engine_harness.h"

namespace syncagent {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::AppliedTwice;
using testing::Device;
using testing::DeviceOptions;
using testing::ScopedTempDir;
using testing::ServerLive;

class SyncEngineTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer({}); }
  void StartServer(mock::MockServerOptions options) {
    options.admin = true;
    auto server = mock::MockServer::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
  }
  std::unique_ptr<Device> NewDevice(const std::string& name, DeviceOptions options = {}) {
    auto device = std::make_unique<Device>(dir_.path() + "/" + name + ".db", server_->base_url(),
                                           &clock_, std::move(options));
    EXPECT_TRUE(device->ok());
    return device;
  }
  // notes/n is created on A and synced to B; then A sets "title" and B sets "body", and A syncs
  // first, so B's next cycle meets a conflict.
  static void ConcurrentEdits(Device& a, Device& b) {
    ASSERT_TRUE(a.store().Put("notes", "n", {{"title", "base"}}).ok());
    a.Sync();
    b.Sync();
    ASSERT_TRUE(a.store().Patch("notes", "n", {{"title", "A"}}).ok());
    ASSERT_TRUE(b.store().Patch("notes", "n", {{"body", "B"}}).ok());
    a.Sync();
  }
  faults::FaultRule Fault(const std::string& method, const std::string& path, faults::FaultKind kind,
                        int64_t times = 1) {
    faults::FaultRule rule;
    rule.match.method = method;
    rule.match.path = path;
    rule.match.times = times;
    rule.action.kind = kind;
    return rule;
  }

  ScopedTempDir dir_;
  VirtualClock clock_;
  std::unique_ptr<mock::MockServer> server_;
};

TEST_F(SyncEngineTest, PushesLocalWritesAndPullsRemoteChanges) {
  auto a = NewDevice("a");
  ASSERT_TRUE(a->store().Put("notes", "n1", {{"title", "hello"}}).ok());
  ASSERT_TRUE(a->store().Put("notes", "n2", {{"title", "world"}}).ok());
  CycleReport report = a->Sync();
  EXPECT_EQ(report.outcome, CycleOutcome::kDone) << report.ToJson().dump();
  EXPECT_EQ(report.pushed, 2);
  EXPECT_EQ(report.applied, 2);
  EXPECT_EQ(ServerLive(*server_, "notes").size(), 2u);

  ASSERT_TRUE(server_->state().AdminPut("notes", "n3", {{"title", "from elsewhere"}}, nullptr).ok());
  report = a->Sync();
  EXPECT_EQ(report.outcome, CycleOutcome::kDone);
  EXPECT_EQ(report.pulled, 1);
  EXPECT_EQ(a->Live("notes"), ServerLive(*server_, "notes"));
  auto doc = a->store().Get("notes", "n1");
  ASSERT_TRUE(doc.ok() && doc->has_value());
  EXPECT_FALSE((*doc)->dirty);
  EXPECT_EQ((*doc)->rev, "1");
}

TEST_F(SyncEngineTest, IdleCycleCostsExactlyOneSmallRequest) {
  auto a = NewDevice("a");
  ASSERT_TRUE(a->store().Put("notes", "n1", {{"t", 1}}).ok());
  ASSERT_EQ(a->Sync().outcome, CycleOutcome::kDone);
  ASSERT_EQ(a->Sync().outcome, CycleOutcome::kDone);  // the server skips its own change
  CycleReport idle = a->Sync();
  EXPECT_EQ(idle.outcome, CycleOutcome::kDone);
  EXPECT_EQ(idle.requests, 1);
  EXPECT_EQ(idle.pulled, 0);
  EXPECT_LT(idle.bytes_up + idle.bytes_down, 1024);
}

TEST_F(SyncEngineTest, TwoDevicesConvergeIncludingDeletes) {
  auto a = NewDevice("a");
  auto b = NewDevice("b");
  ASSERT_TRUE(a->store().Put("notes", "x", {{"v", 1}}).ok());
  ASSERT_TRUE(a->store().Put("notes", "y", {{"v", 1}}).ok());
  a->Sync();
  b->Sync();
  EXPECT_EQ(b->Live("notes"), a->Live("notes"));
  ASSERT_TRUE(b->store().Delete("notes", "x").ok());
  ASSERT_TRUE(b->store().Patch("notes", "y", {{"w", 2}}).ok());
  b->Sync();
  a->Sync();
  EXPECT_EQ(a->Live("notes"), (std::map<std::string, json>{{"y", {{"v", 1}, {"w", 2}}}}));
  EXPECT_EQ(a->Live("notes"), ServerLive(*server_, "notes"));
  EXPECT_TRUE(AppliedTwice(*server_).empty());
}

// Two devices edit the same document while offline; A syncs first, then B. What B (and then
// everyone) ends with depends on B's policy.
struct PolicyCase {
  ResolutionPolicy policy;
  TieRule tie;
  json expected;  // the final document everywhere
};

std::string PolicyCaseName(const ::testing::TestParamInfo<PolicyCase>& param_info) {
  std::string name(ResolutionPolicyName(param_info.param.policy));
  if (param_info.param.policy == ResolutionPolicy::kMerge) {
    static const char* const kTies[] = {"server", "client", "newer"};
    name += std::string("_tie_") + kTies[static_cast<int>(param_info.param.tie)];
  }
  return name;
}

class ConflictPolicyTest : public SyncEngineTest, public ::testing::WithParamInterface<PolicyCase> {};

TEST_P(ConflictPolicyTest, ConcurrentEditsResolveByPolicy) {
  auto a = NewDevice("a");
  DeviceOptions options;
  options.policy = GetParam().policy;
  options.tie = GetParam().tie;
  auto b = NewDevice("b", options);
  ASSERT_TRUE(a->store().Put("notes", "n", {{"title", "base"}, {"body", "base"}, {"n", 0}}).ok());
  a->Sync();
  b->Sync();
  ASSERT_TRUE(a->store().Patch("notes", "n", {{"title", "A"}, {"n", 1}}).ok());
  clock_.Advance(1s);  // B writes later: B's stamp is newer
  ASSERT_TRUE(b->store().Patch("notes", "n", {{"body", "B"}, {"n", 2}}).ok());
  ASSERT_EQ(a->Sync().outcome, CycleOutcome::kDone);
  CycleReport rb = b->Sync();
  EXPECT_EQ(rb.outcome, CycleOutcome::kDone) << rb.ToJson().dump();
  EXPECT_EQ(rb.conflicts, 1);
  a->Sync();
  b->Sync();
  EXPECT_EQ(ServerLive(*server_, "notes")["n"], GetParam().expected);
  EXPECT_EQ(a->Live("notes")["n"], GetParam().expected);
  EXPECT_EQ(b->Live("notes")["n"], GetParam().expected);
  EXPECT_TRUE(AppliedTwice(*server_).empty());
}

INSTANTIATE_TEST_SUITE_P(
    Policies, ConflictPolicyTest,
    ::testing::Values(
        PolicyCase{ResolutionPolicy::kServerWins, TieRule::kServer,
                   {{"title", "A"}, {"body", "base"}, {"n", 1}}},
        PolicyCase{ResolutionPolicy::kClientWins, TieRule::kServer,
                   {{"title", "base"}, {"body", "B"}, {"n", 2}}},
        PolicyCase{ResolutionPolicy::kLastWriterWins, TieRule::kServer,
                   {{"title", "base"}, {"body", "B"}, {"n", 2}}},
        PolicyCase{ResolutionPolicy::kMerge, TieRule::kServer,
                   {{"title", "A"}, {"body", "B"}, {"n", 1}}},
        PolicyCase{ResolutionPolicy::kMerge, TieRule::kClient,
                   {{"title", "A"}, {"body", "B"}, {"n", 2}}},
        PolicyCase{ResolutionPolicy::kMerge, TieRule::kNewer,
                   {{"title", "A"}, {"body", "B"}, {"n", 2}}}),
    PolicyCaseName);

TEST_F(SyncEngineTest, ManualConflictStaysOpenAndBlocksOnlyThatDocument) {
  auto a = NewDevice("a");
  DeviceOptions options;
  options.policy = ResolutionPolicy::kManual;
  auto b = NewDevice("b", options);
  ASSERT_TRUE(a->store().Put("notes", "n", {{"v", 0}}).ok());
  a->Sync();
  b->Sync();
  ASSERT_TRUE(a->store().Put("notes", "n", {{"v", "A"}}).ok());
  ASSERT_TRUE(b->store().Put("notes", "n", {{"v", "B"}}).ok());
  ASSERT_TRUE(b->store().Put("notes", "other", {{"free", true}}).ok());
  a->Sync();
  CycleReport rb = b->Sync();
  EXPECT_EQ(rb.outcome, CycleOutcome::kDone);
  auto open = b->store().ListConflicts(true);
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(b->Live("notes")["n"], json({{"v", "B"}}));         // the local value is kept
  EXPECT_EQ(ServerLive(*server_, "notes")["n"], json({{"v", "A"}}));  // and not pushed
  EXPECT_EQ(ServerLive(*server_, "notes")["other"], json({{"free", true}}));
  bool announced = false;
  for (const SyncEvent& e : b->events()) announced |= e.type == SyncEventType::kConflict;
  EXPECT_TRUE(announced);
  // More cycles do not push it either.
  b->Sync();
  EXPECT_EQ(ServerLive(*server_, "notes")["n"], json({{"v", "A"}}));
  // The app resolves in favour of its own value; the next cycle pushes it.
  ASSERT_TRUE(b->store().ResolveConflict((*open)[0].id, Resolution::Replace({{"v", "B+A"}})).ok());
  EXPECT_EQ(b->Sync().outcome, CycleOutcome::kDone);
  EXPECT_EQ(ServerLive(*server_, "notes")["n"], json({{"v", "B+A"}}));
  a->Sync();
  EXPECT_EQ(a->Live("notes"), ServerLive(*server_, "notes"));
}

TEST_F(SyncEngineTest, CustomResolverDecides) {
  auto a = NewDevice("a");
  DeviceOptions options;
  options.custom = [](const ConflictSides& s) -> StatusOr<CustomResolution> {
    // A counter: apply both sides' increments.
    const int sum = s.local.data["count"].get<int>() + s.remote.data["count"].get<int>() -
                    s.base.data["count"].get<int>();
    return CustomResolution{CustomResolution::Kind::kUse, {{"count", sum}}};
  };
  auto b = NewDevice("b", options);
  ASSERT_TRUE(a->store().Put("c", "k", {{"count", 10}}).ok());
  a->Sync();
  b->Sync();
  ASSERT_TRUE(a->store().Put("c", "k", {{"count", 13}}).ok());
  ASSERT_TRUE(b->store().Put("c", "k", {{"count", 15}}).ok());
  a->Sync();
  b->Sync();
  a->Sync();
  EXPECT_EQ(ServerLive(*server_, "c")["k"], json({{"count", 18}}));
  EXPECT_EQ(a->Live("c")["k"], json({{"count", 18}}));
}

TEST_F(SyncEngineTest, AWriteMadeWhileAConflictIsBeingSettledIsNeverDropped) {
  auto a = NewDevice("a");
  DeviceOptions options;
  options.policy = ResolutionPolicy::kMerge;
  auto b_store = std::make_shared<Store*>(nullptr);
  auto calls = std::make_shared<int>(0);
  options.custom = [b_store, calls](const ConflictSides& s) -> StatusOr<CustomResolution> {
    if ((*calls)++ == 0) {
      // The app writes to the document while the first decision is being made (found by the
      // soak: the merge was written from the stale local side and the write was lost).
      Status written = (*b_store)->Patch(s.collection, s.key, {{"late", true}});
      if (!written.ok()) return written;
    }
    return CustomResolution{CustomResolution::Kind::kDefer, nullptr};  // the merge policy
  };
  auto b = NewDevice("b", options);
  *b_store = &b->store();
  ConcurrentEdits(*a, *b);
  EXPECT_EQ(b->Sync().outcome, CycleOutcome::kDone);
  EXPECT_GE(*calls, 2) << "the stale decision was not taken again";
  a->Sync();
  const json expected = {{"title", "A"}, {"body", "B"}, {"late", true}};
  EXPECT_EQ(ServerLive(*server_, "notes")["n"], expected);
  EXPECT_EQ(b->Live("notes")["n"], expected);
  EXPECT_EQ(a->Live("notes")["n"], expected);
}

TEST_F(SyncEngineTest, AConflictStillRacingAWriterIsLeftOpenAndSettledNextCycle) {
  auto a = NewDevice("a");
  DeviceOptions options;
  options.policy = ResolutionPolicy::kMerge;
  auto b_store = std::make_shared<Store*>(nullptr);
  auto busy = std::make_shared<int>(0);  // > 0: the app writes during every decision
  options.custom = [b_store, busy](const ConflictSides& s) -> StatusOr<CustomResolution> {
    if (*busy > 0) {
      Status written = (*b_store)->Patch(s.collection, s.key, {{"n", (*busy)++}});
      if (!written.ok()) return written;
    }
    return CustomResolution{CustomResolution::Kind::kDefer, nullptr};
  };
  auto b = NewDevice("b", options);
  *b_store = &b->store();
  ConcurrentEdits(*a, *b);
  *busy = 1;
  // Every decision is overtaken by a write: after a few rounds the conflict is left open, the
  // cycle does not fail, and no write is lost.
  EXPECT_NE(b->Sync().outcome, CycleOutcome::kFailed);
  EXPECT_GE(*busy, 4) << "fewer decision rounds than expected";
  auto open = b->store().ListConflicts(true);
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->size(), 1u);
  const int last = *busy - 1;
  EXPECT_EQ(b->Live("notes")["n"]["n"], last);
  // The writer is quiet again: the next cycle settles it with every write in.
  *busy = 0;
  EXPECT_EQ(b->Sync().outcome, CycleOutcome::kDone);
  a->Sync();
  const json expected = {{"title", "A"}, {"body", "B"}, {"n", last}};
  EXPECT_EQ(ServerLive(*server_, "notes")["n"], expected);
  EXPECT_EQ(a->Live("notes")["n"], expected);
}

TEST_F(SyncEngineTest, DeleteAgainstEditResolvesByMergeTie) {
  auto a = NewDevice("a");
  DeviceOptions options;
  options.policy = ResolutionPolicy::kMerge;
  options.tie = TieRule::kClient;
  auto b = NewDevice("b", options);
  ASSERT_TRUE(a->store().Put("notes", "d", {{"v", 1}}).ok());
  a->Sync();
  b->Sync();
  ASSERT_TRUE(a->store().Patch("notes", "d", {{"v", 2}}).ok());
  ASSERT_TRUE(b->store().Delete("notes", "d").ok());
  a->Sync();
  EXPECT_EQ(b->Sync().outcome, CycleOutcome::kDone);
  a->Sync();
  EXPECT_TRUE(ServerLive(*server_, "notes").empty());  // the client's delete won the tie
  EXPECT_TRUE(a->Live("notes").empty());
}

TEST_F(SyncEngineTest, PayloadTooLargeHalvesBatchesAndDeadLettersAnOversizedWrite) {
  mock::MockServerOptions server_options;
  server_options.max_body_bytes = 6000;
  StartServer(server_options);
  DeviceOptions options;
  options.http.gzip_request_min_bytes = -1;
  options.engine.push_batch_size = 64;
  auto a = NewDevice("a", options);
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(a->store().Put("notes", "k" + std::to_string(i), {{"text", std::string(200, 'x')}}).ok());
  }
  ASSERT_TRUE(a->store().Put("notes", "huge", {{"text", std::string(10000, 'y')}}).ok());
  CycleReport report = a->Sync();
  EXPECT_EQ(report.outcome, CycleOutcome::kDone) << report.ToJson().dump();
  EXPECT_EQ(report.applied, 40);
  EXPECT_EQ(report.rejected, 1);
  EXPECT_EQ(ServerLive(*server_, "notes").size(), 40u);
  auto dead = a->store().ListDeadLetters();
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].code, "payload_too_large");
  EXPECT_EQ((*dead)[0].mutation.key, "huge");
}

// The pipelined push takes the next batch while a request is on the wire. When that request fails
// (here a 413 that halves the batch), the batch taken behind it must not overtake it: the server
// applies everything in outbox order, pipelined or not, and a document's second write (which
// depends on the answer to its first) is never sent ahead of that answer.
class PushOrderTest : public SyncEngineTest, public ::testing::WithParamInterface<bool> {};

TEST_P(PushOrderTest, TheServerAppliesTheOutboxInOrderEvenWhenABatchFails) {
  DeviceOptions options;
  options.engine.push_batch_size = 2;
  options.engine.pipeline_push = GetParam();
  auto a = NewDevice("a", options);
  // k0 is sent once and its answer lost, so its second write is a separate mutation.
  ASSERT_TRUE(a->store().Put("notes", "k0", {{"v", 1}}).ok());
  server_->faults().Replace({Fault("POST", "/v1/push", faults::FaultKind::kStatus, -1)});
  ASSERT_EQ(a->Sync().outcome, CycleOutcome::kRetry);
  server_->faults().Clear();
  for (int i = 1; i < 8; ++i) {
    ASSERT_TRUE(a->store().Put("notes", "k" + std::to_string(i), {{"v", 1}}).ok());
  }
  ASSERT_TRUE(a->store().Patch("notes", "k0", {{"w", 2}}).ok());
  // The second push request (k2 and k3) is refused once as too large.
  faults::FaultRule too_large = Fault("POST", "/v1/push", faults::FaultKind::kStatus);
  too_large.match.nth = 2;
  too_large.action.status = 413;
  server_->faults().Replace({too_large});
  CycleReport report = a->Sync();
  ASSERT_EQ(report.outcome, CycleOutcome::kDone) << report.ToJson().dump();
  EXPECT_EQ(report.applied, 9);
  EXPECT_EQ(report.rejected, 0);

  std::vector<mock::DocumentState> docs = server_->Documents();
  std::sort(docs.begin(), docs.end(),
            [](const auto& x, const auto& y) { return x.change_seq < y.change_seq; });
  std::vector<std::string> order;
  for (const auto& d : docs) order.push_back(d.key);
  // k0's second write is the last mutation in the outbox.
  EXPECT_EQ(order, (std::vector<std::string>{"k1", "k2", "k3", "k4", "k5", "k6", "k7", "k0"}));
  auto k0 = server_->state().Find("notes", "k0");
  ASSERT_TRUE(k0.has_value());
  EXPECT_EQ(k0->version, 2);
  EXPECT_EQ(k0->data, json({{"v", 1}, {"w", 2}}));
  EXPECT_EQ(a->Live("notes"), ServerLive(*server_, "notes"));
  EXPECT_TRUE(AppliedTwice(*server_).empty());
}

INSTANTIATE_TEST_SUITE_P(Pipelined, PushOrderTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param_info) {
                           return std::string(param_info.param ? "pipelined" : "sequential");
                         });

// The store fails while a pipelined request is on the wire: the next batch cannot be taken (a
// trigger, installed by another connection once the first batch's answers are recorded, refuses
// to mark k4 attempted). The cycle ends with the store's error, the answers to every request that
// was sent are still recorded, and the batch that could not be taken stays queued, untouched, for
// the next cycle. No timing: the next take always follows the kBatchPushed event on the cycle's
// thread, and the second answer is only recorded after that take.
TEST_F(SyncEngineTest, AStoreFailureBesideAPipelinedRequestKeepsEveryAnswer) {
  const std::string db = dir_.path() + "/a.db";
  auto exec_on_other_connection = [&db](const char* sql) {
    sqlite3* other = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &other), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(other, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(other);
    sqlite3_close(other);
  };
  bool refused = false;
  DeviceOptions options;
  options.engine.push_batch_size = 2;
  options.on_event = [&](const SyncEvent& e) {
    // The first batch's answers were just recorded and the second request is on the wire.
    if (e.type != SyncEventType::kBatchPushed || refused) return;
    refused = true;
    exec_on_other_connection(
        "CREATE TRIGGER refuse_take BEFORE UPDATE OF attempts ON outbox WHEN OLD.key = 'k4' "
        "BEGIN SELECT RAISE(ABORT, 'the take is refused'); END");
  };
  auto a = NewDevice("a", options);
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(a->store().Put("notes", "k" + std::to_string(i), {{"v", i}}).ok());
  }

  CycleReport report = a->Sync();
  ASSERT_TRUE(refused);
  exec_on_other_connection("DROP TRIGGER refuse_take");
  EXPECT_EQ(report.outcome, CycleOutcome::kFailed) << report.ToJson().dump();
  EXPECT_NE(report.error.message().find("the take is refused"), std::string::npos)
      << report.error.ToString();
  EXPECT_EQ(report.applied, 4);  // both answers recorded
  EXPECT_EQ(ServerLive(*server_, "notes").size(), 4u);
  for (int i = 0; i < 4; ++i) {
    auto doc = a->store().Get("notes", "k" + std::to_string(i));
    ASSERT_TRUE(doc.ok() && doc->has_value());
    EXPECT_FALSE((*doc)->dirty) << i;
    EXPECT_EQ((*doc)->rev, "1") << i;
  }
  auto queued = a->store().PeekBatch(10, 1 << 20);
  ASSERT_TRUE(queued.ok());
  ASSERT_EQ(queued->size(), 2u);
  EXPECT_EQ((*queued)[0].key, "k4");
  EXPECT_EQ((*queued)[0].attempts, 0);  // the failed take changed nothing

  EXPECT_EQ(a->Sync().outcome, CycleOutcome::kDone);
  EXPECT_EQ(a->Live("notes"), ServerLive(*server_, "notes"));
  EXPECT_EQ(a->Live("notes").size(), 6u);
  EXPECT_TRUE(AppliedTwice(*server_).empty());
}

TEST_F(SyncEngineTest, TransientFailureReportsRetryAndKeepsTheQueue) {
  server_->faults().Replace({Fault("POST", "/v1/push", faults::FaultKind::kStatus, -1)});
  DeviceOptions options;
  options.retry.max_attempts = 3;
  auto a = NewDevice("a", options);
  ASSERT_TRUE(a->store().Put("notes", "n", {{"v", 1}}).ok());
  CycleReport report = a->Sync();
  EXPECT_EQ(report.outcome, CycleOutcome::kRetry);
  EXPECT_EQ(report.error.retry_class(), RetryClass::kTransient);
  EXPECT_GT(report.retry_after.count(), 0);
  auto stats = a->store().Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->queue_depth, 1);
  server_->faults().Clear();
  EXPECT_EQ(a->Sync().outcome, CycleOutcome::kDone);
  EXPECT_EQ(ServerLive(*server_, "notes").size(), 1u);
  auto status = a->agent().GetStatus();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->last_outcome, "done");
  EXPECT_TRUE(status->last_error.empty());
  EXPECT_TRUE(status->last_success_ms.has_value());
}

TEST_F(SyncEngineTest, ServerDownReportsRetryWithTheNetworkClass) {
  auto a = NewDevice("a");
  ASSERT_TRUE(a->store().Put("notes", "n", {{"v", 1}}).ok());
  server_->Stop();
  CycleReport report = a->Sync();
  EXPECT_EQ(report.outcome, CycleOutcome::kRetry);
  EXPECT_EQ(report.error.retry_class(), RetryClass::kNetwork);
  auto status = a->agent().GetStatus();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->last_outcome, "retry");
  EXPECT_FALSE(status->last_error.empty());
  EXPECT_EQ(status->store.queue_depth, 1);
}

TEST_F(SyncEngineTest, AuthFailureFailsTheCycle) {
  mock::MockServerOptions server_options;
  server_options.token = "secret";
  StartServer(server_options);
  auto a = NewDevice("a");  // sends no token
  ASSERT_TRUE(a->store().Put("notes", "n", {{"v", 1}}).ok());
  CycleReport report = a->Sync();
  EXPECT_EQ(report.outcome, CycleOutcome::kFailed);
  EXPECT_EQ(report.error.code(), StatusCode::kUnauthenticated);
}

TEST_F(SyncEngineTest, LostPushReplyIsReplayedWithoutDoubleApply) {
  faults::FaultRule rule = Fault("POST", "/v1/push", faults::FaultKind::kResetMidBody);
  server_->faults().Replace({rule});
  auto a = NewDevice("a");
  ASSERT_TRUE(a->store().Put("notes", "n", {{"v", 1}}).ok());
  ASSERT_TRUE(a->store().Put("notes", "m", {{"v", 1}}).ok());
  CycleReport report = a->Sync();
  EXPECT_EQ(report.outcome, CycleOutcome::kDone) << report.ToJson().dump();
  EXPECT_EQ(report.applied, 2);
  EXPECT_TRUE(AppliedTwice(*server_).empty());
  EXPECT_EQ(ServerLive(*server_, "notes").size(), 2u);
}

TEST_F(SyncEngineTest, CancelledCycleStopsAsPartialAndResumes) {
  auto a = NewDevice("a");
  ASSERT_TRUE(a->store().Put("notes", "n", {{"v", 1}}).ok());
  CancelToken cancel;
  cancel.Cancel("expiration handler");
  CycleReport report = a->Sync(60s, &cancel);
  EXPECT_EQ(report.outcome, CycleOutcome::kPartial);
  EXPECT_EQ(report.stop, StopKind::kCancelled);
  EXPECT_EQ(report.cancel_reason, "expiration handler");
  EXPECT_EQ(report.requests, 0);
  EXPECT_EQ(a->Sync().outcome, CycleOutcome::kDone);
  EXPECT_EQ(ServerLive(*server_, "notes").size(), 1u);
}

TEST_F(SyncEngineTest, ExhaustedBudgetStopsBeforeStartingARequest) {
  auto a = NewDevice("a");
  ASSERT_TRUE(a->store().Put("notes", "n", {{"v", 1}}).ok());
  CycleReport report = a->Sync(100ms);  // below the minimum margin
  EXPECT_EQ(report.outcome, CycleOutcome::kPartial);
  EXPECT_EQ(report.stop, StopKind::kDeadline);
  EXPECT_EQ(report.requests, 0);
}

TEST_F(SyncEngineTest, PullPagesAreCheckpointedAcrossPartialCycles) {
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(server_->state().AdminPut("notes", "k" + std::to_string(i), {{"i", i}}, nullptr).ok());
  }
  DeviceOptions options;
  options.engine.pull_page_size = 10;
  auto a = NewDevice("a", options);
  CancelToken cancel;
  int pages = 0;
  a->agent().SetEventCallback([&](const SyncEvent& e) {
    if (e.type == SyncEventType::kPagePulled && ++pages == 1) cancel.Cancel("os");
  });
  CycleReport first = a->Sync(60s, &cancel);
  EXPECT_EQ(first.outcome, CycleOutcome::kPartial);
  EXPECT_EQ(first.pulled, 10);
  EXPECT_EQ(a->Live("notes").size(), 10u);
  a->agent().SetEventCallback(nullptr);
  CycleReport second = a->Sync();
  EXPECT_EQ(second.outcome, CycleOutcome::kDone);
  EXPECT_EQ(second.pulled, 20);  // resumed from the checkpoint, nothing fetched twice
  EXPECT_EQ(a->Live("notes").size(), 30u);
}

TEST_F(SyncEngineTest, EventsDescribeTheCycle) {
  auto a = NewDevice("a");
  ASSERT_TRUE(a->store().Put("notes", "n", {{"v", 1}}).ok());
  a->Sync();
  ASSERT_GE(a->events().size(), 3u);
  EXPECT_EQ(a->events().front().type, SyncEventType::kCycleStarted);
  EXPECT_EQ(a->events().back().type, SyncEventType::kCycleFinished);
  EXPECT_EQ(a->events().back().detail, "done");
  bool pushed = false;
  for (const SyncEvent& e : a->events()) pushed |= e.type == SyncEventType::kBatchPushed;
  EXPECT_TRUE(pushed);
}

}  // namespace
}  // namespace syncagent
