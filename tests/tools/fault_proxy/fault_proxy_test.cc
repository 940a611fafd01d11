// FaultProxy in process, in front of a small upstream written for these tests: what is forwarded
// and what comes back, gzip both ways, keep-alive on both sides, streaming with bounded memory,
// an upstream that is down and then up, an https upstream behind a private CA, the admin
// endpoints and the request log. (Every fault kind through the proxy, against the agent, is
// tests/agent/fault_matrix_test.cc.)
#include "tools/fault_proxy/fault_proxy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tools/faults/fault_server.h"
#include "tools/faults/http_json.h"
#include "tools/mock_server/mock_server.h"
#include "tools/mock_server/test_certs.h"

namespace syncagent::faults {
namespace {

using nlohmann::json;

constexpr size_t kBigBody = 50u << 20;  // 50 MiB

std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

char PatternByte(size_t offset) { return static_cast<char>('a' + (offset * 7 + offset / 13) % 26); }

// The server behind the proxy: echoes requests, serves gzip, chunked and big bodies, and records
// the client ports it saw (one port = one connection).
class TestUpstream {
 public:
  explicit TestUpstream(int port = 0) {
    server_.set_pre_routing_handler([](const httplib::Request& req, httplib::Response&) {
      // Keep the raw request body (httplib would decompress a gzip one) and answer raw bytes
      // (httplib would compress the answer again).
      auto& headers = const_cast<httplib::Headers&>(req.headers);
      for (const char* name : {"Content-Encoding", "Accept-Encoding"}) {
        if (auto it = headers.find(name); it != headers.end()) {
          const std::string value = it->second;
          headers.erase(it);
          headers.emplace(std::string("X-Raw-") + name, value);
        }
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    auto echo = [this](const httplib::Request& req, httplib::Response& res) { Echo(req, res); };
    server_.Get("/echo.*", echo);
    server_.Post("/echo.*", echo);
    server_.Put("/echo.*", echo);
    server_.Delete("/echo.*", echo);
    server_.Get("/gzip", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Content-Encoding", "gzip");
      res.set_content(GzipBytes(), "application/json");
    });
    server_.Get("/chunked", [](const httplib::Request&, httplib::Response& res) {
      auto sent = std::make_shared<int>(0);
      res.set_chunked_content_provider("text/plain", [sent](size_t, httplib::DataSink& sink) {
        if (*sent == 3) {
          sink.done();
          return true;
        }
        const std::string piece = "piece" + std::to_string((*sent)++) + ";";
        return sink.write(piece.data(), piece.size());
      });
    });
    server_.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content_provider(kBigBody, "application/octet-stream",
                               [](size_t offset, size_t length, httplib::DataSink& sink) {
                                 std::string chunk(std::min<size_t>(length, 64 * 1024), ' ');
                                 for (size_t i = 0; i < chunk.size(); ++i)
                                   chunk[i] = PatternByte(offset + i);
                                 return sink.write(chunk.data(), chunk.size());
                               });
    });
    server_.set_keep_alive_max_count(1000);
    server_.set_tcp_nodelay(true);
    port_ = port == 0 ? server_.bind_to_any_port("127.0.0.1")
                      : (server_.bind_to_port("127.0.0.1", port) ? port : -1);
    EXPECT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (port_ > 0 && !server_.is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ~TestUpstream() {
    server_.stop();
    thread_.join();
  }

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::set<std::string> client_ports() {
    std::lock_guard<std::mutex> lock(mu_);
    return ports_;
  }

  // 5 KiB of JSON, gzip-compressed (fixed bytes: what the client must get unchanged).
  static std::string GzipBytes() {
    std::string text = "[";
    for (int i = 0; i < 200; ++i)
      text += (i ? "," : "") + std::string("{\"n\":") + std::to_string(i) + "}";
    text += "]";
    z_stream zs{};
    EXPECT_EQ(deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::string out(deflateBound(&zs, text.size()), '\0');
    zs.next_in = reinterpret_cast<Bytef*>(text.data());
    zs.avail_in = static_cast<uInt>(text.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
  }

 private:
  void Echo(const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ports_.insert(req.get_header_value("REMOTE_PORT"));
    }
    json headers = json::object();
    for (const auto& [name, value] : req.headers) {
      std::string lower;
      for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      headers[lower] = value;
    }
    res.status = 201;
    res.set_header("X-Upstream", "yes");
    res.set_header("Proxy-Authenticate", "Basic realm=\"hop\"");
    res.set_content(json({{"method", req.method},
                          {"target", req.target},
                          {"body_hex", Hex(req.body)},
                          {"body_size", req.body.size()},
                          {"headers", headers}})
                        .dump(),
                    "application/json");
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
  std::mutex mu_;
  std::set<std::string> ports_;
};

std::unique_ptr<FaultProxy> StartProxy(const std::string& upstream,
                                       FaultProxyOptions options = {}) {
  options.upstream = upstream;
  StatusOr<std::unique_ptr<FaultProxy>> proxy = FaultProxy::Start(std::move(options));
  EXPECT_TRUE(proxy.ok()) << proxy.status().ToString();
  return proxy.ok() ? std::move(*proxy) : nullptr;
}

httplib::Client ClientOf(const FaultProxy& proxy) {
  httplib::Client client(proxy.base_url());
  client.set_keep_alive(true);
  client.set_decompress(false);
  client.set_read_timeout(30, 0);
  client.set_tcp_nodelay(true);
  return client;
}

TEST(FaultProxyTest, ForwardsMethodTargetBodyAndEndToEndHeaders) {
  TestUpstream upstream;
  auto proxy = StartProxy(upstream.url());
  ASSERT_NE(proxy, nullptr);
  httplib::Client client = ClientOf(*proxy);
  httplib::Headers headers = {{"Authorization", "Bearer t0k"},
                              {"X-App", "notes"},
                              {"Connection", "X-Hop"},
                              {"X-Hop", "must not pass"},
                              {"Proxy-Authorization", "Basic c2VjcmV0"}};
  auto res = client.Put("/echo/a%2Fb?since=12&limit=5", headers, R"({"x":1})", "application/json");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 201);
  EXPECT_EQ(res->get_header_value("X-Upstream"), "yes");
  EXPECT_FALSE(res->has_header("Proxy-Authenticate"));  // hop-by-hop, the upstream's
  json echo = json::parse(res->body);
  EXPECT_EQ(echo["method"], "PUT");
  EXPECT_EQ(echo["target"], "/echo/a%2Fb?since=12&limit=5");  // as sent, still encoded
  EXPECT_EQ(echo["body_size"], 7);
  const json& seen = echo["headers"];
  EXPECT_EQ(seen["authorization"], "Bearer t0k");
  EXPECT_EQ(seen["x-app"], "notes");
  EXPECT_EQ(seen["content-type"], "application/json");
  EXPECT_FALSE(seen.contains("x-hop"));
  EXPECT_FALSE(seen.contains("proxy-authorization"));
  EXPECT_EQ(seen["host"], "127.0.0.1:" + std::to_string(upstream.port()));
  EXPECT_EQ(seen["via"], "1.1 syncagent-fault-proxy");

  auto deleted = client.Delete("/echo/x");
  ASSERT_TRUE(deleted);
  EXPECT_EQ(json::parse(deleted->body)["method"], "DELETE");
}

TEST(FaultProxyTest, GzipPassesThroughUntouchedBothWays) {
  TestUpstream upstream;
  auto proxy = StartProxy(upstream.url());
  ASSERT_NE(proxy, nullptr);
  httplib::Client client = ClientOf(*proxy);
  auto res = client.Get("/gzip", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(res->body, TestUpstream::GzipBytes());  // not decompressed, not compressed again

  const std::string compressed = TestUpstream::GzipBytes();
  auto pushed =
      client.Post("/echo", {{"Content-Encoding", "gzip"}}, compressed, "application/json");
  ASSERT_TRUE(pushed);
  json echo = json::parse(pushed->body);
  EXPECT_EQ(echo["headers"]["x-raw-content-encoding"], "gzip");
  EXPECT_EQ(echo["body_size"], compressed.size());
  EXPECT_EQ(echo["body_hex"], Hex(compressed));

  // A client that asks for no encoding gets none, whatever httplib would offer upstream.
  auto plain = client.Get("/echo");
  ASSERT_TRUE(plain);
  EXPECT_EQ(json::parse(plain->body)["headers"]["x-raw-accept-encoding"], "identity");
}

TEST(FaultProxyTest, KeepsConnectionsAliveOnBothSides) {
  TestUpstream upstream;
  auto proxy = StartProxy(upstream.url());
  ASSERT_NE(proxy, nullptr);
  httplib::Client client = ClientOf(*proxy);
  std::set<std::string> proxy_ports;
  for (int i = 0; i < 20; ++i) {
    auto res = client.Get("/echo");
    ASSERT_TRUE(res) << i;
    proxy_ports.insert(json::parse(res->body)["headers"]["remote_port"].get<std::string>());
  }
  EXPECT_EQ(upstream.client_ports().size(), 1u);  // one upstream connection for 20 requests
  EXPECT_EQ(proxy->Stats()["upstream_connections"], 1);
  EXPECT_EQ(proxy->Stats()["forwarded"], 20);
}

TEST(FaultProxyTest, ChunkedAnswersArriveWhole) {
  TestUpstream upstream;
  auto proxy = StartProxy(upstream.url());
  ASSERT_NE(proxy, nullptr);
  httplib::Client client = ClientOf(*proxy);
  auto res = client.Get("/chunked");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "piece0;piece1;piece2;");
}

// The damaging kinds on a streamed answer: half of the declared length, or of the first piece
// of a chunked answer, then the cut; the client never sees a complete answer.
TEST(FaultProxyTest, CutsAStreamedAnswerOfKnownOrUnknownLength) {
  TestUpstream upstream;
  auto proxy = StartProxy(upstream.url());
  ASSERT_NE(proxy, nullptr);
  for (FaultKind kind : {FaultKind::kTruncatedBody, FaultKind::kResetMidBody}) {
    for (const std::string path : {"/big", "/chunked"}) {
      FaultRule rule;
      rule.action.kind = kind;
      proxy->faults().Replace({rule});
      httplib::Client client = ClientOf(*proxy);
      size_t received = 0;
      auto res = client.Get(path, [&](const char*, size_t n) {
        received += n;
        return true;
      });
      EXPECT_FALSE(res) << path << " " << FaultKindName(kind) << ": a cut answer read as whole";
      if (path == "/big") {
        EXPECT_EQ(received, kBigBody / 2) << FaultKindName(kind);
      } else {
        EXPECT_LT(received, std::string("piece0;piece1;piece2;").size()) << FaultKindName(kind);
      }
    }
  }
}

// after_processing on a chunked answer: the upstream's whole answer is read (so the upstream
// connection stays clean and is reused), then replaced.
TEST(FaultProxyTest, AfterProcessingDrainsAChunkedAnswerAndReusesTheConnection) {
  TestUpstream upstream;
  auto proxy = StartProxy(upstream.url());
  ASSERT_NE(proxy, nullptr);
  FaultRule rule;
  rule.match.path = "/chunked";
  rule.action.kind = FaultKind::kMalformedJson;
  rule.action.after_processing = true;
  proxy->faults().Replace({rule});
  httplib::Client client = ClientOf(*proxy);
  auto replaced = client.Get("/chunked");
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced->status, 200);
  EXPECT_FALSE(ParseJson(replaced->body).has_value());
  auto next = client.Get("/chunked");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "piece0;piece1;piece2;");
  EXPECT_EQ(proxy->Stats()["upstream_connections"], 1);
}

TEST(FaultProxyTest, StreamsA50MiBAnswerWithBoundedBuffering) {
  TestUpstream upstream;
  FaultProxyOptions options;
  options.stream_buffer_bytes = 256 * 1024;
  auto proxy = StartProxy(upstream.url(), options);
  ASSERT_NE(proxy, nullptr);
  httplib::Client client = ClientOf(*proxy);
  size_t received = 0;
  size_t mismatches = 0;
  auto res = client.Get("/big", [&](const char* data, size_t n) {
    for (size_t i = 0; i < n; ++i) mismatches += data[i] != PatternByte(received + i) ? 1 : 0;
    received += n;
    return true;
  });
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(received, kBigBody);
  EXPECT_EQ(mismatches, 0u);
  // The proxy never held more than its buffer (plus the one piece that may overfill it).
  const size_t peak = proxy->Stats()["peak_buffered_bytes"].get<size_t>();
  EXPECT_GT(peak, 0u);
  EXPECT_LE(peak, options.stream_buffer_bytes + 64 * 1024);
}

TEST(FaultProxyTest, AnUpstreamThatIsDownGets502NamingItThenServesOnceUp) {
  int port = 0;
  { port = TestUpstream().port(); }  // a port that was free a moment ago, nothing behind it now
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
TEST(FaultProxyTest, AHangingUpstreamHoldsNeitherTheClientsGoingNorTheProxysStop) {
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
TEST(FaultProxyTest, AnUpstreamAnsweringGarbageGets502) {
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

TEST(FaultProxyTest, CouchdbErrorBodiesWhenAsked) {
  int port = 0;
  { port = TestUpstream().port(); }
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

TEST(FaultProxyTest, VerifiesAnHttpsUpstreamAgainstItsCa) {
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

TEST(FaultProxyTest, AfterProcessingTheUpstreamAnswersBeforeTheFaultReplacesIt) {
  auto server = mock::MockServer::Start({});
  ASSERT_TRUE(server.ok());
  auto proxy = StartProxy((*server)->base_url());
  ASSERT_NE(proxy, nullptr);
  FaultRule rule;
  rule.match.path = "/v1/push";
  rule.action.kind = FaultKind::kStatus;
  rule.action.status = 503;
  rule.action.after_processing = true;
  proxy->faults().Replace({rule});
  httplib::Client client = ClientOf(*proxy);
  const std::string push =
      R"({"client_id":"c1","batch_id":"b1","mutations":[{"mutation_id":"m1","seq":1,)"
      R"("collection":"notes","key":"k","op":"put","base_version":null,"data":{"v":1},)"
      R"("hlc":"hlc-m1"}]})";
  auto lost = client.Post("/v1/push", {{"Idempotency-Key", "b1"}}, push, "application/json");
  ASSERT_TRUE(lost);
  EXPECT_EQ(lost->status, 503);
  EXPECT_EQ((*server)->Documents().size(), 1u);  // the server applied it all the same
  auto replay = client.Post("/v1/push", {{"Idempotency-Key", "b1"}}, push, "application/json");
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->status, 200) << replay->body;
  const json stats = (*server)->Stats();
  EXPECT_EQ(stats["applied"]["m1"], 1);
  EXPECT_EQ(proxy->requests().Entries().front().fault, "status");
}

TEST(FaultProxyTest, AdminEndpointsAndARedactedRequestLog) {
  TestUpstream upstream;
  FaultProxyOptions options;
  options.admin = true;
  auto proxy = StartProxy(upstream.url(), options);
  ASSERT_NE(proxy, nullptr);
  httplib::Client client = ClientOf(*proxy);
  auto bad = client.Post("/_admin/faults", R"({"faults":[{"action":{"kind":"explode"}}]})",
                         "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("faults[0].action.kind"), std::string::npos) << bad->body;

  auto set = client.Post(
      "/_admin/faults",
      R"({"faults":[{"match":{"path":"/echo"},"action":{"kind":"status","status":429}}]})",
      "application/json");
  ASSERT_TRUE(set);
  EXPECT_EQ(set->status, 200);
  auto limited = client.Get("/echo", {{"Authorization", "Bearer s3cret-token"}});
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  auto log = client.Get("/_admin/requests");
  ASSERT_TRUE(log);
  const json requests = json::parse(log->body)["requests"];
  ASSERT_EQ(requests.size(), 1u);  // admin calls are not logged
  EXPECT_EQ(requests[0]["fault"], "status");
  EXPECT_EQ(requests[0]["headers"]["Authorization"], "Bearer [redacted]");
  EXPECT_EQ(log->body.find("s3cret-token"), std::string::npos);
  auto stats = client.Get("/_admin/stats");
  ASSERT_TRUE(stats);
  EXPECT_EQ(json::parse(stats->body)["requests"], 1);
  EXPECT_TRUE(upstream.client_ports().empty());  // nothing reached the upstream
}

TEST(FaultProxyTest, WithoutAdminTheAdminPathsAreForwarded) {
  TestUpstream upstream;
  auto proxy = StartProxy(upstream.url());
  ASSERT_NE(proxy, nullptr);
  httplib::Client client = ClientOf(*proxy);
  auto res = client.Get("/echo/_admin/faults");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201);
  auto admin = client.Get("/_admin/faults");  // the upstream's path, not the proxy's
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->status, 404);  // the test upstream has no such route
  EXPECT_EQ(proxy->requests().total(), 2);
}

TEST(FaultProxyTest, ABodyOverTheCapIsRefused) {
  TestUpstream upstream;
  FaultProxyOptions options;
  options.max_body_bytes = 1000;
  auto proxy = StartProxy(upstream.url(), options);
  ASSERT_NE(proxy, nullptr);
  httplib::Client client = ClientOf(*proxy);
  auto res = client.Post("/echo", std::string(5000, 'x'), "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_TRUE(upstream.client_ports().empty());
}

TEST(FaultProxyTest, StartRefusesBadOptions) {
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
