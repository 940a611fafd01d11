// Agent::Open with parts of the caller's own (AgentOptions): a Remote and a Clock. The object
// graph is built by the composition root, not by the test.
#include <gtest/gtest.h>

#include <filesystem>

#include "agent/agent.h"
#include "tests/agent/fake_remote.h"
#include "tests/storage/store_test_util.h"

namespace syncagent {
namespace {

using nlohmann::json;
using testing::FakeRemote;
using testing::Rev;

std::string Config(const std::string& db) {
  // base_url names no reachable server: with an injected remote it is never used.
  return json({{"server", {{"base_url", "https://sync.invalid"}}},
               {"storage", {{"path", db}}},
               {"sync", {{"conflict", {{"default", "server_wins"}}}}}})
      .dump();
}

TEST(AgentInjectionTest, AnInjectedRemoteAndClockCarryTheWholeCycle) {
  testing::TempDir dir;
  VirtualClock clock;
  FakeRemote remote(&clock);
  remote.ServerPut("notes", "from-server", {{"t", "hello"}});
  AgentOptions options;
  options.clock = &clock;
  options.remote = &remote;
  auto agent = Agent::OpenJson(Config(dir.File("a.db")), options);
  ASSERT_TRUE(agent.ok()) << agent.status().ToString();

  ASSERT_TRUE((*agent)->Put("notes", "local", {{"t", "mine"}}).ok());
  CycleReport report = (*agent)->SyncNow(Millis(10000));
  EXPECT_EQ(report.outcome, CycleOutcome::kDone) << report.ToJson().dump();
  auto on_server = remote.ServerGet("notes", "local");
  ASSERT_TRUE(on_server.has_value());
  EXPECT_EQ(on_server->data, json({{"t", "mine"}}));
  auto pulled = (*agent)->Get("notes", "from-server");
  ASSERT_TRUE(pulled.ok() && pulled->has_value());
  EXPECT_EQ((*pulled)->data, json({{"t", "hello"}}));
  EXPECT_EQ((*pulled)->rev, Rev(1));

  // The remote's failures reach the report through the same seam.
  remote.FailNext(FakeRemote::CallKind::kPull, UnavailableError("pull: 503"));
  report = (*agent)->SyncNow(Millis(10000));
  EXPECT_EQ(report.outcome, CycleOutcome::kRetry) << report.ToJson().dump();
}

TEST(AgentInjectionTest, TheReportTimesThePushAndThePullOnTheInjectedClock) {
  testing::TempDir dir;
  VirtualClock clock;
  FakeRemote remote(&clock);
  remote.set_latency(Millis(100));  // each call advances the clock by 100 ms
  for (int i = 0; i < 3; ++i) remote.ServerPut("notes", "s" + std::to_string(i), {{"v", i}});
  AgentOptions options;
  options.clock = &clock;
  options.remote = &remote;
  auto agent = Agent::OpenJson(Config(dir.File("a.db")), options);
  ASSERT_TRUE(agent.ok()) << agent.status().ToString();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE((*agent)->Put("notes", "l" + std::to_string(i), {{"v", i}}).ok());
  }
  const CycleReport report = (*agent)->SyncNow(Millis(60000));
  ASSERT_EQ(report.outcome, CycleOutcome::kDone) << report.ToJson().dump();
  const auto pushes = static_cast<int64_t>(remote.CallsOf(FakeRemote::CallKind::kPush).size());
  const auto pulls = static_cast<int64_t>(remote.CallsOf(FakeRemote::CallKind::kPull).size());
  ASSERT_GE(pushes, 1);
  ASSERT_GE(pulls, 1);
  EXPECT_EQ(report.push_time, Millis(100 * pushes));
  EXPECT_EQ(report.pull_time, Millis(100 * pulls));
  EXPECT_LE(report.push_time + report.pull_time, report.duration);
  EXPECT_EQ(report.ToJson()["push_ms"], 100 * pushes);
  EXPECT_EQ(report.ToJson()["pull_ms"], 100 * pulls);
}

// Through the whole path (the SQL upsert's rev_newer included), revision "10" is newer than "9"
// although it sorts before it as text.
TEST(AgentInjectionTest, RevisionsStayOrderedPastTheirTextOrder) {
  testing::TempDir dir;
  VirtualClock clock;
  FakeRemote remote(&clock);
  remote.ServerPut("notes", "n", {{"v", 1}});
  AgentOptions options;
  options.clock = &clock;
  options.remote = &remote;
  auto agent = Agent::OpenJson(Config(dir.File("a.db")), options);
  ASSERT_TRUE(agent.ok()) << agent.status().ToString();
  ASSERT_EQ((*agent)->SyncNow(Millis(10000)).outcome, CycleOutcome::kDone);
  for (int v = 2; v <= 9; ++v) remote.ServerPut("notes", "n", {{"v", v}});
  ASSERT_EQ((*agent)->SyncNow(Millis(10000)).outcome, CycleOutcome::kDone);
  remote.ServerPut("notes", "n", {{"v", 10}});
  ASSERT_EQ((*agent)->SyncNow(Millis(10000)).outcome, CycleOutcome::kDone);
  auto doc = (*agent)->Get("notes", "n");
  ASSERT_TRUE(doc.ok() && doc->has_value());
  EXPECT_EQ((*doc)->rev, Rev(10));
  EXPECT_EQ((*doc)->data, json({{"v", 10}}));
}

}  // namespace
}  // namespace syncagent
