// GET /v1/pull: the compacted change feed, cursors, pagination, filters, ETag / 304.
#include <gtest/gtest.h>

#include "tests/mock_server/test_support.h"

namespace syncagent::mock::testing {
namespace {

class PullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = StartServer();
    client_ = std::make_unique<TestClient>(*server_);
  }
  void Put(const std::string& key, json data, const std::string& collection = "notes") {
    ASSERT_TRUE(server_->state().AdminPut(collection, key, std::move(data), "h-" + key).ok());
  }
  static std::vector<std::string> Keys(const json& changes) {
    std::vector<std::string> keys;
    for (const json& change : changes) keys.push_back(change["key"]);
    return keys;
  }

  std::unique_ptr<MockServer> server_;
  std::unique_ptr<TestClient> client_;
};

TEST_F(PullTest, EmptyServerReturnsNoChangesAndACursor) {
  HttpResult result = client_->Pull();
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(result.body_json["changes"], json::array());
  EXPECT_EQ(result.body_json["has_more"], false);
  EXPECT_TRUE(result.body_json["cursor"].is_string());
  EXPECT_EQ(result.Header("Content-Type"), "application/json");
  EXPECT_FALSE(result.Header("ETag").empty());
}

TEST_F(PullTest, ChangesCarryTheCurrentStateInServerOrder) {
  Put("a", {{"v", 1}});
  Put("b", {{"v", 2}});
  HttpResult result = client_->Pull();
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(result.body_json["changes"][0], json({{"collection", "notes"},
                                                  {"key", "a"},
                                                  {"version", 1},
                                                  {"deleted", false},
                                                  {"data", {{"v", 1}}},
                                                  {"hlc", "h-a"}}));
  EXPECT_EQ(Keys(result.body_json["changes"]), (std::vector<std::string>{"a", "b"}));
}

TEST_F(PullTest, PaginationCursorCoversExactlyTheReturnedChanges) {
  for (const char* key : {"k1", "k2", "k3", "k4", "k5"}) Put(key, {{"k", key}});
  HttpResult page1 = client_->Pull("", 2);
  EXPECT_EQ(Keys(page1.body_json["changes"]), (std::vector<std::string>{"k1", "k2"}));
  EXPECT_EQ(page1.body_json["has_more"], true);
  // Changes that happen between pages are not skipped: k3 moves behind k5.
  Put("k3", {{"k", "k3 again"}});
  HttpResult page2 = client_->Pull(page1.body_json["cursor"], 2);
  EXPECT_EQ(Keys(page2.body_json["changes"]), (std::vector<std::string>{"k4", "k5"}));
  EXPECT_EQ(page2.body_json["has_more"], true);
  HttpResult page3 = client_->Pull(page2.body_json["cursor"], 2);
  EXPECT_EQ(Keys(page3.body_json["changes"]), (std::vector<std::string>{"k3"}));
  EXPECT_EQ(page3.body_json["changes"][0]["version"], 2);
  EXPECT_EQ(page3.body_json["has_more"], false);
  HttpResult page4 = client_->Pull(page3.body_json["cursor"], 2);
  EXPECT_EQ(page4.body_json["changes"], json::array());
  EXPECT_EQ(page4.body_json["has_more"], false);
  EXPECT_EQ(page4.body_json["cursor"], page3.body_json["cursor"]);
  // Re-reading from an old cursor gives the same view again (cursors are not consumed).
  HttpResult again = client_->Pull(page1.body_json["cursor"], 10);
  EXPECT_EQ(Keys(again.body_json["changes"]), (std::vector<std::string>{"k4", "k5", "k3"}));
}

TEST_F(PullTest, TheFeedIsCompactedToOneEntryPerDocument) {
  Put("a", {{"v", 1}});
  Put("b", {{"v", 1}});
  Put("a", {{"v", 2}});
  Put("a", {{"v", 3}});
  std::string cursor;
  std::vector<json> changes = PullAll(*client_, "", 1, &cursor);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0]["key"], "b");
  EXPECT_EQ(changes[1]["key"], "a");
  EXPECT_EQ(changes[1]["version"], 3);
  EXPECT_EQ(changes[1]["data"], json({{"v", 3}}));
}

TEST_F(PullTest, TombstonesArePulledWithNullData) {
  Put("a", {{"v", 1}});
  ASSERT_TRUE(server_->state().AdminDelete("notes", "a", "h-del").ok());
  HttpResult result = client_->Pull();
  ASSERT_EQ(result.body_json["changes"].size(), 1u);
  EXPECT_EQ(result.body_json["changes"][0], json({{"collection", "notes"},
                                                  {"key", "a"},
                                                  {"version", 2},
                                                  {"deleted", true},
                                                  {"data", nullptr},
                                                  {"hlc", "h-del"}}));
}

TEST_F(PullTest, CollectionsFilter) {
  Put("a1", {{"v", 1}}, "a");
  Put("b1", {{"v", 1}}, "b");
  Put("c1", {{"v", 1}}, "c");
  Put("a2", {{"v", 1}}, "a");
  EXPECT_EQ(Keys(client_->Pull("", 0, "a").body_json["changes"]),
            (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(Keys(client_->Pull("", 0, "c,a").body_json["changes"]),
            (std::vector<std::string>{"a1", "c1", "a2"}));
  HttpResult filtered = client_->Pull("", 1, "b");
  EXPECT_EQ(Keys(filtered.body_json["changes"]), (std::vector<std::string>{"b1"}));
  EXPECT_EQ(filtered.body_json["has_more"], false);
  HttpResult bad = client_->Pull("", 0, "ok,bad/name");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body_json["error"]["code"], "invalid_request");
}

TEST_F(PullTest, LimitDefaultsClampsAndRejects) {
  std::vector<json> batch;
  for (int i = 0; i < 1000; ++i) {
    batch.push_back(
        Mutation("m" + std::to_string(i), "k" + std::to_string(i), "put", nullptr, {{"i", i}}));
  }
  ASSERT_EQ(client_->Push(PushBody(batch)).status, 200);
  Put("extra", {{"i", -1}});
  EXPECT_EQ(client_->Pull().body_json["changes"].size(), 100u);
  HttpResult clamped = client_->Pull("", 5000);
  EXPECT_EQ(clamped.body_json["changes"].size(), 1000u);
  EXPECT_EQ(clamped.body_json["has_more"], true);
  EXPECT_EQ(client_->Get("/v1/pull?limit=99999999999999999999999").body_json["changes"].size(),
            1000u);
  for (const char* limit : {"0", "-3", "abc", "1.5", ""}) {
    HttpResult bad = client_->Get(std::string("/v1/pull?limit=") + limit);
    EXPECT_EQ(bad.status, 400) << limit;
    EXPECT_EQ(bad.body_json["error"]["code"], "invalid_request");
  }
}

TEST_F(PullTest, InvalidCursorIs400) {
  Put("a", {{"v", 1}});
  const std::string good = client_->Pull().body_json["cursor"];
  for (const std::string& cursor : {std::string("garbage"), good + "0", good + "x"}) {
    HttpResult result = client_->Pull(cursor);
    EXPECT_EQ(result.status, 400) << cursor;
    EXPECT_EQ(result.body_json["error"]["code"], "invalid_cursor");
  }
  ASSERT_TRUE(server_->Reset().ok());
  EXPECT_EQ(client_->Pull(good).body_json["error"]["code"], "invalid_cursor")
      << "cursors from before a reset are invalid";
}

TEST_F(PullTest, IfNoneMatchGets304WhenNothingChanged) {
  Put("a", {{"v", 1}});
  HttpResult first = client_->Pull();
  const std::string cursor = first.body_json["cursor"];
  HttpResult idle = client_->Pull(cursor);
  ASSERT_EQ(idle.status, 200);
  const std::string etag = idle.Header("ETag");
  ASSERT_EQ(etag.front(), '"');
  HttpResult not_modified = client_->Pull(cursor, 0, "", {{"If-None-Match", etag}});
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_EQ(not_modified.body, "");
  EXPECT_EQ(not_modified.Header("ETag"), etag);
  // Weak comparison and lists are understood.
  EXPECT_EQ(client_->Pull(cursor, 0, "", {{"If-None-Match", "\"x\", W/" + etag}}).status, 304);
  // A new change: 200 with it.
  Put("b", {{"v", 1}});
  HttpResult changed = client_->Pull(cursor, 0, "", {{"If-None-Match", etag}});
  EXPECT_EQ(changed.status, 200);
  EXPECT_EQ(Keys(changed.body_json["changes"]), (std::vector<std::string>{"b"}));
  EXPECT_NE(changed.Header("ETag"), etag);
}

TEST_F(PullTest, EtagIdentifiesTheCursorAndTheFilter) {
  Put("a1", {{"v", 1}}, "a");
  HttpResult all = client_->Pull();
  const std::string cursor = all.body_json["cursor"];
  const std::string etag_all = client_->Pull(cursor).Header("ETag");
  const std::string etag_a = client_->Pull(cursor, 0, "a").Header("ETag");
  EXPECT_NE(etag_all, etag_a);
  EXPECT_EQ(client_->Pull(cursor, 0, "a", {{"If-None-Match", etag_all}}).status, 200);
  EXPECT_EQ(client_->Pull(cursor, 0, "a", {{"If-None-Match", etag_a}}).status, 304);
  // A change in another collection does not wake a filtered client.
  Put("b1", {{"v", 1}}, "b");
  EXPECT_EQ(client_->Pull(cursor, 0, "a", {{"If-None-Match", etag_a}}).status, 304);
  EXPECT_EQ(client_->Pull(cursor, 0, "", {{"If-None-Match", etag_all}}).status, 200);
  // The ETag of a page names the cursor that page returned.
  HttpResult page = client_->Pull("", 1);
  EXPECT_EQ(client_->Pull(page.body_json["cursor"], 1, "", {{"If-None-Match", page.Header("ETag")}})
                .status,
            200)
      << "more changes follow that page";
}

}  // namespace
}  // namespace syncagent::mock::testing
