// Basic auth of an Agent with "protocol": "couchdb" against the complete pouchdb-server 4.2.0
// (PouchDB 7, `_users`, a server admin; `scripts/install-couch-peers --auth`): the database
// app-notes admits only the `_users` member "app". The right password syncs both ways; a wrong
// one fails the cycle with the auth class and a message naming the server and the database; the
// password (and the Authorization header's base64 of it) shows in no report, error or event.
// tests/couchdb/basic_auth_cli_test.sh checks the same through the CLI, its outputs and store.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/agent.h"
#include "net/curl_http_client.h"
#include "platform/clock.h"
#include "tests/couchdb/pouchdb_server.h"
#include "tests/storage/store_test_util.h"

namespace syncagent {
namespace {

using couch_testing::PouchDbServer;
using couch_testing::PouchDbServerOptions;
using nlohmann::json;

constexpr char kAdminPassword[] = "admin-pw-7f3a";
constexpr char kPassword[] = "right-pw-correct-horse-91c2";
constexpr char kWrongPassword[] = "wrong-pw-battery-staple-4d8e";
// base64("app:" + kPassword) and base64("app:" + kWrongPassword): the Authorization headers.
constexpr char kPasswordHeader[] = "YXBwOnJpZ2h0LXB3LWNvcnJlY3QtaG9yc2UtOTFjMg==";
constexpr char kWrongHeader[] = "YXBwOndyb25nLXB3LWJhdHRlcnktc3RhcGxlLTRkOGU=";

class BasicAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PouchDbServerOptions options;
    options.complete_package = true;
    options.admin = std::string("admin:") + kAdminPassword;
    auto server = PouchDbServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server).value();
    ASSERT_EQ(AsAdmin("PUT", "/app-notes").status, 201);
    ASSERT_EQ(AsAdmin("PUT", "/_users/org.couchdb.user:app",
                      json{{"name", "app"}, {"password", kPassword}, {"roles", json::array()},
                           {"type", "user"}})
                  .status,
              201);
    ASSERT_EQ(AsAdmin("PUT", "/app-notes/_security",
                      json{{"members", {{"names", {"app"}}}}, {"admins", json::object()}})
                  .status,
              200);
    ASSERT_EQ(AsAdmin("PUT", "/app-notes/from-server", json{{"title", "by the admin"}}).status,
              201);
  }

  // `method` `path` on the server as its admin (credentials in the URL).
  HttpResponse AsAdmin(const std::string& method, const std::string& path,
                       const json& body = nullptr) {
    CurlHttpClientOptions options;
    options.allow_insecure_http = true;
    auto http = CurlHttpClient::Create(options, RealClock::Default());
    EXPECT_TRUE(http.ok());
    HttpRequest request;
    request.method = method;
    request.url = "http://admin:" + std::string(kAdminPassword) + "@" +
                  server_->url().substr(std::string("http://").size()) + path;
    request.headers = {{"Accept", "application/json"}, {"Content-Type", "application/json"}};
    if (!body.is_null()) request.body = body.dump();
    auto response = (*http)->Send(request, RequestControl{});
    EXPECT_TRUE(response.ok()) << response.status().message();
    return response.ok() ? std::move(response).value() : HttpResponse{};
  }

  // A device authenticating as "app" with `password`, read from the environment variable
  // `password_env` when it is not empty, else inline; its events go to `events`.
  std::unique_ptr<Agent> Device(const std::string& name, const std::string& password,
                                const std::string& password_env, std::vector<json>* events) {
    json auth = {{"type", "basic"}, {"username", "app"}};
    if (password_env.empty()) {
      auth["password"] = password;
    } else {
      ::setenv(password_env.c_str(), password.c_str(), 1);
      auth["password_env"] = password_env;
    }
    const json config = {
        {"server",
         {{"protocol", "couchdb"},
          {"base_url", server_->url()},
          {"allow_insecure_http", true},
          {"auth", auth},
          {"couchdb", {{"databases", {{"notes", "app-notes"}}}}}}},
        {"retry", {{"max_attempts_per_cycle", 2}}},
        {"storage", {{"path", dir_.File(name + ".db")}}},
        {"sync", {{"collections", {"notes"}}}}};
    AgentOptions options;
    options.on_event = [events](const SyncEvent& event) { events->push_back(event.ToJson()); };
    auto agent = Agent::OpenJson(config.dump(), std::move(options));
    EXPECT_TRUE(agent.ok()) << agent.status().ToString();
    return agent.ok() ? std::move(agent).value() : nullptr;
  }

  static void ExpectNoSecret(const std::string& text) {
    for (const char* secret : {kPassword, kWrongPassword, kPasswordHeader, kWrongHeader}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << "a secret in: " << text;
    }
  }

  testing::TempDir dir_;
  std::unique_ptr<PouchDbServer> server_;
};

TEST_F(BasicAuthTest, RightPasswordSyncsBothWays) {
  std::vector<json> events;
  auto agent = Device("right", kPassword, "SYNCAGENT_TEST_COUCH_PASSWORD", &events);
  ASSERT_TRUE(agent);
  ASSERT_TRUE(agent->Put("notes", "from-agent", {{"title", "by the agent"}}).ok());
  const CycleReport report = agent->SyncNow(Millis(60000));
  EXPECT_EQ(report.outcome, CycleOutcome::kDone) << report.ToJson().dump();
  auto pulled = agent->Get("notes", "from-server");
  ASSERT_TRUE(pulled.ok() && pulled->has_value());
  EXPECT_EQ((*pulled)->data, json({{"title", "by the admin"}}));
  const HttpResponse pushed = AsAdmin("GET", "/app-notes/from-agent");
  EXPECT_EQ(pushed.status, 200);
  EXPECT_EQ(json::parse(pushed.body, nullptr, false).value("title", ""), "by the agent");
  ExpectNoSecret(report.ToJson().dump());
  for (const json& event : events) ExpectNoSecret(event.dump());
}

TEST_F(BasicAuthTest, WrongPasswordFailsAsAuthNamingServerAndDatabase) {
  std::vector<json> events;
  auto agent = Device("wrong", kWrongPassword, "", &events);
  ASSERT_TRUE(agent);
  ASSERT_TRUE(agent->Put("notes", "other", {{"title", "x"}}).ok());
  const CycleReport report = agent->SyncNow(Millis(60000));
  EXPECT_EQ(report.outcome, CycleOutcome::kFailed) << report.ToJson().dump();
  EXPECT_EQ(report.error.retry_class(), RetryClass::kAuth) << report.error.ToString();
  const std::string message = report.error.message();
  EXPECT_NE(message.find(server_->url() + "/app-notes/"), std::string::npos) << message;
  EXPECT_NE(message.find("401"), std::string::npos) << message;
  EXPECT_EQ(AsAdmin("GET", "/app-notes/other").status, 404);  // nothing written
  ExpectNoSecret(report.error.ToString());
  ExpectNoSecret(report.ToJson().dump());
  ASSERT_FALSE(events.empty());
  for (const json& event : events) ExpectNoSecret(event.dump());
  auto status = agent->GetStatus();
  ASSERT_TRUE(status.ok());
  EXPECT_NE(status->last_error.find("app-notes"), std::string::npos) << status->last_error;
  ExpectNoSecret(status->ToJson().dump());
}

}  // namespace
}  // namespace syncagent
