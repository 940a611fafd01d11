// The document limits on the mock server (docs/protocol.md §2.1) and bounded pull pages (§4.6).
#include <gtest/gtest.h>

#include "common/json_limits.h"
#include "tests/mock_server/test_support.h"

namespace syncagent::mock::testing {
namespace {

json Nested(int depth) {
  return json::parse("{\"d\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}");
}

class DocumentLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = StartServer();
    client_ = std::make_unique<TestClient>(*server_);
  }
  json PushOne(json mutation) {
    HttpResult result = client_->Push(PushBody({std::move(mutation)}, "b-1"), "b-1");
    EXPECT_EQ(result.status, 200) << result.body;
    return result.body_json["results"][0];
  }
  void Put(const std::string& key, json data) {
    ASSERT_TRUE(server_->state().AdminPut("notes", key, std::move(data), nullptr).ok());
  }

  std::unique_ptr<MockServer> server_;
  std::unique_ptr<TestClient> client_;
};

TEST_F(DocumentLimitsTest, DataPastTheDepthLimitIsRejectedAsInvalidDocument) {
  EXPECT_EQ(PushOne(Mutation("m1", "ok", "put", nullptr, Nested(kMaxDocumentDepth)))["status"],
            "applied");
  json r = PushOne(Mutation("m2", "deep", "put", nullptr, Nested(kMaxDocumentDepth + 1)));
  EXPECT_EQ(r["status"], "rejected");
  EXPECT_EQ(r["code"], "invalid_document");
  EXPECT_EQ(r["message"], "data: nested deeper than 32 levels (the document limit)");
  EXPECT_FALSE(server_->state().Find("notes", "deep"));
}

TEST_F(DocumentLimitsTest, DataPastTheSizeLimitIsRejectedAlsoWhenAPatchGrowsIt) {
  MockServerOptions options;
  options.max_body_bytes = 32 << 20;  // room for bodies near the document limit
  server_ = StartServer(options);
  client_ = std::make_unique<TestClient>(*server_);
  const std::string half(kMaxDocumentBytes / 2, 'x');
  EXPECT_EQ(PushOne(Mutation("m1", "n", "put", nullptr, {{"a", half}}))["status"], "applied");
  json r = PushOne(Mutation("m2", "n", "patch", 1, {{"b", half}}));
  EXPECT_EQ(r["status"], "rejected");
  EXPECT_EQ(r["code"], "invalid_document");
  EXPECT_EQ(server_->state().Find("notes", "n")->version, 1);
}

TEST_F(DocumentLimitsTest, ABodyPastTheWireDepthIsRefusedWithoutCrashing) {
  // 70,000 levels: refused before any tree is built (a recursive dump would overflow).
  std::string body = "{\"mutations\":[{\"mutation_id\":\"m1\",\"collection\":\"notes\","
                     "\"key\":\"k\",\"op\":\"put\",\"data\":{\"d\":" +
                     std::string(70000, '[') + std::string(70000, ']') + "}}]}";
  HttpResult result = client_->Send("POST", "/v1/push", body,
                                    {{"Idempotency-Key", "b-1"}, {"Content-Type", "application/json"}});
  EXPECT_EQ(result.status, 400) << result.body;
  EXPECT_EQ(result.body_json["error"]["code"], "invalid_request");
  EXPECT_EQ(client_->Pull().status, 200);  // still serving
}

TEST_F(DocumentLimitsTest, MaxBytesBoundsThePageAndStubsADocumentTooLargeAlone) {
  const std::string blob(1000, 'x');
  for (int i = 0; i < 10; ++i) Put("k" + std::to_string(i), {{"blob", blob}});
  Put("huge", {{"blob", std::string(5000, 'y')}});
  Put("last", {{"v", 1}});
  std::string cursor;
  std::vector<json> changes;
  for (int pages = 0; pages < 20; ++pages) {
    HttpResult result = client_->Get("/v1/pull?max_bytes=4000&cursor=" + cursor);
    ASSERT_EQ(result.status, 200) << result.body;
    EXPECT_LE(result.body.size(), 4000u);
    for (const json& c : result.body_json["changes"]) changes.push_back(c);
    cursor = result.body_json["cursor"];
    if (!result.body_json["has_more"].get<bool>()) break;
  }
  ASSERT_EQ(changes.size(), 12u);
  EXPECT_EQ(changes[10], json({{"collection", "notes"}, {"key", "huge"}, {"version", 1},
                               {"deleted", false}, {"omitted", "too_large"},
                               {"size", changes[10]["size"]}}));
  EXPECT_GT(changes[10]["size"].get<int64_t>(), 5000);
  EXPECT_EQ(changes[11]["key"], "last");
  EXPECT_EQ(client_->Get("/v1/pull?max_bytes=0").status, 400);
}

}  // namespace
}  // namespace syncagent::mock::testing
