// PouchDbDevice (node + PouchDB) against PouchDbServer: the driver's commands do what the interop
// tests rely on (writes, deletes, replication both ways, conflicts reported), and its failures
// come back as Statuses naming them.
#include "tests/couchdb/pouchdb_device.h"

#include <gtest/gtest.h>

#include "tests/couchdb/pouchdb_server.h"

namespace syncagent::couch_testing {
namespace {

using nlohmann::json;

class PouchDbDeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = PouchDbServer::Start();
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server).value();
  }

  static std::unique_ptr<PouchDbDevice> NewDevice() {
    auto device = PouchDbDevice::Start();
    EXPECT_TRUE(device.ok()) << device.status().message();
    return device.ok() ? std::move(device).value() : nullptr;
  }

  std::string Db() const { return server_->url() + "/shared"; }

  std::unique_ptr<PouchDbServer> server_;
};

TEST_F(PouchDbDeviceTest, WritesReplicateBothWaysAndDeletesFollow) {
  auto one = NewDevice();
  auto two = NewDevice();
  ASSERT_TRUE(one && two);
  auto rev = one->Put("a", {{"v", 1}});
  ASSERT_TRUE(rev.ok()) << rev.status().message();
  EXPECT_EQ(rev->substr(0, 2), "1-");
  ASSERT_TRUE(one->PutMany("p", 3).ok());
  ASSERT_TRUE(one->Sync(Db()).ok());
  ASSERT_TRUE(two->Sync(Db()).ok());
  auto all = two->All();
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_EQ(*all, json({{"a", {{"v", 1}}}, {"p0", {{"n", 0}}}, {"p1", {{"n", 1}}},
                        {"p2", {{"n", 2}}}}));
  ASSERT_TRUE(two->Delete("a").ok());
  ASSERT_TRUE(two->Sync(Db()).ok());
  ASSERT_TRUE(one->Sync(Db()).ok());
  auto gone = one->Get("a");
  ASSERT_TRUE(gone.ok()) << gone.status().message();
  EXPECT_TRUE(gone->data.is_null());
}

TEST_F(PouchDbDeviceTest, ConcurrentEditsShowAsConflicts) {
  auto one = NewDevice();
  auto two = NewDevice();
  ASSERT_TRUE(one && two);
  ASSERT_TRUE(one->Put("a", {{"v", 0}}).ok());
  ASSERT_TRUE(one->Sync(Db()).ok());
  ASSERT_TRUE(two->Sync(Db()).ok());
  ASSERT_TRUE(one->Put("a", {{"v", 1}}).ok());
  ASSERT_TRUE(two->Put("a", {{"v", 2}}).ok());
  ASSERT_TRUE(one->Sync(Db()).ok());
  ASSERT_TRUE(two->Sync(Db()).ok());
  auto doc = two->Get("a");
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  EXPECT_EQ(doc->conflicts.size(), 1u);
  std::vector<std::string> conflicted;
  ASSERT_TRUE(two->All(&conflicted).ok());
  EXPECT_EQ(conflicted, std::vector<std::string>{"a"});
}

TEST_F(PouchDbDeviceTest, AFailedCommandIsAStatusNamingIt) {
  auto device = NewDevice();
  ASSERT_TRUE(device);
  auto deleted = device->Delete("nothing");
  ASSERT_FALSE(deleted.ok());
  EXPECT_NE(deleted.status().message().find("no document nothing to delete"), std::string::npos)
      << deleted.status().message();
  EXPECT_EQ(device->Stop(), 0);
  auto after = device->Get("a");
  EXPECT_FALSE(after.ok());
}

TEST(PouchDbDeviceStartTest, FailsNamingTheInstallScriptWhenThePeersAreMissing) {
  auto device = PouchDbDevice::Start("/nonexistent/node_modules");
  ASSERT_FALSE(device.ok());
  EXPECT_EQ(device.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(device.status().message().find("scripts/install-couch-peers"), std::string::npos)
      << device.status().message();
}

}  // namespace
}  // namespace syncagent::couch_testing
