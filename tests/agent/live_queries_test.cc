// LiveQueries (agent/live_queries.h): a watch calls back when its result changed or its query
// failed; Remove is immediate (waits for a running callback, works from inside it) and an
// unknown id is kNotFound.
#include "agent/live_queries.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

namespace syncagent {
namespace {

query::QueryResult Rows(std::initializer_list<const char*> keys) {
  query::QueryResult result;
  for (const char* k : keys) result.rows.push_back(query::QueryRow{k, {{"k", k}}, "", {}});
  return result;
}

TEST(LiveQueriesTest, AWatchCallsBackWhenItsResultChangedOrItsQueryFailed) {
  LiveQueries watches;
  StatusOr<query::QueryResult> next = Rows({"a"});
  const QueryFn query = [&](std::string_view, const query::QuerySpec&) { return next; };
  std::vector<std::string> seen;
  watches.Add("notes", {}, [&](int64_t, const StatusOr<query::QueryResult>& r) {
    seen.push_back(r.ok() ? std::to_string(r->rows.size()) + " rows" : r.status().message());
  });
  auto evaluate_due = [&] {
    for (const auto& w : watches.TakeDue()) LiveQueries::Evaluate(*w, query);
  };
  EXPECT_TRUE(watches.AnyDue());  // new: due for its first result
  evaluate_due();
  EXPECT_FALSE(watches.AnyDue());
  EXPECT_FALSE(watches.MarkTouched({DocumentKey{"tasks", "t"}}));
  EXPECT_TRUE(watches.MarkTouched({DocumentKey{"notes", "x"}}));
  evaluate_due();  // same rows: no call
  next->rows[0].sync_state = SyncState::kSynced;
  next->rows[0].rev = "2";  // acknowledged: a change the app sees
  watches.MarkTouched({DocumentKey{"notes", "a"}});
  evaluate_due();
  next = UnavailableError("database is locked");
  watches.MarkTouched({DocumentKey{"notes", "a"}});
  evaluate_due();
  next = Rows({"a"});
  next->rows[0].rev = "2";
  watches.MarkTouched({DocumentKey{"notes", "a"}});
  evaluate_due();  // after an error, the next result goes out even if it is the last one seen
  EXPECT_EQ(seen, (std::vector<std::string>{"1 rows", "1 rows", "database is locked", "1 rows"}));
}

TEST(LiveQueriesTest, RemoveOfAnUnknownIdIsNotFoundAndARemovedWatchIsNeverCalled) {
  LiveQueries watches;
  int calls = 0;
  const int64_t id = watches.Add("notes", {}, [&](int64_t, const auto&) { ++calls; });
  auto taken = watches.TakeDue();
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_TRUE(watches.Remove(id).ok());
  // Taken for a delivery before the removal, evaluated after it: skipped.
  LiveQueries::Evaluate(*taken[0], [](std::string_view, const query::QuerySpec&) {
    return StatusOr<query::QueryResult>(query::QueryResult{});
  });
  EXPECT_EQ(calls, 0);
  const Status again = watches.Remove(id);
  EXPECT_EQ(again.code(), StatusCode::kNotFound);
  EXPECT_NE(again.message().find("watch 1"), std::string::npos) << again.ToString();
  EXPECT_EQ(watches.Remove(42).code(), StatusCode::kNotFound);
}

TEST(LiveQueriesTest, AWatchMayRemoveItselfFromItsCallback) {
  LiveQueries watches;
  int calls = 0;
  Status removed = InternalError("not called");
  watches.Add("notes", {}, [&](int64_t id, const auto&) {
    ++calls;
    removed = watches.Remove(id);  // does not wait for itself
  });
  const QueryFn query = [](std::string_view, const query::QuerySpec&) {
    return StatusOr<query::QueryResult>(Rows({"a"}));
  };
  for (const auto& w : watches.TakeDue()) LiveQueries::Evaluate(*w, query);
  EXPECT_TRUE(removed.ok()) << removed.ToString();
  EXPECT_FALSE(watches.MarkTouched({DocumentKey{"notes", "a"}}));
  EXPECT_EQ(calls, 1);
}

TEST(LiveQueriesTest, RemoveReturnsOnlyAfterTheRunningCallbackReturned) {
  LiveQueries watches;
  std::promise<void> entered;
  std::promise<void> release;
  std::atomic<bool> callback_done{false};
  const int64_t id = watches.Add("notes", {}, [&](int64_t, const auto&) {
    entered.set_value();
    release.get_future().wait();
    callback_done = true;
  });
  auto due = watches.TakeDue();
  std::thread deliverer([&] {
    LiveQueries::Evaluate(*due[0], [](std::string_view, const query::QuerySpec&) {
      return StatusOr<query::QueryResult>(query::QueryResult{});
    });
  });
  entered.get_future().wait();
  std::atomic<bool> remove_returned{false};
  bool done_when_removed = false;
  std::thread remover([&] {
    EXPECT_TRUE(watches.Remove(id).ok());
    done_when_removed = callback_done.load();
    remove_returned = true;
  });
  EXPECT_FALSE(remove_returned.load());  // the callback is still blocked
  release.set_value();
  remover.join();
  deliverer.join();
  EXPECT_TRUE(done_when_removed);
}

TEST(LiveQueriesTest, SameQueryResultComparesRowsInOrderAndTheBookmark) {
  EXPECT_TRUE(SameQueryResult(Rows({"a", "b"}), Rows({"a", "b"})));
  EXPECT_FALSE(SameQueryResult(Rows({"a", "b"}), Rows({"b", "a"})));
  EXPECT_FALSE(SameQueryResult(Rows({"a"}), Rows({"a", "b"})));
  query::QueryResult other_data = Rows({"a"});
  other_data.rows[0].data = {{"k", "changed"}};
  EXPECT_FALSE(SameQueryResult(Rows({"a"}), other_data));
  query::QueryResult bookmarked = Rows({"a"});
  bookmarked.bookmark = "x";
  EXPECT_FALSE(SameQueryResult(Rows({"a"}), bookmarked));
}

}  // namespace
}  // namespace syncagent
