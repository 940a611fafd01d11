// Agent::Open with server.protocol "couchdb": two devices, each an Agent with its own store, sync
// through a real PouchDB Server (tests/couchdb/pouchdb_server.h) over libcurl.
#include <gtest/gtest.h>

#include <filesystem>

#include "agent/agent.h"
#include "net/curl_http_client.h"
#include "platform/clock.h"
#include "tests/couchdb/pouchdb_server.h"
#include "tests/storage/store_test_util.h"

namespace syncagent {
namespace {

using couch_testing::PouchDbServer;
using nlohmann::json;

class AgentCouchdbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = PouchDbServer::Start();
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server).value();
  }

  std::unique_ptr<Agent> Device(const std::string& name) {
    const json config = {
        {"server",
         {{"protocol", "couchdb"},
          {"base_url", server_->url()},
          {"allow_insecure_http", true},
          {"couchdb", {{"databases", {{"notes", "app-notes"}}}, {"create_databases", true}}}}},
        {"storage", {{"path", dir_.File(name + ".db")}}},
        {"sync", {{"collections", {"notes"}}, {"conflict", {{"default", "merge"}}}}}};
    auto agent = Agent::OpenJson(config.dump(), AgentOptions{});
    EXPECT_TRUE(agent.ok()) << agent.status().ToString();
    return agent.ok() ? std::move(agent).value() : nullptr;
  }

  static void Sync(Agent& agent) {
    const CycleReport report = agent.SyncNow(Millis(30000));
    EXPECT_EQ(report.outcome, CycleOutcome::kDone) << report.ToJson().dump();
  }

  // GET `path` on the server, straight.
  json Server(const std::string& path) {
    CurlHttpClientOptions options;
    options.allow_insecure_http = true;
    auto http = CurlHttpClient::Create(options, RealClock::Default());
    EXPECT_TRUE(http.ok());
    HttpRequest request;
    request.url = server_->url() + path;
    request.headers = {{"Accept", "application/json"}};
    auto response = (*http)->Send(request, RequestControl{});
    EXPECT_TRUE(response.ok());
    return response.ok() ? json::parse(response->body, nullptr, false) : json();
  }

  static json Data(Agent& agent, const std::string& key) {
    auto doc = agent.Get("notes", key);
    if (!doc.ok() || !doc->has_value()) return nullptr;
    return (*doc)->data;
  }

  testing::TempDir dir_;
  std::unique_ptr<PouchDbServer> server_;
};

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

}  // namespace
}  // namespace syncagent
