// CouchAgentTest: a fixture for end-to-end tests of Agents that sync with "protocol": "couchdb"
// through a real PouchDB Server (pouchdb_server.h): devices (each an Agent with its own store in
// a temporary directory, syncing collection "notes" with the database "app-notes"), one sync
// cycle at a time, and direct reads and writes on the server.
//
// Thread safety: one test thread.
#ifndef SYNCAGENT_TESTS_COUCHDB_AGENT_FIXTURE_H_
#define SYNCAGENT_TESTS_COUCHDB_AGENT_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/agent.h"
#include "net/curl_http_client.h"
#include "platform/clock.h"
#include "tests/couchdb/pouchdb_server.h"
#include "tests/storage/store_test_util.h"

namespace syncagent::couch_testing {

class CouchAgentTest : public ::testing::Test {
 protected:
  static constexpr const char kDatabase[] = "app-notes";

  void SetUp() override {
    auto server = PouchDbServer::Start();
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server).value();
  }

  // A device whose conflict policy is `policy` (sync.conflict.default); `config_patch` (a JSON
  // merge patch, RFC 7396) changes its config, e.g. {"server": {"base_url": <a proxy>}}.
  std::unique_ptr<Agent> Device(const std::string& name, const std::string& policy = "merge",
                                AgentOptions options = {},
                                const nlohmann::json& config_patch = nullptr) {
    nlohmann::json config = {
        {"server",
         {{"protocol", "couchdb"},
          {"base_url", server_->url()},
          {"allow_insecure_http", true},
          {"couchdb", {{"databases", {{"notes", kDatabase}}}, {"create_databases", true}}}}},
        {"storage", {{"path", dir_.File(name + ".db")}}},
        {"sync", {{"collections", {"notes"}}, {"conflict", {{"default", policy}}}}}};
    if (!config_patch.is_null()) config.merge_patch(config_patch);
    auto agent = Agent::OpenJson(config.dump(), std::move(options));
    EXPECT_TRUE(agent.ok()) << agent.status().ToString();
    return agent.ok() ? std::move(agent).value() : nullptr;
  }

  static void Sync(Agent& agent) {
    const CycleReport report = agent.SyncNow(Millis(60000));
    EXPECT_EQ(report.outcome, CycleOutcome::kDone) << report.ToJson().dump();
  }

  // `method` `path` on the server, straight; the answer's JSON (null when it is not JSON).
  nlohmann::json Server(const std::string& path, const std::string& method = "GET",
                        const std::string& body = "") {
    CurlHttpClientOptions options;
    options.allow_insecure_http = true;
    auto http = CurlHttpClient::Create(options, RealClock::Default());
    EXPECT_TRUE(http.ok());
    HttpRequest request;
    request.method = method;
    request.url = server_->url() + path;
    request.headers = {{"Accept", "application/json"}, {"Content-Type", "application/json"}};
    request.body = body;
    auto response = (*http)->Send(request, RequestControl{});
    EXPECT_TRUE(response.ok());
    return response.ok() ? nlohmann::json::parse(response->body, nullptr, false) : nullptr;
  }

  // The server's winning revision of `key` with its `_conflicts` (when it has any).
  nlohmann::json ServerDoc(const std::string& key) {
    return Server("/" + std::string(kDatabase) + "/" + key + "?conflicts=true");
  }

  // The data of a server document (without its '_' members).
  static nlohmann::json DataOf(const nlohmann::json& doc) {
    nlohmann::json data = nlohmann::json::object();
    for (const auto& [name, value] : doc.items()) {
      if (name.empty() || name[0] != '_') data[name] = value;
    }
    return data;
  }

  static nlohmann::json Data(Agent& agent, const std::string& key) {
    auto doc = agent.Get("notes", key);
    if (!doc.ok() || !doc->has_value()) return nullptr;
    return (*doc)->data;
  }

  testing::TempDir dir_;
  std::unique_ptr<PouchDbServer> server_;
};

}  // namespace syncagent::couch_testing

#endif  // SYNCAGENT_TESTS_COUCHDB_AGENT_FIXTURE_H_
