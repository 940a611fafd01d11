// SyncClient + CurlHttpClient against the mock server over real loopback sockets.
#include "net/sync_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "net/curl_http_client.h"
#include "platform/cancel_token.h"
#include "tools/mock_server/mock_server.h"

namespace syncagent {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class SwitchingTokens final : public TokenProvider {
 public:
  SwitchingTokens(std::string first, std::string refreshed)
      : first_(std::move(first)), refreshed_(std::move(refreshed)) {}
  StatusOr<std::string> GetToken(bool force_refresh) override {
    if (force_refresh) {
      ++refreshes;
      current_ = refreshed_;
    }
    return current_.empty() ? first_ : current_;
  }
  int refreshes = 0;

 private:
  std::string first_, refreshed_, current_;
};

faults::FaultRule Rule(const std::string& method, const std::string& path, faults::FaultKind kind,
                     int64_t nth = 1, int64_t times = 1) {
  faults::FaultRule rule;
  rule.match.method = method;
  rule.match.path = path;
  rule.match.nth = nth;
  rule.match.times = times;
  rule.action.kind = kind;
  return rule;
}

CurlHttpClientOptions Insecure() {
  CurlHttpClientOptions options;
  options.allow_insecure_http = true;
  return options;
}

PullRequest Limit(int limit) {
  PullRequest request;
  request.limit = limit;
  return request;
}

class SyncClientTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer({}); }

  void StartServer(mock::MockServerOptions options) {
    server_.reset();
    auto started = mock::MockServer::Start(std::move(options));
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    server_ = std::move(*started);
  }

  // A client on the virtual clock: retry sleeps are instant; transfers are real.
  std::unique_ptr<SyncClient> MakeClient(TokenProvider* tokens = nullptr,
                                         CurlHttpClientOptions http_options = {},
                                         RetryOptions retry = {}) {
    http_options.allow_insecure_http = true;
    if (http_options.request_timeout == Millis(30000)) http_options.request_timeout = 5s;
    auto http = CurlHttpClient::Create(http_options, &clock_);
    EXPECT_TRUE(http.ok()) << http.status().ToString();
    http_ = std::move(*http);
    SyncClientOptions options;
    options.base_url = server_->base_url() + "/";
    options.retry = retry;
    options.retry.jitter = BackoffJitter::kNone;
    return std::make_unique<SyncClient>(http_.get(), &clock_, tokens, options, 1);
  }

  static PushRequest Batch(const std::string& prefix, int n) {
    PushRequest r;
    r.client_id = "c-test";
    r.batch_id = "b-" + prefix;
    for (int i = 0; i < n; ++i) {
      WireMutation m;
      m.mutation_id = prefix + "-" + std::to_string(i);
      m.seq = i + 1;
      m.collection = "notes";
      m.key = prefix + std::to_string(i);
      m.op = WireOp::kPut;
      m.data = {{"i", i}, {"text", std::string(50, 'x')}};
      m.hlc = "000000000000001-00000000-c";
      r.mutations.push_back(m);
    }
    return r;
  }

  // Every matching request hangs (up to 20 s) without a byte of response.
  void HangForever(const std::string& method, const std::string& path) {
    faults::FaultRule rule = Rule(method, path, faults::FaultKind::kHang, 1, -1);
    rule.action.max_ms = 20000;
    server_->faults().Replace({rule});
  }

  SyncClientOptions Options() const {
    SyncClientOptions options;
    options.base_url = server_->base_url();
    return options;
  }

  int64_t AppliedCount(const std::string& mutation_id) {
    json stats = server_->Stats();
    auto it = stats["applied"].find(mutation_id);
    return it == stats["applied"].end() ? 0 : it->get<int64_t>();
  }

  VirtualClock clock_;
  std::unique_ptr<mock::MockServer> server_;
  std::unique_ptr<CurlHttpClient> http_;
};

TEST_F(SyncClientTest, PushThenPullRoundTrip) {
  auto client = MakeClient();
  auto pushed = client->Push(Batch("rt", 3), {});
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  ASSERT_EQ(pushed->results.size(), 3u);
  for (const auto& r : pushed->results) {
    EXPECT_EQ(r.kind, PushResult::Kind::kApplied);
    EXPECT_EQ(r.version, 1);
  }
  auto page = client->Pull(PullRequest{}, {});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->changes.size(), 3u);
  EXPECT_FALSE(page->has_more);
  EXPECT_FALSE(page->etag.empty());
  EXPECT_EQ(client->stats().requests, 2);
  EXPECT_GT(client->stats().bytes_up, 0);
  EXPECT_GT(client->stats().bytes_down, 0);
}

TEST_F(SyncClientTest, OriginTaggedPushesAreSkippedByAPullWithThatOrigin) {
  auto client = MakeClient();
  PushRequest own = Batch("own", 3);
  own.origin = "o-device.1_x";  // every allowed character class, sent URL-encoded
  ASSERT_TRUE(client->Push(own, {}).ok());
  ASSERT_TRUE(client->Push(Batch("other", 2), {}).ok());
  PullRequest skipping;
  skipping.skip_origin = own.origin;
  auto page = client->Pull(skipping, {});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->changes.size(), 2u);
  for (const auto& change : page->changes) EXPECT_EQ(change.key.rfind("other", 0), 0u);
  const auto entries = server_->requests().Entries();
  ASSERT_FALSE(entries.empty());
  EXPECT_NE(entries.back().query.find("skip_origin=o-device.1_x"), std::string::npos)
      << entries.back().query;
  auto everything = client->Pull(PullRequest{}, {});
  ASSERT_TRUE(everything.ok());
  EXPECT_EQ(everything->changes.size(), 5u);
}

TEST_F(SyncClientTest, IdlePullIsOneSmallNotModifiedRequest) {
  auto client = MakeClient();
  ASSERT_TRUE(client->Push(Batch("idle", 2), {}).ok());
  auto first = client->Pull(PullRequest{}, {});
  ASSERT_TRUE(first.ok());
  PullRequest again;
  again.cursor = first->cursor;
  again.if_none_match = first->etag;
  const int64_t down_before = client->stats().bytes_down;
  auto second = client->Pull(again, {});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->not_modified);
  EXPECT_EQ(second->cursor, first->cursor);
  EXPECT_LT(client->stats().bytes_down - down_before, 1024);
}

TEST_F(SyncClientTest, PaginatesWithLimitAndHasMore) {
  auto client = MakeClient();
  ASSERT_TRUE(client->Push(Batch("page", 25), {}).ok());
  PullRequest req;
  req.limit = 10;
  int pages = 0, total = 0;
  for (;;) {
    auto page = client->Pull(req, {});
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ++pages;
    total += static_cast<int>(page->changes.size());
    req.cursor = page->cursor;
    if (!page->has_more) break;
  }
  EXPECT_EQ(total, 25);
  EXPECT_EQ(pages, 3);
}

TEST_F(SyncClientTest, ConnectionIsReused) {
  auto http = CurlHttpClient::Create(Insecure(), &clock_);
  ASSERT_TRUE(http.ok());
  HttpRequest req;
  req.url = server_->base_url() + "/v1/pull";
  auto a = (*http)->Send(req, {});
  auto b = (*http)->Send(req, {});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(a->reused_connection);
  EXPECT_TRUE(b->reused_connection);
}

TEST_F(SyncClientTest, PlainHttpIsRefusedUnlessAllowed) {
  auto http = CurlHttpClient::Create({}, &clock_);
  ASSERT_TRUE(http.ok());
  HttpRequest req;
  req.url = server_->base_url() + "/v1/pull";
  auto sent = (*http)->Send(req, {});
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.status().retry_class(), RetryClass::kPermanent);
  EXPECT_NE(sent.status().message().find("allow_insecure_http"), std::string::npos);
  EXPECT_EQ(server_->requests().Entries().size(), 0u);  // nothing reached the server
}

TEST_F(SyncClientTest, LargeBodiesAreGzippedBothWays) {
  CurlHttpClientOptions options;
  options.gzip_request_min_bytes = 1024;
  auto client = MakeClient(nullptr, options);
  PushRequest batch = Batch("gz", 200);  // ~20 KB of JSON, very compressible
  const size_t raw = client->codec().EncodePushRequest(batch).size();
  auto pushed = client->Push(batch, {});
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  EXPECT_LT(client->stats().bytes_up, static_cast<int64_t>(raw / 2));
  const int64_t down_before = client->stats().bytes_down;
  auto page = client->Pull(Limit(500), {});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->changes.size(), 200u);
  EXPECT_LT(client->stats().bytes_down - down_before, 8000);  // far below the ~20 KB raw
}

// EncodeBody does ahead what Send would: a large body is gzip-compressed and names its encoding,
// which Send then leaves alone (compressing it twice would be a body the server cannot read).
TEST_F(SyncClientTest, ABodyEncodedAheadIsSentAsItIs) {
  CurlHttpClientOptions options = Insecure();
  options.gzip_request_min_bytes = 1024;
  auto http = CurlHttpClient::Create(options, &clock_);
  ASSERT_TRUE(http.ok());
  auto client = MakeClient();
  HttpRequest request;
  request.method = "POST";
  request.url = server_->base_url() + "/v1/push";
  request.headers = {{"Content-Type", "application/json"}, {"Idempotency-Key", "ahead-1"}};
  request.body = client->codec().EncodePushRequest(Batch("ahead", 200));
  const size_t raw = request.body.size();
  ASSERT_TRUE((*http)->EncodeBody(&request).ok());
  EXPECT_LT(request.body.size(), raw / 2);
  EXPECT_EQ(request.headers.back(), (std::pair<std::string, std::string>{"Content-Encoding", "gzip"}));
  auto sent = (*http)->Send(request, {});
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(sent->status, 200) << sent->body;
  EXPECT_LT(sent->bytes_sent, static_cast<int64_t>(raw / 2));

  HttpRequest small;
  small.body = "{}";
  ASSERT_TRUE((*http)->EncodeBody(&small).ok());
  EXPECT_EQ(small.body, "{}");
  EXPECT_TRUE(small.headers.empty());
}

// Every fault kind, on push and on pull: the client classifies the failure, retries within the
// cycle (a pull answer over max_response_bytes: the puller does, with a smaller page), and the
// second attempt succeeds. Pushes are applied exactly once whatever happened.
struct FaultCase {
  faults::FaultKind kind;
  bool after_processing;
};

class FaultKindTest : public SyncClientTest, public ::testing::WithParamInterface<FaultCase> {};

TEST_P(FaultKindTest, PushRecoversAndAppliesExactlyOnce) {
  faults::FaultRule rule = Rule("POST", "/v1/push", GetParam().kind);
  rule.action.after_processing = GetParam().after_processing;
  rule.action.max_ms = 3000;
  rule.action.bytes = 2 << 20;
  rule.action.bytes_per_second = 5;
  rule.action.delay_ms = 200;
  server_->faults().Replace({rule});
  CurlHttpClientOptions http_options;
  http_options.request_timeout = 1500ms;
  http_options.max_response_bytes = 1 << 20;
  auto client = MakeClient(nullptr, http_options);
  const int64_t expected_requests = GetParam().kind == faults::FaultKind::kDelay ? 1 : 2;
  PushRequest batch = Batch("f" + std::to_string(static_cast<int>(GetParam().kind)), 3);
  auto pushed = client->Push(batch, {});
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  EXPECT_EQ(client->stats().requests, expected_requests);
  for (size_t i = 0; i < batch.mutations.size(); ++i) {
    EXPECT_EQ(pushed->results[i].kind, PushResult::Kind::kApplied);
    EXPECT_EQ(pushed->results[i].version, 1);  // the replay returns the original result
    EXPECT_EQ(AppliedCount(batch.mutations[i].mutation_id), 1);
  }
}

TEST_P(FaultKindTest, PullRecovers) {
  auto setup = MakeClient();
  ASSERT_TRUE(setup->Push(Batch("pull", 4), {}).ok());
  faults::FaultRule rule = Rule("GET", "/v1/pull", GetParam().kind);
  rule.action.max_ms = 3000;
  rule.action.bytes = 2 << 20;
  rule.action.bytes_per_second = 5;
  rule.action.delay_ms = 200;
  server_->faults().Replace({rule});
  CurlHttpClientOptions http_options;
  http_options.request_timeout = 1500ms;
  http_options.max_response_bytes = 1 << 20;
  auto client = MakeClient(nullptr, http_options);
  auto page = client->Pull(PullRequest{}, {});
  if (GetParam().kind == faults::FaultKind::kOversizedBody) {
    ASSERT_FALSE(page.ok());  // not retried inside the call: the puller asks for a smaller page
    EXPECT_TRUE(client->last_reply_too_large());
    page = client->Pull(PullRequest{}, {});
  }
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->changes.size(), 4u);
  EXPECT_EQ(client->stats().requests, GetParam().kind == faults::FaultKind::kDelay ? 1 : 2);
}

INSTANTIATE_TEST_SUITE_P(
    AllKinds, FaultKindTest,
    ::testing::Values(FaultCase{faults::FaultKind::kStatus, false},
                      FaultCase{faults::FaultKind::kStatus, true},
                      FaultCase{faults::FaultKind::kCloseBeforeResponse, false},
                      FaultCase{faults::FaultKind::kCloseBeforeResponse, true},
                      FaultCase{faults::FaultKind::kResetMidBody, false},
                      FaultCase{faults::FaultKind::kTruncatedBody, false},
                      FaultCase{faults::FaultKind::kMalformedJson, false},
                      FaultCase{faults::FaultKind::kOversizedBody, false},
                      FaultCase{faults::FaultKind::kWrongContentType, false},
                      FaultCase{faults::FaultKind::kHang, false},
                      FaultCase{faults::FaultKind::kDrip, false},
                      FaultCase{faults::FaultKind::kDelay, false}),
    [](const ::testing::TestParamInfo<FaultCase>& param_info) {
      return std::string(faults::FaultKindName(param_info.param.kind)) +
             (param_info.param.after_processing ? "_after_processing" : "");
    });

TEST_F(SyncClientTest, RetryAfterSecondsIsHonoured) {
  faults::FaultRule rule = Rule("POST", "/v1/push", faults::FaultKind::kStatus, 1, 2);
  rule.action.status = 503;
  rule.action.retry_after = "7";
  server_->faults().Replace({rule});
  auto client = MakeClient();
  auto pushed = client->Push(Batch("ra", 1), {});
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  EXPECT_EQ(client->stats().requests, 3);
  EXPECT_GE(clock_.total_slept(), 14s);  // two waits of at least 7 s each, on the virtual clock
}

TEST_F(SyncClientTest, RetryAfterHttpDateIsHonoured) {
  faults::FaultRule rule = Rule("GET", "/v1/pull", faults::FaultKind::kStatus);
  rule.action.status = 429;
  // The virtual wall clock starts at 2026-01-01T00:00:00Z; ask for 20 s later.
  rule.action.retry_after = "Thu, 01 Jan 2026 00:00:20 GMT";
  server_->faults().Replace({rule});
  auto client = MakeClient();
  auto page = client->Pull(PullRequest{}, {});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_GE(clock_.total_slept(), 19s);
  EXPECT_LE(clock_.total_slept(), 31s);  // plus up to 50% random extra (RetryOptions)
}

TEST_F(SyncClientTest, RetryAfterBeyondTheDeadlineGivesUpForTheCycle) {
  faults::FaultRule rule = Rule("POST", "/v1/push", faults::FaultKind::kStatus, 1, -1);
  rule.action.status = 503;
  rule.action.retry_after = "120";
  server_->faults().Replace({rule});
  auto client = MakeClient();
  CallContext ctx;
  ctx.deadline = clock_.Now() + 25s;
  auto pushed = client->Push(Batch("dl", 1), ctx);
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.status().retry_class(), RetryClass::kTransient);
  EXPECT_NE(pushed.status().message().find("giving up for this cycle"), std::string::npos);
  EXPECT_EQ(client->suggested_retry_delay(), 120s);  // plain: the scheduler adds the spread
  EXPECT_EQ(client->stats().requests, 1);
  EXPECT_EQ(clock_.total_slept(), 0s);
}

TEST_F(SyncClientTest, TransientFailuresStopAtTheAttemptLimit) {
  faults::FaultRule rule = Rule("GET", "/v1/pull", faults::FaultKind::kStatus, 1, -1);
  rule.action.status = 500;
  server_->faults().Replace({rule});
  RetryOptions retry;
  retry.max_attempts = 4;
  auto client = MakeClient(nullptr, {}, retry);
  auto page = client->Pull(PullRequest{}, {});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(client->stats().requests, 4);
  // Backoff without jitter: 1 s + 2 s + 4 s between the four attempts.
  EXPECT_EQ(clock_.total_slept(), 7s);
}

TEST_F(SyncClientTest, UnauthorizedRefreshesTheTokenOnce) {
  mock::MockServerOptions options;
  options.token = "fresh-token";
  StartServer(options);
  SwitchingTokens tokens("stale-token", "fresh-token");
  auto client = MakeClient(&tokens);
  auto pushed = client->Push(Batch("auth", 1), {});
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  EXPECT_EQ(tokens.refreshes, 1);
  EXPECT_EQ(client->stats().requests, 2);
}

TEST_F(SyncClientTest, UnauthorizedAfterRefreshFailsWithoutLeakingTheToken) {
  mock::MockServerOptions options;
  options.token = "right-token";
  StartServer(options);
  SwitchingTokens tokens("wrong-token-1", "wrong-token-2");
  auto client = MakeClient(&tokens);
  auto pushed = client->Push(Batch("auth2", 1), {});
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(pushed.status().retry_class(), RetryClass::kAuth);
  EXPECT_EQ(tokens.refreshes, 1);
  EXPECT_EQ(client->stats().requests, 2);
  EXPECT_EQ(pushed.status().message().find("wrong-token"), std::string::npos);
}

// Item 7 of issue 13: a server that echoes the token it was sent (in an error body, a rejected
// result, or a malformed reply quoted by the decoder) gets "***" back in everything the client
// returns; a header value is a secret too; document data is never touched.
TEST_F(SyncClientTest, TokenEchoedByTheServerIsRedactedFromEverythingReturned) {
  const std::string token = "tok-echo-3e9d1c";
  mock::MockServerOptions server_options;
  server_options.token = token;
  StartServer(server_options);
  StaticTokenProvider tokens(token);
  auto client = MakeClient(&tokens);
  const PushRequest batch = Batch("echo", 1);

  faults::FaultRule error = Rule("POST", "/v1/push", faults::FaultKind::kStatus);
  error.action.status = 400;
  error.action.body = {{"error", {{"code", "bad_" + token}, {"message", "Bearer " + token}}}};
  server_->faults().Replace({error});
  auto refused = client->Push(batch, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message().find(token), std::string::npos) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("HTTP 400 bad_***: Bearer ***"), std::string::npos)
      << refused.status().ToString();
  ASSERT_TRUE(client->last_wire_error().has_value());
  EXPECT_EQ(client->last_wire_error()->code, "bad_***");
  EXPECT_EQ(client->last_wire_error()->message, "Bearer ***");

  faults::FaultRule rejected = Rule("POST", "/v1/push", faults::FaultKind::kStatus);
  rejected.action.status = 200;
  rejected.action.body = {
      {"results", json::array({{{"mutation_id", batch.mutations[0].mutation_id},
                                {"status", "rejected"},
                                {"code", token},
                                {"message", "not for " + token}}})}};
  server_->faults().Replace({rejected});
  auto answered = client->Push(batch, {});
  ASSERT_TRUE(answered.ok()) << answered.status().ToString();
  EXPECT_EQ(answered->results[0].code, "***");
  EXPECT_EQ(answered->results[0].message, "not for ***");

  faults::FaultRule malformed = rejected;
  malformed.action.body["results"][0]["mutation_id"] = token;  // quoted by the decoder
  malformed.match.times = -1;
  server_->faults().Replace({malformed});
  auto undecodable = client->Push(batch, {});
  ASSERT_FALSE(undecodable.ok());
  EXPECT_EQ(undecodable.status().message().find(token), std::string::npos) << undecodable.status().ToString();
  EXPECT_NE(undecodable.status().message().find("got \"***\""), std::string::npos)
      << undecodable.status().ToString();
}

TEST_F(SyncClientTest, PayloadTooLargeIsReportedForHalving) {
  mock::MockServerOptions options;
  options.max_body_bytes = 2000;
  StartServer(options);
  CurlHttpClientOptions http_options;
  http_options.gzip_request_min_bytes = -1;
  auto client = MakeClient(nullptr, http_options);
  auto pushed = client->Push(Batch("big", 40), {});
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(pushed.status().retry_class(), RetryClass::kPermanent);
  EXPECT_EQ(client->stats().requests, 1);
  ASSERT_TRUE(client->last_wire_error().has_value());
  EXPECT_EQ(client->last_wire_error()->code, "payload_too_large");
  EXPECT_TRUE(client->Push(Batch("small", 2), {}).ok());
}

TEST_F(SyncClientTest, ReusedMutationIdWithOtherPayloadNamesTheMutation) {
  auto client = MakeClient();
  PushRequest first = Batch("dup", 2);
  ASSERT_TRUE(client->Push(first, {}).ok());
  PushRequest second = first;
  second.batch_id = "b-other";
  second.mutations[1].data = {{"changed", true}};
  auto pushed = client->Push(second, {});
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(client->last_wire_error().has_value());
  EXPECT_EQ(client->last_wire_error()->code, "mutation_id_reused");
  EXPECT_EQ(client->last_wire_error()->mutation_id, "dup-1");
}

TEST_F(SyncClientTest, ConflictCarriesTheServersDocument) {
  auto client = MakeClient();
  ASSERT_TRUE(client->Push(Batch("cf", 1), {}).ok());
  PushRequest stale = Batch("cf2", 1);
  stale.mutations[0].key = "cf0";  // same document, created again with a null base
  auto pushed = client->Push(stale, {});
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  ASSERT_EQ(pushed->results[0].kind, PushResult::Kind::kConflict);
  EXPECT_EQ(pushed->results[0].current.version, 1);
  EXPECT_EQ(pushed->results[0].current.data["i"], 0);
}

TEST_F(SyncClientTest, DeadlineStopsASlowTransfer) {
  HangForever("GET", "/v1/pull");
  RealClock real;
  auto http = CurlHttpClient::Create(Insecure(), &real);
  ASSERT_TRUE(http.ok());
  SyncClient client(http->get(), &real, nullptr, Options(), 1);
  CallContext ctx;
  ctx.deadline = real.Now() + 300ms;
  const MonoTime start = real.Now();
  auto page = client.Pull(PullRequest{}, ctx);
  const auto took = real.Now() - start;
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_LT(took, 5s);  // bounded by the deadline, not by the 20 s hang
}

TEST_F(SyncClientTest, CancellationStopsAHangingTransfer) {
  HangForever("POST", "/v1/push");
  RealClock real;
  auto http = CurlHttpClient::Create(Insecure(), &real);
  ASSERT_TRUE(http.ok());
  SyncClient client(http->get(), &real, nullptr, Options(), 1);
  CancelToken cancel;
  std::atomic<int64_t> cancelled_at{0};
  std::thread os([&] {
    std::this_thread::sleep_for(200ms);
    cancelled_at = real.Now().ns;
    cancel.Cancel("BGTask expiration handler");
  });
  auto pushed = client.Push(Batch("cancel", 1), {std::nullopt, &cancel});
  const MonoTime returned = real.Now();
  os.join();
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.status().code(), StatusCode::kCancelled);
  EXPECT_NE(pushed.status().message().find("BGTask expiration handler"), std::string::npos);
  EXPECT_LT(returned - MonoTime{cancelled_at.load()}, 5s);  // latency measured in bench/
}

TEST_F(SyncClientTest, ServerDownIsANetworkError) {
  const SyncClientOptions options = Options();
  server_->Stop();
  auto http = CurlHttpClient::Create(Insecure(), &clock_);
  ASSERT_TRUE(http.ok());
  SyncClient client(http->get(), &clock_, nullptr, options, 1);
  auto page = client.Pull(PullRequest{}, {});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().retry_class(), RetryClass::kNetwork);
  EXPECT_EQ(client.stats().requests, 1);  // waits for connectivity instead of burning retries
}

}  // namespace
}  // namespace syncagent
