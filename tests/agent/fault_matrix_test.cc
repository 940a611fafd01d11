// Fault matrix: every fault kind × {push, pull} × {a few requests, forever} × {injected by the
// mock server itself, injected by the fault proxy in front of it}, against a device (real SQLite store + real libcurl + SyncEngine) on a virtual clock (backoff
// waits are instant; transfers and HTTP timeouts are real, so they are kept short).
// Each cycle must end with a classified outcome — done after recovery when the fault is
// transient and limited, retry (transient class) while it persists, done for faults that only
// slow the answer — with the data intact (Store::Verify, unsent writes still queued), and once
// the faults are cleared both devices converge to the server with nothing applied twice.
// (A slow server against the cycle's deadline, over several cycles, is tested on the virtual
// clock with FakeRemote: pusher_failures_test.cc, SlowRemoteDeadlineTest.)
#include <gtest/gtest.h>

#include <chrono>

#include "agent/sync_engine.h"
#include "tests/agent/engine_harness.h"
#include "tests/agent/fault_specs.h"
#include "tools/fault_proxy/fault_proxy.h"

namespace syncagent {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::AppliedTwice;
using testing::Device;
using testing::DeviceOptions;
using testing::ScopedTempDir;
using testing::ServerLive;

constexpr char kCollection[] = "notes";
constexpr int kFewTimes = 2;        // "a few requests": this many consecutive ones
constexpr int kFewMaxAttempts = 3;  // ... so the third attempt gets through
constexpr int kPersistentMaxAttempts = 2;

enum class Direction { kPush, kPull };
enum class Mode { kFew, kPersistent };
// Who injects the fault: the mock server itself, or the fault proxy in front of it.
enum class Injector { kMockServer, kProxy };
using Effect = testing::FaultEffect;
using testing::FaultSpec;

struct MatrixCase {
  FaultSpec spec;
  Direction direction;
  Mode mode;
  Injector injector;
};

void PrintTo(const MatrixCase& c, std::ostream* os) { *os << c.spec.name; }

std::vector<MatrixCase> AllCases() {
  std::vector<MatrixCase> cases;
  for (const FaultSpec& spec : testing::FaultSpecs()) {
    for (Direction d : {Direction::kPush, Direction::kPull}) {
      for (Mode m : {Mode::kFew, Mode::kPersistent}) {
        for (Injector i : {Injector::kMockServer, Injector::kProxy}) cases.push_back({spec, d, m, i});
      }
    }
  }
  return cases;
}

std::string CaseName(const ::testing::TestParamInfo<MatrixCase>& info) {
  return std::string(info.param.spec.name) +
         (info.param.direction == Direction::kPush ? "_push" : "_pull") +
         (info.param.mode == Mode::kFew ? "_few" : "_persistent") +
         (info.param.injector == Injector::kProxy ? "_via_proxy" : "");
}

std::string ReportText(const CycleReport& r) { return r.ToJson().dump(); }

class FaultMatrixTest : public ::testing::TestWithParam<MatrixCase> {
 protected:
  void SetUp() override {
    auto server = mock::MockServer::Start({});
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    url_ = server_->base_url();
    if (GetParam().injector == Injector::kProxy) {
      faults::FaultProxyOptions options;
      options.upstream = server_->base_url();
      auto proxy = faults::FaultProxy::Start(std::move(options));
      ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
      proxy_ = std::move(*proxy);
      url_ = proxy_->base_url();
    }
  }

  // Where the case's faults are installed.
  faults::FaultInjector& Injected() { return proxy_ ? proxy_->faults() : server_->faults(); }

  DeviceOptions Options(int max_attempts) {
    DeviceOptions options;
    options.http.request_timeout = Millis(1000);
    options.http.connect_timeout = Millis(1000);
    options.http.max_response_bytes = 1 << 20;
    options.retry.max_attempts = max_attempts;
    options.retry.initial_delay = Millis(200);
    options.engine.push_batch_size = 2;  // several push requests
    options.engine.pull_page_size = 4;   // several pull pages
    return options;
  }

  std::unique_ptr<Device> NewDevice(const std::string& name, DeviceOptions options) {
    auto device = std::make_unique<Device>(dir_.path() + "/" + name + ".db", url_,
                                           &clock_, std::move(options));
    EXPECT_TRUE(device->ok());
    return device;
  }

  int64_t QueueDepth(Device& d) {
    auto stats = d.store().Stats();
    EXPECT_TRUE(stats.ok()) << stats.status().ToString();
    return stats.ok() ? stats->queue_depth : -1;
  }

  void ExpectIntact(Device& d, const char* who) {
    Status verified = d.store().Verify();
    EXPECT_TRUE(verified.ok()) << who << ": " << verified.ToString();
  }

  ScopedTempDir dir_;
  VirtualClock clock_;
  std::unique_ptr<mock::MockServer> server_;
  std::unique_ptr<faults::FaultProxy> proxy_;  // kProxy: in front of server_
  std::string url_;                            // what the devices talk to
};

TEST_P(FaultMatrixTest, CycleIsClassifiedDataIntactAndDevicesConverge) {
  const MatrixCase& c = GetParam();
  const bool persistent = c.mode == Mode::kPersistent;
  const bool fails = c.spec.effect == Effect::kFails;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(server_->state()
                    .AdminPut(kCollection, "pre" + std::to_string(i), {{"i", i}}, nullptr)
                    .ok());
  }
  auto a = NewDevice("a", Options(persistent ? kPersistentMaxAttempts : kFewMaxAttempts));
  auto b = NewDevice("b", Options(kFewMaxAttempts));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        b->store().Put(kCollection, "b" + std::to_string(i), {{"from", "b"}, {"i", i}}).ok());
  }
  ASSERT_EQ(b->Sync().outcome, CycleOutcome::kDone);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        a->store().Put(kCollection, "a" + std::to_string(i), {{"from", "a"}, {"i", i}}).ok());
  }
  const std::map<std::string, json> a_before = a->Live(kCollection);

  faults::FaultRule rule;
  rule.match.method = c.direction == Direction::kPush ? "POST" : "GET";
  rule.match.path = c.direction == Direction::kPush ? "/v1/push" : "/v1/pull";
  rule.match.times = persistent ? -1 : kFewTimes;
  rule.action = c.spec.action;
  if (c.spec.http_date_retry_after) rule.action.retry_after = testing::HttpDate(clock_.WallMs() + 1000000);
  Injected().Replace({rule});

  const MonoTime started = clock_.Now();
  CycleReport report = a->Sync(Millis(3600000));  // virtual: room for the Retry-After waits
  SCOPED_TRACE(ReportText(report));
  if (!fails || !persistent) {
    // Recovered within the cycle (or only slowed down).
    EXPECT_EQ(report.outcome, CycleOutcome::kDone);
    EXPECT_EQ(QueueDepth(*a), 0);
    EXPECT_EQ(report.applied, 5);
    if (fails && c.spec.min_retry_after.count() > 0) {
      // The server's Retry-After was honoured (on the virtual clock).
      EXPECT_GE(clock_.Now() - started, c.spec.min_retry_after * kFewTimes - 1s);
    }
  } else {
    EXPECT_EQ(report.outcome, CycleOutcome::kRetry);
    EXPECT_EQ(report.error.retry_class(), RetryClass::kTransient) << report.error.ToString();
    EXPECT_GE(report.retry_after, c.spec.min_retry_after);
    if (c.direction == Direction::kPush) {
      EXPECT_EQ(QueueDepth(*a), 5);  // nothing acknowledged: every write still queued
      EXPECT_EQ(report.pulled, 0);   // a failed push ends the cycle before the pull
      // Faults that process the request first (after_processing, or a cut answer) let the
      // server apply the batch; the others must not.
      const bool processed =
          c.spec.action.after_processing || !faults::IsReplacingFault(c.spec.action.kind);
      int64_t a_docs_on_server = 0;
      for (const auto& [key, value] : ServerLive(*server_, kCollection)) {
        a_docs_on_server += key.rfind("a", 0) == 0 ? 1 : 0;
      }
      EXPECT_EQ(a_docs_on_server, processed ? 2 : 0);  // processed: the first batch (of 2)
    } else {
      EXPECT_EQ(QueueDepth(*a), 0);  // the push went through
      EXPECT_EQ(report.applied, 5);
      EXPECT_EQ(a->Live(kCollection), a_before);  // nothing of a failed page was kept
      auto cursor = a->store().GetCheckpoint(Store::kPullCheckpoint);
      ASSERT_TRUE(cursor.ok());
      EXPECT_FALSE(cursor->has_value()) << "the cursor moved without a page applied";
    }
  }
  ExpectIntact(*a, "a under the fault");

  // While the fault lasts, more writes pile up on both sides.
  ASSERT_TRUE(a->store().Patch(kCollection, "a0", {{"later", true}}).ok());
  ASSERT_TRUE(b->store().Put(kCollection, "b9", {{"from", "b"}, {"later", true}}).ok());

  Injected().Clear();
  for (int round = 0; round < 2; ++round) {
    CycleReport ra = a->Sync();
    EXPECT_EQ(ra.outcome, CycleOutcome::kDone) << "a after clearing: " << ReportText(ra);
    CycleReport rb = b->Sync();
    EXPECT_EQ(rb.outcome, CycleOutcome::kDone) << "b after clearing: " << ReportText(rb);
  }
  const std::map<std::string, json> server_live = ServerLive(*server_, kCollection);
  EXPECT_EQ(server_live.size(), 3u + 5u + 4u);
  EXPECT_EQ(a->Live(kCollection), server_live);
  EXPECT_EQ(b->Live(kCollection), server_live);
  EXPECT_EQ(server_live.at("a0"), json({{"from", "a"}, {"i", 0}, {"later", true}}));
  EXPECT_EQ(QueueDepth(*a), 0);
  EXPECT_EQ(QueueDepth(*b), 0);
  ExpectIntact(*a, "a");
  ExpectIntact(*b, "b");
  EXPECT_TRUE(AppliedTwice(*server_).empty());
}

INSTANTIATE_TEST_SUITE_P(Faults, FaultMatrixTest, ::testing::ValuesIn(AllCases()), CaseName);

}  // namespace
}  // namespace syncagent

namespace syncagent {
namespace {

// docs/protocol.md §4.3 and §5.2: on `400 invalid_cursor` the client drops its cursor and pulls
// from the beginning (a full resync), so a server reset (or a move to another server) does not
// leave the device stuck on a cursor the server no longer knows.
TEST(InvalidCursorTest, ServerResetRestartsThePullFromTheBeginning) {
  auto server = mock::MockServer::Start({});
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ScopedTempDir dir;
  VirtualClock clock;
  Device a(dir.path() + "/a.db", (*server)->base_url(), &clock);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE((*server)->state().AdminPut(kCollection, "old", {{"v", 1}}, nullptr).ok());
  ASSERT_EQ(a.Sync().outcome, CycleOutcome::kDone);  // a now holds a cursor of epoch 1
  ASSERT_TRUE((*server)->Reset().ok());              // new epoch: the cursor is unusable
  ASSERT_TRUE((*server)->state().AdminPut(kCollection, "new", {{"v", 2}}, nullptr).ok());
  CycleReport report = a.Sync();
  EXPECT_EQ(CycleOutcomeName(report.outcome), "done") << report.ToJson().dump();
  EXPECT_EQ(a.Live(kCollection).count("new"), 1u) << "the remote change never arrives";
  EXPECT_EQ(CycleOutcomeName(a.Sync().outcome), "done")
      << "the device stays stuck on the old cursor";
}

}  // namespace
}  // namespace syncagent

namespace syncagent {
namespace {

// The fault that matters most for a sync client, which TCP-level tools cannot make: the server
// applied a push, and its answer is lost on the way back. Through the proxy, half the pushes
// lose their answer; the agent replays them, and the server applies every mutation once.
TEST(FaultProxyAgentTest, LostAnswersAreReplayedAndEveryMutationAppliedOnce) {
  auto server = mock::MockServer::Start({});
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  faults::FaultProxyOptions options;
  options.upstream = (*server)->base_url();
  auto proxy = faults::FaultProxy::Start(std::move(options));
  ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
  faults::FaultRule rule;
  rule.match.method = "POST";
  rule.match.path = "/v1/push";
  rule.match.times = -1;
  rule.match.probability = 0.5;
  rule.match.seed = 42;
  rule.action.kind = faults::FaultKind::kCloseBeforeResponse;
  rule.action.after_processing = true;
  (*proxy)->faults().Replace({rule});

  ScopedTempDir dir;
  VirtualClock clock;
  DeviceOptions device_options;
  device_options.engine.push_batch_size = 3;
  device_options.retry.max_attempts = 4;
  device_options.retry.initial_delay = Millis(100);
  Device a(dir.path() + "/a.db", (*proxy)->base_url(), &clock, device_options);
  ASSERT_TRUE(a.ok());
  constexpr int kWrites = 40;
  for (int i = 0; i < kWrites; ++i) {
    ASSERT_TRUE(a.store().Put(kCollection, "k" + std::to_string(i), {{"i", i}}).ok());
  }
  CycleReport report;
  for (int cycle = 0; cycle < 20; ++cycle) {
    report = a.Sync(Millis(3600000));
    if (report.outcome == CycleOutcome::kDone) break;
  }
  EXPECT_EQ(report.outcome, CycleOutcome::kDone) << report.ToJson().dump();
  const nlohmann::json stats = (*server)->Stats();
  EXPECT_EQ(stats["applied"].size(), static_cast<size_t>(kWrites));
  for (const auto& [mutation, times] : stats["applied"].items()) EXPECT_EQ(times, 1) << mutation;
  EXPECT_GT(stats["replayed"].size(), 0u) << "no answer was lost: the test proves nothing";
  EXPECT_GT((*proxy)->faults().ToJson()["faults"][0]["fired"].get<int>(), 0);
  EXPECT_TRUE(AppliedTwice(**server).empty());
  EXPECT_EQ(ServerLive(**server, kCollection).size(), static_cast<size_t>(kWrites));
  EXPECT_TRUE(a.store().Verify().ok());
}

// A server that is down behind the proxy: the cycle is a transient retry (the proxy's 502),
// nothing is lost, and once the server is up on that port the queue drains.
TEST(FaultProxyAgentTest, AServerDownBehindTheProxyThenUp) {
  int port = 0;
  {
    auto probe = mock::MockServer::Start({});
    ASSERT_TRUE(probe.ok());
    port = (*probe)->port();
  }
  faults::FaultProxyOptions options;
  options.upstream = "http://127.0.0.1:" + std::to_string(port);
  auto proxy = faults::FaultProxy::Start(std::move(options));
  ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
  ScopedTempDir dir;
  VirtualClock clock;
  DeviceOptions device_options;
  device_options.retry.max_attempts = 2;
  Device a(dir.path() + "/a.db", (*proxy)->base_url(), &clock, device_options);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(a.store().Put(kCollection, "k", {{"v", 1}}).ok());
  CycleReport down = a.Sync(Millis(3600000));
  EXPECT_EQ(down.outcome, CycleOutcome::kRetry) << down.ToJson().dump();
  EXPECT_EQ(down.error.retry_class(), RetryClass::kTransient) << down.error.ToString();
  EXPECT_GE((*proxy)->Stats()["upstream_errors"].get<int>(), 1);

  mock::MockServerOptions server_options;
  server_options.port = port;
  auto server = mock::MockServer::Start(server_options);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  CycleReport up = a.Sync();
  EXPECT_EQ(up.outcome, CycleOutcome::kDone) << up.ToJson().dump();
  EXPECT_EQ(ServerLive(**server, kCollection).at("k"), nlohmann::json({{"v", 1}}));
  proxy->reset();  // its kept-alive upstream connection goes first
}

}  // namespace
}  // namespace syncagent
