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

}  // namespace
}  // namespace syncagent
