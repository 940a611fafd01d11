// /_admin/*: faults, request log, stats, documents as another client, dump, reset.
#include <gtest/gtest.h>

#include "tests/mock_server/test_support.h"

namespace syncagent::mock::testing {
namespace {

class AdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = StartServer();
    client_ = std::make_unique<TestClient>(*server_);
  }
  std::unique_ptr<MockServer> server_;
  std::unique_ptr<TestClient> client_;
};

TEST_F(AdminTest, FaultsCanBeReplacedAppendedListedAndCleared) {
  const json first = {
      {"faults",
       {{{"match", {{"path", "/v1/pull"}}}, {"action", {{"kind", "status"}, {"status", 503}}}}}}};
  HttpResult posted = client_->Send("POST", "/_admin/faults", first.dump());
  ASSERT_EQ(posted.status, 200) << posted.body;
  EXPECT_EQ(posted.body_json["faults"].size(), 1u);
  const json second = {{"faults",
                        {{{"match", {{"path", "/v1/push"}, {"times", -1}}},
                          {"action", {{"kind", "hang"}, {"max_ms", 10}}}}}}};
  EXPECT_EQ(
      client_->Send("POST", "/_admin/faults?mode=append", second.dump()).body_json["faults"].size(),
      2u);
  EXPECT_EQ(client_->Pull().status, 503);
  HttpResult listed = client_->Get("/_admin/faults");
  ASSERT_EQ(listed.body_json["faults"].size(), 2u);
  EXPECT_EQ(listed.body_json["faults"][0]["fired"], 1);
  EXPECT_EQ(listed.body_json["faults"][0]["action"]["kind"], "status");
  EXPECT_EQ(listed.body_json["faults"][1]["match"]["times"], -1);
  EXPECT_EQ(client_->Send("POST", "/_admin/faults", second.dump()).body_json["faults"].size(), 1u)
      << "without mode=append the scenario is replaced";
  EXPECT_EQ(client_->Send("DELETE", "/_admin/faults", "").body_json["faults"], json::array());
  HttpResult bad =
      client_->Send("POST", "/_admin/faults", R"({"faults":[{"action":{"kind":"explode"}}]})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body_json["error"]["message"].get<std::string>().find("faults[0].action.kind"),
            std::string::npos);
}

TEST_F(AdminTest, RequestLogListsAndClears) {
  client_->Pull("", 3);
  client_->Push(PushBody({Mutation("m1", "n1", "put", nullptr, {{"a", 1}})}), "b-1",
                {{"Authorization", "Bearer tok"}});
  HttpResult log = client_->Get("/_admin/requests");
  ASSERT_EQ(log.status, 200);
  const json& requests = log.body_json["requests"];
  ASSERT_EQ(requests.size(), 2u) << "admin requests are not logged";
  EXPECT_EQ(requests[0]["method"], "GET");
  EXPECT_EQ(requests[0]["path"], "/v1/pull");
  EXPECT_EQ(requests[0]["query"], "limit=3");
  EXPECT_EQ(requests[1]["method"], "POST");
  EXPECT_EQ(requests[1]["status"], 200);
  EXPECT_EQ(requests[1]["headers"]["Authorization"], "Bearer [redacted]");
  EXPECT_EQ(requests[1]["headers"]["Idempotency-Key"], "b-1");
  for (const char* member : {"request_bytes", "response_bytes", "time", "time_ms", "fault"}) {
    EXPECT_TRUE(requests[1].contains(member)) << member;
  }
  EXPECT_EQ(client_->Send("DELETE", "/_admin/requests", "").status, 200);
  EXPECT_EQ(client_->Get("/_admin/requests").body_json["requests"], json::array());
}

TEST_F(AdminTest, StatsProveExactlyOnce) {
  const json body = PushBody({Mutation("m1", "n1", "put", nullptr, {{"a", 1}}),
                              Mutation("m2", "n1", "put", 7, {{"a", 2}})});
  client_->Push(body);
  client_->Push(body);
  HttpResult stats = client_->Get("/_admin/stats");
  ASSERT_EQ(stats.status, 200);
  EXPECT_EQ(stats.body_json["applied"], json({{"m1", 1}, {"m2", 0}}));
  EXPECT_EQ(stats.body_json["replayed"], json({{"m1", 1}, {"m2", 1}}));
  EXPECT_EQ(stats.body_json["head"], 1);
  EXPECT_EQ(stats.body_json["documents"], 1);
  EXPECT_EQ(stats.body_json["requests"], 2);
  EXPECT_EQ(server_->Stats(), stats.body_json);
}

TEST_F(AdminTest, WritesAsAnotherClient) {
  client_->Push(PushBody({Mutation("m1", "n1", "put", nullptr, {{"a", 1}})}));
  HttpResult put = client_->Send("PUT", "/_admin/docs/notes/n1?hlc=server-7", R"({"a":"theirs"})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.body_json["document"]["version"], 2);
  EXPECT_EQ(put.body_json["document"]["hlc"], "server-7");
  // The client's stale write now conflicts with the other client's change.
  HttpResult stale = client_->Push(PushBody({Mutation("m2", "n1", "put", 1, {{"a", "mine"}})}));
  EXPECT_EQ(stale.body_json["results"][0]["status"], "conflict");
  EXPECT_EQ(stale.body_json["results"][0]["current"]["data"], json({{"a", "theirs"}}));
  // Keys with reserved characters travel percent-encoded.
  EXPECT_EQ(client_->Send("PUT", "/_admin/docs/notes/a%2Fb%20c", "{}").status, 200);
  EXPECT_TRUE(server_->state().Find("notes", "a/b c"));
  HttpResult got = client_->Get("/_admin/docs/notes/a%2Fb%20c");
  EXPECT_EQ(got.body_json["document"]["key"], "a/b c");
  EXPECT_EQ(client_->Send("PUT", "/_admin/docs/notes/x", "[1]").status, 400);
  EXPECT_EQ(client_->Send("PUT", "/_admin/docs/bad!name/x", "{}").status, 400);
  EXPECT_EQ(client_->Get("/_admin/docs/notes/none").status, 404);
}

TEST_F(AdminTest, DeletesAsAnotherClient) {
  client_->Send("PUT", "/_admin/docs/notes/n1", R"({"a":1})");
  HttpResult deleted = client_->Send("DELETE", "/_admin/docs/notes/n1?hlc=h9", "");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.body_json["document"]["deleted"], true);
  EXPECT_EQ(deleted.body_json["document"]["version"], 2);
  EXPECT_EQ(client_->Send("DELETE", "/_admin/docs/notes/n1", "").status, 404);
  EXPECT_EQ(client_->Send("DELETE", "/_admin/docs/notes/never", "").status, 404);
  json changes = client_->Pull().body_json["changes"];
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0]["deleted"], true);
  EXPECT_EQ(changes[0]["hlc"], "h9");
}

TEST_F(AdminTest, DocsDumpsEveryDocument) {
  client_->Send("PUT", "/_admin/docs/b/k2", R"({"x":2})");
  client_->Send("PUT", "/_admin/docs/a/k1", R"({"x":1})");
  client_->Send("DELETE", "/_admin/docs/b/k2", "");
  HttpResult docs = client_->Get("/_admin/docs");
  ASSERT_EQ(docs.status, 200);
  ASSERT_EQ(docs.body_json["documents"].size(), 2u);
  EXPECT_EQ(docs.body_json["documents"][0], json({{"collection", "a"},
                                                  {"key", "k1"},
                                                  {"version", 1},
                                                  {"deleted", false},
                                                  {"data", {{"x", 1}}},
                                                  {"hlc", nullptr},
                                                  {"change_seq", 2}}));
  EXPECT_EQ(docs.body_json["documents"][1]["deleted"], true);
  EXPECT_EQ(client_->Get("/_admin/docs?collection=a").body_json["documents"].size(), 1u);
  EXPECT_EQ(server_->Documents().size(), 2u);
}

TEST_F(AdminTest, ResetForgetsEverything) {
  client_->Push(PushBody({Mutation("m1", "n1", "put", nullptr, {{"a", 1}})}));
  server_->faults().Replace(*faults::ParseFaultScenario(
      {{"faults", {{{"match", {{"path", "/nowhere"}}}, {"action", {{"kind", "hang"}}}}}}}));
  ASSERT_EQ(client_->Send("POST", "/_admin/reset", "").status, 200);
  EXPECT_EQ(server_->Stats(), json({{"applied", json::object()},
                                    {"replayed", json::object()},
                                    {"head", 0},
                                    {"documents", 0},
                                    {"requests", 0}}));
  EXPECT_EQ(server_->faults().ToJson()["faults"], json::array());
  // The same mutation id is new again.
  HttpResult again = client_->Push(PushBody({Mutation("m1", "n1", "put", nullptr, {{"a", 1}})}));
  EXPECT_EQ(again.body_json["results"][0]["status"], "applied");
}

TEST_F(AdminTest, UnknownAdminPathsAndMethods) {
  EXPECT_EQ(client_->Get("/_admin/nope").status, 404);
  EXPECT_EQ(client_->Send("POST", "/_admin/stats", "").status, 405);
  EXPECT_EQ(client_->Get("/_admin/reset").status, 405);
  EXPECT_EQ(client_->Send("PUT", "/_admin/faults", "{}").status, 405);
}

TEST_F(AdminTest, ResetWithoutABodyIsAResetWithDefaults) {
  ASSERT_EQ(client_->Send("PUT", "/_admin/docs/notes/a", R"({"v":1})").status, 200);
  // No Content-Length at all (what `curl -X POST` sends): the request has no body.
  RawResult bare = RawExchange(server_->port(),
                               "POST /_admin/reset HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_EQ(bare.status, 200) << bare.bytes;
  EXPECT_EQ(json::parse(bare.body, nullptr, false), json::object()) << bare.body;
  EXPECT_EQ(server_->Stats()["documents"], 0);
  ASSERT_EQ(client_->Send("PUT", "/_admin/docs/notes/b", R"({"v":2})").status, 200);
  RawResult empty = RawExchange(server_->port(), RawRequest("POST", "/_admin/reset"));
  ASSERT_EQ(empty.status, 200) << empty.bytes;
  EXPECT_EQ(server_->Stats()["documents"], 0);
  // The same holds on /v1: a push without a body is refused at once, not after a read timeout.
  RawResult push = RawExchange(server_->port(),
                               "POST /v1/push HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(push.status, 400) << push.bytes;
  EXPECT_TRUE(json::parse(push.body, nullptr, false)["error"]["code"].is_string()) << push.body;
}

}  // namespace
}  // namespace syncagent::mock::testing
