// Happy paths of the local data commands, status, conflicts and dead letters.
#include <sqlite3.h>

#include "tests/cli/cli_test_support.h"

namespace syncagent::cli::testing {
namespace {

using CliCommandsTest = CliTest;

TEST_F(CliCommandsTest, PutGetPatchLsDelete) {
  const std::string config = WriteConfig();
  ASSERT_EQ(Cli({"--config", config, "put", "notes", "b", R"({"title":"B","n":1})"}).exit_code, 0);
  ASSERT_EQ(Cli({"--config", config, "put", "notes", "a", R"({"title":"A"})"}).exit_code, 0);
  ProcResult patch = Cli({"--config", config, "patch", "notes", "b", R"({"n":null,"done":true})"});
  ASSERT_EQ(patch.exit_code, 0) << patch.Describe();
  EXPECT_NE(patch.err.find("patch notes/b: saved locally"), std::string::npos) << patch.err;

  ProcResult get = Cli({"--config", config, "get", "notes", "b"});
  ASSERT_EQ(get.exit_code, 0) << get.Describe();
  EXPECT_EQ(json::parse(get.out), json({{"title", "B"}, {"done", true}}));

  ProcResult meta = Cli({"--config", config, "get", "--meta", "notes", "b"});
  ASSERT_EQ(meta.exit_code, 0) << meta.Describe();
  json m = json::parse(meta.out);
  EXPECT_EQ(m["dirty"], true);
  EXPECT_EQ(m["rev"], "");  // never seen by the server
  EXPECT_EQ(m["sync_state"], "pending");  // queued for the next sync

  ProcResult ls = Cli({"--config", config, "ls", "notes"});
  ASSERT_EQ(ls.exit_code, 0) << ls.Describe();
  EXPECT_EQ(ls.out, "a\t{\"title\":\"A\"}\nb\t{\"done\":true,\"title\":\"B\"}\n");

  ASSERT_EQ(Cli({"--config", config, "delete", "notes", "a"}).exit_code, 0);
  ProcResult keys = Cli({"--config", config, "ls", "--keys", "notes"});
  EXPECT_EQ(keys.out, "b\n");
  EXPECT_EQ(Cli({"--config", config, "get", "notes", "a"}).exit_code, 1);
  ProcResult empty = Cli({"--config", config, "ls", "tasks"});
  EXPECT_EQ(empty.exit_code, 0);
  EXPECT_EQ(empty.out, "");
}

// Item 12 of issue 13: `get` indented every level, so a deep document printed in quadratic size
// (120 KB nested 60,000 levels: 7.2 GB). New writes cannot be that deep, but data stored by an
// older version can: it is printed compact, in linear size; shallow documents stay indented.
TEST_F(CliCommandsTest, GetPrintsADeepStoredDocumentCompactlyInLinearSize) {
  const std::string config = WriteConfig();
  ASSERT_EQ(Cli({"--config", config, "put", "notes", "deep", R"({"a":1})"}).exit_code, 0);
  ASSERT_EQ(Cli({"--config", config, "put", "notes", "flat", R"({"a":[1]})"}).exit_code, 0);
  // 3,000 levels: indented, this would be about 18 MB.
  const std::string deep = R"({"a":)" + std::string(3000, '[') + std::string(3000, ']') + "}";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ + "/agent.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "UPDATE documents SET data = ?1 WHERE key = 'deep'", -1, &stmt,
                               nullptr), SQLITE_OK);
  sqlite3_bind_text(stmt, 1, deep.c_str(), static_cast<int>(deep.size()), SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE);
  sqlite3_finalize(stmt);
  sqlite3_close(db);

  ProcResult get = Cli({"--config", config, "get", "notes", "deep"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(get.out, deep + "\n");
  ProcResult meta = Cli({"--config", config, "get", "--meta", "notes", "deep"});
  ASSERT_EQ(meta.exit_code, 0) << meta.err;
  EXPECT_LT(meta.out.size(), deep.size() + 300);
  EXPECT_NE(meta.out.find("\"data\":" + deep + ","), std::string::npos);
  EXPECT_NE(meta.out.find("\"key\":\"deep\""), std::string::npos);
  ProcResult ls = Cli({"--config", config, "ls", "notes"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_EQ(ls.out, "deep\t" + deep + "\nflat\t{\"a\":[1]}\n");

  ProcResult flat = Cli({"--config", config, "get", "notes", "flat"});
  EXPECT_EQ(flat.out, "{\n  \"a\": [\n    1\n  ]\n}\n");
}

TEST_F(CliCommandsTest, ConfigFromEnvironmentAndGlobalFlagsAfterTheCommand) {
  const std::string config = WriteConfig();
  ASSERT_EQ(Cli({"put", "notes", "k", R"({"v":1})"}, {{"SYNCAGENT_CONFIG", config}}).exit_code, 0);
  ProcResult get = Cli({"get", "notes", "k", "--config", config});
  ASSERT_EQ(get.exit_code, 0) << get.Describe();
  EXPECT_EQ(json::parse(get.out), json({{"v", 1}}));
}

TEST_F(CliCommandsTest, StatusHumanAndJson) {
  const std::string config = WriteConfig();
  ASSERT_EQ(Cli({"--config", config, "put", "notes", "n1", R"({"a":1})"}).exit_code, 0);
  ProcResult before = Cli({"--config", config, "status"});
  ASSERT_EQ(before.exit_code, 0) << before.Describe();
  for (const char* row : {"documents     1", "queue         1 pending (oldest ", "conflicts     0 open",
                          "dead letters  0", "last run      never", "next run      no run recorded yet",
                          "schedule      no wake-up recorded yet", "systemd timer not installed"}) {
    EXPECT_NE(before.out.find(row), std::string::npos) << row << "\n" << before.out;
  }
  ASSERT_EQ(Cli({"--config", config, "run"}).exit_code, 0);
  ProcResult after = Cli({"--config", config, "status", "--json"});
  ASSERT_EQ(after.exit_code, 0) << after.Describe();
  json s = json::parse(after.out);
  EXPECT_EQ(s["queue_depth"], 0);
  EXPECT_EQ(s["documents"], 1);
  EXPECT_EQ(s["last_outcome"], "done");
  EXPECT_EQ(s["last_run"]["result"], "success");
  EXPECT_EQ(s["schedule"]["runs"], 1);
  EXPECT_TRUE(s["next_run_ms"].is_number());
  EXPECT_TRUE(s["oldest_pending_age_ms"].is_null());
  EXPECT_TRUE(s["systemd_timer"].is_null());
}

TEST_F(CliCommandsTest, ManualConflictListAndResolve) {
  const std::string config =
      WriteConfig("agent", {{"sync", {{"conflict", {{"default", "manual"}}}}}});
  ASSERT_TRUE(server_->state().AdminPut("notes", "n1", json{{"title", "server"}}, nullptr).ok());
  ASSERT_EQ(Cli({"--config", config, "put", "notes", "n1", R"({"title":"local"})"}).exit_code, 0);
  ProcResult run = Cli({"--config", config, "run"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_NE(run.err.find("conflict on notes/n1 left open"), std::string::npos) << run.err;

  ProcResult list = Cli({"--config", config, "conflicts", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.Describe();
  json conflicts = json::parse(list.out);
  ASSERT_EQ(conflicts.size(), 1u) << list.out;
  EXPECT_EQ(conflicts[0]["local"], json({{"title", "local"}}));
  EXPECT_EQ(conflicts[0]["remote"], json({{"title", "server"}}));
  const std::string id = std::to_string(conflicts[0]["id"].get<int64_t>());

  ProcResult text = Cli({"--config", config, "conflicts", "list"});
  EXPECT_NE(text.out.find("#" + id + " notes/n1 (open"), std::string::npos) << text.out;

  ProcResult resolve =
      Cli({"--config", config, "conflicts", "resolve", id, "--use", R"({"title":"merged"})"});
  ASSERT_EQ(resolve.exit_code, 0) << resolve.Describe();
  ProcResult sync = Cli({"--config", config, "run"});
  ASSERT_EQ(sync.exit_code, 0) << sync.Describe();
  EXPECT_EQ(ServerDoc("notes", "n1"), json({{"title", "merged"}}));
  ProcResult none = Cli({"--config", config, "conflicts", "list", "--json"});
  EXPECT_EQ(json::parse(none.out), json::array());
  ProcResult all = Cli({"--config", config, "conflicts", "list", "--all", "--json"});
  EXPECT_EQ(json::parse(all.out).size(), 1u);
}

TEST_F(CliCommandsTest, TakeRemoteResolution) {
  const std::string config =
      WriteConfig("agent", {{"sync", {{"conflict", {{"default", "manual"}}}}}});
  ASSERT_TRUE(server_->state().AdminPut("notes", "n1", json{{"v", "server"}}, nullptr).ok());
  ASSERT_EQ(Cli({"--config", config, "put", "notes", "n1", R"({"v":"local"})"}).exit_code, 0);
  ASSERT_EQ(Cli({"--config", config, "run"}).exit_code, 0);
  json conflicts = json::parse(Cli({"--config", config, "conflicts", "list", "--json"}).out);
  ASSERT_EQ(conflicts.size(), 1u);
  const std::string id = std::to_string(conflicts[0]["id"].get<int64_t>());
  ASSERT_EQ(Cli({"--config", config, "conflicts", "resolve", id, "--take-remote"}).exit_code, 0);
  EXPECT_EQ(json::parse(Cli({"--config", config, "get", "notes", "n1"}).out), json({{"v", "server"}}));
}

class CliDeadLettersTest : public CliTest {
 protected:
  void SetUp() override {
    server_options_.max_body_bytes = 2048;  // a 4 KiB document is rejected for good
    CliTest::SetUp();
  }
};

TEST_F(CliDeadLettersTest, ListRetryDrop) {
  const std::string config = WriteConfig();
  const std::string big = json{{"body", std::string(4096, 'x')}}.dump();
  ASSERT_EQ(Cli({"--config", config, "put", "notes", "big", big}).exit_code, 0);
  ProcResult run = Cli({"--config", config, "run"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_NE(run.err.find("rejected the change to notes/big"), std::string::npos) << run.err;

  ProcResult list = Cli({"--config", config, "deadletters", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.Describe();
  json letters = json::parse(list.out);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0]["key"], "big");
  EXPECT_EQ(letters[0]["code"], "payload_too_large");
  const std::string id = std::to_string(letters[0]["id"].get<int64_t>());
  ProcResult text = Cli({"--config", config, "deadletters", "list"});
  EXPECT_NE(text.out.find("#" + id + " notes/big put payload_too_large"), std::string::npos)
      << text.out;

  ProcResult retry = Cli({"--config", config, "deadletters", "retry", id});
  ASSERT_EQ(retry.exit_code, 0) << retry.Describe();
  EXPECT_NE(retry.err.find("queued again as mutation"), std::string::npos);
  json status = json::parse(Cli({"--config", config, "status", "--json"}).out);
  EXPECT_EQ(status["queue_depth"], 1);
  EXPECT_EQ(status["dead_letters"], 0);

  ASSERT_EQ(Cli({"--config", config, "run"}).exit_code, 0);  // rejected again
  letters = json::parse(Cli({"--config", config, "deadletters", "list", "--json"}).out);
  ASSERT_EQ(letters.size(), 1u);
  const std::string id2 = std::to_string(letters[0]["id"].get<int64_t>());
  ASSERT_EQ(Cli({"--config", config, "deadletters", "drop", id2}).exit_code, 0);
  EXPECT_EQ(json::parse(Cli({"--config", config, "deadletters", "list", "--json"}).out),
            json::array());
}

}  // namespace
}  // namespace syncagent::cli::testing
