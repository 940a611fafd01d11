// `syncagent run`: exit 0 done, 75 retry later, 1 failed, 2 bad config; --json; status after.
#include "platform/clock.h"
#include "storage/store.h"
#include "tests/cli/cli_test_support.h"

namespace syncagent::cli::testing {
namespace {

using CliRunTest = CliTest;

// Fills the store at `path` up to a cap of `max_mb` MiB (as `storage.max_size_mb` sets it): with
// documents, then with run log rows until the run log needs a page the cap refuses. The database
// is then "full" as on a full disk: no write that needs a new page succeeds.
void FillStoreToTheCap(const std::string& path, int64_t max_mb) {
  RealClock clock;
  StoreOptions options;
  options.path = path;
  options.clock = &clock;
  options.max_size_bytes = max_mb * 1024 * 1024;
  auto store = Store::Open(options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const std::string blob(3000, 'x');
  for (int i = 0; i < 100000; ++i) {
    if (!(*store)->Put("filler", "f" + std::to_string(i), {{"blob", blob}}).ok()) break;
  }
  for (int i = 0; i < 100000; ++i) {
    auto id = (*store)->BeginRun({"filler", clock.WallMs(), 1000, ""});
    if (!id.ok()) {
      ASSERT_EQ(id.status().code(), StatusCode::kResourceExhausted) << id.status().ToString();
      return;
    }
    ASSERT_TRUE((*store)->FinishRun(*id, {RunResult::kSuccess, "", 0, 0, 0, ""}).ok());
  }
  FAIL() << "the run log never filled up";
}

TEST_F(CliRunTest, SyncsAndExitsZero) {
  const std::string config = WriteConfig();
  ASSERT_EQ(Cli({"--config", config, "put", "notes", "n1", R"({"title":"hello"})"}).exit_code, 0);
  ProcResult r = Cli({"--config", config, "run"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find("run: done: pushed 1"), std::string::npos) << r.err;
  EXPECT_EQ(ServerDoc("notes", "n1"), json({{"title", "hello"}}));
}

TEST_F(CliRunTest, PullsRemoteChanges) {
  const std::string config = WriteConfig();
  ASSERT_TRUE(server_->state().AdminPut("notes", "remote", json{{"from", "server"}}, nullptr).ok());
  ProcResult r = Cli({"--config", config, "run", "--task-id", "manual", "--budget-seconds", "5"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  ProcResult get = Cli({"--config", config, "get", "notes", "remote"});
  ASSERT_EQ(get.exit_code, 0) << get.Describe();
  EXPECT_EQ(json::parse(get.out), json({{"from", "server"}}));
}

TEST_F(CliRunTest, ServerUnavailableExits75WithTheRetryDelay) {
  const std::string config = WriteConfig();
  ASSERT_EQ(Cli({"--config", config, "put", "notes", "n1", R"({"a":1})"}).exit_code, 0);
  SetFaults({{"faults",
              {{{"match", {{"path", "/v1/*"}, {"times", -1}}},
                {"action", {{"kind", "status"}, {"status", 503}, {"retry_after", "120"}}}}}}});
  ProcResult r = Cli({"--config", config, "run", "--json"});
  ASSERT_EQ(r.exit_code, 75) << r.Describe();
  EXPECT_NE(r.err.find("run: retry in "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(attempt 1)"), std::string::npos) << r.err;
  json result = json::parse(r.out);
  EXPECT_EQ(result["result"], "retry");
  // The server's Retry-After, plus up to 50% random extra (agent/retry_plan.h).
  EXPECT_GE(result["retry_delay_ms"].get<int64_t>(), 120000);
  EXPECT_LE(result["retry_delay_ms"].get<int64_t>(), 180000);

  // The second attempt is counted; status shows the backoff.
  ProcResult again = Cli({"--config", config, "run"});
  EXPECT_EQ(again.exit_code, 75) << again.Describe();
  EXPECT_NE(again.err.find("(attempt 2)"), std::string::npos) << again.err;
  ProcResult status = Cli({"--config", config, "status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.Describe();
  json s = json::parse(status.out);
  EXPECT_EQ(s["queue_depth"], 1);
  EXPECT_EQ(s["last_run"]["result"], "retry");
  EXPECT_NE(s["next_run_basis"].get<std::string>().find("retry backoff"), std::string::npos);

  server_->faults().Clear();
  ProcResult ok = Cli({"--config", config, "run"});
  EXPECT_EQ(ok.exit_code, 0) << ok.Describe();
  EXPECT_EQ(ServerDoc("notes", "n1"), json({{"a", 1}}));
}

// What the systemd timer runs (`run --periodic`) keeps the server's quiet period after a
// Retry-After (agent/retry_plan.h, rule 2): the next periodic wake makes no request and exits 0;
// a one-off `run` (someone typed it) is not held back.
TEST_F(CliRunTest, PeriodicRunKeepsTheServersQuietPeriod) {
  const std::string config = WriteConfig();
  ASSERT_EQ(Cli({"--config", config, "put", "notes", "n1", R"({"a":1})"}).exit_code, 0);
  SetFaults({{"faults",
              {{{"match", {{"path", "/v1/*"}, {"times", -1}}},
                {"action", {{"kind", "status"}, {"status", 503}, {"retry_after", "600"}}}}}}});
  ProcResult first = Cli({"--config", config, "run", "--periodic", "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.Describe();  // rule 1: the next periodic slot retries
  const int64_t requests = server_->requests().total();
  ASSERT_GE(requests, 1);

  ProcResult quiet = Cli({"--config", config, "run", "--periodic", "--json"});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.Describe();
  EXPECT_TRUE(json::parse(quiet.out).value("deferred", false)) << quiet.out;
  EXPECT_EQ(server_->requests().total(), requests) << "a periodic wake in the quiet period";

  ProcResult one_off = Cli({"--config", config, "run"});
  EXPECT_EQ(one_off.exit_code, 75) << one_off.Describe();
  EXPECT_GT(server_->requests().total(), requests);
}

TEST_F(CliRunTest, AFullStoreExits75BeforeAnyRequestAndStatusShowsTheAttempt) {
  const std::string config = WriteConfig("agent", {{"storage", {{"max_size_mb", 1}}}});
  ASSERT_EQ(Cli({"--config", config, "put", "notes", "n1", R"({"a":1})"}).exit_code, 0);
  ASSERT_NO_FATAL_FAILURE(FillStoreToTheCap(dir_ + "/agent.db", 1));
  ProcResult r = Cli({"--config", config, "run", "--json"});
  ASSERT_EQ(r.exit_code, 75) << r.Describe();
  EXPECT_NE(r.err.find("run: retry in "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("disk or database size limit full"), std::string::npos) << r.err;
  json result = json::parse(r.out);
  EXPECT_EQ(result["result"], "retry");
  EXPECT_GT(result["retry_delay_ms"].get<int64_t>(), 0);
  EXPECT_EQ(server_->requests().total(), 0) << "nothing may be sent by a run that cannot log";

  ProcResult status = Cli({"--config", config, "status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.Describe();
  json s = json::parse(status.out);
  ASSERT_TRUE(s["last_run"].is_object()) << status.out;
  EXPECT_EQ(s["last_run"]["result"], "retry");
  EXPECT_EQ(s["last_run"]["in_run_log"], false);
  EXPECT_NE(s["last_run"]["error"].get<std::string>().find("full"), std::string::npos) << status.out;
  EXPECT_NE(s["next_run_basis"].get<std::string>().find("retry backoff"), std::string::npos)
      << status.out;
  ProcResult text = Cli({"--config", config, "status"});
  ASSERT_EQ(text.exit_code, 0) << text.Describe();
  EXPECT_NE(text.out.find("retry - store unavailable: nothing synced"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("run error     run log: "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("(not in the run log"), std::string::npos) << text.out;

  // Without the cap (space freed) the next run syncs and is logged again.
  const std::string roomy = WriteConfig("agent", {{"storage", {{"max_size_mb", 0}}}});
  ProcResult ok = Cli({"--config", roomy, "run"});
  EXPECT_EQ(ok.exit_code, 0) << ok.Describe();
  EXPECT_EQ(ServerDoc("notes", "n1"), json({{"a", 1}}));
  s = json::parse(Cli({"--config", roomy, "status", "--json"}).out);
  EXPECT_EQ(s["last_run"]["result"], "success");
  EXPECT_EQ(s["last_run"]["in_run_log"], true);
}

TEST_F(CliRunTest, UnreachableServerExits75) {
  const std::string config =
      WriteConfig("agent", {{"server", {{"base_url", "http://127.0.0.1:1"}}}});
  ASSERT_EQ(Cli({"--config", config, "put", "notes", "n1", R"({"a":1})"}).exit_code, 0);
  ProcResult r = Cli({"--config", config, "run"});
  EXPECT_EQ(r.exit_code, 75) << r.Describe();
}

TEST_F(CliRunTest, WrongTokenFailsWithExit1) {
  const std::string config = WriteConfig();
  ASSERT_EQ(Cli({"--config", config, "put", "notes", "n1", R"({"a":1})"}).exit_code, 0);
  ProcResult r = RunCli({"--config", config, "run"}, {{kTokenEnv, std::string("wrong-token-1234")}});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  ASSERT_FALSE(r.ErrLines().empty());
  EXPECT_EQ(r.ErrLines().back().rfind("syncagent: run: failed", 0), 0u) << r.err;
}

TEST_F(CliRunTest, BadConfigExits2) {
  const std::string config = WriteConfig("agent", {{"retry", {{"multiplier", 0.5}}}});
  ProcResult r = Cli({"--config", config, "run"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_EQ(r.ErrLines().size(), 1u) << r.err;
  // The token variable missing is a config error too.
  const std::string good = WriteConfig("other");
  ProcResult no_token = RunCli({"--config", good, "run"}, {{kTokenEnv, std::nullopt}});
  EXPECT_EQ(no_token.exit_code, 2) << no_token.Describe();
  EXPECT_NE(no_token.err.find(kTokenEnv), std::string::npos) << no_token.err;
}

}  // namespace
}  // namespace syncagent::cli::testing
