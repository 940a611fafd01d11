// Agent::Open with server.protocol "couchdb": two devices, each an Agent with its own store, sync
// through a real PouchDB Server (tests/couchdb/pouchdb_server.h) over libcurl.
#include <gtest/gtest.h>

#include "net/couchdb_revision.h"
#include "tests/couchdb/agent_fixture.h"

namespace syncagent {
namespace {

using couch_testing::PouchDbServer;
using nlohmann::json;

using AgentCouchdbTest = couch_testing::CouchAgentTest;

TEST_F(AgentCouchdbTest, TwoDevicesShareWritesThroughTheServer) {
  auto a = Device("a");
  auto b = Device("b");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->Put("notes", "n1", {{"title", "from a"}}).ok());
  Sync(*a);
  EXPECT_EQ(Server("/app-notes/n1")["title"], "from a");  // the collection's database
  Sync(*b);
  EXPECT_EQ(Data(*b, "n1"), json({{"title", "from a"}}));

  ASSERT_TRUE(b->Patch("notes", "n1", {{"done", true}}).ok());
  Sync(*b);
  Sync(*a);
  EXPECT_EQ(Data(*a, "n1"), json({{"title", "from a"}, {"done", true}}));

  ASSERT_TRUE(a->Delete("notes", "n1").ok());
  Sync(*a);
  Sync(*b);
  EXPECT_TRUE(Data(*b, "n1").is_null());
}

TEST_F(AgentCouchdbTest, ADocumentCreatedAgainAfterADeleteReachesADeviceHoldingTheTombstone) {
  auto a = Device("a");
  auto b = Device("b");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->Put("notes", "n1", {{"v", 1}}).ok());
  ASSERT_TRUE(a->Put("notes", "n1", {{"v", 2}}).ok());
  Sync(*a);
  ASSERT_TRUE(a->Put("notes", "n1", {{"v", 3}}).ok());
  Sync(*a);
  ASSERT_TRUE(a->Delete("notes", "n1").ok());
  Sync(*a);  // the server holds the tombstone 3-...
  Sync(*b);  // b holds it too
  ASSERT_TRUE(Data(*b, "n1").is_null());

  // b creates the document again: the create continues the history after the tombstone.
  ASSERT_TRUE(b->Put("notes", "n1", {{"v", "again"}}).ok());
  Sync(*b);
  const json on_server = Server("/app-notes/n1?revs_info=true");
  EXPECT_EQ(on_server["v"], "again");
  const auto rev = couchdb::ParseRevision(on_server["_rev"].get<std::string>());
  ASSERT_TRUE(rev);
  EXPECT_EQ(rev->generation, 4u) << on_server.dump();
  Sync(*a);  // a holds the same tombstone: the new version is newer
  EXPECT_EQ(Data(*a, "n1"), json({{"v", "again"}}));

  // And the other way round, twice: a deletes, b creates once more.
  ASSERT_TRUE(a->Delete("notes", "n1").ok());
  Sync(*a);
  Sync(*b);
  ASSERT_TRUE(Data(*b, "n1").is_null());
  ASSERT_TRUE(b->Put("notes", "n1", {{"v", "third"}}).ok());
  Sync(*b);
  Sync(*a);
  EXPECT_EQ(Data(*a, "n1"), json({{"v", "third"}}));
  EXPECT_EQ(Server("/app-notes/n1?conflicts=true").count("_conflicts"), 0u);
}

TEST_F(AgentCouchdbTest, ALiveVersionOfALowerGenerationBeatsATombstoneAsOnTheServer) {
  auto a = Device("a");
  auto b = Device("b");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->Put("notes", "n1", {{"v", 1}}).ok());
  Sync(*a);
  Sync(*b);
  // a edits twice and deletes: a tombstone of generation 4, which b pulls too.
  ASSERT_TRUE(a->Put("notes", "n1", {{"v", 2}}).ok());
  Sync(*a);
  ASSERT_TRUE(a->Put("notes", "n1", {{"v", 3}}).ok());
  Sync(*a);
  ASSERT_TRUE(a->Delete("notes", "n1").ok());
  Sync(*a);
  Sync(*b);
  ASSERT_TRUE(Data(*b, "n1").is_null());
  // Another replicator writes a second root of a lower generation (new_edits: false). The
  // server keeps both branches; CouchDB's winner is the live one.
  const json written = Server("/app-notes/_bulk_docs", "POST",
                              json{{"new_edits", false},
                                   {"docs", {{{"_id", "n1"}, {"_rev", "1-0ther"},
                                              {"v", "elsewhere"}}}}}
                                  .dump());
  ASSERT_TRUE(written.is_array()) << written.dump();
  ASSERT_EQ(Server("/app-notes/n1")["v"], "elsewhere");  // the live leaf wins on the server
  Sync(*a);  // a's clean tombstone (generation 4) takes the server's winner
  EXPECT_EQ(Data(*a, "n1"), json({{"v", "elsewhere"}}));
  Sync(*b);
  EXPECT_EQ(Data(*b, "n1"), json({{"v", "elsewhere"}}));
}

TEST_F(AgentCouchdbTest, ConcurrentEditsMergeAndLeaveTheServerOneLeaf) {
  auto a = Device("a");
  auto b = Device("b");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->Put("notes", "n1", {{"title", "t"}, {"body", "x"}}).ok());
  Sync(*a);
  Sync(*b);
  ASSERT_TRUE(a->Patch("notes", "n1", {{"title", "by a"}}).ok());
  ASSERT_TRUE(b->Patch("notes", "n1", {{"body", "by b"}}).ok());
  Sync(*a);
  Sync(*b);  // conflict: merged, pushed on top of a's revision
  Sync(*a);
  const json merged = {{"title", "by a"}, {"body", "by b"}};
  EXPECT_EQ(Data(*a, "n1"), merged);
  EXPECT_EQ(Data(*b, "n1"), merged);
  const json on_server = Server("/app-notes/n1?conflicts=true");
  EXPECT_EQ(on_server["title"], "by a");
  EXPECT_EQ(on_server["body"], "by b");
  EXPECT_EQ(on_server.count("_conflicts"), 0u) << on_server.dump();
}

TEST_F(AgentCouchdbTest, AServerThatLostItsDataGetsEveryDocumentBack) {
  auto a = Device("a");
  auto b = Device("b");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->Put("notes", "n1", {{"v", 1}}).ok());
  ASSERT_TRUE(b->Put("notes", "n2", {{"v", 2}}).ok());
  Sync(*a);
  Sync(*b);
  Sync(*a);
  // The in-memory server restarts on the same port: every database is gone.
  const int port = server_->port();
  ASSERT_EQ(server_->Stop(), 0);
  couch_testing::PouchDbServerOptions same_port;
  same_port.port = port;
  auto restarted = PouchDbServer::Start(same_port);
  ASSERT_TRUE(restarted.ok()) << restarted.status().message();
  server_ = std::move(restarted).value();
  Sync(*a);  // the checkpoint is gone: a forgets the server and uploads n1 and n2 again
  Sync(*b);
  Sync(*a);
  EXPECT_EQ(Server("/app-notes/n1")["v"], 1);
  EXPECT_EQ(Server("/app-notes/n2")["v"], 2);
  EXPECT_EQ(Data(*b, "n1"), json({{"v", 1}}));
  EXPECT_EQ(Data(*a, "n2"), json({{"v", 2}}));
  const json leaves = Server("/app-notes/_changes?style=all_docs");
  ASSERT_EQ(leaves["results"].size(), 2u) << leaves.dump();
  for (const json& row : leaves["results"]) EXPECT_EQ(row["changes"].size(), 1u) << row.dump();
}

TEST_F(AgentCouchdbTest, WritesCouchdbCannotTakeAreRefusedAtWriteTime) {
  auto a = Device("a");
  ASSERT_TRUE(a);
  const Status field = a->Put("notes", "n1", {{"title", "t"}, {"_rev", "1-x"}});
  EXPECT_EQ(field.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(field.message().find("field \"_rev\""), std::string::npos) << field.message();
  EXPECT_EQ(a->Patch("notes", "n1", {{"_deleted", true}}).code(), StatusCode::kInvalidArgument);
  const Status key = a->Put("notes", "_design/x", {{"t", 1}});
  EXPECT_NE(key.message().find("key \"_design/x\""), std::string::npos) << key.message();
  const Status batch = a->Write({WriteOp::Put("notes", "ok", {{"t", 1}}),
                                 WriteOp::Put("notes", "bad", {{"_id", "x"}})});
  EXPECT_NE(batch.message().find("write #1"), std::string::npos) << batch.message();
  EXPECT_TRUE(Data(*a, "ok").is_null()) << "nothing of a refused batch is written";
  // A collection that is not synced stays local: CouchDB's rules do not apply to it.
  EXPECT_TRUE(a->Put("drafts", "_scratch", {{"_tmp", 1}}).ok());
  Sync(*a);
  EXPECT_EQ(Server("/app-notes/_all_docs")["total_rows"], 0);
}

// Conflicting leaves made on the server by other replicators, or by another client writing
// between the agent's _all_docs and its _bulk_docs: a revision "2-<hash>" on `parent` written
// as a replicator does (new_edits:false). A greater hash wins the conflict.
class ServerLeavesTest : public AgentCouchdbTest {
 protected:
  void WriteLeaf(const std::string& key, const std::string& parent, char hash, const json& data) {
    const std::string rev = "2-" + std::string(32, hash);
    json doc = data;
    doc["_id"] = key;
    doc["_rev"] = rev;
    doc["_revisions"] = couchdb::RevisionsField(rev, parent);
    Server("/app-notes/_bulk_docs", "POST",
           json{{"new_edits", false}, {"docs", json::array({doc})}}.dump());
  }

  // `agent` creates `key` as {"title": "t", "body": "x"} and edits its title; another client
  // edits the body of the first revision, with the winning hash. Returns the first revision.
  std::string RacedEdits(Agent& agent, const std::string& key) {
    EXPECT_TRUE(agent.Put("notes", key, {{"title", "t"}, {"body", "x"}}).ok());
    Sync(agent);
    const std::string rev1 = ServerDoc(key)["_rev"];
    EXPECT_TRUE(agent.Patch("notes", key, {{"title", "by agent"}}).ok());
    Sync(agent);
    WriteLeaf(key, rev1, 'f', {{"title", "t"}, {"body", "by other"}});
    EXPECT_EQ(ServerDoc(key)["_conflicts"].size(), 1u) << "two leaves on the server";
    return rev1;
  }

  // One leaf on the server, and the agent holds what it holds.
  void ExpectOneLeafAndEqual(Agent& agent, const std::string& key) {
    const json doc = ServerDoc(key);
    EXPECT_EQ(doc.count("_conflicts"), 0u) << doc.dump();
    EXPECT_EQ(Data(agent, key), DataOf(doc)) << doc.dump();
  }
};

TEST_F(ServerLeavesTest, EveryPolicyLeavesOneLeafAfterARacedWrite) {
  const std::map<std::string, json> expected = {
      {"server_wins", {{"title", "t"}, {"body", "by other"}}},
      {"client_wins", {{"title", "by agent"}, {"body", "x"}}},
      {"merge", {{"title", "by agent"}, {"body", "by other"}}},  // on their common ancestor
      {"last_writer_wins", nullptr},                               // either, but one
  };
  for (const auto& [policy, data] : expected) {
    SCOPED_TRACE(policy);
    auto agent = Device("leaves-" + policy, policy);
    ASSERT_TRUE(agent);
    const std::string key = "n-" + policy;
    RacedEdits(*agent, key);
    Sync(*agent);  // the pull finds both leaves; the resolution deletes the losing one
    ExpectOneLeafAndEqual(*agent, key);
    if (!data.is_null()) {
      EXPECT_EQ(Data(*agent, key), data);
    }
    const json history = Server("/app-notes/" + key + "?revs_info=true");
    EXPECT_EQ(history["_rev"].get<std::string>().substr(0, 2), "3-");
    Sync(*agent);  // nothing left to do: no second resolution
    EXPECT_EQ(ServerDoc(key)["_rev"], history["_rev"]);
  }
}

TEST_F(ServerLeavesTest, TwoDevicesCreatingOneKeyEndWithOneLeafUnderEveryPolicy) {
  // Each device creates `key` without having seen the other's: the second create is written as a
  // second root without a read, and its cycle's pull settles the two leaves by the policy.
  const std::map<std::string, json> expected = {
      {"server_wins", {{"by", "a"}, {"a", 1}}},
      {"client_wins", {{"by", "b"}, {"b", 1}}},
      {"merge", nullptr},  // no common ancestor: the tie rule decides "by"; both other fields
      {"last_writer_wins", {{"by", "b"}, {"b", 1}}},
  };
  for (const auto& [policy, data] : expected) {
    SCOPED_TRACE(policy);
    auto a = Device("create-a-" + policy, policy);
    auto b = Device("create-b-" + policy, policy);
    ASSERT_TRUE(a && b);
    const std::string key = "c-" + policy;
    ASSERT_TRUE(a->Put("notes", key, {{"by", "a"}, {"a", 1}}).ok());
    ASSERT_TRUE(b->Put("notes", key, {{"by", "b"}, {"b", 1}}).ok());
    Sync(*a);
    Sync(*b);  // b's create meets a's on the server and is settled in the same cycle
    ExpectOneLeafAndEqual(*b, key);
    Sync(*a);
    ExpectOneLeafAndEqual(*a, key);
    EXPECT_EQ(Data(*a, key), Data(*b, key));
    if (!data.is_null()) {
      EXPECT_EQ(Data(*b, key), data);
    } else {
      EXPECT_EQ(Data(*b, key)["a"], 1);
      EXPECT_EQ(Data(*b, key)["b"], 1);
    }
    const json leaves = Server("/app-notes/_changes?style=all_docs");
    for (const json& row : leaves["results"]) {
      if (row["id"] != key) continue;
      int live = 0;
      for (const json& change : row["changes"]) {
        const json leaf = Server("/app-notes/" + key + "?rev=" + change["rev"].get<std::string>());
        live += leaf.value("_deleted", false) ? 0 : 1;
      }
      EXPECT_EQ(live, 1) << row.dump();
    }
  }
}

TEST_F(ServerLeavesTest, ACustomResolverDecidesAndTheServerKeepsItsAnswer) {
  AgentOptions options;
  options.custom_resolver = [](const ConflictSides& sides) -> StatusOr<CustomResolution> {
    CustomResolution use;
    use.kind = CustomResolution::Kind::kUse;
    use.data = {{"local", sides.local.data}, {"remote", sides.remote.data}};
    return use;
  };
  auto agent = Device("custom", "merge", std::move(options));
  ASSERT_TRUE(agent);
  RacedEdits(*agent, "n1");
  Sync(*agent);
  ExpectOneLeafAndEqual(*agent, "n1");
  EXPECT_EQ(Data(*agent, "n1"),
            json({{"local", {{"title", "by agent"}, {"body", "x"}}},
                  {"remote", {{"title", "t"}, {"body", "by other"}}}}));
}

TEST_F(ServerLeavesTest, AManualConflictWaitsForTheAppThenLeavesOneLeaf) {
  auto agent = Device("manual", "manual");
  ASSERT_TRUE(agent);
  RacedEdits(*agent, "n1");
  Sync(*agent);
  auto open = agent->ListConflicts();
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(ServerDoc("n1")["_conflicts"].size(), 1u) << "left as it is until the app decides";
  // Taking the server's side still writes: that is what deletes the other leaf.
  ASSERT_TRUE(agent->ResolveConflict((*open)[0].id, Resolution::TakeRemote()).ok());
  Sync(*agent);
  ExpectOneLeafAndEqual(*agent, "n1");
  EXPECT_EQ(Data(*agent, "n1"), json({{"title", "t"}, {"body", "by other"}}));
}

TEST_F(ServerLeavesTest, LeavesOfTwoOtherClientsAreMergedOnTheirCommonAncestor) {
  auto agent = Device("bystander");
  ASSERT_TRUE(agent);
  ASSERT_TRUE(agent->Put("notes", "n1", {{"title", "t"}, {"body", "x"}}).ok());
  Sync(*agent);
  const std::string rev1 = ServerDoc("n1")["_rev"];
  WriteLeaf("n1", rev1, 'a', {{"title", "by one"}, {"body", "x"}});
  WriteLeaf("n1", rev1, 'b', {{"title", "t"}, {"body", "by two"}});
  Sync(*agent);
  ExpectOneLeafAndEqual(*agent, "n1");
  EXPECT_EQ(Data(*agent, "n1"), json({{"title", "by one"}, {"body", "by two"}}));
}

TEST_F(ServerLeavesTest, ADeleteAgainstConflictingLeavesDeletesThemAll) {
  AgentOptions options;
  options.custom_resolver = [](const ConflictSides&) -> StatusOr<CustomResolution> {
    CustomResolution gone;
    gone.kind = CustomResolution::Kind::kDelete;
    return gone;
  };
  auto agent = Device("deleter", "merge", std::move(options));
  ASSERT_TRUE(agent);
  RacedEdits(*agent, "n1");
  Sync(*agent);
  EXPECT_TRUE(Data(*agent, "n1").is_null());
  const json row = Server("/app-notes/_all_docs", "POST", R"({"keys":["n1"]})")["rows"][0];
  EXPECT_EQ(row["value"]["deleted"], true) << row.dump();
  const json leaves = Server("/app-notes/_changes?style=all_docs")["results"][0]["changes"];
  EXPECT_EQ(leaves.size(), 2u) << "a tombstone on each leaf: " << leaves.dump();
}

// The transport under the agent's remote, which runs `before` once, just before the first
// `_bulk_docs` request it is given after Arm(): another client's write lands between the
// agent's `_all_docs` read and its write.
class WriteBetweenReadAndWrite final : public HttpClient {
 public:
  explicit WriteBetweenReadAndWrite(std::unique_ptr<HttpClient> inner) : inner_(std::move(inner)) {}
  void Arm(std::function<void()> before) { before_ = std::move(before); }
  StatusOr<HttpResponse> Send(const HttpRequest& request, const RequestControl& control) override {
    if (before_ && request.url.find("/_bulk_docs") != std::string::npos) {
      auto before = std::move(before_);
      before_ = nullptr;
      before();
    }
    return inner_->Send(request, control);
  }

 private:
  std::unique_ptr<HttpClient> inner_;
  std::function<void()> before_;
};

TEST_F(ServerLeavesTest, TheRaceBetweenAllDocsAndBulkDocsIsHealedByTheNextPull) {
  CurlHttpClientOptions http_options;
  http_options.allow_insecure_http = true;
  auto curl = CurlHttpClient::Create(http_options, RealClock::Default());
  ASSERT_TRUE(curl.ok());
  WriteBetweenReadAndWrite http(std::move(curl).value());
  AgentOptions options;
  options.http = &http;
  auto agent = Device("racer", "merge", std::move(options));
  ASSERT_TRUE(agent);
  ASSERT_TRUE(agent->Put("notes", "n1", {{"title", "t"}, {"body", "x"}}).ok());
  Sync(*agent);
  const std::string rev1 = ServerDoc("n1")["_rev"];
  ASSERT_TRUE(agent->Patch("notes", "n1", {{"title", "by agent"}}).ok());
  bool raced = false;
  http.Arm([&] {
    WriteLeaf("n1", rev1, 'f', {{"title", "t"}, {"body", "by other"}});
    raced = true;
  });
  Sync(*agent);  // pushes on rev1 after the other write: two leaves; its pull then settles them
  ASSERT_TRUE(raced);
  Sync(*agent);
  ExpectOneLeafAndEqual(*agent, "n1");
  EXPECT_EQ(Data(*agent, "n1"), json({{"title", "by agent"}, {"body", "by other"}}));
  const json leaves = Server("/app-notes/_changes?style=all_docs")["results"][0]["changes"];
  EXPECT_EQ(leaves.size(), 2u) << "the race made two branches; one is deleted: " << leaves.dump();
}

}  // namespace
}  // namespace syncagent
