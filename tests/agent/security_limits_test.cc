// Security limits end to end: an Agent built from a config (as an app or the CLI builds it)
// against a hostile or broken server. The response size cap and the JSON depth cap end the cycle
// with "retry" and a clear message; an endless body, a dripping server and a hanging server are
// cut off by the caps and timeouts within a bounded time; TLS verification is on by default and
// plain http:// is refused unless allow_insecure_http is set.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/agent.h"
#include "agent/headless_task.h"
#include "platform/cancel_token.h"
#include "tests/agent/engine_harness.h"
#include "tests/common/small_stack.h"
#include "tools/mock_server/mock_server.h"
#include "tools/mock_server/test_certs.h"

namespace syncagent {
namespace {

using ::syncagent::testing::OnSmallStack;

using nlohmann::json;
using namespace std::chrono_literals;
using testing::ScopedTempDir;

long MaxRssKb() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// A server that answers every request with a chunked 200 body that never ends (until the client
// goes away). No Content-Length, so only a streaming cap can stop it.
class EndlessBodyServer {
 public:
  EndlessBodyServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~EndlessBodyServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int64_t bytes_sent() const { return sent_; }

 private:
  void Serve() {
    while (!stop_) {
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      char buf[4096];
      (void)::recv(client, buf, sizeof buf, 0);  // the request head (not parsed)
      const std::string head =
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
      bool ok = ::send(client, head.data(), head.size(), MSG_NOSIGNAL) > 0;
      const std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";
      while (ok && !stop_) {
        const ssize_t n = ::send(client, chunk.data(), chunk.size(), MSG_NOSIGNAL);
        ok = n > 0;
        if (ok) sent_ += n;
      }
      ::close(client);
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> sent_{0};
  std::thread thread_;
};

class SecurityLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mock::MockServerOptions options;
    options.admin = true;
    auto server = mock::MockServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
  }

  // The config an app would write, pointed at `base_url`, with short timeouts and few retries so
  // that a misbehaving server costs seconds, not minutes.
  json Config(const std::string& base_url, bool insecure = true) {
    json server = {{"base_url", base_url},
                   {"timeouts", {{"connect_ms", 2000}, {"request_ms", 2000}}},
                   {"max_response_bytes", 1 << 20}};
    if (insecure) server["allow_insecure_http"] = true;
    return {{"server", server},
            {"storage", {{"path", dir_.path() + "/agent.db"}}},
            {"retry", {{"jitter", "none"}, {"initial_delay_ms", 10}, {"max_attempts_per_cycle", 2}}}};
  }

  std::unique_ptr<Agent> Open(const json& config) {
    auto agent = Agent::OpenJson(config.dump());
    EXPECT_TRUE(agent.ok()) << agent.status().ToString();
    return agent.ok() ? std::move(*agent) : nullptr;
  }

  void Always(const std::string& path, faults::FaultAction action) {
    faults::FaultRule rule;
    rule.match.path = path;
    rule.match.times = -1;
    rule.action = std::move(action);
    server_->faults().Replace({rule});
  }

  ScopedTempDir dir_;
  std::unique_ptr<mock::MockServer> server_;
};

TEST_F(SecurityLimitsTest, OversizedBodyEndsTheCycleWithRetryAndAClearMessage) {
  faults::FaultAction action;
  action.kind = faults::FaultKind::kOversizedBody;
  action.bytes = int64_t{1} << 30;  // 1 GiB announced and streamed
  Always("/v1/pull", action);
  auto agent = Open(Config(server_->base_url()));
  ASSERT_NE(agent, nullptr);
  const long rss_before = MaxRssKb();
  const auto start = std::chrono::steady_clock::now();
  CycleReport report = agent->SyncNow(60s);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(report.outcome, CycleOutcome::kRetry) << report.ToJson().dump();
  EXPECT_NE(report.error.message().find("exceeds the limit of 1048576 bytes"), std::string::npos)
      << report.error.ToString();
  EXPECT_LT(elapsed, 20s);
  EXPECT_LT(report.bytes_down, 4 << 20);
  EXPECT_LT(MaxRssKb() - rss_before, 256 * 1024) << "the body was buffered";
}

TEST_F(SecurityLimitsTest, EndlessChunkedBodyIsCutOffAtTheCap) {
  EndlessBodyServer endless;
  auto agent = Open(Config(endless.base_url()));
  ASSERT_NE(agent, nullptr);
  const long rss_before = MaxRssKb();
  const auto start = std::chrono::steady_clock::now();
  CycleReport report = agent->SyncNow(60s);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(report.outcome, CycleOutcome::kRetry) << report.ToJson().dump();
  EXPECT_NE(report.error.message().find("exceeds the limit of 1048576 bytes"), std::string::npos)
      << report.error.ToString();
  EXPECT_LT(elapsed, 20s);
  EXPECT_LT(MaxRssKb() - rss_before, 256 * 1024) << "the body was buffered";
}

// A change that is itself nested too deeply (not a document body: its address is lost with it)
// is a malformed page.
TEST_F(SecurityLimitsTest, JsonNestedTooDeeplyEndsTheCycleWithRetry) {
  json deep = json::object();
  for (int i = 0; i < 200; ++i) deep = json{{"d", deep}};
  faults::FaultAction action;
  action.kind = faults::FaultKind::kStatus;
  action.status = 200;
  action.body = json{{"changes", json::array({deep})}, {"cursor", "c"}, {"has_more", false}};
  Always("/v1/pull", action);
  auto agent = Open(Config(server_->base_url()));
  ASSERT_NE(agent, nullptr);
  CycleReport report = agent->SyncNow(60s);
  EXPECT_EQ(report.outcome, CycleOutcome::kRetry) << report.ToJson().dump();
  EXPECT_NE(report.error.message().find("changes[0].collection"), std::string::npos)
      << report.error.ToString();
}


// Item 8 of issue 13: an app's deep value (70,000 levels, built without recursion) is refused by
// the C++ API with a message naming the limit before anything copies or dumps it, on a 512 KiB
// stack.
TEST_F(SecurityLimitsTest, DeepValuesAreRefusedByTheCppApiOnASmallStack) {
  auto agent = Open(Config(server_->base_url()));
  ASSERT_NE(agent, nullptr);
  ASSERT_TRUE(agent->Put("notes", "k", {{"a", 1}}).ok());
  json deep = json::array();
  for (int i = 0; i < 70000; ++i) {
    json outer = json::array();
    outer.push_back(std::move(deep));
    deep = std::move(outer);
  }
  json data = json::object();
  data["d"] = std::move(deep);
  std::vector<WriteOp> ops;
  ops.push_back(WriteOp{MutationOp::kPut, "notes", "w", json::object()});
  ops.back().data["d"] = json::array();  // replaced below by the deep value, moved in
  Status put, patch, write, resolve;
  OnSmallStack([&] {
    put = agent->Put("notes", "k", data);
    patch = agent->Patch("notes", "k", data);
    std::swap(ops.back().data, data);
    write = agent->Write(ops);
    std::swap(ops.back().data, data);
    resolve = agent->ResolveConflict(1, Resolution{Resolution::Kind::kReplace, std::move(data)});
  });
  EXPECT_EQ(put.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(put.message(), "data: nested deeper than 32 levels (the document limit)");
  EXPECT_EQ(patch.message(), "patch: nested deeper than 32 levels (the document limit)");
  EXPECT_EQ(write.message(), "write #0: data: nested deeper than 32 levels (the document limit)");
  EXPECT_EQ(resolve.message(),
            "resolution data: nested deeper than 32 levels (the document limit)");
  auto kept = agent->Get("notes", "k");
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ((*kept)->data, json({{"a", 1}}));
}

// A server that echoes the bearer token in its error bodies and in a rejected push result: the
// token must not reach the store (runs, dead letters, outbox, checkpoints: the database files are
// searched byte by byte), the events, the status or the reports. The redacted echo must be there,
// or the test would prove nothing.
TEST_F(SecurityLimitsTest, ATokenEchoedByTheServerIsNeitherStoredNorEmitted) {
  const std::string token = "tok-ECHO-5b1f9c2e7a";
  mock::MockServerOptions options;
  options.token = token;
  auto echoing = mock::MockServer::Start(options);
  ASSERT_TRUE(echoing.ok()) << echoing.status().ToString();
  mock::MockServer& server = **echoing;
  const json echo = {{"error", {{"code", "denied_" + token}, {"message", "you sent Bearer " + token}}}};
  auto fault = [&](const std::string& path, int status, json body) {
    faults::FaultRule rule;
    rule.match.path = path;
    rule.action.kind = faults::FaultKind::kStatus;
    rule.action.status = status;
    rule.action.body = std::move(body);
    return rule;
  };

  json config = Config(server.base_url());
  config["server"]["auth"] = {{"type", "bearer"}, {"token", token}};
  std::mutex events_mu;
  std::vector<std::string> events;
  AgentOptions agent_options;
  agent_options.on_event = [&](const SyncEvent& event) {
    std::lock_guard<std::mutex> lock(events_mu);
    events.push_back(event.ToJson().dump());
  };
  auto opened = Agent::OpenJson(config.dump(), std::move(agent_options));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::shared_ptr<Agent> agent = std::move(*opened);
  CancelToken no_cancel;
  auto run = [&] {
    TaskInvocation invocation;
    invocation.task_id = "echo";
    invocation.budget = 30s;
    invocation.requested_at_wall_ms = agent->clock().WallMs();
    invocation.started_at_wall_ms = invocation.requested_at_wall_ms;
    invocation.deadline = agent->clock().Now() + invocation.budget;
    invocation.cancel = &no_cancel;
    return HeadlessTask(agent).Run(invocation);
  };

  // Run 1: the push gets 413 with the echo (a single mutation: dead-lettered with the message),
  // the pull 400 with the echo (the run fails with the message).
  ASSERT_TRUE(agent->Put("notes", "a", {{"t", 1}}).ok());
  server.faults().Replace({fault("/v1/push", 413, echo), fault("/v1/pull", 400, echo)});
  HeadlessResult first = run();
  EXPECT_NE(first.reason.find("***"), std::string::npos) << first.reason;

  // Run 2: a rejected push result whose code and message echo the token.
  ASSERT_TRUE(agent->Put("notes", "b", {{"t", 2}}).ok());
  auto pending = agent->store().PeekBatch(10, 1 << 20);
  ASSERT_TRUE(pending.ok() && pending->size() == 1);
  json rejected = {{"results",
                    json::array({{{"mutation_id", pending->front().mutation_id},
                                  {"status", "rejected"},
                                  {"code", "bad_" + token},
                                  {"message", "token " + token + " may not write"}}})}};
  server.faults().Replace({fault("/v1/push", 200, rejected)});
  HeadlessResult second = run();

  std::string everything = first.ToJson().dump() + second.ToJson().dump();
  auto dead = agent->ListDeadLetters();
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 2u);
  for (const DeadLetter& d : *dead) {
    everything += d.code + " " + d.message + " " + d.mutation.last_error + "\n";
  }
  EXPECT_NE(everything.find("bad_***"), std::string::npos) << everything;
  EXPECT_NE(everything.find("you sent Bearer ***"), std::string::npos) << everything;
  auto runs = agent->store().ListRuns(10);
  ASSERT_TRUE(runs.ok());
  for (const RunRecord& r : *runs) everything += r.reason + " " + r.error + "\n";
  auto status = agent->GetStatus();
  ASSERT_TRUE(status.ok());
  everything += status->ToJson().dump();
  {
    std::lock_guard<std::mutex> lock(events_mu);
    for (const std::string& e : events) everything += e + "\n";
  }
  EXPECT_EQ(everything.find(token), std::string::npos) << everything;

  agent.reset();  // closes the database
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::ifstream file(dir_.path() + "/agent.db" + suffix, std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    EXPECT_EQ(bytes.find(token), std::string::npos) << "agent.db" << suffix;
  }
}

TEST_F(SecurityLimitsTest, DrippingServerIsCutOffByTheRequestTimeout) {
  faults::FaultAction action;
  action.kind = faults::FaultKind::kDrip;
  action.bytes_per_second = 20;
  Always("/v1/pull", action);
  auto agent = Open(Config(server_->base_url()));
  ASSERT_NE(agent, nullptr);
  const auto start = std::chrono::steady_clock::now();
  CycleReport report = agent->SyncNow(60s);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(report.outcome, CycleOutcome::kRetry) << report.ToJson().dump();
  // Two attempts of at most request_ms (2 s) each, plus slack for a loaded machine.
  EXPECT_LT(elapsed, 15s) << report.ToJson().dump();
}

TEST_F(SecurityLimitsTest, HangingServerIsCutOffByTheRequestTimeout) {
  faults::FaultAction action;
  action.kind = faults::FaultKind::kHang;
  action.max_ms = 120000;
  Always("/v1/pull", action);
  auto agent = Open(Config(server_->base_url()));
  ASSERT_NE(agent, nullptr);
  const auto start = std::chrono::steady_clock::now();
  CycleReport report = agent->SyncNow(60s);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(report.outcome, CycleOutcome::kRetry) << report.ToJson().dump();
  EXPECT_LT(elapsed, 15s) << report.ToJson().dump();
}

TEST_F(SecurityLimitsTest, PlainHttpIsRefusedByDefault) {
  // The same config without allow_insecure_http: either the config is refused or no request
  // leaves the process; never a silent plain-text sync.
  json config = Config(server_->base_url(), /*insecure=*/false);
  ASSERT_EQ(server_->base_url().rfind("http://", 0), 0u);
  auto agent = Agent::OpenJson(config.dump());
  if (agent.ok()) {
    ASSERT_TRUE((*agent)->Put("notes", "n", json{{"secret", "data"}}).ok());
    CycleReport report = (*agent)->SyncNow(10s);
    EXPECT_NE(report.outcome, CycleOutcome::kDone);
    EXPECT_NE(report.outcome, CycleOutcome::kPartial);
  } else {
    EXPECT_NE(agent.status().message().find("allow_insecure_http"), std::string::npos)
        << agent.status().ToString();
  }
  EXPECT_TRUE(server_->requests().Entries().empty());
}

class SecurityTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cert = mock::GenerateTestCert();
    ASSERT_TRUE(cert.ok()) << cert.status().ToString();
    cert_ = *cert;
    mock::MockServerOptions options;
    options.tls_cert_file = cert_.cert_file;
    options.tls_key_file = cert_.key_file;
    auto server = mock::MockServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    ASSERT_EQ(server_->base_url().rfind("https://", 0), 0u);
  }
  void TearDown() override {
    server_.reset();
    std::error_code ec;
    std::filesystem::remove_all(cert_.dir, ec);
  }
  json Config() {
    return {{"server", {{"base_url", server_->base_url()}}},
            {"storage", {{"path", dir_.path() + "/agent.db"}}},
            {"retry", {{"jitter", "none"}, {"initial_delay_ms", 10}, {"max_attempts_per_cycle", 2}}}};
  }

  ScopedTempDir dir_;
  mock::TestCert cert_;
  std::unique_ptr<mock::MockServer> server_;
};

TEST_F(SecurityTlsTest, UntrustedCertificateFailsTheCycleWithoutARequest) {
  auto agent = Agent::OpenJson(Config().dump());
  ASSERT_TRUE(agent.ok()) << agent.status().ToString();
  ASSERT_TRUE((*agent)->Put("notes", "n", json{{"secret", "data"}}).ok());
  CycleReport report = (*agent)->SyncNow(10s);
  // Fails closed and is never retried: only a configuration change can fix trust.
  EXPECT_EQ(report.outcome, CycleOutcome::kFailed) << report.ToJson().dump();
  EXPECT_EQ(report.error.code(), StatusCode::kPermissionDenied) << report.error.ToString();
  EXPECT_EQ(report.error.retry_class(), RetryClass::kPermanent) << report.error.ToString();
  EXPECT_NE(report.error.message().find("TLS verification failed"), std::string::npos)
      << report.error.ToString();
  EXPECT_TRUE(server_->requests().Entries().empty());
}

TEST_F(SecurityTlsTest, TrustedThroughTheConfigsCaFile) {
  json config = Config();
  config["server"]["tls"] = {{"ca_file", cert_.cert_file}};
  auto agent = Agent::OpenJson(config.dump());
  ASSERT_TRUE(agent.ok()) << agent.status().ToString();
  ASSERT_TRUE((*agent)->Put("notes", "n", json{{"v", 1}}).ok());
  CycleReport report = (*agent)->SyncNow(10s);
  EXPECT_EQ(report.outcome, CycleOutcome::kDone) << report.ToJson().dump();
}

}  // namespace
}  // namespace syncagent
