// PouchDbServer (node + express-pouchdb) driven over the project's libcurl client: the fixture
// starts and stops it, and the calls the CouchDB remote builds on answer as docs/couchdb.md says.
#include "tests/couchdb/pouchdb_server.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "net/curl_http_client.h"
#include "platform/clock.h"

namespace syncagent::couch_testing {
namespace {

using nlohmann::json;

StatusOr<std::unique_ptr<CurlHttpClient>> NewHttpClient() {
  CurlHttpClientOptions options;
  options.allow_insecure_http = true;  // the server is on loopback
  return CurlHttpClient::Create(options, RealClock::Default());
}

class PouchDbServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = PouchDbServer::Start();
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server).value();
    auto http = NewHttpClient();
    ASSERT_TRUE(http.ok()) << http.status().message();
    http_ = std::move(http).value();
  }

  // One request with the headers the CouchDB remote sends; fails the test on a transport error.
  HttpResponse Call(const std::string& method, const std::string& path,
                    const std::string& body = "") {
    HttpRequest request;
    request.method = method;
    request.url = server_->url() + path;
    request.headers = {{"Accept", "application/json"}};
    if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    request.body = body;
    auto response = http_->Send(request, RequestControl{});
    EXPECT_TRUE(response.ok()) << response.status().message();
    return response.ok() ? std::move(response).value() : HttpResponse{};
  }

  std::unique_ptr<PouchDbServer> server_;
  std::unique_ptr<CurlHttpClient> http_;
};

TEST_F(PouchDbServerTest, CreatesWritesAndReadsTheChangesFeed) {
  EXPECT_EQ(Call("PUT", "/notes").status, 201);

  const HttpResponse written = Call(
      "POST", "/notes/_bulk_docs",
      R"({"docs":[{"_id":"n1","title":"one"},{"_id":"n2","title":"two","tags":["a"]}]})");
  ASSERT_EQ(written.status, 201) << written.body;
  const json answers = json::parse(written.body);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0]["id"], "n1");
  EXPECT_EQ(answers[0]["ok"], true);
  EXPECT_EQ(answers[0]["rev"].get<std::string>().substr(0, 2), "1-");

  const HttpResponse changes = Call("GET", "/notes/_changes?include_docs=true");
  ASSERT_EQ(changes.status, 200) << changes.body;
  const json page = json::parse(changes.body);
  ASSERT_EQ(page["results"].size(), 2u);
  EXPECT_EQ(page["results"][0]["id"], "n1");
  EXPECT_EQ(page["results"][0]["doc"]["title"], "one");
  EXPECT_EQ(page["results"][0]["doc"]["_rev"], answers[0]["rev"]);
  EXPECT_EQ(page["results"][1]["doc"]["tags"], json::array({"a"}));
  // PouchDB Server's sequences are integers.
  EXPECT_EQ(page["last_seq"], 2);
  EXPECT_EQ(page["results"][1]["seq"], 2);
}

TEST_F(PouchDbServerTest, AnswersJsonOnlyWhenAskedFor) {
  ASSERT_EQ(Call("PUT", "/notes").status, 201);
  HttpRequest request;
  request.url = server_->url() + "/notes/_changes";
  auto plain = http_->Send(request, RequestControl{});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->Header("content-type").value_or(""), "text/plain; charset=utf-8");
  EXPECT_EQ(Call("GET", "/notes/_changes").Header("content-type").value_or(""),
            "application/json");
}

TEST_F(PouchDbServerTest, ASinceBeyondTheEndIsEchoedAsAnEmptyPage) {
  ASSERT_EQ(Call("PUT", "/notes").status, 201);
  ASSERT_EQ(Call("POST", "/notes/_bulk_docs", R"({"docs":[{"_id":"a"}]})").status, 201);
  const json page = json::parse(Call("GET", "/notes/_changes?since=100").body);
  EXPECT_EQ(page["results"], json::array());
  EXPECT_EQ(page["last_seq"], 100);
}

TEST_F(PouchDbServerTest, BulkDocsConflictsArePerDocumentEntriesOfA201) {
  ASSERT_EQ(Call("PUT", "/notes").status, 201);
  ASSERT_EQ(Call("POST", "/notes/_bulk_docs", R"({"docs":[{"_id":"a"}]})").status, 201);
  const HttpResponse again =
      Call("POST", "/notes/_bulk_docs", R"({"docs":[{"_id":"a","v":2},{"_id":"b"}]})");
  ASSERT_EQ(again.status, 201);
  const json answers = json::parse(again.body);
  EXPECT_EQ(answers[0], json({{"id", "a"}, {"error", "conflict"},
                              {"reason", "Document update conflict"}}));
  EXPECT_EQ(answers[1]["ok"], true);
}

TEST_F(PouchDbServerTest, NewEditsFalseAnswersNothingAndAReplayAddsNoRevision) {
  ASSERT_EQ(Call("PUT", "/notes").status, 201);
  const std::string write =
      R"({"new_edits":false,"docs":[{"_id":"a","_rev":"1-abc","_revisions":{"start":1,"ids":["abc"]},"v":1}]})";
  const HttpResponse first = Call("POST", "/notes/_bulk_docs", write);
  EXPECT_EQ(first.status, 201);
  EXPECT_EQ(json::parse(first.body), json::array());
  EXPECT_EQ(json::parse(Call("POST", "/notes/_bulk_docs", write).body), json::array());
  const json page = json::parse(Call("GET", "/notes/_changes?style=all_docs").body);
  ASSERT_EQ(page["results"].size(), 1u);
  EXPECT_EQ(page["results"][0]["changes"], json::parse(R"([{"rev":"1-abc"}])"));
  EXPECT_EQ(page["last_seq"], 1);
  // _revs_diff leaves out what the server has and lists what it lacks.
  const json diff =
      json::parse(Call("POST", "/notes/_revs_diff", R"({"a":["1-abc","2-def"]})").body);
  EXPECT_EQ(diff, json::parse(R"({"a":{"missing":["2-def"]}})"));
}

TEST_F(PouchDbServerTest, APostWithoutJsonContentTypeIsRefused) {
  ASSERT_EQ(Call("PUT", "/notes").status, 201);
  HttpRequest request;
  request.method = "POST";
  request.url = server_->url() + "/notes/_bulk_docs";
  request.body = R"({"docs":[{"_id":"a"}]})";
  auto response = http_->Send(request, RequestControl{});
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 400);
  EXPECT_NE(response->body.find("Missing JSON list of 'docs'"), std::string::npos);
}

TEST(PouchDbServerAuthTest, WrongCredentialsGet401WithoutAChallenge) {
  PouchDbServerOptions options;
  options.admin = "admin:s3cret";
  auto server = PouchDbServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status().message();
  auto http = NewHttpClient();
  ASSERT_TRUE(http.ok());
  HttpRequest request;
  request.url = (*server)->url() + "/_session";
  request.headers = {{"Authorization", "Basic YWRtaW46d3Jvbmc="}};  // admin:wrong
  auto refused = (*http)->Send(request, RequestControl{});
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, 401);
  EXPECT_FALSE(refused->Header("www-authenticate").has_value());
  request.headers = {{"Authorization", "Basic YWRtaW46czNjcmV0"}};  // admin:s3cret
  auto accepted = (*http)->Send(request, RequestControl{});
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(accepted->status, 200);
  EXPECT_EQ(json::parse(accepted->body)["userCtx"]["name"], "admin");
}

TEST_F(PouchDbServerTest, StopsCleanlyOnSigterm) {
  EXPECT_EQ(server_->Stop(), 0) << server_->Stderr();
}

TEST_F(PouchDbServerTest, ARestartedServerIsEmpty) {
  ASSERT_EQ(Call("PUT", "/notes").status, 201);
  const int port = server_->port();
  ASSERT_EQ(server_->Stop(), 0);
  PouchDbServerOptions same_port;
  same_port.port = port;
  auto again = PouchDbServer::Start(same_port);
  ASSERT_TRUE(again.ok()) << again.status().message();
  server_ = std::move(again).value();
  EXPECT_EQ(server_->port(), port);
  EXPECT_EQ(Call("GET", "/notes").status, 404);
}

TEST(PouchDbServerStartTest, FailsNamingTheInstallScriptWhenThePeersAreMissing) {
  PouchDbServerOptions options;
  options.modules_dir = "/nonexistent/node_modules";
  auto server = PouchDbServer::Start(options);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(server.status().message().find("scripts/install-couch-peers"), std::string::npos)
      << server.status().message();
  EXPECT_NE(server.status().message().find("/nonexistent/node_modules"), std::string::npos);
}

TEST(PouchDbServerStartTest, FailsNamingTheInstallScriptWhenNodeIsNotOnPath) {
  const char* saved = std::getenv("PATH");
  const std::string path = saved == nullptr ? "" : saved;
  ::setenv("PATH", "/nonexistent", 1);
  auto server = PouchDbServer::Start();
  ::setenv("PATH", path.c_str(), 1);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(server.status().message().find("node is not on PATH"), std::string::npos);
  EXPECT_NE(server.status().message().find("scripts/install-couch-peers"), std::string::npos);
}

}  // namespace
}  // namespace syncagent::couch_testing
