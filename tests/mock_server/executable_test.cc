// The syncagent-mock-server executable: its first stdout line, signals, flags and exit codes.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/mock_server/test_support.h"
#include "tests/tools/spawned_server.h"
#include "tools/mock_server/mock_server_main.h"
#include "tools/mock_server/test_certs.h"

namespace syncagent::mock::testing {
namespace {

// A syncagent-mock-server process.
class Child : public testing_tools::SpawnedServer {
 public:
  explicit Child(std::vector<std::string> args)
      : SpawnedServer(SYNCAGENT_MOCK_SERVER_BINARY, std::move(args)) {}
};

using testing_tools::PortOf;

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
