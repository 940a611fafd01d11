// Fault injection: every kind's wire behaviour, whether it processed the request, and matching.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/mock_server/test_support.h"
#include "tools/mock_server/test_certs.h"

namespace syncagent::mock::testing {
namespace {

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override { server_ = StartServer(); }

  void Inject(const json& scenario) {
    StatusOr<std::vector<faults::FaultRule>> rules = faults::ParseFaultScenario(scenario);
    ASSERT_TRUE(rules.ok()) << rules.status().ToString();
    server_->faults().Replace(std::move(rules).value());
  }
  // One fault on POST /v1/push with `action`.
  void InjectPush(json action) {
    Inject({{"faults",
             {{{"match", {{"method", "POST"}, {"path", "/v1/push"}}},
               {"action", std::move(action)}}}}});
  }
  std::string PushRequest(const std::string& id = "m1") {
    const std::string body =
        PushBody({Mutation(id, "n-" + id, "put", nullptr, {{"text", std::string(2000, 'x')}})})
            .dump();
    return RawRequest("POST", "/v1/push", body, {"Idempotency-Key: b-" + id});
  }
  int64_t Applied(const std::string& id) {
    json applied = server_->Stats()["applied"];
    return applied.contains(id) ? applied[id].get<int64_t>() : -1;
  }
  RawResult Raw(const std::string& request, int timeout_ms = 10000) {
    return RawExchange(server_->port(), request, timeout_ms);
  }

  std::unique_ptr<MockServer> server_;
};

TEST_F(FaultTest, StatusWithRetryAfterReplacesTheAnswerWithoutProcessing) {
  InjectPush({{"kind", "status"}, {"status", 503}, {"retry_after", "7"}});
  RawResult raw = Raw(PushRequest());
  EXPECT_EQ(raw.status, 503);
  EXPECT_EQ(raw.headers["retry-after"], "7");
  EXPECT_EQ(raw.headers["content-type"], "application/json");
  EXPECT_EQ(json::parse(raw.body)["error"]["code"], "unavailable");
  EXPECT_EQ(Applied("m1"), -1) << "not processed";
  // The fault fired once (times defaults to 1): the retry goes through.
  EXPECT_EQ(Raw(PushRequest()).status, 200);
  EXPECT_EQ(Applied("m1"), 1);
}

TEST_F(FaultTest, StatusAcceptsHttpDatesCustomBodiesHeadersAndAfterProcessing) {
  InjectPush({{"kind", "status"},
              {"status", 429},
              {"retry_after", "Wed, 21 Oct 2037 07:28:00 GMT"},
              {"body", {{"error", {{"code", "slow_down"}, {"message", "m"}}}}},
              {"headers", {{"X-Test", "1"}}},
              {"after_processing", true}});
  RawResult raw = Raw(PushRequest());
  EXPECT_EQ(raw.status, 429);
  EXPECT_EQ(raw.headers["retry-after"], "Wed, 21 Oct 2037 07:28:00 GMT");
  EXPECT_EQ(raw.headers["x-test"], "1");
  EXPECT_EQ(json::parse(raw.body)["error"]["code"], "slow_down");
  EXPECT_EQ(Applied("m1"), 1) << "after_processing: the push took effect";
}

TEST_F(FaultTest, UnauthorizedFaultCarriesWwwAuthenticate) {
  InjectPush({{"kind", "status"}, {"status", 401}});
  RawResult raw = Raw(PushRequest());
  EXPECT_EQ(raw.status, 401);
  EXPECT_EQ(raw.headers["www-authenticate"].rfind("Bearer", 0), 0u);
}

TEST_F(FaultTest, NthAndTimesSelectConsecutiveRequests) {
  Inject({{"faults",
           {{{"match", {{"path", "/v1/pull"}, {"nth", 2}, {"times", 2}}},
             {"action", {{"kind", "status"}, {"status", 500}}}}}}});
  std::vector<int> statuses;
  for (int i = 0; i < 5; ++i) statuses.push_back(Raw(RawRequest("GET", "/v1/pull")).status);
  EXPECT_EQ(statuses, (std::vector<int>{200, 500, 500, 200, 200}));
  json listed = server_->faults().ToJson()["faults"][0];
  EXPECT_EQ(listed["seen"], 5);
  EXPECT_EQ(listed["fired"], 2);
}

TEST_F(FaultTest, TimesMinusOneIsForeverAndPrefixesMatch) {
  Inject({{"faults",
           {{{"match", {{"path", "/v1/*"}, {"times", -1}}},
             {"action", {{"kind", "status"}, {"status", 502}}}}}}});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Raw(RawRequest("GET", "/v1/pull")).status, 502);
  EXPECT_EQ(Raw(PushRequest()).status, 502);
  // Admin endpoints are never faulted.
  EXPECT_EQ(Raw(RawRequest("GET", "/_admin/stats")).status, 200);
}

TEST_F(FaultTest, ProbabilityWithASeedIsDeterministic) {
  auto pattern = [&] {
    Inject({{"faults",
             {{{"match", {{"path", "/v1/pull"}, {"probability", 0.5}, {"seed", 42}}},
               {"action", {{"kind", "status"}, {"status", 503}}}}}}});
    std::string out;
    for (int i = 0; i < 40; ++i) {
      out += Raw(RawRequest("GET", "/v1/pull")).status == 503 ? 'F' : '.';
    }
    return out;
  };
  const std::string first = pattern();
  EXPECT_EQ(pattern(), first);
  const auto fired = std::count(first.begin(), first.end(), 'F');
  EXPECT_GT(fired, 8) << first;
  EXPECT_LT(fired, 32) << first;
}

TEST_F(FaultTest, DelayWaitsThenProcesses) {
  InjectPush({{"kind", "delay"}, {"delay_ms", 300}});
  RawResult raw = Raw(PushRequest());
  EXPECT_EQ(raw.status, 200);
  EXPECT_GE(raw.elapsed_ms, 290);
  EXPECT_EQ(Applied("m1"), 1);
}

TEST_F(FaultTest, CloseBeforeResponseSendsNotASingleByte) {
  InjectPush({{"kind", "close_before_response"}});
  RawResult raw = Raw(PushRequest());
  EXPECT_EQ(raw.bytes, "");
  EXPECT_FALSE(raw.timed_out);
  EXPECT_EQ(Applied("m1"), -1) << "default: not processed";
  InjectPush({{"kind", "close_before_response"}, {"after_processing", true}});
  RawResult after = Raw(PushRequest("m2"));
  EXPECT_EQ(after.bytes, "");
  EXPECT_EQ(Applied("m2"), 1) << "processed, answer lost";
}

TEST_F(FaultTest, ResetMidBodySendsPartOfTheRealAnswerThenRst) {
  InjectPush({{"kind", "reset_mid_body"}});
  RawResult raw = Raw(PushRequest());
  EXPECT_EQ(raw.status, 200);
  ASSERT_GT(raw.content_length, 0);
  EXPECT_LT(static_cast<long long>(raw.body.size()), raw.content_length);
  EXPECT_EQ(raw.end_errno, ECONNRESET);
  EXPECT_EQ(Applied("m1"), 1) << "the batch was applied; only the answer was lost";
  // The client replays the same batch: the original result, nothing applied twice.
  RawResult replay = Raw(PushRequest());
  ASSERT_EQ(replay.status, 200);
  EXPECT_EQ(json::parse(replay.body)["results"][0]["version"], 1);
  EXPECT_EQ(Applied("m1"), 1);
  EXPECT_EQ(server_->Stats()["replayed"]["m1"], 1);
}

TEST_F(FaultTest, TruncatedBodyEndsWithAnOrderlyCloseBeforeContentLength) {
  InjectPush({{"kind", "truncated_body"}});
  RawResult raw = Raw(PushRequest());
  EXPECT_EQ(raw.status, 200);
  EXPECT_LT(static_cast<long long>(raw.body.size()), raw.content_length);
  EXPECT_GT(raw.body.size(), 0u);
  EXPECT_EQ(raw.end_errno, 0) << "FIN, not RST";
  EXPECT_FALSE(json::accept(raw.body));
  EXPECT_EQ(Applied("m1"), 1);
}

TEST_F(FaultTest, MalformedJsonIsA200ThatDoesNotParse) {
  InjectPush({{"kind", "malformed_json"}});
  RawResult raw = Raw(PushRequest());
  EXPECT_EQ(raw.status, 200);
  EXPECT_EQ(raw.headers["content-type"], "application/json");
  EXPECT_EQ(static_cast<long long>(raw.body.size()), raw.content_length);
  EXPECT_FALSE(json::accept(raw.body));
  EXPECT_EQ(Applied("m1"), -1);
}

TEST_F(FaultTest, OversizedBodyIsStreamedAndValidLooking) {
  InjectPush({{"kind", "oversized_body"}, {"bytes", 3 << 20}});
  RawResult raw = Raw(PushRequest());
  EXPECT_EQ(raw.status, 200);
  EXPECT_EQ(raw.content_length, 3 << 20);
  EXPECT_EQ(static_cast<long long>(raw.body.size()), 3 << 20);
  EXPECT_TRUE(json::accept(raw.body));
  EXPECT_EQ(Applied("m1"), -1);
  // A client that gives up early does not hurt the server.
  InjectPush({{"kind", "oversized_body"}, {"bytes", 512 << 20}});
  RawResult cut = Raw(PushRequest(), 200);
  EXPECT_TRUE(cut.timed_out);
  EXPECT_EQ(cut.content_length, 512 << 20);
  EXPECT_EQ(Raw(RawRequest("GET", "/v1/pull")).status, 200);
}

TEST_F(FaultTest, WrongContentTypeIsA200HtmlPage) {
  InjectPush({{"kind", "wrong_content_type"}});
  RawResult raw = Raw(PushRequest());
  EXPECT_EQ(raw.status, 200);
  EXPECT_EQ(raw.headers["content-type"].rfind("text/html", 0), 0u);
  EXPECT_NE(raw.body.find("<html>"), std::string::npos);
  EXPECT_EQ(Applied("m1"), -1);
}

TEST_F(FaultTest, HangSendsNothingUntilMaxMs) {
  InjectPush({{"kind", "hang"}, {"max_ms", 400}});
  RawResult raw = Raw(PushRequest());
  EXPECT_EQ(raw.bytes, "");
  EXPECT_GE(raw.elapsed_ms, 390);
  EXPECT_EQ(Applied("m1"), -1);
}

TEST_F(FaultTest, HangEndsWhenTheClientGivesUpAndNeverBlocksShutdown) {
  InjectPush({{"kind", "hang"}, {"times", -1}});  // max_ms defaults to 60 s
  RawResult gave_up = Raw(PushRequest(), 200);
  EXPECT_TRUE(gave_up.timed_out);
  EXPECT_EQ(gave_up.bytes, "");
  EXPECT_EQ(Raw(RawRequest("GET", "/v1/pull")).status, 200) << "others are still served";
  std::thread hanging([&] { Raw(PushRequest("m2"), 30000); });
  ASSERT_TRUE(WaitFor([&] { return server_->requests().total() >= 3; }));
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  hanging.join();
}

TEST_F(FaultTest, DripSendsTheRealAnswerSlowly) {
  InjectPush({{"kind", "drip"}, {"bytes_per_second", 2000}});
  RawResult raw = Raw(PushRequest());
  ASSERT_EQ(raw.status, 200);
  EXPECT_EQ(json::parse(raw.body)["results"][0]["status"], "applied");
  const double expected_ms = 1000.0 * static_cast<double>(raw.bytes.size()) / 2000.0;
  EXPECT_GE(raw.elapsed_ms, expected_ms * 0.8) << raw.bytes.size() << " bytes";
  EXPECT_EQ(Applied("m1"), 1);
  // A client with a short timeout sees a response that has started but does not finish.
  InjectPush({{"kind", "drip"}, {"bytes_per_second", 20}});
  RawResult slow = Raw(PushRequest("m2"), 500);
  EXPECT_TRUE(slow.timed_out);
  EXPECT_GT(slow.bytes.size(), 0u);
  EXPECT_LT(slow.bytes.size(), 40u);
}

TEST_F(FaultTest, ExpectContinueClientsGetFaultsBeforeTheInterimResponse) {
  const std::string body =
      PushBody({Mutation("m1", "n1", "put", nullptr, {{"text", std::string(2000, 'x')}})}).dump();
  auto head = [&](const std::string& key) {
    return "POST /v1/push HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
           "Content-Type: application/json\r\nExpect: 100-continue\r\nIdempotency-Key: " +
           key + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  };
  std::string interim;
  // No fault: the normal 100-continue dance.
  RawResult normal = RawExpectContinueExchange(server_->port(), head("b1"), body, &interim);
  EXPECT_EQ(interim.rfind("HTTP/1.1 100", 0), 0u);
  EXPECT_EQ(normal.status, 200);
  // close_before_response: not even the interim response.
  InjectPush({{"kind", "close_before_response"}});
  RawResult closed = RawExpectContinueExchange(server_->port(), head("b2"), body, &interim);
  EXPECT_EQ(interim, "");
  EXPECT_EQ(closed.bytes, "");
  // A status fault answers at once, without asking for the body.
  InjectPush({{"kind", "status"}, {"status", 503}, {"retry_after", "1"}});
  RawResult status = RawExpectContinueExchange(server_->port(), head("b3"), body, &interim);
  EXPECT_EQ(interim, "");
  EXPECT_EQ(status.status, 503);
  // Kinds that process the request still get the body, exactly once per request.
  InjectPush({{"kind", "reset_mid_body"}});
  const std::string body2 =
      PushBody({Mutation("m2", "n2", "put", nullptr, {{"text", std::string(2000, 'y')}})}).dump();
  RawResult reset = RawExpectContinueExchange(server_->port(), head("b4"), body2, &interim);
  EXPECT_EQ(interim.rfind("HTTP/1.1 100", 0), 0u);
  EXPECT_EQ(reset.end_errno, ECONNRESET);
  EXPECT_EQ(Applied("m2"), 1);
  EXPECT_EQ(server_->faults().ToJson()["faults"][0]["seen"], 1);
  ASSERT_TRUE(WaitFor([&] { return server_->requests().Entries().size() == 4; }));
  EXPECT_EQ(server_->requests().Entries()[1].fault, "close_before_response");
}

TEST_F(FaultTest, TheRequestLogRecordsTheFaultAndTheBytes) {
  InjectPush({{"kind", "close_before_response"}});
  Raw(PushRequest());
  Raw(RawRequest("GET", "/v1/pull?limit=5"));
  ASSERT_TRUE(WaitFor([&] {
    auto entries = server_->requests().Entries();
    return entries.size() == 2 && entries[0].completed && entries[1].completed;
  }));
  auto entries = server_->requests().Entries();
  EXPECT_EQ(entries[0].path, "/v1/push");
  EXPECT_EQ(entries[0].fault, "close_before_response");
  EXPECT_EQ(entries[0].status, 0);
  EXPECT_EQ(entries[0].response_bytes, 0u);
  EXPECT_GT(entries[0].request_bytes, 2000u);
  EXPECT_EQ(entries[1].fault, "");
  EXPECT_EQ(entries[1].status, 200);
  EXPECT_EQ(entries[1].query, "limit=5");
  EXPECT_GT(entries[1].response_bytes, 0u);
}

TEST(TlsFaultTest, WireFaultsWorkOverTls) {
  StatusOr<TestCert> cert = GenerateTestCert();
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  MockServerOptions options;
  options.tls_cert_file = cert->cert_file;
  options.tls_key_file = cert->key_file;
  auto server = StartServer(options);
  TestClient client(*server, cert->cert_file);
  for (const char* kind : {"reset_mid_body", "truncated_body", "close_before_response"}) {
    SCOPED_TRACE(kind);
    StatusOr<std::vector<faults::FaultRule>> rules = faults::ParseFaultScenario(
        {{"faults", {{{"match", {{"path", "/v1/pull"}}}, {"action", {{"kind", kind}}}}}}});
    ASSERT_TRUE(rules.ok());
    server->faults().Replace(*rules);
    HttpResult result = client.Pull();
    EXPECT_EQ(result.status, 0);
    EXPECT_EQ(client.Pull().status, 200) << "the next request is served";
  }
  server->faults().Replace(*faults::ParseFaultScenario(
      {{"faults", {{{"action", {{"kind", "drip"}, {"bytes_per_second", 4000}}}}}}}));
  const auto start = std::chrono::steady_clock::now();
  HttpResult dripped = client.Pull();
  EXPECT_EQ(dripped.status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(20));
}

}  // namespace
}  // namespace syncagent::mock::testing
