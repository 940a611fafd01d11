// The syncagent-mock-server executable: its first stdout line, signals, flags and exit codes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "tests/mock_server/test_support.h"
#include "tools/mock_server/mock_server_main.h"
#include "tools/mock_server/test_certs.h"

extern char** environ;

namespace syncagent::mock::testing {
namespace {

// A child process with its stdout and stderr on pipes.
class Child {
 public:
  explicit Child(std::vector<std::string> args) {
    args.insert(args.begin(), SYNCAGENT_MOCK_SERVER_BINARY);
    int out[2], err[2];
    EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(err, O_CLOEXEC), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    EXPECT_EQ(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    ::close(err[1]);
    out_ = out[0];
    err_ = err[0];
  }
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
    ::close(out_);
    ::close(err_);
  }

  // Reads stdout up to the first newline (or EOF / 10 s).
  std::string FirstLine() {
    std::string line;
    char c;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline && ::read(out_, &c, 1) == 1 && c != '\n') {
      line += c;
    }
    return line;
  }
  std::string Stderr() {
    std::string text;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(err_, buffer, sizeof(buffer))) > 0)
      text.append(buffer, static_cast<size_t>(n));
    return text;
  }
  void Signal(int sig) { ::kill(pid_, sig); }
  // The exit code, or -signal when killed; -1000 when it does not exit within 10 s.
  int Wait() {
    int status = 0;
    for (int i = 0; i < 1000; ++i) {
      const pid_t done = ::waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1000;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int err_ = -1;
};

int PortOf(const std::string& line) {
  std::smatch match;
  static const std::regex kListening(R"(listening on https?://127\.0\.0\.1:(\d+))");
  return std::regex_match(line, match, kListening) ? std::stoi(match[1]) : -1;
}

TEST(ExecutableTest, PrintsTheListeningLineAndStopsCleanlyOnSigterm) {
  Child child({"--admin"});
  const std::string line = child.FirstLine();
  const int port = PortOf(line);
  ASSERT_GT(port, 0) << line;
  RawResult pull = RawExchange(port, RawRequest("GET", "/v1/pull"));
  EXPECT_EQ(pull.status, 200);
  EXPECT_EQ(RawExchange(port, RawRequest("GET", "/_admin/stats")).status, 200);
  child.Signal(SIGTERM);
  EXPECT_EQ(child.Wait(), 0);
}

TEST(ExecutableTest, SigintStopsItEvenWithAHangingClient) {
  const std::string dir = MakeTempDir();
  std::ofstream(dir + "/faults.json")
      << R"({"faults":[{"match":{"path":"/v1/push"},"action":{"kind":"hang"}}]})";
  Child child({"--faults", dir + "/faults.json", "--port", "0"});
  const int port = PortOf(child.FirstLine());
  ASSERT_GT(port, 0);
  std::thread hanging([&] {
    RawExchange(port, RawRequest("POST", "/v1/push", "{}", {"Idempotency-Key: b"}), 20000);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto start = std::chrono::steady_clock::now();
  child.Signal(SIGINT);
  EXPECT_EQ(child.Wait(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  hanging.join();
}

TEST(ExecutableTest, ServesHttpsWithTokenAndDataFlags) {
  StatusOr<TestCert> cert = GenerateTestCert();
  ASSERT_TRUE(cert.ok());
  const std::string data = MakeTempDir() + "/state.db";
  Child child({"--tls-cert", cert->cert_file, "--tls-key", cert->key_file, "--token", "t0k",
               "--data", data, "--max-body-bytes", "100000"});
  const std::string line = child.FirstLine();
  ASSERT_EQ(line.rfind("listening on https://127.0.0.1:", 0), 0u) << line;
  httplib::Client client("https://127.0.0.1:" + std::to_string(PortOf(line)));
  client.set_ca_cert_path(cert->cert_file.c_str());
  client.enable_server_certificate_verification(true);
  auto unauthorized = client.Get("/v1/pull");
  ASSERT_TRUE(unauthorized);
  EXPECT_EQ(unauthorized->status, 401);
  auto ok = client.Get("/v1/pull", {{"Authorization", "Bearer t0k"}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  child.Signal(SIGTERM);
  EXPECT_EQ(child.Wait(), 0);
  struct stat info {};
  EXPECT_EQ(::stat(data.c_str(), &info), 0);
}

TEST(ExecutableTest, BadFlagsPrintOneLineAndExit2) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--bogus"},
                                               {"--port"},
                                               {"--port", "70000"},
                                               {"--port", "x"},
                                               {"--tls-cert", "/tmp/c.pem"},
                                               {"--max-body-bytes", "0"},
                                               {"--faults", "/nonexistent"}}) {
    Child child(args);
    EXPECT_EQ(child.Wait(), 2) << args[0];
    const std::string err = child.Stderr();
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    EXPECT_EQ(child.FirstLine(), "");
  }
}

TEST(ExecutableTest, HelpExits0) {
  Child child({"--help"});
  EXPECT_EQ(child.FirstLine().rfind("usage: ", 0), 0u);
  EXPECT_EQ(child.Wait(), 0);
}

TEST(ExecutableTest, APortInUseExits1) {
  auto server = StartServer();
  Child child({"--port", std::to_string(server->port())});
  EXPECT_EQ(child.Wait(), 1);
}

TEST(MockServerFlagsTest, ParsesEveryFlag) {
  bool help = true;
  StatusOr<MockServerOptions> options =
      ParseMockServerFlags({"--port", "8080", "--tls-cert", "c.pem", "--tls-key=k.pem", "--token",
                            "t", "--data", "d.db", "--admin", "--max-body-bytes", "1024"},
                           &help);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_FALSE(help);
  EXPECT_EQ(options->port, 8080);
  EXPECT_EQ(options->tls_cert_file, "c.pem");
  EXPECT_EQ(options->tls_key_file, "k.pem");
  EXPECT_EQ(options->token, "t");
  EXPECT_EQ(options->data_file, "d.db");
  EXPECT_TRUE(options->admin);
  EXPECT_EQ(options->max_body_bytes, 1024u);
  StatusOr<MockServerOptions> defaults = ParseMockServerFlags({}, &help);
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->port, 0);
  EXPECT_FALSE(defaults->admin);
  EXPECT_EQ(defaults->max_body_bytes, kDefaultMaxBodyBytes);
  EXPECT_FALSE(ParseMockServerFlags({"--admin=yes"}, &help).ok());
  EXPECT_FALSE(ParseMockServerFlags({"--token", ""}, &help).ok());
}

}  // namespace
}  // namespace syncagent::mock::testing
