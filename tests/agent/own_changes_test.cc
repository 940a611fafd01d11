// The engine with docs/protocol.md §4.5: pushes carry a per-cycle `origin`, pulls send
// `skip_origin`, so a device does not download its own acknowledged writes again. Against the mock
// server over loopback, with real SQLite files.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/agent/engine_harness.h"

namespace syncagent {
namespace {

using nlohmann::json;
using testing::AppliedTwice;
using testing::Device;
using testing::DeviceOptions;
using testing::ScopedTempDir;
using testing::ServerLive;

class OwnChangesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mock::MockServerOptions options;
    options.admin = true;
    auto server = mock::MockServer::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
  }
  std::unique_ptr<Device> NewDevice(const std::string& name, bool skip_own_changes = true) {
    DeviceOptions options;
    options.engine.push_batch_size = 100;
    options.engine.pull_page_size = 100;
    options.skip_own_writes = skip_own_changes;
    return NewDevice(name, std::move(options));
  }
  std::unique_ptr<Device> NewDevice(const std::string& name, DeviceOptions options) {
    auto device = std::make_unique<Device>(dir_.path() + "/" + name + ".db", server_->base_url(),
                                           &clock_, std::move(options));
    EXPECT_TRUE(device->ok());
    return device;
  }
  void Write(Device& device, int count) {
    for (int i = 0; i < count; ++i) {
      ASSERT_TRUE(device.store().Put("notes", "k" + std::to_string(i), {{"i", i}}).ok());
    }
  }
  // The skip_origin values of the pulls the server saw ("" for a pull without one).
  std::vector<std::string> PullOrigins() {
    std::vector<std::string> out;
    for (const auto& entry : server_->requests().Entries()) {
      if (entry.path != "/v1/pull") continue;
      const size_t at = entry.query.find("skip_origin=");
      out.push_back(at == std::string::npos
                        ? std::string()
                        : entry.query.substr(at + 12, entry.query.find('&', at) - at - 12));
    }
    return out;
  }
  std::string LocalRev(Device& device, const std::string& key) {
    auto doc = device.store().Get("notes", key);
    EXPECT_TRUE(doc.ok() && doc->has_value()) << key;
    return doc.ok() && doc->has_value() ? (*doc)->rev : "(none)";
  }

  ScopedTempDir dir_;
  VirtualClock clock_;
  std::unique_ptr<mock::MockServer> server_;
};

TEST_F(OwnChangesTest, OwnWritesAreNotPulledBackButOthersAre) {
  auto a = NewDevice("a");
  ASSERT_TRUE(server_->state().AdminPut("notes", "other", {{"by", "admin"}}, nullptr).ok());
  Write(*a, 250);
  CycleReport report = a->Sync();
  ASSERT_EQ(report.outcome, CycleOutcome::kDone) << report.ToJson().dump();
  EXPECT_EQ(report.applied, 250);
  EXPECT_EQ(report.pulled, 1);     // only the other writer's document
  EXPECT_EQ(report.requests, 4);   // 3 pushes of 100, 100 and 50, then one pull
  EXPECT_EQ(a->Live("notes"), ServerLive(*server_, "notes"));
  EXPECT_EQ(LocalRev(*a, "k0"), "1");
  EXPECT_EQ(LocalRev(*a, "k249"), "1");
  std::vector<std::string> origins = PullOrigins();
  ASSERT_EQ(origins.size(), 1u);
  EXPECT_EQ(origins[0].rfind("o-", 0), 0u) << origins[0];

  // The cursor is past the device's own writes: the next cycle is idle (one 304), and a cycle
  // that pushes nothing sends no skip_origin.
  CycleReport idle = a->Sync();
  EXPECT_EQ(idle.requests, 1);
  EXPECT_EQ(idle.pulled, 0);
  EXPECT_EQ(PullOrigins().back(), "");

  // A later change by someone else to one of those documents is pulled.
  ASSERT_TRUE(server_->state().AdminPut("notes", "k7", {{"by", "admin"}}, nullptr).ok());
  CycleReport next = a->Sync();
  EXPECT_EQ(next.pulled, 1);
  EXPECT_EQ(a->Live("notes")["k7"], json({{"by", "admin"}}));
  EXPECT_EQ(LocalRev(*a, "k7"), "2");
}

TEST_F(OwnChangesTest, WithTheOptionOffOwnWritesComeBack) {
  auto a = NewDevice("a", /*skip_own_changes=*/false);
  Write(*a, 250);
  CycleReport report = a->Sync();
  ASSERT_EQ(report.outcome, CycleOutcome::kDone) << report.ToJson().dump();
  EXPECT_EQ(report.pulled, 250);
  EXPECT_EQ(report.requests, 6);  // 3 pushes, 3 pulls of its own documents
  EXPECT_EQ(PullOrigins(), std::vector<std::string>(3, ""));
  EXPECT_EQ(a->Live("notes"), ServerLive(*server_, "notes"));
}

TEST_F(OwnChangesTest, TwoDevicesStillSeeEachOthersWrites) {
  auto a = NewDevice("a");
  auto b = NewDevice("b");
  Write(*a, 30);
  ASSERT_TRUE(b->store().Put("notes", "from-b", {{"b", 1}}).ok());
  ASSERT_EQ(a->Sync().outcome, CycleOutcome::kDone);
  CycleReport rb = b->Sync();
  EXPECT_EQ(rb.pulled, 30);
  CycleReport ra = a->Sync();
  EXPECT_EQ(ra.pulled, 1);
  EXPECT_EQ(a->Live("notes"), b->Live("notes"));
  EXPECT_EQ(a->Live("notes"), ServerLive(*server_, "notes"));
  // Every cycle that pushed used its own origin; the one that pushed nothing skips nothing.
  std::vector<std::string> origins = PullOrigins();
  ASSERT_EQ(origins.size(), 3u);
  EXPECT_FALSE(origins[0].empty());
  EXPECT_FALSE(origins[1].empty());
  EXPECT_NE(origins[0], origins[1]);
  EXPECT_EQ(origins[2], "");
}

TEST_F(OwnChangesTest, ALostPushAnswerIsReplayedAndStillSkipped) {
  auto a = NewDevice("a");
  Write(*a, 5);
  faults::FaultRule rule;
  rule.match.method = "POST";
  rule.match.path = "/v1/push";
  rule.action.kind = faults::FaultKind::kResetMidBody;  // applied, answer lost
  server_->faults().Replace({rule});
  CycleReport report = a->Sync();
  ASSERT_EQ(report.outcome, CycleOutcome::kDone) << report.ToJson().dump();
  EXPECT_EQ(report.pulled, 0);  // the replay's answer was recorded: nothing to pull back
  EXPECT_EQ(LocalRev(*a, "k4"), "1");
  EXPECT_TRUE(AppliedTwice(*server_).empty());
  EXPECT_EQ(a->Live("notes"), ServerLive(*server_, "notes"));
}

// A mutation leaves the outbox while its push is in flight (here: dead-lettered by the app), so
// the push's `applied` answer cannot be recorded and the device does not know the server's
// version. The pull must then bring that version in, or the device would never learn it.
TEST_F(OwnChangesTest, AnAnswerThatCannotBeRecordedIsPulledInstead) {
  // Pipelined pushes of one mutation each: while "racy"'s push is on the wire, the cycle's thread
  // records the answer to "first" (kBatchPushed), and only then waits for "racy"'s answer. The app
  // drops "racy" in that event, so its answer always arrives after it left the outbox; no timing.
  std::unique_ptr<Device> a;
  std::string racy_id;
  bool dropped = false;
  DeviceOptions options;
  options.engine.push_batch_size = 1;
  options.engine.pipeline_push = true;
  options.engine.pull_page_size = 100;
  options.on_event = [&](const SyncEvent& e) {
    if (e.type != SyncEventType::kBatchPushed || dropped) return;
    dropped = true;
    EXPECT_TRUE(a->store().DeadLetter(racy_id, "test", "dropped by the app").ok());
  };
  a = NewDevice("a", std::move(options));
  ASSERT_TRUE(a->store().Put("notes", "first", {{"v", 1}}).ok());
  ASSERT_TRUE(a->store().Put("notes", "racy", {{"v", 1}}).ok());
  auto queued = a->store().PeekBatch(10, 1 << 20);
  ASSERT_TRUE(queued.ok());
  ASSERT_EQ(queued->size(), 2u);
  ASSERT_EQ(queued->back().key, "racy");
  racy_id = queued->back().mutation_id;

  CycleReport report = a->Sync();
  ASSERT_TRUE(dropped);
  ASSERT_EQ(report.outcome, CycleOutcome::kDone) << report.ToJson().dump();
  EXPECT_EQ(report.applied, 2);  // the server applied both
  // The cycle's tag was abandoned (an answer under it went unrecorded) and nothing was pushed
  // after it: the pull skips nothing, so both of the cycle's writes come back, "racy" with the
  // version the device did not record.
  EXPECT_EQ(report.pulled, 2);
  EXPECT_EQ(LocalRev(*a, "racy"), "1");
  EXPECT_EQ(a->Live("notes"), ServerLive(*server_, "notes"));
  EXPECT_EQ(PullOrigins(), std::vector<std::string>{""});
}

}  // namespace
}  // namespace syncagent
