// The syncagent-fault-proxy executable: its first stdout line, signals, flags and exit codes,
// and the report of an unreachable upstream on stderr.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <thread>

#include "tests/tools/spawned_server.h"
#include "tools/fault_proxy/fault_proxy_main.h"
#include "tools/mock_server/mock_server.h"

namespace syncagent::faults {
namespace {

using testing_tools::PortOf;

class Proxy : public testing_tools::SpawnedServer {
 public:
  explicit Proxy(std::vector<std::string> args)
      : SpawnedServer(SYNCAGENT_FAULT_PROXY_BINARY, std::move(args)) {}
};

std::string TempFile(const std::string& name, const std::string& content) {
  char pattern[] = "/tmp/syncagent-fault-proxy-XXXXXX";
  EXPECT_NE(mkdtemp(pattern), nullptr);
  const std::string path = std::string(pattern) + "/" + name;
  std::ofstream(path) << content;
  return path;
}

TEST(FaultProxyExecutableTest, ForwardsInjectsAndStopsCleanlyOnSigterm) {
  auto server = mock::MockServer::Start({});
  ASSERT_TRUE(server.ok());
  const std::string faults = TempFile(
      "faults.json",
      R"({"faults":[{"match":{"path":"/v1/pull","nth":2},"action":{"kind":"status","status":503}}]})");
  Proxy proxy({"--upstream", (*server)->base_url(), "--faults", faults, "--admin"});
  const std::string line = proxy.FirstLine();
  const int port = PortOf(line);
  ASSERT_GT(port, 0) << line;
  EXPECT_EQ(line, "listening on http://127.0.0.1:" + std::to_string(port));
  httplib::Client client("127.0.0.1", port);
  auto first = client.Get("/v1/pull");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  auto second = client.Get("/v1/pull");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 503);
  auto stats = client.Get("/_admin/stats");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->status, 200);
  proxy.Signal(SIGTERM);
  EXPECT_EQ(proxy.Wait(), 0);
}

TEST(FaultProxyExecutableTest, AnUnreachableUpstreamIsReportedOnStderr) {
  int dead_port = 0;
  {
    auto server = mock::MockServer::Start({});
    ASSERT_TRUE(server.ok());
    dead_port = (*server)->port();
  }
  const std::string upstream = "http://127.0.0.1:" + std::to_string(dead_port);
  Proxy proxy({"--upstream", upstream});
  const int port = PortOf(proxy.FirstLine());
  ASSERT_GT(port, 0);
  httplib::Client client("127.0.0.1", port);
  auto res = client.Get("/v1/pull");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 502);
  proxy.Signal(SIGINT);
  EXPECT_EQ(proxy.Wait(), 0);
  const std::string err = proxy.Stderr();
  EXPECT_NE(err.find("GET /v1/pull"), std::string::npos) << err;
  EXPECT_NE(err.find(upstream), std::string::npos) << err;
}

// The peak resident size of process `pid` in KiB (VmHWM), or -1.
long PeakRssKib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// How much more resident memory the sanitizer in use makes the proxy's own allocations cost:
// ThreadSanitizer backs every touched byte with about 3 bytes of shadow and metadata.
#if defined(__SANITIZE_THREAD__)
constexpr long kMemoryFactor = 4;
#else
constexpr long kMemoryFactor = 1;
#endif

// A 50 MiB answer streams through the proxy process while its peak memory grows by far less
// than the answer (it would grow by the answer's size, or twice that, if it were buffered;
// under ThreadSanitizer by about 4 times that: the bound is scaled by the same factor).
TEST(FaultProxyExecutableTest, A50MiBAnswerPassesWithBoundedMemory) {
  constexpr size_t kBig = 50u << 20;
  httplib::Server upstream;
  upstream.Get("/big", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content_provider(kBig, "application/octet-stream",
                             [](size_t, size_t length, httplib::DataSink& sink) {
                               const std::string chunk(std::min<size_t>(length, 64 * 1024), 'z');
                               return sink.write(chunk.data(), chunk.size());
                             });
  });
  upstream.Get("/small", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  const int upstream_port = upstream.bind_to_any_port("127.0.0.1");
  ASSERT_GT(upstream_port, 0);
  std::thread serving([&] { upstream.listen_after_bind(); });
  // Under AddressSanitizer freed memory sits in a quarantine (256 MiB by default) and would
  // count as growth: keep the child's small.
  const char* asan = std::getenv("ASAN_OPTIONS");
  const std::string saved = asan ? asan : "";
  setenv("ASAN_OPTIONS", (saved + (saved.empty() ? "" : ":") + "quarantine_size_mb=4").c_str(), 1);
  Proxy proxy({"--upstream", "http://127.0.0.1:" + std::to_string(upstream_port)});
  setenv("ASAN_OPTIONS", saved.c_str(), 1);
  const int port = PortOf(proxy.FirstLine());
  ASSERT_GT(port, 0);
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(60, 0);
  ASSERT_TRUE(client.Get("/small"));
  const long before = PeakRssKib(proxy.pid());
  size_t received = 0;
  auto res = client.Get("/big", [&](const char*, size_t n) {
    received += n;
    return true;
  });
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(received, kBig);
  const long after = PeakRssKib(proxy.pid());
  ASSERT_GT(before, 0);
  std::cout << "proxy peak RSS " << before << " KiB -> " << after << " KiB\n";
  EXPECT_LT(after - before, 16 * 1024 * kMemoryFactor)
      << "peak RSS " << before << " KiB -> " << after << " KiB";
  proxy.Signal(SIGTERM);
  EXPECT_EQ(proxy.Wait(), 0);
  upstream.stop();
  serving.join();
}

TEST(FaultProxyExecutableTest, BadFlagsPrintOneLineAndExit2) {
  const std::string bad_scenario =
      TempFile("bad.json", R"({"faults":[{"action":{"kind":"status","status":"x"}}]})");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{},
        {"--upstream"},
        {"--upstream", "localhost:5984"},
        {"--upstream", "http://127.0.0.1:1", "--bogus"},
        {"--upstream", "http://127.0.0.1:1", "--port", "70000"},
        {"--upstream", "http://127.0.0.1:1", "--error-body", "xml"},
        {"--upstream", "http://127.0.0.1:1", "--tls-cert", "/tmp/c.pem"},
        {"--upstream", "http://127.0.0.1:1", "--faults", bad_scenario},
        {"--upstream", "http://127.0.0.1:1", "--admin=yes"}}) {
    Proxy proxy(args);
    EXPECT_EQ(proxy.Wait(), 2) << ::testing::PrintToString(args);
    const std::string err = proxy.Stderr();
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    EXPECT_EQ(proxy.FirstLine(), "");
  }
}

TEST(FaultProxyExecutableTest, ABadScenarioNamesTheJsonPath) {
  const std::string bad_scenario =
      TempFile("bad.json", R"({"faults":[{"action":{"kind":"status","status":"x"}}]})");
  bool help = false;
  StatusOr<FaultProxyOptions> options =
      ParseFaultProxyFlags({"--upstream", "http://127.0.0.1:1", "--faults", bad_scenario}, &help);
  ASSERT_FALSE(options.ok());
  EXPECT_NE(options.status().message().find("faults[0].action.status"), std::string::npos)
      << options.status().message();
}

TEST(FaultProxyExecutableTest, HelpExits0AndAPortInUseExits1) {
  Proxy help({"--help"});
  EXPECT_EQ(help.FirstLine().rfind("usage: ", 0), 0u);
  EXPECT_EQ(help.Wait(), 0);
  auto server = mock::MockServer::Start({});
  ASSERT_TRUE(server.ok());
  Proxy clash({"--upstream", (*server)->base_url(), "--port", std::to_string((*server)->port())});
  EXPECT_EQ(clash.Wait(), 1);
}

TEST(FaultProxyFlagsTest, ParsesEveryFlag) {
  bool help = true;
  StatusOr<FaultProxyOptions> options =
      ParseFaultProxyFlags({"--upstream", "https://db.example.com:6984/base", "--port=8080",
                            "--admin", "--tls-cert", "c.pem", "--tls-key", "k.pem", "--upstream-ca",
                            "ca.pem", "--error-body", "couchdb", "--max-body-bytes", "1024"},
                           &help);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_FALSE(help);
  EXPECT_EQ(options->upstream, "https://db.example.com:6984/base");
  EXPECT_EQ(options->port, 8080);
  EXPECT_TRUE(options->admin);
  EXPECT_EQ(options->tls_cert_file, "c.pem");
  EXPECT_EQ(options->tls_key_file, "k.pem");
  EXPECT_EQ(options->upstream_ca_file, "ca.pem");
  EXPECT_EQ(options->error_style, ErrorStyle::kCouchdb);
  EXPECT_EQ(options->max_body_bytes, 1024u);
  StatusOr<FaultProxyOptions> defaults = ParseFaultProxyFlags({"--upstream", "http://h:1"}, &help);
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->port, 0);
  EXPECT_FALSE(defaults->admin);
  EXPECT_EQ(defaults->error_style, ErrorStyle::kSyncagent);
  EXPECT_TRUE(ParseFaultProxyFlags({"--help"}, &help).ok());
  EXPECT_TRUE(help);
}

}  // namespace
}  // namespace syncagent::faults
