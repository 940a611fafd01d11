// The fault proxy's failure paths: an upstream that is down (then up), one that hangs, one that
// answers something that is not HTTP, an https upstream the proxy cannot verify, CouchDB-style
// error bodies, and options Start() refuses.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/tools/fault_proxy/test_upstream.h"
#include "tools/fault_proxy/fault_proxy.h"
#include "tools/faults/http_json.h"
#include "tools/mock_server/mock_server.h"
#include "tools/mock_server/test_certs.h"

namespace syncagent::faults {
namespace {

using nlohmann::json;
using proxy_testing::ClientOf;
using proxy_testing::StartProxy;
using proxy_testing::TestUpstream;
using proxy_testing::VacantPort;

TEST(FaultProxyFailuresTest, AnUpstreamThatIsDownGets502NamingItThenServesOnceUp) {
  const int port = VacantPort();
  std::vector<std::string> lines;
  std::mutex lines_mu;
  FaultProxyOptions options;
  options.log = [&](std::string_view line) {
    std::lock_guard<std::mutex> lock(lines_mu);
    lines.emplace_back(line);
  };
  const std::string upstream_url = "http://127.0.0.1:" + std::to_string(port);
  auto proxy = StartProxy(upstream_url, options);
  ASSERT_NE(proxy, nullptr);
  httplib::Client client = ClientOf(*proxy);
  auto down = client.Get("/echo");
  ASSERT_TRUE(down);
  EXPECT_EQ(down->status, 502);
  json error = json::parse(down->body);
  EXPECT_EQ(error["error"]["code"], "bad_gateway");
  EXPECT_NE(error["error"]["message"].get<std::string>().find(upstream_url), std::string::npos)
      << down->body;
  {
    std::lock_guard<std::mutex> lock(lines_mu);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find(upstream_url), std::string::npos) << lines[0];
  }
  EXPECT_EQ(proxy->Stats()["upstream_errors"], 1);
  EXPECT_EQ(proxy->requests().Entries().back().status, 502);

  TestUpstream up(port);
  auto res = client.Get("/echo");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201);
  proxy.reset();  // closes its kept-alive connection, so the upstream stops without waiting on it
}

// An upstream that never answers (a hang, a long poll): when the client gives up, the proxy stops
// waiting for the upstream too, and stopping the proxy does not wait for the upstream either.
TEST(FaultProxyFailuresTest, AHangingUpstreamHoldsNeitherTheClientsGoingNorTheProxysStop) {
  httplib::Server hanging;
  std::mutex mu;
  std::condition_variable released_cv;
  bool released = false;
  std::atomic<int> arrived{0};
  hanging.Get("/hang", [&](const httplib::Request&, httplib::Response& res) {
    arrived.fetch_add(1);
    std::unique_lock<std::mutex> lock(mu);
    released_cv.wait_for(lock, std::chrono::seconds(120), [&] { return released; });
    res.set_content("late", "text/plain");
  });
  const int port = hanging.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread serving([&] { hanging.listen_after_bind(); });

  auto proxy = StartProxy("http://127.0.0.1:" + std::to_string(port));
  ASSERT_NE(proxy, nullptr);
  {
    httplib::Client client = ClientOf(*proxy);
    client.set_read_timeout(1, 0);  // the client gives up long before the upstream answers
    EXPECT_FALSE(client.Get("/hang"));
  }
  EXPECT_EQ(arrived.load(), 1);
  {
    httplib::Client client = ClientOf(*proxy);  // a second one, still waiting when we stop
    std::thread waiting([&] { EXPECT_FALSE(client.Get("/hang")); });
    while (arrived.load() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const auto start = std::chrono::steady_clock::now();
    proxy->Stop();
    // Without the cancellation, Stop() waits for the upstream: the full 120 s.
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
    waiting.join();
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    released = true;
  }
  released_cv.notify_all();
  hanging.stop();
  serving.join();
}

// An upstream that answers something that is not HTTP: the client gets a 502 naming the
// upstream, not the garbage.
TEST(FaultProxyFailuresTest, AnUpstreamAnsweringGarbageGets502) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int port = ntohs(addr.sin_port);
  std::thread garbage([listener] {
    const int conn = ::accept(listener, nullptr, nullptr);
    if (conn < 0) return;
    char buffer[4096];
    static_cast<void>(::recv(conn, buffer, sizeof(buffer), 0));  // the forwarded request
    const std::string reply = "SMTP ready, not HTTP\r\n\r\n";
    static_cast<void>(::send(conn, reply.data(), reply.size(), MSG_NOSIGNAL));
    ::close(conn);
  });
  const std::string upstream_url = "http://127.0.0.1:" + std::to_string(port);
  auto proxy = StartProxy(upstream_url);
  ASSERT_NE(proxy, nullptr);
  httplib::Client client = ClientOf(*proxy);
  auto res = client.Get("/echo");
  garbage.join();
  ::close(listener);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 502);
  EXPECT_NE(res->body.find(upstream_url), std::string::npos) << res->body;
  EXPECT_EQ(res->body.find("SMTP"), std::string::npos) << res->body;
}

TEST(FaultProxyFailuresTest, CouchdbErrorBodiesWhenAsked) {
  const int port = VacantPort();
  FaultProxyOptions options;
  options.error_style = ErrorStyle::kCouchdb;
  auto proxy = StartProxy("http://127.0.0.1:" + std::to_string(port), options);
  ASSERT_NE(proxy, nullptr);
  httplib::Client client = ClientOf(*proxy);
  auto down = client.Get("/db/_changes");
  ASSERT_TRUE(down);
  json error = json::parse(down->body);
  EXPECT_EQ(error["error"], "bad_gateway");
  EXPECT_TRUE(error["reason"].is_string());
  FaultRule rule;
  rule.action.kind = FaultKind::kStatus;
  rule.action.status = 503;
  proxy->faults().Replace({rule});
  auto injected = client.Get("/db/_changes");
  ASSERT_TRUE(injected);
  EXPECT_EQ(injected->status, 503);
  EXPECT_EQ(json::parse(injected->body)["reason"], "injected fault: HTTP 503");
}

TEST(FaultProxyFailuresTest, VerifiesAnHttpsUpstreamAgainstItsCa) {
  StatusOr<mock::TestCert> cert = mock::GenerateTestCert();
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  mock::MockServerOptions server_options;
  server_options.tls_cert_file = cert->cert_file;
  server_options.tls_key_file = cert->key_file;
  auto server = mock::MockServer::Start(server_options);
  ASSERT_TRUE(server.ok()) << server.status().ToString();

  FaultProxyOptions trusted;
  trusted.upstream_ca_file = cert->cert_file;
  auto proxy = StartProxy((*server)->base_url(), trusted);
  ASSERT_NE(proxy, nullptr);
  httplib::Client client = ClientOf(*proxy);
  auto ok = client.Get("/v1/pull");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;

  auto untrusting = StartProxy((*server)->base_url());  // the system's CAs do not know it
  ASSERT_NE(untrusting, nullptr);
  httplib::Client other = ClientOf(*untrusting);
  auto refused = other.Get("/v1/pull");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 502);
  EXPECT_NE(refused->body.find((*server)->base_url()), std::string::npos) << refused->body;
}

TEST(FaultProxyFailuresTest, StartRefusesBadOptions) {
  FaultProxyOptions options;
  options.upstream = "nope";
  EXPECT_EQ(FaultProxy::Start(options).status().code(), StatusCode::kInvalidArgument);
  options.upstream = "http://127.0.0.1:1";
  options.tls_cert_file = "/tmp/only-a-cert.pem";
  EXPECT_EQ(FaultProxy::Start(options).status().code(), StatusCode::kInvalidArgument);
  options.tls_cert_file.clear();
  options.stream_buffer_bytes = 0;
  EXPECT_EQ(FaultProxy::Start(options).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace syncagent::faults
