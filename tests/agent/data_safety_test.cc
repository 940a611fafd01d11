// Data-loss and stuck-sync defects (issue 13, items 1-5), end to end: the engine against the mock
// server over loopback, real SQLite files. Each test reproduces what a hostile review found:
// a document too deep or too large for one side, a server that lost its data, a collection added
// back to sync.collections, and writes to a collection that is not synced.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "common/json_limits.h"
#include "tests/agent/engine_harness.h"

namespace syncagent {
namespace {

using nlohmann::json;
using testing::Device;
using testing::DeviceOptions;
using testing::ScopedTempDir;
using testing::ServerLive;

// {"d":[[...]]} nested `depth` levels (the object is level 1).
json Nested(int depth) {
  return json::parse("{\"d\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}");
}

bool HasEvent(Device& device, SyncEventType type, const std::string& key) {
  for (const SyncEvent& e : device.events()) {
    if (e.type == type && e.key == key) return true;
  }
  return false;
}

class DataSafetyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mock::MockServerOptions options;
    options.admin = true;
    auto server = mock::MockServer::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
  }
  std::unique_ptr<Device> NewDevice(const std::string& name, DeviceOptions options = {}) {
    if (options.engine.pull_max_bytes == 0) options.engine.pull_max_bytes = (32 << 20) - 65536;
    auto device = std::make_unique<Device>(dir_.path() + "/" + name + ".db", server_->base_url(),
                                           &clock_, std::move(options));
    EXPECT_TRUE(device->ok());
    return device;
  }
  void ServerPut(const std::string& collection, const std::string& key, const json& data) {
    ASSERT_TRUE(server_->state().AdminPut(collection, key, data, nullptr).ok());
  }
  static void ExpectDone(const CycleReport& report) {
    EXPECT_EQ(report.outcome, CycleOutcome::kDone) << report.ToJson().dump();
  }

  ScopedTempDir dir_;
  VirtualClock clock_;
  std::unique_ptr<mock::MockServer> server_;
};

// Item 1: a document nested 62 levels (its page is 65 levels deep, past the 64-level wire limit)
// used to fail every pull of every other device forever.
TEST_F(DataSafetyTest, DeepDocumentInAPullIsIsolatedAndTheRestArrives) {
  ServerPut("notes", "before", {{"n", 1}});
  ServerPut("notes", "deep62", Nested(62));
  ServerPut("notes", "deep40", Nested(40));  // within the wire limit, past the document limit
  ServerPut("notes", "after", {{"n", 2}});
  auto b = NewDevice("b");
  ExpectDone(b->Sync());
  EXPECT_EQ(b->Live("notes"), (std::map<std::string, json>{{"after", {{"n", 2}}},
                                                           {"before", {{"n", 1}}}}));
  auto skips = b->store().ListRemoteSkips();
  ASSERT_TRUE(skips.ok());
  ASSERT_EQ(skips->size(), 2u);
  for (const RemoteSkip& skip : *skips) EXPECT_EQ(skip.reason, "nested deeper than 32 levels");
  EXPECT_TRUE(HasEvent(*b, SyncEventType::kRemoteSkipped, "deep62"));
  auto stats = b->store().Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->remote_skips, 2);
  // The cursor moved past them: the next cycle is idle, and a usable version clears the skip.
  CycleReport idle = b->Sync();
  ExpectDone(idle);
  EXPECT_EQ(idle.pulled, 0);
  ServerPut("notes", "deep62", {{"fixed", true}});
  ExpectDone(b->Sync());
  EXPECT_EQ(b->Live("notes")["deep62"], json({{"fixed", true}}));
  EXPECT_EQ(b->store().ListRemoteSkips()->size(), 1u);
}

// Item 1: a device holding a local edit of a document that became too deep on the server used
// to get a push reply it refused, and its whole queue stuck behind it.
TEST_F(DataSafetyTest, LocalEditOfADocumentTooDeepOnTheServerIsDeadLetteredNotStuck) {
  auto b = NewDevice("b");
  ASSERT_TRUE(b->store().Put("notes", "x", {{"v", 1}}).ok());
  ExpectDone(b->Sync());
  ServerPut("notes", "x", Nested(62));
  ASSERT_TRUE(b->store().Patch("notes", "x", {{"v", 2}}).ok());
  ASSERT_TRUE(b->store().Put("notes", "y", {{"v", 1}}).ok());
  ExpectDone(b->Sync());
  EXPECT_EQ(ServerLive(*server_, "notes")["y"], json({{"v", 1}}));
  auto dead = b->store().ListDeadLetters();
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].code, "remote_unusable");
  EXPECT_EQ(b->Live("notes")["x"], json({{"v", 2}}));  // the local edit is kept
}

TEST_F(DataSafetyTest, WritesPastTheDocumentLimitAreRefusedAndTheServerRejectsThem) {
  auto a = NewDevice("a");
  Status deep = a->store().Put("notes", "d", Nested(kMaxDocumentDepth + 1));
  EXPECT_EQ(deep.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(deep.message().find("nested deeper than 32 levels"), std::string::npos)
      << deep.message();
  EXPECT_TRUE(a->store().Put("notes", "ok", Nested(kMaxDocumentDepth)).ok());
  // A mutation queued by an older version, before the limit: dead-lettered, never sent, and
  // the queue behind it moves on.
  ASSERT_TRUE(a->store().Put("notes", "legacy", {{"v", 1}}).ok());
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_.path() + "/a.db").c_str(), &db), SQLITE_OK);
    const std::string sql = "UPDATE outbox SET data = '" + Nested(40).dump() +
                            "' WHERE key = 'legacy'";
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  ExpectDone(a->Sync());
  auto server = ServerLive(*server_, "notes");
  EXPECT_EQ(server.count("legacy"), 0u);
  EXPECT_EQ(server.count("ok"), 1u);
  auto dead = a->store().ListDeadLetters();
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].code, "invalid_document");
}

// Item 2: pages over max_response_bytes used to be downloaded and refused forever.
TEST_F(DataSafetyTest, PagesStayUnderTheResponseLimitAndAnOversizedDocumentIsIsolated) {
  const std::string blob(10000, 'x');
  for (int i = 0; i < 30; ++i) ServerPut("notes", "k" + std::to_string(i), {{"blob", blob}});
  ServerPut("notes", "huge", {{"blob", std::string(100000, 'y')}});
  DeviceOptions options;
  options.http.max_response_bytes = 64 << 10;
  options.engine.pull_max_bytes = (64 << 10) - 4096;
  auto b = NewDevice("b", options);
  CycleReport report = b->Sync();
  ExpectDone(report);
  EXPECT_EQ(b->Live("notes").size(), 30u);
  EXPECT_GE(report.requests, 5);  // 300 KB in pages of at most 60 KB
  auto skips = b->store().ListRemoteSkips();
  ASSERT_TRUE(skips.ok());
  ASSERT_EQ(skips->size(), 1u);
  EXPECT_EQ((*skips)[0].key, "huge");
  EXPECT_EQ((*skips)[0].reason, "left out by the server (too_large)");
}

TEST_F(DataSafetyTest, AServerIgnoringMaxBytesGetsSmallerPages) {
  const std::string blob(10000, 'x');
  for (int i = 0; i < 30; ++i) ServerPut("notes", "k" + std::to_string(i), {{"blob", blob}});
  DeviceOptions options;
  options.http.max_response_bytes = 64 << 10;
  options.engine.pull_max_bytes = -1;  // not sent: as with a server that ignores it
  auto b = NewDevice("b", options);
  ExpectDone(b->Sync());
  EXPECT_EQ(b->Live("notes").size(), 30u);
  // One document over the limit cannot be passed without the server's help: a clear error.
  ServerPut("notes", "huge", {{"blob", std::string(100000, 'y')}});
  CycleReport stuck = b->Sync();
  EXPECT_EQ(stuck.outcome, CycleOutcome::kRetry) << stuck.ToJson().dump();
  EXPECT_NE(stuck.error.message().find("max_bytes"), std::string::npos) << stuck.error.message();
}

// Found by the --hostile soak: an answer to a push larger than max_response_bytes is a lost
// answer (the server applied the batch), never a reason to dead-letter the mutations.
TEST_F(DataSafetyTest, AnOversizedPushAnswerIsALostAnswerNotARejection) {
  faults::FaultRule rule;
  rule.match.path = "/v1/push";
  rule.match.times = -1;
  rule.action.kind = faults::FaultKind::kOversizedBody;
  rule.action.bytes = 2 << 20;
  rule.action.after_processing = true;
  server_->faults().Replace({rule});
  DeviceOptions options;
  options.http.max_response_bytes = 1 << 20;
  auto a = NewDevice("a", options);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(a->store().Put("notes", "k" + std::to_string(i), {{"v", i}}).ok());
  }
  CycleReport lost = a->Sync();
  EXPECT_EQ(lost.outcome, CycleOutcome::kRetry) << lost.ToJson().dump();
  EXPECT_EQ(a->store().ListDeadLetters()->size(), 0u);
  EXPECT_EQ(ServerLive(*server_, "notes").size(), 4u);  // applied, answers lost
  server_->faults().Replace({});
  ExpectDone(a->Sync());
  EXPECT_EQ(a->store().Stats()->queue_depth, 0);
  EXPECT_TRUE(testing::AppliedTwice(*server_).empty());
}

// Item 3: after the server lost its data, an offline edit used to be deleted locally.
TEST_F(DataSafetyTest, ServerResetReuploadsEveryLiveDocumentAndKeepsTheOfflineEdit) {
  auto a = NewDevice("a");
  ASSERT_TRUE(a->store().Put("notes", "edited", {{"v", 1}}).ok());
  ASSERT_TRUE(a->store().Put("notes", "clean", {{"v", 1}}).ok());
  ExpectDone(a->Sync());
  ASSERT_TRUE(server_->Reset().ok());
  ASSERT_TRUE(a->store().Patch("notes", "edited", {{"v", 2}}).ok());
  CycleReport report = a->Sync();
  ExpectDone(report);
  EXPECT_TRUE(report.server_reset);
  const std::map<std::string, json> expected{{"clean", {{"v", 1}}}, {"edited", {{"v", 2}}}};
  EXPECT_EQ(a->Live("notes"), expected);
  EXPECT_EQ(ServerLive(*server_, "notes"), expected);
  EXPECT_EQ(a->store().Stats()->queue_depth, 0);
  EXPECT_TRUE(a->store().Verify().ok());
}

TEST_F(DataSafetyTest, ServerResetIsFoundByTheRefusedCursorWithoutLocalEdits) {
  auto a = NewDevice("a");
  ASSERT_TRUE(a->store().Put("notes", "n1", {{"v", 1}}).ok());
  ExpectDone(a->Sync());
  ASSERT_TRUE(server_->Reset().ok());
  ServerPut("notes", "fresh", {{"v", 9}});
  CycleReport report = a->Sync();
  ExpectDone(report);
  EXPECT_TRUE(report.server_reset);
  const std::map<std::string, json> expected{{"fresh", {{"v", 9}}}, {"n1", {{"v", 1}}}};
  EXPECT_EQ(a->Live("notes"), expected);
  EXPECT_EQ(ServerLive(*server_, "notes"), expected);
}

// Found by the --hostile soak: after a reset, a document deleted on one device came back from
// another device's re-upload of its (older) copy.
TEST_F(DataSafetyTest, ADeleteAfterAServerResetIsNotUndoneByAnotherDevicesReupload) {
  auto a = NewDevice("a");
  auto b = NewDevice("b");
  ASSERT_TRUE(a->store().Put("notes", "x", {{"v", 1}}).ok());
  ASSERT_TRUE(a->store().Put("notes", "y", {{"v", 1}}).ok());
  ExpectDone(a->Sync());
  ExpectDone(b->Sync());
  ASSERT_TRUE(server_->Reset().ok());
  clock_.Advance(Millis(1000));
  ASSERT_TRUE(a->store().Delete("notes", "x").ok());
  ExpectDone(a->Sync());  // the server never had x: the delete changes nothing there
  ExpectDone(b->Sync());  // b re-uploads its copies of x and y
  ExpectDone(a->Sync());  // a deletes x again, over b's older copy
  ExpectDone(b->Sync());
  const std::map<std::string, json> expected{{"y", {{"v", 1}}}};
  EXPECT_EQ(ServerLive(*server_, "notes"), expected);
  EXPECT_EQ(a->Live("notes"), expected);
  EXPECT_EQ(b->Live("notes"), expected);
}

// The same race the other way round: the delete reaches the server over one device's re-upload,
// and a third device's clean copy must not re-create it.
TEST_F(DataSafetyTest, AStaleCleanCopyDoesNotRecreateADocumentDeletedAfterAServerReset) {
  auto a = NewDevice("a");
  auto b = NewDevice("b");
  auto c = NewDevice("c");
  ASSERT_TRUE(a->store().Put("notes", "x", {{"v", 1}}).ok());
  ExpectDone(a->Sync());
  ExpectDone(b->Sync());
  ExpectDone(c->Sync());
  ASSERT_TRUE(server_->Reset().ok());
  ExpectDone(b->Sync());  // b re-uploads x
  clock_.Advance(Millis(1000));
  ASSERT_TRUE(a->store().Delete("notes", "x").ok());
  ExpectDone(a->Sync());  // deletes b's copy
  ExpectDone(c->Sync());  // c's clean copy must not come back
  for (int round = 0; round < 2; ++round) {
    ExpectDone(a->Sync());
    ExpectDone(b->Sync());
    ExpectDone(c->Sync());
  }
  EXPECT_TRUE(ServerLive(*server_, "notes").empty());
  EXPECT_TRUE(a->Live("notes").empty());
  EXPECT_TRUE(b->Live("notes").empty());
  EXPECT_TRUE(c->Live("notes").empty());
}

TEST_F(DataSafetyTest, ServerResetWithAdoptServerKeepsWhatItDropsAsConflicts) {
  DeviceOptions options;
  options.engine.on_server_reset = ServerResetRule::kAdoptServer;
  auto a = NewDevice("a", options);
  ASSERT_TRUE(a->store().Put("notes", "x", {{"v", 1}}).ok());
  ASSERT_TRUE(a->store().Put("notes", "y", {{"v", 1}}).ok());
  ExpectDone(a->Sync());
  ASSERT_TRUE(server_->Reset().ok());
  ServerPut("notes", "z", {{"v", 3}});
  ASSERT_TRUE(a->store().Patch("notes", "x", {{"v", 2}}).ok());
  ExpectDone(a->Sync());
  EXPECT_EQ(a->Live("notes"), ServerLive(*server_, "notes"));
  EXPECT_EQ(a->Live("notes"), (std::map<std::string, json>{{"z", {{"v", 3}}}}));
  auto conflicts = a->store().ListConflicts(/*open_only=*/false);
  ASSERT_TRUE(conflicts.ok());
  std::map<std::string, json> kept;
  for (const Conflict& c : *conflicts) kept[c.key] = c.local_data;
  EXPECT_EQ(kept, (std::map<std::string, json>{{"x", {{"v", 2}}}, {"y", {{"v", 1}}}}));
  EXPECT_TRUE(a->store().Verify().ok());
}

// Item 4: a collection added back to sync.collections used to miss what was written meanwhile.
TEST_F(DataSafetyTest, ACollectionAddedBackIsBackfilled) {
  DeviceOptions notes_only;
  notes_only.engine.collections = {"notes"};
  {
    auto a = NewDevice("a", notes_only);
    ServerPut("notes", "n", {{"v", 1}});
    ServerPut("tasks", "t", {{"v", 1}});
    ExpectDone(a->Sync());
    EXPECT_TRUE(a->Live("tasks").empty());
  }
  DeviceOptions both;
  both.engine.collections = {"notes", "tasks"};
  auto a = NewDevice("a", both);
  ExpectDone(a->Sync());
  EXPECT_EQ(a->Live("tasks"), (std::map<std::string, json>{{"t", {{"v", 1}}}}));
  // Narrowing again keeps the cursor: the next cycle is idle.
  auto narrowed = NewDevice("a", notes_only);
  CycleReport idle = narrowed->Sync();
  ExpectDone(idle);
  EXPECT_EQ(idle.pulled, 0);
}

// Item 5: writes to a collection that is not synced used to be uploaded anyway.
TEST_F(DataSafetyTest, AnUnlistedCollectionIsLocalOnlyUntilListed) {
  DeviceOptions notes_only;
  notes_only.engine.collections = {"notes"};
  {
    auto a = NewDevice("a", notes_only);
    ASSERT_TRUE(a->store().Put("notes", "n", {{"v", 1}}).ok());
    ASSERT_TRUE(a->store().Put("private", "p", {{"secret", 1}}).ok());
    ExpectDone(a->Sync());
    EXPECT_EQ(ServerLive(*server_, "notes").size(), 1u);
    EXPECT_TRUE(ServerLive(*server_, "private").empty());
    auto stats = a->store().Stats();
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->queue_depth, 0);
    EXPECT_EQ(stats->local_only, 1);
  }
  DeviceOptions all;  // no list: every collection
  auto a = NewDevice("a", all);
  ExpectDone(a->Sync());
  EXPECT_EQ(ServerLive(*server_, "private"), (std::map<std::string, json>{{"p", {{"secret", 1}}}}));
}

}  // namespace
}  // namespace syncagent
