// Interop with PouchDB itself: an Agent ("protocol": "couchdb") and a PouchDB device
// (pouchdb_device.h: PouchDB 9 on node, in memory, replicating as apps built on it do) share the
// database app-notes of a PouchDB Server. Writes and deletes go both ways, the same document
// edited on both devices offline ends equal on both with one leaf on the server under every
// conflict policy (whichever device syncs first), and 1,000 documents make the round trip.
#include <gtest/gtest.h>

#include <map>

#include "tests/couchdb/agent_fixture.h"
#include "tests/couchdb/pouchdb_device.h"

namespace syncagent {
namespace {

using couch_testing::PouchDbDevice;
using nlohmann::json;

class PouchDbInteropTest : public couch_testing::CouchAgentTest {
 protected:
  std::unique_ptr<PouchDbDevice> NewPouch() {
    auto device = PouchDbDevice::Start();
    EXPECT_TRUE(device.ok()) << device.status().message();
    return device.ok() ? std::move(device).value() : nullptr;
  }

  void SyncPouch(PouchDbDevice& pouch) {
    const Status synced = pouch.Sync(server_->url() + "/" + kDatabase);
    EXPECT_TRUE(synced.ok()) << synced.message();
  }

  json PouchData(PouchDbDevice& pouch, const std::string& key) {
    auto doc = pouch.Get(key);
    EXPECT_TRUE(doc.ok()) << doc.status().message();
    return doc.ok() ? doc->data : json("<error>");
  }

  // Both devices hold what the server holds, and the server and PouchDB hold one leaf.
  void ExpectConverged(Agent& agent, PouchDbDevice& pouch, const std::string& key) {
    const json doc = ServerDoc(key);
    EXPECT_EQ(doc.count("_conflicts"), 0u) << doc.dump();
    EXPECT_EQ(Data(agent, key), DataOf(doc)) << doc.dump();
    auto seen = pouch.Get(key);
    ASSERT_TRUE(seen.ok()) << seen.status().message();
    EXPECT_EQ(seen->data, DataOf(doc));
    EXPECT_EQ(seen->rev, doc["_rev"]);
    EXPECT_TRUE(seen->conflicts.empty()) << "PouchDB sees no _conflicts";
  }
};

TEST_F(PouchDbInteropTest, WritesGoFromTheAgentToPouchDbAndBack) {
  auto agent = Device("agent");
  auto pouch = NewPouch();
  ASSERT_TRUE(agent && pouch);
  ASSERT_TRUE(agent->Put("notes", "a", {{"title", "from the agent"}}).ok());
  Sync(*agent);
  SyncPouch(*pouch);
  EXPECT_EQ(PouchData(*pouch, "a"), json({{"title", "from the agent"}}));
  ASSERT_TRUE(pouch->Put("a", {{"title", "from the agent"}, {"seen", true}}).ok());
  ASSERT_TRUE(pouch->Put("b", {{"title", "from PouchDB"}}).ok());
  SyncPouch(*pouch);
  Sync(*agent);
  EXPECT_EQ(Data(*agent, "a"), json({{"title", "from the agent"}, {"seen", true}}));
  EXPECT_EQ(Data(*agent, "b"), json({{"title", "from PouchDB"}}));
  ASSERT_TRUE(agent->Patch("notes", "b", {{"seen", true}}).ok());
  Sync(*agent);
  SyncPouch(*pouch);
  ExpectConverged(*agent, *pouch, "a");
  ExpectConverged(*agent, *pouch, "b");
  EXPECT_EQ(PouchData(*pouch, "b"), json({{"title", "from PouchDB"}, {"seen", true}}));
}

TEST_F(PouchDbInteropTest, DeletesGoBothWays) {
  auto agent = Device("agent");
  auto pouch = NewPouch();
  ASSERT_TRUE(agent && pouch);
  ASSERT_TRUE(agent->Put("notes", "by-agent", {{"v", 1}}).ok());
  ASSERT_TRUE(pouch->Put("by-pouch", {{"v", 2}}).ok());
  Sync(*agent);
  SyncPouch(*pouch);
  Sync(*agent);
  ASSERT_EQ(Data(*agent, "by-pouch"), json({{"v", 2}}));
  ASSERT_EQ(PouchData(*pouch, "by-agent"), json({{"v", 1}}));
  ASSERT_TRUE(agent->Delete("notes", "by-pouch").ok());
  ASSERT_TRUE(pouch->Delete("by-agent").ok());
  Sync(*agent);
  SyncPouch(*pouch);
  Sync(*agent);
  EXPECT_TRUE(Data(*agent, "by-agent").is_null());
  EXPECT_TRUE(PouchData(*pouch, "by-pouch").is_null());
  const json rows =
      Server("/app-notes/_all_docs", "POST", R"({"keys":["by-agent","by-pouch"]})")["rows"];
  for (const json& row : rows) EXPECT_EQ(row["value"]["deleted"], true) << row.dump();
}

// The same document, {"title": "t", "body": "x"} on both devices, then edited offline: the
// agent changes the title, PouchDB the body (with "merge_tie", PouchDB changes the title too: a
// tie, which sync.conflict.merge_tie "server" gives to the other device's edit). `agent_first`: the agent syncs first (PouchDB's
// replication then makes two leaves on the server); else PouchDB does (the agent's push then
// finds the server moved on).
struct OfflineEdit {
  std::string policy;
  bool agent_first;
};

class OfflineEditTest : public PouchDbInteropTest,
                        public ::testing::WithParamInterface<OfflineEdit> {};

TEST_P(OfflineEditTest, BothDevicesEndEqualWithOneLeaf) {
  const OfflineEdit edit = GetParam();
  AgentOptions options;
  if (edit.policy == "custom") {
    options.custom_resolver = [](const ConflictSides& sides) -> StatusOr<CustomResolution> {
      CustomResolution use;
      use.kind = CustomResolution::Kind::kUse;
      use.data = {{"title", sides.local.data["title"]},
                  {"body", sides.remote.data["body"]},
                  {"resolved_by", "custom"}};
      return use;
    };
  }
  const bool tie = edit.policy == "merge_tie";
  const std::string policy =
      edit.policy == "custom" ? "server_wins" : (tie ? "merge" : edit.policy);
  auto agent = Device("agent", policy, std::move(options));
  auto pouch = NewPouch();
  ASSERT_TRUE(agent && pouch);
  ASSERT_TRUE(agent->Put("notes", "doc", {{"title", "t"}, {"body", "x"}}).ok());
  Sync(*agent);
  SyncPouch(*pouch);
  ASSERT_TRUE(agent->Patch("notes", "doc", {{"title", "by agent"}}).ok());
  ASSERT_TRUE(pouch->Put("doc", tie ? json{{"title", "by pouch"}, {"body", "x"}}
                                    : json{{"title", "t"}, {"body", "by pouch"}})
                  .ok());
  if (edit.agent_first) Sync(*agent);
  SyncPouch(*pouch);
  Sync(*agent);
  if (edit.policy == "manual") {
    auto open = agent->ListConflicts();
    ASSERT_TRUE(open.ok());
    ASSERT_EQ(open->size(), 1u);
    ASSERT_TRUE(agent->ResolveConflict((*open)[0].id, Resolution::KeepLocal()).ok());
    Sync(*agent);
  }
  SyncPouch(*pouch);
  Sync(*agent);
  ExpectConverged(*agent, *pouch, "doc");
  const std::map<std::string, json> expected = {
      {"server_wins", {{"title", "t"}, {"body", "by pouch"}}},
      {"client_wins", {{"title", "by agent"}, {"body", "x"}}},
      {"manual", {{"title", "by agent"}, {"body", "x"}}},
      {"merge", {{"title", "by agent"}, {"body", "by pouch"}}},
      {"merge_tie", {{"title", "by pouch"}, {"body", "x"}}},
      {"custom", {{"title", "by agent"}, {"body", "by pouch"}, {"resolved_by", "custom"}}}};
  if (auto it = expected.find(edit.policy); it != expected.end()) {
    EXPECT_EQ(Data(*agent, "doc"), it->second);
  } else {  // last_writer_wins: one of the two edits, whole
    const json data = Data(*agent, "doc");
    EXPECT_TRUE(data == json({{"title", "t"}, {"body", "by pouch"}}) ||
                data == json({{"title", "by agent"}, {"body", "x"}}))
        << data.dump();
  }
}

std::vector<OfflineEdit> OfflineEdits() {
  std::vector<OfflineEdit> edits;
  for (const char* policy :
       {"server_wins", "client_wins", "last_writer_wins", "merge", "merge_tie", "manual",
        "custom"}) {
    edits.push_back({policy, true});
    edits.push_back({policy, false});
  }
  return edits;
}

// A named function: a lambda's `info` parameter would shadow the macro's own (-Wshadow).
std::string OfflineEditName(const ::testing::TestParamInfo<OfflineEdit>& info) {
  return info.param.policy + (info.param.agent_first ? "_AgentFirst" : "_PouchFirst");
}

INSTANTIATE_TEST_SUITE_P(EveryPolicy, OfflineEditTest, ::testing::ValuesIn(OfflineEdits()),
                         OfflineEditName);

TEST_F(PouchDbInteropTest, AThousandDocumentsRoundTrip) {
  constexpr int kCount = 1000;
  auto agent = Device("agent");
  auto pouch = NewPouch();
  ASSERT_TRUE(agent && pouch);
  ASSERT_TRUE(pouch->PutMany("p", kCount).ok());
  SyncPouch(*pouch);
  Sync(*agent);
  std::vector<WriteOp> edits;
  for (int i = 0; i < kCount; ++i) {
    const std::string key = "p" + std::to_string(i);
    ASSERT_EQ(Data(*agent, key), json({{"n", i}})) << key;
    edits.push_back(WriteOp::Put("notes", key, {{"n", i}, {"by_agent", true}}));
  }
  ASSERT_TRUE(agent->Write(edits).ok());
  Sync(*agent);
  SyncPouch(*pouch);
  std::vector<std::string> conflicted;
  auto all = pouch->All(&conflicted);
  ASSERT_TRUE(all.ok()) << all.status().message();
  ASSERT_EQ(all->size(), static_cast<size_t>(kCount));
  for (int i = 0; i < kCount; ++i) {
    EXPECT_EQ((*all)["p" + std::to_string(i)], json({{"n", i}, {"by_agent", true}})) << i;
  }
  EXPECT_TRUE(conflicted.empty());
  EXPECT_EQ(Server("/app-notes")["doc_count"], kCount);
}

}  // namespace
}  // namespace syncagent
