// Fault matrix over CouchDB: every fault kind (tests/agent/fault_specs.h) × {push, pull} × {a few
// requests, forever}, injected by the fault proxy (CouchDB-style error bodies) in front of a real
// PouchDB Server, against Agents opened with "protocol": "couchdb" on a virtual clock (backoff
// and Retry-After waits are instant; transfers and HTTP timeouts are real, so they are short).
// Push faults hit `_bulk_docs` (the write itself: after_processing and cut answers lose the
// answer of a write the server made); pull faults hit `_changes`.
// Each cycle must end with a classified outcome (done after recovery, or when the fault only slows
// the answer; a transient retry while it persists, with the server's Retry-After), the store
// intact with every unsent write queued, and once the faults stop both devices converge with the
// server, where every agent write is exactly one revision: each document has one leaf, its
// revision generation is the number of writes made to it, and the database's update sequence
// counts each write once.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "tests/agent/fault_specs.h"
#include "tests/couchdb/agent_fixture.h"
#include "tools/fault_proxy/fault_proxy.h"

namespace syncagent {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::FaultEffect;
using testing::FaultSpec;

constexpr int kFewTimes = 2;        // "a few requests": this many consecutive ones
constexpr int kFewMaxAttempts = 3;  // ... so the third attempt gets through
constexpr int kPersistentMaxAttempts = 2;

enum class Direction { kPush, kPull };
enum class Mode { kFew, kPersistent };

struct MatrixCase {
  FaultSpec spec;
  Direction direction;
  Mode mode;
};

void PrintTo(const MatrixCase& c, std::ostream* os) { *os << c.spec.name; }

std::vector<MatrixCase> AllCases() {
  std::vector<MatrixCase> cases;
  for (const FaultSpec& spec : testing::FaultSpecs()) {
    for (Direction d : {Direction::kPush, Direction::kPull}) {
      for (Mode m : {Mode::kFew, Mode::kPersistent}) cases.push_back({spec, d, m});
    }
  }
  return cases;
}

std::string CaseName(const ::testing::TestParamInfo<MatrixCase>& info) {
  return std::string(info.param.spec.name) +
         (info.param.direction == Direction::kPush ? "_push" : "_pull") +
         (info.param.mode == Mode::kFew ? "_few" : "_persistent");
}

std::string ReportText(const CycleReport& r) { return r.ToJson().dump(); }

class CouchFaultMatrixTest : public couch_testing::CouchAgentTest,
                             public ::testing::WithParamInterface<MatrixCase> {
 protected:
  void SetUp() override {
    CouchAgentTest::SetUp();
    if (HasFatalFailure()) return;
    faults::FaultProxyOptions options;
    options.upstream = server_->url();
    options.error_style = faults::ErrorStyle::kCouchdb;
    auto proxy = faults::FaultProxy::Start(std::move(options));
    ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
    proxy_ = std::move(*proxy);
  }

  void TearDown() override {
    if (proxy_) proxy_->Stop();  // its kept-alive upstream connections go before the server
  }

  // A device on the virtual clock, through the proxy, with short timeouts, a 1 MiB response cap
  // and several requests per push and pull.
  std::unique_ptr<Agent> ProxiedDevice(const std::string& name, int max_attempts) {
    AgentOptions options;
    options.clock = &clock_;
    options.seed = 7;
    const json patch = {
        {"server",
         {{"base_url", proxy_->base_url()},
          {"max_response_bytes", 1 << 20},
          {"timeouts", {{"request_ms", 1000}, {"connect_ms", 1000}}}}},
        {"retry",
         {{"initial_delay_ms", 200},
          {"max_attempts_per_cycle", max_attempts},
          {"max_wait_in_cycle_ms", 0}}},  // up to the deadline: Retry-After waits in the cycle
        {"sync", {{"push_batch_size", 2}, {"pull_page_size", 4}}}};
    return Device(name, "merge", std::move(options), patch);
  }

  CycleReport SyncOn(Agent& agent, Millis budget = Millis(3600000)) {
    return agent.SyncNow(budget);  // virtual: room for the Retry-After waits
  }

  static int64_t QueueDepth(Agent& agent) {
    auto stats = agent.store().Stats();
    EXPECT_TRUE(stats.ok()) << stats.status().ToString();
    return stats.ok() ? stats->queue_depth : -1;
  }

  static void ExpectIntact(Agent& agent, const char* who) {
    const Status verified = agent.store().Verify();
    EXPECT_TRUE(verified.ok()) << who << ": " << verified.ToString();
  }

  static std::map<std::string, json> Live(Agent& agent) {
    std::map<std::string, json> live;
    auto docs = agent.List("notes");
    EXPECT_TRUE(docs.ok());
    if (docs.ok()) {
      for (const Document& d : *docs) live[d.key] = d.data;
    }
    return live;
  }

  // The server's live documents (data only), read straight from PouchDB Server.
  std::map<std::string, json> ServerLive() {
    std::map<std::string, json> live;
    const json all = Server("/" + std::string(kDatabase) + "/_all_docs?include_docs=true");
    for (const json& row : all.value("rows", json::array())) live[row["id"]] = DataOf(row["doc"]);
    return live;
  }

  // Every leaf of `key` on the server (open_revs=all), with its revision history.
  json Leaves(const std::string& key) {
    return Server("/" + std::string(kDatabase) + "/" + key + "?open_revs=all&revs=true");
  }

  // Exactly one revision per write: one live leaf whose generation is `writes`.
  void ExpectRevisions(const std::string& key, int writes) {
    const json leaves = Leaves(key);
    ASSERT_TRUE(leaves.is_array()) << key << ": " << leaves.dump();
    ASSERT_EQ(leaves.size(), 1u) << key << " has more than one leaf: " << leaves.dump();
    const json& doc = leaves[0].value("ok", json());
    ASSERT_TRUE(doc.is_object()) << leaves.dump();
    EXPECT_FALSE(doc.value("_deleted", false)) << doc.dump();
    EXPECT_EQ(doc["_revisions"]["start"], writes) << key << ": " << doc.dump();
  }

  // Seeds the server (not through the proxy) with "pre0".."pre2", as another client.
  void SeedServer() {
    Server("/" + std::string(kDatabase), "PUT");
    json docs = json::array();
    for (int i = 0; i < 3; ++i) docs.push_back({{"_id", "pre" + std::to_string(i)}, {"i", i}});
    const json answer =
        Server("/" + std::string(kDatabase) + "/_bulk_docs", "POST", json{{"docs", docs}}.dump());
    ASSERT_EQ(answer.size(), 3u) << answer.dump();
  }

  faults::FaultRule Rule(const MatrixCase& c) {
    faults::FaultRule rule;
    const std::string db = "/" + std::string(kDatabase);
    rule.match.method = c.direction == Direction::kPush ? "POST" : "GET";
    rule.match.path = db + (c.direction == Direction::kPush ? "/_bulk_docs" : "/_changes");
    rule.match.times = c.mode == Mode::kPersistent ? -1 : kFewTimes;
    rule.action = c.spec.action;
    if (c.spec.http_date_retry_after) {
      rule.action.retry_after = testing::HttpDate(clock_.WallMs() + 1000000);
    }
    return rule;
  }

  void ExpectPersistentFailure(const MatrixCase& c, Agent& a, const CycleReport& report,
                               const std::map<std::string, json>& a_before);

  VirtualClock clock_;
  std::unique_ptr<faults::FaultProxy> proxy_;  // in front of server_
};

// While a fault persists: a transient retry; a failed push keeps every write queued (the server
// may hold the first batch when the fault let it process the request), a failed pull keeps
// nothing of its page and does not move the cursor.
void CouchFaultMatrixTest::ExpectPersistentFailure(const MatrixCase& c, Agent& a,
                                                   const CycleReport& report,
                                                   const std::map<std::string, json>& a_before) {
  EXPECT_EQ(report.outcome, CycleOutcome::kRetry);
  EXPECT_EQ(report.error.retry_class(), RetryClass::kTransient) << report.error.ToString();
  EXPECT_GE(report.retry_after, c.spec.min_retry_after);
  if (c.direction == Direction::kPush) {
    EXPECT_EQ(QueueDepth(a), 5);  // nothing acknowledged: every write still queued
    EXPECT_EQ(report.pulled, 0);  // a failed push ends the cycle before the pull
    const bool processed =
        c.spec.action.after_processing || !faults::IsReplacingFault(c.spec.action.kind);
    int64_t a_docs_on_server = 0;
    for (const auto& [key, value] : ServerLive()) a_docs_on_server += key.rfind("a", 0) == 0;
    EXPECT_EQ(a_docs_on_server, processed ? 2 : 0);  // processed: the first batch (of 2)
  } else {
    EXPECT_EQ(QueueDepth(a), 0);  // the push went through
    EXPECT_EQ(report.applied, 5);
    EXPECT_EQ(Live(a), a_before);  // nothing of a failed page was kept
    auto cursor = a.store().GetCheckpoint(Store::kPullCheckpoint);
    ASSERT_TRUE(cursor.ok());
    EXPECT_FALSE(cursor->has_value()) << "the cursor moved without a page applied";
  }
}

TEST_P(CouchFaultMatrixTest, ClassifiedNoLostWriteNoSecondRevisionAndConvergence) {
  const MatrixCase& c = GetParam();
  const bool persistent = c.mode == Mode::kPersistent;
  const bool fails = c.spec.effect == FaultEffect::kFails;
  ASSERT_NO_FATAL_FAILURE(SeedServer());
  auto a = ProxiedDevice("a", persistent ? kPersistentMaxAttempts : kFewMaxAttempts);
  auto b = ProxiedDevice("b", kFewMaxAttempts);
  ASSERT_TRUE(a && b);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(b->Put("notes", "b" + std::to_string(i), {{"from", "b"}, {"i", i}}).ok());
  }
  ASSERT_EQ(SyncOn(*b).outcome, CycleOutcome::kDone);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(a->Put("notes", "a" + std::to_string(i), {{"from", "a"}, {"i", i}}).ok());
  }
  const std::map<std::string, json> a_before = Live(*a);

  proxy_->faults().Replace({Rule(c)});
  const MonoTime started = clock_.Now();
  const CycleReport report = SyncOn(*a);
  SCOPED_TRACE(ReportText(report));
  EXPECT_GT(proxy_->faults().ToJson()["faults"][0]["fired"].get<int>(), 0) << "no fault fired";
  if (!fails || !persistent) {
    EXPECT_EQ(report.outcome, CycleOutcome::kDone);  // recovered, or only slowed down
    EXPECT_EQ(QueueDepth(*a), 0);
    EXPECT_EQ(report.applied, 5);
    if (fails && c.spec.min_retry_after.count() > 0) {
      // The server's Retry-After was honoured (on the virtual clock).
      EXPECT_GE(clock_.Now() - started, c.spec.min_retry_after * kFewTimes - 1s);
    }
  } else {
    ExpectPersistentFailure(c, *a, report, a_before);
  }
  ExpectIntact(*a, "a under the fault");

  // While the fault lasts, more writes pile up on both sides.
  ASSERT_TRUE(a->Patch("notes", "a0", {{"later", true}}).ok());
  ASSERT_TRUE(b->Put("notes", "b9", {{"from", "b"}, {"later", true}}).ok());

  proxy_->faults().Clear();
  for (int round = 0; round < 2; ++round) {
    const CycleReport ra = SyncOn(*a);
    EXPECT_EQ(ra.outcome, CycleOutcome::kDone) << "a after clearing: " << ReportText(ra);
    const CycleReport rb = SyncOn(*b);
    EXPECT_EQ(rb.outcome, CycleOutcome::kDone) << "b after clearing: " << ReportText(rb);
  }
  const std::map<std::string, json> server_live = ServerLive();
  EXPECT_EQ(server_live.size(), 3u + 5u + 4u);
  EXPECT_EQ(Live(*a), server_live);
  EXPECT_EQ(Live(*b), server_live);
  EXPECT_EQ(server_live.at("a0"), json({{"from", "a"}, {"i", 0}, {"later", true}}));
  EXPECT_EQ(QueueDepth(*a), 0);
  EXPECT_EQ(QueueDepth(*b), 0);
  ExpectIntact(*a, "a");
  ExpectIntact(*b, "b");
  for (const auto& [key, data] : server_live) ExpectRevisions(key, key == "a0" ? 2 : 1);
  // 3 + 3 + 5 documents created, a0 edited, b9 created: 13 writes, each counted once.
  const json info = Server("/" + std::string(kDatabase));
  EXPECT_EQ(info["update_seq"], 13) << info.dump();
  EXPECT_EQ(info["doc_count"], 12) << info.dump();
}

INSTANTIATE_TEST_SUITE_P(Faults, CouchFaultMatrixTest, ::testing::ValuesIn(AllCases()), CaseName);

}  // namespace
}  // namespace syncagent
