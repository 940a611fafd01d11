// --data FILE: the state survives a restart (documents, feed, cursors, exactly-once memory).
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "tests/mock_server/test_support.h"

namespace syncagent::mock::testing {
namespace {

TEST(PersistenceTest, RestartKeepsDocumentsCursorsAndExactlyOnce) {
  MockServerOptions options;
  options.data_file = MakeTempDir() + "/state.db";
  const json batch = PushBody({Mutation("m1", "n1", "put", nullptr, {{"a", 1}}),
                               Mutation("m2", "n1", "patch", 1, {{"b", 2}}),
                               Mutation("m3", "n2", "put", nullptr, {{"c", 3}}),
                               Mutation("m4", "n2", "delete", 1, nullptr)});
  json first_results;
  std::string cursor;
  {
    auto server = StartServer(options);
    TestClient client(*server);
    HttpResult pushed = client.Push(batch);
    ASSERT_EQ(pushed.status, 200);
    first_results = pushed.body_json["results"];
    cursor = client.Pull("", 1).body_json["cursor"];
  }
  auto server = StartServer(options);
  TestClient client(*server);
  // The replay after the restart returns the original results and applies nothing.
  HttpResult replay = client.Push(batch);
  EXPECT_EQ(replay.body_json["results"], first_results);
  EXPECT_EQ(server->Stats()["applied"], json({{"m1", 1}, {"m2", 1}, {"m3", 1}, {"m4", 1}}));
  EXPECT_EQ(server->Stats()["head"], 4);
  // The old cursor is still valid and continues where it stopped.
  HttpResult page = client.Pull(cursor);
  ASSERT_EQ(page.status, 200) << page.body;
  ASSERT_EQ(page.body_json["changes"].size(), 1u);
  EXPECT_EQ(page.body_json["changes"][0]["key"], "n2");
  EXPECT_EQ(page.body_json["changes"][0]["deleted"], true);
  EXPECT_EQ(page.body_json["changes"][0]["version"], 2);
  auto n1 = server->state().Find("notes", "n1");
  ASSERT_TRUE(n1);
  EXPECT_EQ(n1->data, json({{"a", 1}, {"b", 2}}));
  EXPECT_EQ(n1->hlc, "hlc-m2");
  // Reused id with another payload is still caught.
  HttpResult reused = client.Push(PushBody({Mutation("m1", "n1", "put", nullptr, {{"z", 0}})}));
  EXPECT_EQ(reused.status, 422);
  // New changes continue the sequence.
  ASSERT_TRUE(server->state().AdminPut("notes", "n3", {{"d", 4}}, nullptr).ok());
  EXPECT_EQ(server->state().Find("notes", "n3")->change_seq, 5);
}

// A data file written before the protocol dropped `force` keeps `"force":false` in every stored
// canonical payload; a replay of such a mutation (a client whose answer was lost across the
// upgrade) is still a replay, not a reused id.
TEST(PersistenceTest, ReplaysMatchPayloadsStoredWithAForceMember) {
  MockServerOptions options;
  options.data_file = MakeTempDir() + "/state.db";
  const json batch = PushBody({Mutation("m1", "n1", "put", nullptr, {{"a", 1}})});
  json first_results;
  {
    auto server = StartServer(options);
    TestClient client(*server);
    HttpResult pushed = client.Push(batch);
    ASSERT_EQ(pushed.status, 200);
    first_results = pushed.body_json["results"];
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(options.data_file.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db,
                         "UPDATE mutations SET canonical = json_set(canonical, '$.force', "
                         "json('false'))",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  EXPECT_EQ(sqlite3_changes(db), 1);
  sqlite3_close(db);
  auto server = StartServer(options);
  TestClient client(*server);
  HttpResult replay = client.Push(batch);
  ASSERT_EQ(replay.status, 200) << replay.body;
  EXPECT_EQ(replay.body_json["results"], first_results);
  EXPECT_EQ(server->Stats()["applied"], json({{"m1", 1}}));
}

TEST(PersistenceTest, TheDataFileIsPrivate) {
  MockServerOptions options;
  options.data_file = MakeTempDir() + "/state.db";
  auto server = StartServer(options);
  struct stat info {};
  ASSERT_EQ(::stat(options.data_file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST(PersistenceTest, ResetIsPersistedAndInvalidatesOldCursors) {
  MockServerOptions options;
  options.data_file = MakeTempDir() + "/state.db";
  std::string cursor;
  {
    auto server = StartServer(options);
    TestClient client(*server);
    client.Push(PushBody({Mutation("m1", "n1", "put", nullptr, {{"a", 1}})}));
    cursor = client.Pull().body_json["cursor"];
    ASSERT_TRUE(server->Reset().ok());
  }
  auto server = StartServer(options);
  TestClient client(*server);
  EXPECT_EQ(server->Stats()["documents"], 0);
  EXPECT_EQ(client.Pull(cursor).body_json["error"]["code"], "invalid_cursor");
  EXPECT_EQ(client.Push(PushBody({Mutation("m1", "n1", "put", nullptr, {{"a", 2}})}))
                .body_json["results"][0]["version"],
            1);
}

TEST(PersistenceTest, AnUnusableDataFileFailsTheStart) {
  MockServerOptions options;
  options.data_file = MakeTempDir() + "/missing-dir/state.db";
  EXPECT_FALSE(MockServer::Start(options).ok());
}

}  // namespace
}  // namespace syncagent::mock::testing
