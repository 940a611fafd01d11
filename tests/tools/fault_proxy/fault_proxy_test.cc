// FaultProxy in process, in front of a small upstream written for these tests (test_upstream.h):
// what is forwarded and what comes back, gzip both ways, keep-alive on both sides, streaming with
// bounded memory, cut answers, after_processing, the admin endpoints and the request log. The
// failure paths (an upstream down, hanging, answering garbage, untrusted) are
// fault_proxy_failures_test.cc; every fault kind through the proxy, against the agent, is
// tests/agent/fault_matrix_test.cc.
#include "tools/fault_proxy/fault_proxy.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <set>
#include <string>

#include "tests/tools/fault_proxy/test_upstream.h"
#include "tools/faults/http_json.h"
#include "tools/mock_server/mock_server.h"

namespace syncagent::faults {
namespace {

using nlohmann::json;
using proxy_testing::ClientOf;
using proxy_testing::Hex;
using proxy_testing::kBigBody;
using proxy_testing::PatternByte;
using proxy_testing::StartProxy;
using proxy_testing::TestUpstream;
using FaultProxyTest = proxy_testing::ProxyInFrontTest;

TEST_F(FaultProxyTest, ForwardsMethodTargetBodyAndEndToEndHeaders) {
  ASSERT_TRUE(StartInFront());
  httplib::Client client = Client();
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
  EXPECT_EQ(seen["host"], "127.0.0.1:" + std::to_string(upstream_.port()));
  EXPECT_EQ(seen["via"], "1.1 syncagent-fault-proxy");

  auto deleted = client.Delete("/echo/x");
  ASSERT_TRUE(deleted);
  EXPECT_EQ(json::parse(deleted->body)["method"], "DELETE");
}

TEST_F(FaultProxyTest, GzipPassesThroughUntouchedBothWays) {
  ASSERT_TRUE(StartInFront());
  httplib::Client client = Client();
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

  // A client that asks for no encoding gets none, whatever httplib would offer upstream_.
  auto plain = client.Get("/echo");
  ASSERT_TRUE(plain);
  EXPECT_EQ(json::parse(plain->body)["headers"]["x-raw-accept-encoding"], "identity");
}

TEST_F(FaultProxyTest, KeepsConnectionsAliveOnBothSides) {
  ASSERT_TRUE(StartInFront());
  httplib::Client client = Client();
  std::set<std::string> proxy_ports;
  for (int i = 0; i < 20; ++i) {
    auto res = client.Get("/echo");
    ASSERT_TRUE(res) << i;
    proxy_ports.insert(json::parse(res->body)["headers"]["remote_port"].get<std::string>());
  }
  EXPECT_EQ(upstream_.client_ports().size(), 1u);  // one upstream connection for 20 requests
  EXPECT_EQ(proxy_->Stats()["upstream_connections"], 1);
  EXPECT_EQ(proxy_->Stats()["forwarded"], 20);
}

TEST_F(FaultProxyTest, ChunkedAnswersArriveWhole) {
  ASSERT_TRUE(StartInFront());
  httplib::Client client = Client();
  auto res = client.Get("/chunked");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "piece0;piece1;piece2;");
}

// The damaging kinds on a streamed answer: half of the declared length, or of the first piece
// of a chunked answer, then the cut; the client never sees a complete answer.
TEST_F(FaultProxyTest, CutsAStreamedAnswerOfKnownOrUnknownLength) {
  ASSERT_TRUE(StartInFront());
  for (FaultKind kind : {FaultKind::kTruncatedBody, FaultKind::kResetMidBody}) {
    for (const std::string path : {"/big", "/chunked"}) {
      FaultRule rule;
      rule.action.kind = kind;
      proxy_->faults().Replace({rule});
      httplib::Client client = Client();
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
TEST_F(FaultProxyTest, AfterProcessingDrainsAChunkedAnswerAndReusesTheConnection) {
  ASSERT_TRUE(StartInFront());
  FaultRule rule;
  rule.match.path = "/chunked";
  rule.action.kind = FaultKind::kMalformedJson;
  rule.action.after_processing = true;
  proxy_->faults().Replace({rule});
  httplib::Client client = Client();
  auto replaced = client.Get("/chunked");
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced->status, 200);
  EXPECT_FALSE(ParseJson(replaced->body).has_value());
  auto next = client.Get("/chunked");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "piece0;piece1;piece2;");
  EXPECT_EQ(proxy_->Stats()["upstream_connections"], 1);
}

TEST_F(FaultProxyTest, StreamsA50MiBAnswerWithBoundedBuffering) {
  FaultProxyOptions options;
  options.stream_buffer_bytes = 256 * 1024;
  ASSERT_TRUE(StartInFront(options));
  httplib::Client client = Client();
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
  const size_t peak = proxy_->Stats()["peak_buffered_bytes"].get<size_t>();
  EXPECT_GT(peak, 0u);
  EXPECT_LE(peak, options.stream_buffer_bytes + 64 * 1024);
}

TEST_F(FaultProxyTest, AdminEndpointsAndARedactedRequestLog) {
  FaultProxyOptions options;
  options.admin = true;
  ASSERT_TRUE(StartInFront(options));
  httplib::Client client = Client();
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
  EXPECT_TRUE(upstream_.client_ports().empty());  // nothing reached the upstream
}

TEST_F(FaultProxyTest, WithoutAdminTheAdminPathsAreForwarded) {
  ASSERT_TRUE(StartInFront());
  httplib::Client client = Client();
  auto res = client.Get("/echo/_admin/faults");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201);
  auto admin = client.Get("/_admin/faults");  // the upstream's path, not the proxy's
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->status, 404);  // the test upstream has no such route
  EXPECT_EQ(proxy_->requests().total(), 2);
}

TEST_F(FaultProxyTest, ABodyOverTheCapIsRefused) {
  FaultProxyOptions options;
  options.max_body_bytes = 1000;
  ASSERT_TRUE(StartInFront(options));
  httplib::Client client = Client();
  auto res = client.Post("/echo", std::string(5000, 'x'), "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_TRUE(upstream_.client_ports().empty());
}

TEST(FaultProxyMockUpstreamTest, AfterProcessingTheUpstreamAnswersBeforeTheFaultReplacesIt) {
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

}  // namespace
}  // namespace syncagent::faults
