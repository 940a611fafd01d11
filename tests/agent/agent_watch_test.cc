// Agent::Watch and the documents_changed event through the whole Agent (a real store, the engine
// against FakeRemote, a VirtualClock): local writes and pulls reach a watch after their commit,
// the keys of a sync fold within the event throttle without losing one, and the failure paths.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "agent/agent.h"
#include "tests/agent/fake_remote.h"
#include "tests/storage/store_test_util.h"

namespace syncagent {
namespace {

using nlohmann::json;
using testing::FakeRemote;

query::QuerySpec Spec(const json& query) {
  auto spec = query::ParseQuery(query);
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  return spec.ok() ? *spec : query::QuerySpec{};
}

std::vector<std::string> KeysOf(const query::QueryResult& result) {
  std::vector<std::string> keys;
  for (const query::QueryRow& row : result.rows) keys.push_back(row.key);
  return keys;
}

class AgentWatchTest : public ::testing::Test {
 protected:
  void Open(int pull_page_size = 500) {
    AgentOptions options;
    options.clock = &clock_;
    options.remote = &remote_;
    options.on_event = [this](const SyncEvent& e) {
      if (e.type == SyncEventType::kDocumentsChanged) changed_.push_back(e);
      all_events_.push_back(std::string(SyncEventTypeName(e.type)));
    };
    options.tune_engine = [pull_page_size](SyncEngineOptions& o) {
      o.pull_page_size = pull_page_size;
    };
    const std::string config = json({{"server", {{"base_url", "https://sync.invalid"}}},
                                     {"storage", {{"path", dir_.File("a.db")}}}})
                                   .dump();
    auto agent = Agent::OpenJson(config, options);
    ASSERT_TRUE(agent.ok()) << agent.status().ToString();
    agent_ = std::move(*agent);
  }

  // Watches open notes by key; every result lands in results_.
  int64_t WatchOpenNotes() {
    auto id = agent_->Watch("notes", Spec({{"selector", {{"done", false}}}, {"limit", 10}}),
                            [this](int64_t, const StatusOr<query::QueryResult>& r) {
                              ASSERT_TRUE(r.ok()) << r.status().ToString();
                              results_.push_back(KeysOf(*r));
                            });
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  testing::TempDir dir_;
  VirtualClock clock_;
  FakeRemote remote_{&clock_};
  std::unique_ptr<Agent> agent_;
  std::vector<SyncEvent> changed_;
  std::vector<std::string> all_events_;
  std::vector<std::vector<std::string>> results_;
};

TEST_F(AgentWatchTest, ALocalWriteReachesTheWatchAndTheEventBeforeItReturns) {
  Open();
  ASSERT_TRUE(agent_->Put("notes", "a", {{"done", false}}).ok());
  WatchOpenNotes();
  ASSERT_EQ(results_.size(), 1u);  // the current result, before Watch returned
  EXPECT_EQ(results_[0], (std::vector<std::string>{"a"}));
  changed_.clear();

  ASSERT_TRUE(agent_->Put("notes", "b", {{"done", false}}).ok());
  ASSERT_EQ(results_.size(), 2u);
  EXPECT_EQ(results_[1], (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(changed_.size(), 1u);
  EXPECT_EQ(changed_[0].ToJson()["keys"], json::parse(R"([{"collection":"notes","key":"b"}])"));

  // Changes that cannot alter the result: another collection, a document the selector leaves out.
  ASSERT_TRUE(agent_->Put("tasks", "t", {{"done", false}}).ok());
  ASSERT_TRUE(agent_->Put("notes", "c", {{"done", true}}).ok());
  EXPECT_EQ(results_.size(), 2u);
  EXPECT_EQ(changed_.size(), 3u);  // the event tells of every change

  // One transaction of several writes: one event, one new result.
  ASSERT_TRUE(agent_
                  ->Write({WriteOp::Put("notes", "d", {{"done", false}}),
                           WriteOp::Patch("notes", "c", {{"done", false}})})
                  .ok());
  ASSERT_EQ(results_.size(), 3u);
  EXPECT_EQ(results_[2], (std::vector<std::string>{"a", "b", "c", "d"}));
  ASSERT_EQ(changed_.size(), 4u);
  EXPECT_EQ(changed_[3].count, 2);
}

TEST_F(AgentWatchTest, APullFoldsItsKeysWithinTheThrottleAndTheWatchSeesEveryPage) {
  Open(/*pull_page_size=*/2);
  for (const char* key : {"p1", "p2", "p3", "p4", "p5"}) {
    remote_.ServerPut("notes", key, {{"done", false}});
  }
  WatchOpenNotes();
  changed_.clear();
  // The virtual clock stands still: every page after the first delivery folds into the
  // delivery at the end of the cycle.
  CycleReport report = agent_->SyncNow(Millis(10000));
  ASSERT_EQ(report.outcome, CycleOutcome::kDone) << report.ToJson().dump();
  ASSERT_EQ(changed_.size(), 1u);
  EXPECT_EQ(changed_[0].count, 5);
  EXPECT_EQ(results_.back(), (std::vector<std::string>{"p1", "p2", "p3", "p4", "p5"}));
  // documents_changed went out before cycle_finished.
  EXPECT_EQ(all_events_.back(), "cycle_finished");

  // With 300 ms per request (more than the 250 ms throttle) each page goes out on its own, and
  // no key is lost or repeated.
  remote_.set_latency(Millis(300));
  for (int i = 0; i < 5; ++i) remote_.ServerPut("notes", "q" + std::to_string(i), {{"done", true}});
  changed_.clear();
  report = agent_->SyncNow(Millis(100000));
  ASSERT_EQ(report.outcome, CycleOutcome::kDone) << report.ToJson().dump();
  EXPECT_GE(changed_.size(), 2u);
  std::multiset<std::string> keys;
  for (const SyncEvent& e : changed_) {
    for (const DocumentKey& k : e.keys) keys.insert(k.key);
  }
  EXPECT_EQ(keys, (std::multiset<std::string>{"q0", "q1", "q2", "q3", "q4"}));
  EXPECT_EQ(results_.back().size(), 5u);  // done: true is left out
}

TEST_F(AgentWatchTest, APushAckChangesTheSyncStateTheWatchShows) {
  Open();
  std::vector<std::string> states;
  auto id = agent_->Watch("notes", Spec({{"selector", json::object()}}),
                          [&](int64_t, const StatusOr<query::QueryResult>& r) {
                            ASSERT_TRUE(r.ok());
                            for (const auto& row : r->rows) {
                              states.push_back(std::string(SyncStateName(row.sync_state)));
                            }
                          });
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(agent_->Put("notes", "a", {{"v", 1}}).ok());
  ASSERT_TRUE(agent_->SyncNow(Millis(10000)).outcome == CycleOutcome::kDone);
  EXPECT_EQ(states, (std::vector<std::string>{"pending", "synced"}));
}

TEST_F(AgentWatchTest, ACallbackMayWriteAndUnwatchAndItsWriteIsDeliveredAfterIt) {
  Open();
  int calls = 0;
  int64_t id = 0;
  auto watched = agent_->Watch("notes", Spec({{"selector", json::object()}}),
                               [&](int64_t watch_id, const StatusOr<query::QueryResult>& r) {
                                 ASSERT_TRUE(r.ok());
                                 ++calls;
                                 if (calls == 2) {  // no transaction is open here: it may write
                                   EXPECT_TRUE(agent_->Put("log", "seen", {{"n", 1}}).ok());
                                   EXPECT_TRUE(agent_->Unwatch(watch_id).ok());
                                 }
                               });
  ASSERT_TRUE(watched.ok());
  id = *watched;
  changed_.clear();
  ASSERT_TRUE(agent_->Put("notes", "a", {{"v", 1}}).ok());
  EXPECT_EQ(calls, 2);
  ASSERT_EQ(changed_.size(), 2u);  // the write, then the callback's write, each after its commit
  EXPECT_EQ(changed_[1].keys.at(0).key, "seen");
  ASSERT_TRUE(agent_->Put("notes", "b", {{"v", 1}}).ok());
  EXPECT_EQ(calls, 2);  // unwatched from its own callback
  EXPECT_EQ(agent_->Unwatch(id).code(), StatusCode::kNotFound);
}

TEST_F(AgentWatchTest, BadWatchesAreRefusedAndNothingIsRegistered) {
  Open();
  auto noop = [](int64_t, const StatusOr<query::QueryResult>&) {};
  auto bad_collection = agent_->Watch("", Spec(json::object()), noop);
  EXPECT_EQ(bad_collection.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_collection.status().message().find("watch"), std::string::npos);
  query::QuerySpec with_bookmark = Spec(json::object());
  with_bookmark.bookmark = "x";
  EXPECT_EQ(agent_->Watch("notes", with_bookmark, noop).status().code(),
            StatusCode::kInvalidArgument);
  query::QuerySpec with_skip = Spec(json::object());
  with_skip.skip = 3;
  EXPECT_EQ(agent_->Watch("notes", with_skip, noop).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(agent_->Watch("notes", Spec(json::object()), nullptr).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(agent_->Unwatch(1).code(), StatusCode::kNotFound);  // none was registered
}

TEST_F(AgentWatchTest, AQueryThatFailsOnReRunReachesTheCallbackAndTheWatchStays) {
  Open();
  std::vector<std::string> seen;
  auto id = agent_->Watch(
      "notes", Spec({{"selector", json::object()}}),
      [&](int64_t, const StatusOr<query::QueryResult>& r) {
        seen.push_back(r.ok() ? "ok" : std::string(StatusCodeName(r.status().code())));
      });
  ASSERT_TRUE(id.ok());
  // Stored text the query cannot parse (written behind the store's back) makes the re-run fail.
  ASSERT_TRUE(agent_->Put("notes", "a", {{"v", 1}}).ok());
  ASSERT_EQ(testing::RawQueryInt(agent_->store_path(),
                                 "UPDATE documents SET data = '{not json' WHERE key = 'a' "
                                 "RETURNING 1"),
            1);
  ASSERT_TRUE(agent_->Put("notes", "b", {{"v", 1}}).ok());
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], "ok");
  EXPECT_EQ(seen[1], "ok");
  EXPECT_NE(seen[2], "ok");
  ASSERT_EQ(testing::RawQueryInt(agent_->store_path(),
                                 "UPDATE documents SET data = '{\"v\":2}' WHERE key = 'a' "
                                 "RETURNING 1"),
            1);
  ASSERT_TRUE(agent_->Put("notes", "c", {{"v", 1}}).ok());
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[3], "ok");  // the watch stayed
}

}  // namespace
}  // namespace syncagent
