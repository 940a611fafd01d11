// The CLI as a process: daemon start/stop on signals, `run` cancelled by SIGTERM, the
// mock-server subcommand, secrets never printed at trace level, progress only on a terminal.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "tests/cli/cli_test_support.h"

namespace syncagent::cli::testing {
namespace {
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

// "Promptly", for a process told to stop: far below what waiting would take (the daemon's next
// sync is minutes away; a hanging request and its timeout last 10 minutes), and far above what
// a loaded machine needs to deliver a signal and unwind. No real-time margin is measured.
constexpr auto kPromptly = 60s;
constexpr int kHangMs = 600000;

class CliProcessTest : public CliTest {
 protected:
  // A config whose requests may last kHangMs, against a server that hangs every request that long.
  std::string WriteConfigWithAHangingServer() {
    SetFaults({{"faults", {{{"match", {{"path", "/v1/*"}, {"times", -1}}},
                            {"action", {{"kind", "hang"}, {"max_ms", kHangMs}}}}}}});
    return WriteConfig("agent", {{"server", {{"timeouts", {{"request_ms", kHangMs}}}}},
                                 {"schedule", {{"time_budget_seconds", kHangMs / 1000}}}});
  }
};

TEST_F(CliProcessTest, DaemonSyncsAtStartAndStopsCleanlyOnSigterm) {
  const std::string config = WriteConfig();
  ASSERT_EQ(Cli({"--config", config, "put", "notes", "d1", R"({"by":"daemon"})"}).exit_code, 0);
  BackgroundCli daemon({"--config", config, "daemon"}, TokenEnv());
  ASSERT_TRUE(daemon.WaitForStderr("daemon: started", 10s)) << daemon.err();
  ASSERT_TRUE(daemon.WaitForStderr("daemon: success", 10s)) << daemon.err();
  EXPECT_EQ(ServerDoc("notes", "d1"), json({{"by", "daemon"}}));
  daemon.Signal(SIGTERM);
  // Its next sync is an interval (minutes) away: it stops without waiting for it.
  std::optional<int> code = daemon.Wait(kPromptly);
  ASSERT_TRUE(code.has_value()) << "the daemon waited for its next sync\n" << daemon.err();
  EXPECT_EQ(*code, 0) << daemon.err();
  EXPECT_NE(daemon.err().find("SIGTERM: stopping"), std::string::npos) << daemon.err();
  EXPECT_NE(daemon.err().find("daemon: stopped cleanly"), std::string::npos) << daemon.err();
}

TEST_F(CliProcessTest, DaemonStopsDuringAHangingRequestWithoutWaitingForIt) {
  const std::string config = WriteConfigWithAHangingServer();
  ASSERT_EQ(Cli({"--config", config, "put", "notes", "d1", R"({"a":1})"}).exit_code, 0);
  BackgroundCli daemon({"--config", config, "daemon"}, TokenEnv());
  ASSERT_TRUE(daemon.WaitForStderr("daemon: started", 10s)) << daemon.err();
  const auto wait_until = Steady::now() + 10s;
  while (server_->requests().total() == 0 && Steady::now() < wait_until) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_GT(server_->requests().total(), 0u);
  daemon.Signal(SIGINT);
  std::optional<int> code = daemon.Wait(kPromptly);
  ASSERT_TRUE(code.has_value()) << "the daemon waited for the hanging request\n" << daemon.err();
  EXPECT_EQ(*code, 0) << daemon.err();
  EXPECT_NE(daemon.err().find("daemon: stopped cleanly"), std::string::npos) << daemon.err();
}

TEST_F(CliProcessTest, RunCancelledBySigtermExits75) {
  const std::string config = WriteConfigWithAHangingServer();
  ASSERT_EQ(Cli({"--config", config, "put", "notes", "r1", R"({"a":1})"}).exit_code, 0);
  BackgroundCli run({"--config", config, "run"}, TokenEnv());
  const auto wait_until = Steady::now() + 10s;
  while (server_->requests().total() == 0 && Steady::now() < wait_until) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_GT(server_->requests().total(), 0u) << run.err();
  run.Signal(SIGTERM);
  std::optional<int> code = run.Wait(kPromptly);
  ASSERT_TRUE(code.has_value()) << "the run waited for the hanging request\n" << run.err();
  EXPECT_EQ(*code, 75) << run.err();
  EXPECT_NE(run.err().find("SIGTERM: cancelling the sync cycle"), std::string::npos) << run.err();
}

TEST_F(CliProcessTest, MockServerSubcommand) {
  BackgroundCli server({"mock-server", "--port", "0", "--admin"});
  std::optional<std::string> line = server.ReadStdoutLine(10s);
  ASSERT_TRUE(line.has_value()) << server.err();
  EXPECT_EQ(line->rfind("listening on http://127.0.0.1:", 0), 0u) << *line;
  const std::string base = line->substr(std::string("listening on ").size());
  const std::string config = WriteConfig("agent", {{"server", {{"base_url", base}, {"auth", {{"type", "none"}, {"token_env", nullptr}}}}}});
  ASSERT_EQ(Cli({"--config", config, "put", "notes", "m", R"({"via":"cli server"})"}).exit_code, 0);
  ProcResult run = Cli({"--config", config, "run"});
  EXPECT_EQ(run.exit_code, 0) << run.Describe();
  server.Signal(SIGTERM);
  std::optional<int> code = server.Wait(5s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);
  ProcResult bad = RunCli({"mock-server", "--bogus"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.ErrLines().size(), 1u);
}

TEST_F(CliProcessTest, SecretsAreNeverPrintedEvenAtTraceLevel) {
  // A literal token in the file (the worst case) and the same token from the environment.
  const std::string literal = WriteConfig(
      "literal", {{"server", {{"auth", {{"token_env", nullptr}, {"token", kToken}}},
                              {"headers", {{"X-Api-Key", "hdr-secret-55aa77"}}}}},
                  {"sync", {{"conflict", {{"default", "manual"}}}}}});
  const std::string from_env = WriteConfig("env");
  ASSERT_TRUE(server_->state().AdminPut("notes", "c", json{{"v", "server"}}, nullptr).ok());
  std::string all;
  for (const std::string& config : {literal, from_env}) {
    const std::vector<std::vector<std::string>> commands = {
        {"put", "notes", "c", R"({"v":"local"})"},
        {"run", "--json"},
        {"get", "--meta", "notes", "c"},
        {"ls", "notes"},
        {"status", "--json"},
        {"status"},
        {"conflicts", "list", "--json"},
        {"deadletters", "list"},
        {"config", "check", "--json"},
        {"config", "check", "--platform", "android"},
        {"schedule", "show"},
        {"put", "notes", "x", "[not an object]"},
    };
    for (std::vector<std::string> args : commands) {
      args.insert(args.begin(), {"--config", config, "--log-level", "trace", "-v"});
      ProcResult r = Cli(args);
      all += r.out + r.err;
    }
    // A failing run (the server wants another token) at trace level.
    ProcResult wrong = RunCli({"--config", from_env, "-vvv", "run"}, {{kTokenEnv, std::string(kToken) + "x"}});
    all += wrong.out + wrong.err;
  }
  EXPECT_NE(all.find("token ***"), std::string::npos) << "the trace mentions the token, redacted";
  EXPECT_EQ(all.find(kToken), std::string::npos) << all;
  EXPECT_EQ(all.find("hdr-secret-55aa77"), std::string::npos) << all;
}

// Spawns the CLI with stderr on a pseudo-terminal; returns what the terminal showed.
std::string RunOnTerminal(const std::vector<std::string>& args, const EnvChanges& env, int* exit_code) {
  int master = -1, slave = -1;
  if (::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) return "";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, slave, 2);
  posix_spawn_file_actions_addclose(&actions, master);
  std::vector<std::string> store = {CliBinary()};
  store.insert(store.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : store) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (const auto& [name, value] : env) ::setenv(name.c_str(), value->c_str(), 1);
  pid_t pid = -1;
  posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(slave);
  std::string seen;
  for (;;) {
    pollfd fd = {master, POLLIN, 0};
    if (::poll(&fd, 1, 20000) <= 0) break;
    char buffer[4096];
    const ssize_t n = ::read(master, buffer, sizeof(buffer));
    if (n <= 0) break;  // EIO once the child has exited
    seen.append(buffer, static_cast<size_t>(n));
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(master);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return seen;
}

TEST_F(CliProcessTest, ProgressOnATerminalOnly) {
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(server_->state().AdminPut("notes", "k" + std::to_string(100 + i), json{{"i", i}}, nullptr).ok());
  }
  SetFaults({{"faults", {{{"match", {{"path", "/v1/pull"}, {"times", -1}}},
                          {"action", {{"kind", "delay"}, {"delay_ms", 120}}}}}}});
  const std::string tty_config = WriteConfig("tty", {{"sync", {{"pull_page_size", 3}}}});
  int code = -1;
  const std::string terminal = RunOnTerminal({"--config", tty_config, "run"}, TokenEnv(), &code);
  EXPECT_EQ(code, 0) << terminal;
  EXPECT_NE(terminal.find("syncing: 0 pushed, "), std::string::npos) << terminal;
  EXPECT_NE(terminal.find("docs/s"), std::string::npos) << terminal;
  EXPECT_NE(terminal.find("\r\x1b[K"), std::string::npos);

  const std::string pipe_config = WriteConfig("pipe", {{"sync", {{"pull_page_size", 3}}}});
  ProcResult piped = Cli({"--config", pipe_config, "run"});
  EXPECT_EQ(piped.exit_code, 0) << piped.Describe();
  EXPECT_EQ(piped.err.find("syncing:"), std::string::npos) << piped.err;
  EXPECT_EQ(piped.err.find('\x1b'), std::string::npos) << piped.err;
  EXPECT_NE(piped.err.find("pulled 30"), std::string::npos) << piped.err;
}

}  // namespace
}  // namespace syncagent::cli::testing
