// Unit tests of the public C++ class syncagent::SyncAgent (include/syncagent/agent.h). This file is
// compiled with only include/, nlohmann/json and gtest on the include path (see CMakeLists.txt), so
// it also proves that the public header stands alone; it links the shared libsyncagent.so, so it
// exercises the exported symbols. The mock server comes from cxx_server.h.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "cxx_server.h"
#include "syncagent/agent.h"

namespace syncagent {
namespace {

using nlohmann::json;

class SyncAgentTest : public ::testing::Test {
 protected:
  void SetUp() override { server_ = cxx_test::StartTestServer(); }
  void TearDown() override { cxx_test::StopTestServer(); }

  std::string Config(const std::string& db, const json& extra = json::object()) const {
    json config = {
        {"server",
         {{"base_url", server_.base_url},
          {"allow_insecure_http", true},
          {"timeouts", {{"request_ms", 5000}}}}},
        {"storage", {{"path", server_.dir + "/" + db}}},
        {"retry", {{"initial_delay_ms", 10}, {"max_delay_ms", 50}, {"max_attempts_per_cycle", 2}}}};
    config.update(extra);
    return config.dump();
  }
  std::unique_ptr<SyncAgent> Open(const std::string& db, const json& extra = json::object()) {
    auto agent = SyncAgent::OpenJson(Config(db, extra));
    EXPECT_TRUE(agent.ok()) << agent.status().ToString();
    return agent.ok() ? std::move(*agent) : nullptr;
  }

  cxx_test::TestServer server_;
};

TEST_F(SyncAgentTest, RoundTripThroughTheServer) {
  auto a = Open("a.db");
  auto b = Open("b.db");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->Put("notes", "n1", {{"title", "hello"}}).ok());
  ASSERT_TRUE(a->Patch("notes", "n1", {{"body", "world"}}).ok());
  ASSERT_TRUE(a->Put("notes", "n2", {{"title", "gone"}}).ok());
  ASSERT_TRUE(a->Delete("notes", "n2").ok());
  auto report = a->SyncNow();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ((*report)["outcome"], "done") << report->dump();

  ASSERT_TRUE(b->SyncNow(std::chrono::milliseconds(10000)).ok());
  auto doc = b->Get("notes", "n1");
  ASSERT_TRUE(doc.ok() && doc->has_value());
  EXPECT_EQ(**doc, json({{"title", "hello"}, {"body", "world"}}));
  auto gone = b->Get("notes", "n2");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
}

TEST_F(SyncAgentTest, QueryReturnsPagesWithSyncStateAndRefusesBadQueries) {
  auto a = Open("q.db");
  ASSERT_TRUE(a);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(a->Put("notes", "n" + std::to_string(i), {{"n", i}, {"odd", i % 2 == 1}}).ok());
  }
  auto page = a->Query("notes", {{"selector", {{"odd", false}}},
                                 {"sort", {{{"n", "desc"}}}},
                                 {"limit", 2}});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ((*page)["docs"].size(), 2u) << page->dump();
  EXPECT_EQ((*page)["docs"][0]["key"], "n4");
  EXPECT_EQ((*page)["docs"][0]["data"], json({{"n", 4}, {"odd", false}}));
  EXPECT_EQ((*page)["docs"][0]["rev"], "");
  EXPECT_EQ((*page)["docs"][0]["sync_state"], "pending");
  ASSERT_TRUE((*page)["bookmark"].is_string());
  auto rest = a->Query("notes", {{"selector", {{"odd", false}}},
                                 {"sort", {{{"n", "desc"}}}},
                                 {"bookmark", (*page)["bookmark"]}});
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  ASSERT_EQ((*rest)["docs"].size(), 1u);
  EXPECT_EQ((*rest)["docs"][0]["key"], "n0");
  EXPECT_TRUE((*rest)["bookmark"].is_null());

  auto bad = a->Query("notes", {{"selector", {{"n", {{"$in", 3}}}}}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "query.selector.n.$in: wrong operand type for $in: expected an array, got a number");
}

TEST_F(SyncAgentTest, ChangesListEachDocumentsLatestChangeAfterASeq) {
  auto a = Open("c.db");
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->Put("notes", "x", {{"n", 1}}).ok());
  ASSERT_TRUE(a->Put("notes", "y", {{"n", 1}}).ok());
  ASSERT_TRUE(a->Patch("notes", "x", {{"n", 2}}).ok());
  auto all = a->Changes(0);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, json::parse(R"([
      {"seq":2,"collection":"notes","key":"y","deleted":false,"source":"local","sync_state":"pending"},
      {"seq":3,"collection":"notes","key":"x","deleted":false,"source":"local","sync_state":"pending"}])"));
  auto since = a->Changes(2, 10);
  ASSERT_TRUE(since.ok());
  ASSERT_EQ(since->size(), 1u);
  EXPECT_EQ((*since)[0]["key"], "x");
  EXPECT_EQ(a->Changes(-1).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SyncAgentTest, WatchCallsBackWithEachNewResultUntilUnwatchedAndRefusesBadQueries) {
  auto a = Open("w.db");
  ASSERT_TRUE(a);
  std::vector<json> results;
  std::vector<json> changed;
  a->SetEventCallback([&](const json& event) {
    if (event["type"] == "documents_changed") changed.push_back(event["keys"]);
  });
  auto id = a->Watch("notes", {{"n", {{"$gte", 2}}}}, json::array({"n"}), 10,
                     [&](int64_t, const StatusOr<json>& result) {
                       ASSERT_TRUE(result.ok()) << result.status().ToString();
                       json keys = json::array();
                       for (const json& doc : (*result)["docs"]) keys.push_back(doc["key"]);
                       results.push_back(keys);
                     });
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  ASSERT_TRUE(a->Put("notes", "x", {{"n", 3}}).ok());
  ASSERT_TRUE(a->Put("notes", "y", {{"n", 2}}).ok());
  ASSERT_TRUE(a->Put("notes", "z", {{"n", 1}}).ok());  // outside the selector: no call
  EXPECT_EQ(results, (std::vector<json>{json::array(), {"x"}, {"y", "x"}}));
  EXPECT_EQ(changed.size(), 3u);
  EXPECT_EQ(changed[2], json::parse(R"([{"collection":"notes","key":"z"}])"));
  ASSERT_TRUE(a->Unwatch(*id).ok());
  ASSERT_TRUE(a->Put("notes", "w", {{"n", 9}}).ok());
  EXPECT_EQ(results.size(), 3u);
  EXPECT_EQ(a->Unwatch(*id).code(), StatusCode::kNotFound);

  auto noop = [](int64_t, const StatusOr<json>&) {};
  auto bad = a->Watch("notes", {{"n", {{"$in", 3}}}}, nullptr, 10, noop);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "watch.selector.n.$in: wrong operand type for $in: expected an array, got a number");
  EXPECT_EQ(a->Watch("notes", json::object(), json::array({1}), 10, noop).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(a->Watch("notes", json::object(), nullptr, 0, noop).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(a->Watch("notes", json::object(), nullptr, 10, nullptr).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(SyncAgentTest, BadInputIsAStatusNeverAnException) {
  auto none = SyncAgent::OpenJson("{\"server\":{}}");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(none.status().message().find("server.base_url"), std::string::npos);
  EXPECT_FALSE(SyncAgent::OpenFile(server_.dir + "/missing.json").ok());

  auto a = Open("m.db");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->Put("notes", "k", json::array({1, 2})).code(), StatusCode::kInvalidArgument);
  json deep = json::object();
  for (int i = 0; i < 40; ++i) deep = json{{"d", deep}};
  EXPECT_EQ(a->Put("notes", "k", deep).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(a->ResolveConflict(1, {{"action", "shrug"}}).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(a->ResolveConflict(12345, {{"action", "keep_local"}}).ok());
  EXPECT_FALSE(a->DropDeadLetter(12345).ok());
  EXPECT_FALSE(a->RetryDeadLetter(12345).ok());
  a->Cancel();  // nothing running: harmless
}

TEST_F(SyncAgentTest, ResolverDecidesAndAFailingResolverLeavesTheConflictOpen) {
  auto a = Open("ca.db");
  auto b = Open("cb.db");
  ASSERT_TRUE(a && b);
  json last_sides;
  b->SetConflictResolver([&](const json& sides) -> StatusOr<json> {
    last_sides = sides;
    return json{{"action", "use"}, {"data", {{"title", "resolved"}}}};
  });
  ASSERT_TRUE(a->Put("notes", "c1", {{"title", "base"}}).ok());
  ASSERT_TRUE(a->SyncNow().ok());
  ASSERT_TRUE(b->SyncNow().ok());
  ASSERT_TRUE(a->Put("notes", "c1", {{"title", "from A"}}).ok());
  ASSERT_TRUE(a->SyncNow().ok());
  ASSERT_TRUE(b->Put("notes", "c1", {{"title", "from B"}}).ok());
  ASSERT_TRUE(b->SyncNow().ok());
  EXPECT_EQ(last_sides["key"], "c1");
  EXPECT_EQ(last_sides["local"]["data"]["title"], "from B") << last_sides.dump();
  EXPECT_EQ(last_sides["remote"]["data"]["title"], "from A") << last_sides.dump();
  EXPECT_EQ((*b->Get("notes", "c1"))->at("title"), "resolved");

  // A resolver that fails: the conflict stays open for the app, which settles it.
  b->SetConflictResolver([](const json&) -> StatusOr<json> {
    return Status(StatusCode::kUnavailable, "ask the user later");
  });
  ASSERT_TRUE(b->SyncNow().ok());  // B's resolution reaches the server
  ASSERT_TRUE(a->SyncNow().ok());  // and A, so A's next write is not itself a conflict
  ASSERT_EQ((*a->Get("notes", "c1"))->at("title"), "resolved");
  ASSERT_TRUE(a->Put("notes", "c1", {{"title", "A again"}}).ok());
  ASSERT_TRUE(a->SyncNow().ok());
  ASSERT_TRUE(b->Put("notes", "c1", {{"title", "B again"}}).ok());
  ASSERT_TRUE(b->SyncNow().ok());
  auto open = b->ListConflicts();
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 1u) << open->dump();
  const int64_t id = (*open)[0]["id"];
  ASSERT_TRUE(b->ResolveConflict(id, {{"action", "keep_local"}}).ok());
  EXPECT_TRUE(b->ListConflicts()->empty());
  // Both are on record: the one the resolver settled and the one the app settled.
  EXPECT_EQ(b->ListConflicts(/*open_only=*/false)->size(), 2u);
  b->SetConflictResolver(nullptr);
}

TEST_F(SyncAgentTest, HeadlessRunStatusRunsAndCancelFromAnEvent) {
  auto a = Open("h.db", {{"schedule", {{"task_id", "com.example.sync"}, {"time_budget_seconds", 20}}}});
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->Put("tasks", "t1", {{"done", false}}).ok());
  auto run = a->RunHeadless({}, std::chrono::milliseconds(10000));
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->outcome, HeadlessOutcome::kSuccess) << run->report.dump();
  EXPECT_EQ(run->report["result"], "success");

  auto status = a->GetStatus();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ((*status)["queue_depth"], 0) << status->dump();
  EXPECT_TRUE(status->contains("schedule_health"));
  auto runs = a->ListRuns(5);
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0]["task_id"], "com.example.sync");
  EXPECT_EQ((*runs)[0]["result"], "success");

  // Cancel from the event callback, as an OS expiration handler would from any thread.
  std::atomic<int> started{0};
  SyncAgent* agent = a.get();
  a->SetEventCallback([&](const json& event) {
    if (event["type"] != "cycle_started") return;
    ++started;
    agent->Cancel("expired");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the watchdog polls every 5 ms
  });
  ASSERT_TRUE(a->Put("tasks", "t2", {{"done", true}}).ok());
  auto report = a->SyncNow(std::chrono::milliseconds(10000));
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(started, 1);
  EXPECT_EQ((*report)["outcome"], "partial") << report->dump();
  auto cancelled = a->RunHeadless("com.example.sync", std::chrono::milliseconds(10000));
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->outcome, HeadlessOutcome::kRetry) << cancelled->report.dump();

  a->SetEventCallback(nullptr);
  auto catch_up = a->RunHeadless();
  ASSERT_TRUE(catch_up.ok());
  EXPECT_EQ(catch_up->outcome, HeadlessOutcome::kSuccess) << catch_up->report.dump();
  EXPECT_EQ((*a->GetStatus())["queue_depth"], 0);
  EXPECT_EQ(a->ListRuns(10)->size(), 3u);
  EXPECT_TRUE(a->ListDeadLetters()->empty());
}

}  // namespace
}  // namespace syncagent
