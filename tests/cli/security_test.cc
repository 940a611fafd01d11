// Security of the `syncagent` process: the bearer token and the basic-auth password never reach
// stdout or stderr at trace level, whatever goes wrong (a 401 from the server, a transport
// failure, a config error of any kind), and the files it writes are owner-only even under a
// permissive umask.
#include <sys/stat.h>

#include <csignal>

#include <string>
#include <vector>

#include "tests/cli/cli_test_support.h"
#include "tests/couchdb/pouchdb_server.h"

namespace syncagent::cli::testing {
namespace {

class CliSecurityTest : public CliTest {
 protected:
  // Runs `syncagent --config <config> --log-level trace -vvv <args...>` with `token` in the token
  // variable; returns stdout + stderr.
  std::string Trace(const std::string& config, std::vector<std::string> args,
                    const std::string& token = kToken) {
    args.insert(args.begin(), {"--config", config, "--log-level", "trace", "-vvv"});
    ProcResult r = RunCli(args, {{kTokenEnv, token}});
    last_ = r;
    return r.out + r.err;
  }
  ProcResult last_;
};

TEST_F(CliSecurityTest, TokenNeverPrintedThrough401TransportFailureAndConfigErrors) {
  std::string all;
  const std::string config = WriteConfig("agent");
  ASSERT_EQ(Cli({"--config", config, "put", "notes", "n1", R"({"v":1})"}).exit_code, 0);

  // 1. The server answers 401 to everything (the token itself is right).
  SetFaults({{"faults", {{{"match", {{"path", "/v1/*"}, {"times", -1}}},
                          {"action", {{"kind", "status"}, {"status", 401}}}}}}});
  all += Trace(config, {"run"});
  EXPECT_NE(last_.exit_code, 0) << last_.Describe();
  all += Trace(config, {"run", "--json"});
  SetFaults({{"faults", json::array()}});

  // 2. Transport failures: nothing listening, and a server that hangs past the timeout.
  const std::string refused = WriteConfig(
      "refused", {{"server", {{"base_url", "http://127.0.0.1:1"}}}});
  all += Trace(refused, {"run"});
  EXPECT_NE(last_.exit_code, 0) << last_.Describe();
  const std::string hanging = WriteConfig(
      "hanging", {{"server", {{"timeouts", {{"connect_ms", 500}, {"request_ms", 500}}}}}});
  SetFaults({{"faults", {{{"match", {{"path", "/v1/*"}, {"times", -1}}},
                          {"action", {{"kind", "hang"}, {"max_ms", 5000}}}}}}});
  all += Trace(hanging, {"run"});
  EXPECT_NE(last_.exit_code, 0) << last_.Describe();
  SetFaults({{"faults", json::array()}});

  // 3. Config errors with the token in the file, in the environment, in a URL and in a header.
  const std::string literal_bad = WriteConfig(
      "literal_bad", {{"server", {{"auth", {{"token_env", nullptr}, {"token", kToken}}}}},
                      {"logging", {{"level", "loud"}}}});
  all += Trace(literal_bad, {"run"});
  EXPECT_EQ(last_.exit_code, 2) << last_.Describe();
  all += Trace(literal_bad, {"config", "check", "--json"});
  // A token the agent cannot send (a control character): the error explains why, not what.
  all += Trace(config, {"run"}, std::string(kToken) + "\n");
  all += Trace(config, {"config", "check"}, std::string(kToken) + "\x01");
  // Credentials in the URL's userinfo, and the token as a header value next to a bad header name.
  const std::string in_url = WriteConfig(
      "in_url", {{"server", {{"base_url", "https://user:" + std::string(kToken) + "@127.0.0.1:1/v1"}}}});
  all += Trace(in_url, {"run"});
  all += Trace(in_url, {"config", "check", "--json"});
  const std::string in_header = WriteConfig(
      "in_header", {{"server", {{"headers", {{"Bad Name", kToken}, {"Authorization", kToken}}}}}});
  all += Trace(in_header, {"run"});
  all += Trace(in_header, {"config", "check"});
  // A token that is not valid JSON text next to it (a syntax error right after the secret).
  const std::string broken = dir_ + "/broken.json";
  WriteFile(broken, std::string("{\"server\": {\"auth\": {\"type\": \"bearer\", \"token\": \"") +
                        kToken + "\" oops}}}");
  all += Trace(broken, {"run"});
  EXPECT_EQ(last_.exit_code, 2) << last_.Describe();
  all += Trace(broken, {"config", "check"});

  EXPECT_EQ(all.find(kToken), std::string::npos) << all;
  // Also no prefix long enough to identify it (e.g. a truncated quote of the value).
  EXPECT_EQ(all.find(std::string(kToken).substr(0, 12)), std::string::npos) << all;
}

TEST_F(CliSecurityTest, TheBasicAuthPasswordIsNeverPrinted) {
  const std::string password = "Pouch-S3cret-Passw0rd";
  couch_testing::PouchDbServerOptions options;
  options.admin = "admin:" + password;
  auto couch = couch_testing::PouchDbServer::Start(options);
  ASSERT_TRUE(couch.ok()) << couch.status().message();
  const json couchdb = {
      {"server",
       {{"protocol", "couchdb"},
        {"base_url", (*couch)->url()},
        {"auth",
         {{"type", "basic"}, {"token_env", nullptr}, {"username", "admin"},
          {"password_env", "COUCH_PW"}}},
        {"couchdb", {{"create_databases", true}}}}},
      {"sync", {{"collections", {"notes"}}}}};
  const std::string config = WriteConfig("couch", couchdb);
  std::string all;
  auto trace = [&](const std::string& file, std::vector<std::string> args,
                   const std::string& pw) {
    args.insert(args.begin(), {"--config", file, "--log-level", "trace", "-vvv"});
    last_ = RunCli(args, {{"COUCH_PW", pw}});
    all += last_.out + last_.err;
  };
  trace(config, {"put", "notes", "n1", R"({"v":1})"}, password);
  ASSERT_EQ(last_.exit_code, 0) << last_.Describe();
  trace(config, {"run"}, password);  // the right password: a real sync with PouchDB Server
  EXPECT_EQ(last_.exit_code, 0) << last_.Describe();
  trace(config, {"run", "--json"}, "wrong-" + password);  // 401 on every request
  EXPECT_NE(last_.exit_code, 0) << last_.Describe();
  trace(config, {"config", "check", "--json"}, password + "\x01");  // unusable from the env
  EXPECT_EQ(last_.exit_code, 2) << last_.Describe();
  json literal = couchdb;
  literal["server"]["auth"] = {{"type", "basic"}, {"token_env", nullptr}, {"username", "admin"},
                               {"password", password}, {"password_env", "COUCH_PW"}};
  const std::string both = WriteConfig("couch_both", literal);
  trace(both, {"run"}, password);
  EXPECT_EQ(last_.exit_code, 2) << last_.Describe();
  literal["server"]["auth"].erase("password_env");
  literal["server"]["base_url"] = "http://couch.example.com:5984";
  trace(WriteConfig("couch_http", literal), {"config", "check"}, password);
  EXPECT_EQ(last_.exit_code, 2) << last_.Describe();

  EXPECT_NE(all.find("HTTP 401"), std::string::npos) << "the 401 path ran: " << all;
  EXPECT_EQ(all.find(password), std::string::npos) << all;
  EXPECT_EQ(all.find(password.substr(0, 12)), std::string::npos) << all;
  const std::string header = "YWRtaW46UG91Y2gt";  // the start of base64("admin:Pouch-...")
  EXPECT_EQ(all.find(header), std::string::npos) << all;
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

TEST_F(CliSecurityTest, StoreFilesAreOwnerOnlyUnderUmaskZero) {
  const std::string config = WriteConfig("agent");
  const mode_t old_umask = ::umask(0);  // inherited by the child: nothing masked
  ProcResult put = Cli({"--config", config, "put", "notes", "n1", R"({"v":1})"});
  ProcResult run = Cli({"--config", config, "run"});
  // A daemon-like second process keeps the WAL open while we look at the files.
  BackgroundCli daemon({"--config", config, "daemon"}, TokenEnv());
  ::umask(old_umask);
  ASSERT_EQ(put.exit_code, 0) << put.Describe();
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  ASSERT_TRUE(daemon.WaitForStderr("daemon: started", std::chrono::seconds(20))) << daemon.err();
  const std::string db = dir_ + "/agent.db";
  EXPECT_EQ(ModeOf(db), 0600u);
  for (const std::string& side : {db + "-wal", db + "-shm"}) {
    const mode_t mode = ModeOf(side);
    if (mode != 0) {  // present while a connection is open
      EXPECT_EQ(mode, 0600u) << side;
    }
  }
  daemon.Signal(SIGTERM);
  EXPECT_TRUE(daemon.Wait(std::chrono::seconds(20)).has_value());
}

}  // namespace
}  // namespace syncagent::cli::testing
