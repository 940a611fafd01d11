// Push `origin` and pull `skip_origin`: a client's own changes are not sent back to it, and the
// cursor still moves past them (docs/protocol.md §3.1, §4.1).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "tests/mock_server/test_support.h"

namespace syncagent::mock::testing {
namespace {

json WithOrigin(json body, const std::string& origin) {
  body["origin"] = origin;
  return body;
}

std::vector<std::string> Keys(const json& changes) {
  std::vector<std::string> keys;
  for (const json& change : changes) keys.push_back(change["key"]);
  return keys;
}

class OriginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = StartServer();
    client_ = std::make_unique<TestClient>(*server_);
  }
  void Push(const std::string& id, const std::string& key, const std::string& origin,
            json base = nullptr, const std::string& op = "put") {
    json data = op == "delete" ? json(nullptr) : json{{"by", origin}, {"id", id}};
    HttpResult result =
        client_->Push(WithOrigin(PushBody({Mutation(id, key, op, base, data)}, "b-" + id), origin),
                      "b-" + id);
    ASSERT_EQ(result.status, 200) << result.body;
    ASSERT_EQ(result.body_json["results"][0]["status"], "applied") << result.body;
  }
  void AdminPut(const std::string& key) {
    ASSERT_TRUE(server_->state().AdminPut("notes", key, {{"by", "admin"}}, nullptr).ok());
  }
  HttpResult Pull(const std::string& cursor, int limit, const std::string& skip,
                  httplib::Headers headers = {}) {
    std::string target = "/v1/pull?limit=" + std::to_string(limit);
    if (!cursor.empty()) target += "&cursor=" + httplib::detail::encode_query_param(cursor);
    if (!skip.empty()) target += "&skip_origin=" + skip;
    return client_->Get(target, std::move(headers));
  }

  std::unique_ptr<MockServer> server_;
  std::unique_ptr<TestClient> client_;
};

TEST_F(OriginTest, OwnChangesAreSkippedAndOthersDelivered) {
  Push("m1", "a", "dev-1");
  AdminPut("b");
  Push("m2", "c", "dev-2");
  Push("m3", "d", "dev-1");

  HttpResult own = Pull("", 100, "dev-1");
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(Keys(own.body_json["changes"]), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(own.body_json["has_more"], false);
  // The cursor covers the skipped changes too: nothing comes back from it, even without skipping.
  HttpResult after = Pull(own.body_json["cursor"], 100, "");
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(after.body_json["changes"], json::array());

  // Without skip_origin (or with another origin) everything is delivered, as before.
  EXPECT_EQ(Keys(Pull("", 100, "").body_json["changes"]),
            (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(Keys(Pull("", 100, "dev-3").body_json["changes"]),
            (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST_F(OriginTest, ASkippedVersionChangedByAnotherWriterIsDelivered) {
  Push("m1", "a", "dev-1");
  HttpResult first = Pull("", 100, "dev-1");
  EXPECT_EQ(first.body_json["changes"], json::array());
  AdminPut("a");  // version 2, written by someone else
  HttpResult next = Pull(first.body_json["cursor"], 100, "dev-1");
  ASSERT_EQ(Keys(next.body_json["changes"]), (std::vector<std::string>{"a"}));
  EXPECT_EQ(next.body_json["changes"][0]["version"], 2);
  EXPECT_EQ(next.body_json["changes"][0]["data"], json({{"by", "admin"}}));
}

TEST_F(OriginTest, OwnChangesAfterAFullPageEndThePass) {
  AdminPut("a");
  AdminPut("b");
  Push("m1", "c", "dev-1");
  Push("m2", "d", "dev-1");
  HttpResult page = Pull("", 2, "dev-1");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(Keys(page.body_json["changes"]), (std::vector<std::string>{"a", "b"}));
  // Only the puller's own changes follow: no further request is needed.
  EXPECT_EQ(page.body_json["has_more"], false);
  EXPECT_EQ(Pull(page.body_json["cursor"], 2, "").body_json["changes"], json::array());

  // With another writer's change behind them, has_more is true and the next page starts there.
  Push("m3", "e", "dev-1");
  AdminPut("f");
  HttpResult full = Pull("", 2, "dev-1");
  EXPECT_EQ(full.body_json["has_more"], true);
  HttpResult rest = Pull(full.body_json["cursor"], 2, "dev-1");
  EXPECT_EQ(Keys(rest.body_json["changes"]), (std::vector<std::string>{"f"}));
  EXPECT_EQ(rest.body_json["has_more"], false);
}

TEST_F(OriginTest, AnotherWritersDeleteOfAnOwnVersionIsDelivered) {
  Push("m1", "a", "dev-1");
  ASSERT_TRUE(server_->state().AdminDelete("notes", "a", nullptr).ok());
  HttpResult page = Pull("", 100, "dev-1");
  ASSERT_EQ(Keys(page.body_json["changes"]), (std::vector<std::string>{"a"})) << page.body;
  EXPECT_EQ(page.body_json["changes"][0]["deleted"], true);
  EXPECT_EQ(page.body_json["changes"][0]["version"], 2);
}

TEST_F(OriginTest, DeletesAreSkipped) {
  Push("m1", "a", "dev-1");
  Push("m2", "a", "dev-1", 1, "delete");
  EXPECT_EQ(Pull("", 100, "dev-1").body_json["changes"], json::array());
}

TEST_F(OriginTest, AReplayDoesNotRetagTheDocument) {
  Push("m1", "a", "dev-1");
  // The same mutation replayed under another origin is answered from memory and changes nothing.
  HttpResult replay = client_->Push(
      WithOrigin(PushBody({Mutation("m1", "a", "put", nullptr, {{"by", "dev-1"}, {"id", "m1"}})},
                          "b-m1"),
                 "dev-2"),
      "b-m1");
  ASSERT_EQ(replay.status, 200) << replay.body;
  EXPECT_EQ(Pull("", 100, "dev-1").body_json["changes"], json::array());
  EXPECT_EQ(Keys(Pull("", 100, "dev-2").body_json["changes"]), (std::vector<std::string>{"a"}));
}

TEST_F(OriginTest, SkippingMovesTheCursorInsteadOfAnswering304) {
  AdminPut("a");
  HttpResult head = Pull("", 100, "dev-1");
  const std::string cursor = head.body_json["cursor"];
  const std::string etag = head.Header("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(Pull(cursor, 100, "dev-1", {{"If-None-Match", etag}}).status, 304);

  Push("m1", "b", "dev-1");
  // Nothing to send, but the cursor must move past the own change, or every later pass would
  // scan it again: a 200 with no changes and a new cursor and ETag.
  HttpResult moved = Pull(cursor, 100, "dev-1", {{"If-None-Match", etag}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.body_json["changes"], json::array());
  EXPECT_NE(moved.body_json["cursor"], cursor);
  EXPECT_NE(moved.Header("ETag"), etag);
  EXPECT_EQ(Pull(moved.body_json["cursor"], 100, "dev-1", {{"If-None-Match", moved.Header("ETag")}})
                .status,
            304);
  // Without skip_origin the same request sees the change.
  HttpResult other = Pull(cursor, 100, "", {{"If-None-Match", etag}});
  EXPECT_EQ(Keys(other.body_json["changes"]), (std::vector<std::string>{"b"}));
}

TEST_F(OriginTest, InvalidOriginsAreRefusedAndNamed) {
  for (const json& origin : {json(5), json(""), json("has space"), json(std::string(65, 'o'))}) {
    json body = PushBody({Mutation("m1", "a", "put", nullptr, {{"v", 1}})});
    body["origin"] = origin;
    HttpResult result = client_->Push(body);
    EXPECT_EQ(result.status, 400) << origin.dump();
    EXPECT_EQ(result.body_json["error"]["code"], "invalid_request");
    EXPECT_EQ(result.body_json["error"]["message"].get<std::string>().rfind("origin: ", 0), 0u)
        << result.body;
  }
  EXPECT_EQ(server_->Stats()["documents"], 0);  // nothing was applied

  HttpResult pull = client_->Get("/v1/pull?skip_origin=a%20b");
  EXPECT_EQ(pull.status, 400);
  EXPECT_EQ(pull.body_json["error"]["message"].get<std::string>().rfind("skip_origin: ", 0), 0u)
      << pull.body;

  // A null origin is the same as none.
  json body = PushBody({Mutation("m2", "a", "put", nullptr, {{"v", 1}})}, "b-2");
  body["origin"] = nullptr;
  EXPECT_EQ(client_->Push(body, "b-2").status, 200);
  EXPECT_EQ(Keys(Pull("", 100, "dev-1").body_json["changes"]), (std::vector<std::string>{"a"}));
}

TEST(OriginPersistenceTest, OriginsSurviveARestart) {
  MockServerOptions options;
  options.data_file = MakeTempDir() + "/state.db";
  {
    auto server = StartServer(options);
    TestClient client(*server);
    json body = PushBody({Mutation("m1", "a", "put", nullptr, {{"v", 1}})});
    body["origin"] = "dev-1";
    ASSERT_EQ(client.Push(body).status, 200);
  }
  auto server = StartServer(options);
  TestClient client(*server);
  EXPECT_EQ(client.Get("/v1/pull?skip_origin=dev-1").body_json["changes"], json::array());
  EXPECT_EQ(client.Get("/v1/pull").body_json["changes"].size(), 1u);
}

TEST(OriginPersistenceTest, ADataFileFromBeforeOriginsIsUpgraded) {
  const std::string path = MakeTempDir() + "/old.db";
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    const char* old_schema = R"sql(
      CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE documents (
        collection TEXT NOT NULL, key TEXT NOT NULL, version INTEGER NOT NULL,
        deleted INTEGER NOT NULL, data TEXT NOT NULL, hlc TEXT NOT NULL,
        change_seq INTEGER NOT NULL, PRIMARY KEY (collection, key));
      CREATE TABLE mutations (
        mutation_id TEXT PRIMARY KEY, canonical TEXT NOT NULL, result TEXT NOT NULL,
        applied_count INTEGER NOT NULL, replay_count INTEGER NOT NULL);
      INSERT INTO meta VALUES ('epoch', 'e0e0e0e0'), ('head', '1');
      INSERT INTO documents VALUES ('notes', 'old', 1, 0, '{"v":0}', 'null', 1);
    )sql";
    ASSERT_EQ(sqlite3_exec(db, old_schema, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  MockServerOptions options;
  options.data_file = path;
  auto server = StartServer(options);
  TestClient client(*server);
  HttpResult page = client.Get("/v1/pull?skip_origin=dev-1");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(Keys(page.body_json["changes"]), (std::vector<std::string>{"old"}));
  json body = PushBody({Mutation("m1", "new", "put", nullptr, {{"v", 1}})});
  body["origin"] = "dev-1";
  ASSERT_EQ(client.Push(body).status, 200);
  EXPECT_EQ(Keys(client.Get("/v1/pull?skip_origin=dev-1").body_json["changes"]),
            (std::vector<std::string>{"old"}));
}

}  // namespace
}  // namespace syncagent::mock::testing
