// SyncagentRemote's translations between the engine's terms and syncagent/1's (no network:
// the loopback behaviour is covered by the engine suites against the mock server).
#include "net/syncagent_remote.h"

#include <gtest/gtest.h>

namespace syncagent {
namespace {

SyncagentRemote MakeRemote() {
  // No request is sent by these tests: the transport is never reached.
  return SyncagentRemote(nullptr, nullptr, nullptr, SyncagentRemoteOptions{}, 1);
}

TEST(SyncagentRemoteTest, VersionsAreOrderedAsIntegers) {
  SyncagentRemote remote = MakeRemote();
  EXPECT_EQ(remote.CompareRevisions("3", "3"), RevisionOrder::kSame);
  EXPECT_EQ(remote.CompareRevisions("9", "10"), RevisionOrder::kRemoteNewer);
  EXPECT_EQ(remote.CompareRevisions("10", "9"), RevisionOrder::kLocalNewer);
  // Not syncagent/1 versions: no order is claimed.
  EXPECT_EQ(remote.CompareRevisions("3-abc", "4-def"), RevisionOrder::kDiverged);
}

TEST(SyncagentRemoteTest, BasesBecomeWireVersions) {
  Mutation m;
  m.mutation_id = "m1";
  m.collection = "notes";
  m.key = "a";
  m.data = {{"x", 1}};
  auto create = ToWire(m);
  ASSERT_TRUE(create.ok());
  EXPECT_FALSE(create->base_version.has_value());  // null: a create
  m.base_rev = "";
  auto never = ToWire(m);
  ASSERT_TRUE(never.ok());
  EXPECT_EQ(never->base_version, 0);  // "only if the server never had it"
  m.base_rev = "12";
  auto based = ToWire(m);
  ASSERT_TRUE(based.ok());
  EXPECT_EQ(based->base_version, 12);
  for (const char* foreign : {"3-abc", "x", "0", "-2"}) {
    m.base_rev = foreign;
    auto refused = ToWire(m);
    ASSERT_FALSE(refused.ok()) << foreign;
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(refused.status().message().find("not a syncagent/1 version"), std::string::npos);
  }
}

TEST(SyncagentRemoteTest, WireDocumentsBecomeChangesWithTextRevisions) {
  WireChange wire;
  wire.collection = "notes";
  wire.key = "a";
  wire.document.version = 7;
  wire.document.data = {{"x", 1}};
  RemoteChange change = FromWire(wire);
  EXPECT_EQ(change.rev, "7");
  EXPECT_EQ(change.data, nlohmann::json({{"x", 1}}));
  wire.document.version = 0;  // a conflict's "never existed"
  EXPECT_TRUE(FromWire(wire).never_existed());
}

TEST(SyncagentRemoteTest, CapabilitiesFollowTheOptions) {
  SyncagentRemoteOptions options;
  options.skip_own_writes = false;
  SyncagentRemote remote(nullptr, nullptr, nullptr, options, 1);
  const RemoteCapabilities caps = remote.capabilities();
  EXPECT_TRUE(caps.patch);
  EXPECT_TRUE(caps.conflict_includes_current);
  EXPECT_FALSE(caps.skips_own_writes);
  EXPECT_EQ(MakeRemote().capabilities().skips_own_writes, true);
  auto fetched = remote.Fetch("notes", "a", {});
  ASSERT_FALSE(fetched.ok());
  EXPECT_NE(fetched.status().message().find("no single-document read"), std::string::npos);
}

}  // namespace
}  // namespace syncagent
