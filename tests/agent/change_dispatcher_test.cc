// ChangeDispatcher (agent/change_dispatcher.h): documents_changed folds the keys of committed
// transactions within the throttle without losing one, a delivery never starts inside a callback
// nor on a second thread, and a watch is re-run only for its own collection.
#include "agent/change_dispatcher.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>
#include <vector>

namespace syncagent {
namespace {

using namespace std::chrono_literals;

std::vector<DocumentKey> Keys(std::initializer_list<const char*> keys) {
  std::vector<DocumentKey> out;
  for (const char* k : keys) out.push_back(DocumentKey{"notes", k});
  return out;
}

std::vector<std::string> KeyNames(const SyncEvent& event) {
  std::vector<std::string> names;
  for (const DocumentKey& k : event.keys) names.push_back(k.collection + "/" + k.key);
  return names;
}

class ChangeDispatcherTest : public ::testing::Test {
 protected:
  ChangeDispatcherTest()
      : dispatcher_(&clock_, 100ms, [this](std::string_view collection, const query::QuerySpec&) {
          queried_.push_back(std::string(collection));
          return StatusOr<query::QueryResult>(result_);
        }) {
    dispatcher_.SetEventCallback([this](const SyncEvent& e) { events_.push_back(e); });
  }

  VirtualClock clock_;
  std::vector<SyncEvent> events_;
  std::vector<std::string> queried_;
  query::QueryResult result_;
  ChangeDispatcher dispatcher_;
};

TEST_F(ChangeDispatcherTest, TheKeysOfSeveralCommitsGoOutInOneEventEachOnce) {
  dispatcher_.OnCommit(Keys({"b", "a"}));
  dispatcher_.OnCommit({DocumentKey{"tasks", "t"}, DocumentKey{"notes", "b"}});
  dispatcher_.Deliver(ChangeDispatcher::When::kNow);
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(KeyNames(events_[0]), (std::vector<std::string>{"notes/a", "notes/b", "tasks/t"}));
  const nlohmann::json j = events_[0].ToJson();
  EXPECT_EQ(j["type"], "documents_changed");
  EXPECT_EQ(j["count"], 3);
  EXPECT_EQ(j["keys"][2], (nlohmann::json{{"collection", "tasks"}, {"key", "t"}}));
  dispatcher_.Deliver(ChangeDispatcher::When::kNow);  // nothing queued: nothing sent
  EXPECT_EQ(events_.size(), 1u);
}

TEST_F(ChangeDispatcherTest, AThrottledDeliveryWaitsForTheIntervalAndLosesNoKey) {
  dispatcher_.OnCommit(Keys({"a"}));
  dispatcher_.Deliver(ChangeDispatcher::When::kThrottled);  // the first goes out at once
  dispatcher_.OnCommit(Keys({"b"}));
  dispatcher_.Deliver(ChangeDispatcher::When::kThrottled);
  clock_.Advance(50ms);
  dispatcher_.OnCommit(Keys({"c", "b"}));
  dispatcher_.Deliver(ChangeDispatcher::When::kThrottled);
  ASSERT_EQ(events_.size(), 1u);
  clock_.Advance(60ms);  // 110 ms after the first delivery
  dispatcher_.Deliver(ChangeDispatcher::When::kThrottled);
  ASSERT_EQ(events_.size(), 2u);
  EXPECT_EQ(KeyNames(events_[1]), (std::vector<std::string>{"notes/b", "notes/c"}));
  dispatcher_.OnCommit(Keys({"d"}));
  dispatcher_.Deliver(ChangeDispatcher::When::kNow);  // kNow ignores the interval
  ASSERT_EQ(events_.size(), 3u);
  EXPECT_EQ(KeyNames(events_[2]), (std::vector<std::string>{"notes/d"}));
}

TEST_F(ChangeDispatcherTest, AWriteInsideACallbackIsDeliveredAfterItNotInsideIt) {
  int depth = 0;
  int max_depth = 0;
  dispatcher_.SetEventCallback([&](const SyncEvent& e) {
    ++depth;
    max_depth = std::max(max_depth, depth);
    events_.push_back(e);
    if (events_.size() == 1) {  // the app writes from its callback
      dispatcher_.OnCommit(Keys({"from-callback"}));
      dispatcher_.Deliver(ChangeDispatcher::When::kNow);
    }
    --depth;
  });
  dispatcher_.OnCommit(Keys({"a"}));
  dispatcher_.Deliver(ChangeDispatcher::When::kNow);
  ASSERT_EQ(events_.size(), 2u);  // the delivering loop took the callback's key
  EXPECT_EQ(max_depth, 1);
  EXPECT_EQ(KeyNames(events_[1]), (std::vector<std::string>{"notes/from-callback"}));

  // Inside any of the agent's callbacks (the engine's events, the resolver), nothing starts.
  {
    ChangeDispatcher::CallbackScope scope(&dispatcher_);
    EXPECT_TRUE(dispatcher_.InCallback());
    dispatcher_.OnCommit(Keys({"x"}));
    dispatcher_.Deliver(ChangeDispatcher::When::kNow);
    EXPECT_EQ(events_.size(), 2u);
  }
  EXPECT_FALSE(dispatcher_.InCallback());
  dispatcher_.Deliver(ChangeDispatcher::When::kNow);  // the next delivery point
  ASSERT_EQ(events_.size(), 3u);
  EXPECT_EQ(KeyNames(events_[2]), (std::vector<std::string>{"notes/x"}));
}

TEST_F(ChangeDispatcherTest, AnotherThreadsKeysAreLeftToTheThreadThatIsDelivering) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  dispatcher_.SetEventCallback([&](const SyncEvent& e) {
    events_.push_back(e);
    if (events_.size() == 1) {
      entered.set_value();
      released.wait();
    }
  });
  dispatcher_.OnCommit(Keys({"a"}));
  std::thread deliverer([&] { dispatcher_.Deliver(ChangeDispatcher::When::kNow); });
  entered.get_future().wait();
  // This thread commits while the other one is inside the callback: its Deliver returns at
  // once (it would deadlock on the event callback otherwise) and leaves the key to the other.
  dispatcher_.OnCommit(Keys({"b"}));
  dispatcher_.Deliver(ChangeDispatcher::When::kNow);
  EXPECT_EQ(events_.size(), 1u);
  release.set_value();
  deliverer.join();
  ASSERT_EQ(events_.size(), 2u);
  EXPECT_EQ(KeyNames(events_[1]), (std::vector<std::string>{"notes/b"}));
}

TEST_F(ChangeDispatcherTest, AWatchRunsAtOnceAndThenOnlyForItsCollectionWhenTheResultChanges) {
  std::vector<size_t> calls;  // rows in each result delivered
  const int64_t id = dispatcher_.Watch(
      "notes", query::QuerySpec{}, [&](int64_t watch_id, const StatusOr<query::QueryResult>& r) {
        EXPECT_EQ(watch_id, 1);
        ASSERT_TRUE(r.ok());
        calls.push_back(r->rows.size());
      });
  EXPECT_EQ(id, 1);
  ASSERT_EQ(calls.size(), 1u);  // the current result, before Watch returned
  dispatcher_.OnCommit({DocumentKey{"tasks", "t"}});
  dispatcher_.Deliver(ChangeDispatcher::When::kNow);
  EXPECT_EQ(queried_, (std::vector<std::string>{"notes"}));  // not re-run for tasks
  dispatcher_.OnCommit(Keys({"a"}));
  dispatcher_.Deliver(ChangeDispatcher::When::kNow);
  EXPECT_EQ(queried_.size(), 2u);
  EXPECT_EQ(calls.size(), 1u);  // re-run, same result: no call
  result_.rows.push_back(query::QueryRow{"a", {{"v", 1}}, "", SyncState::kPending});
  dispatcher_.OnCommit(Keys({"a"}));
  dispatcher_.Deliver(ChangeDispatcher::When::kNow);
  EXPECT_EQ(calls, (std::vector<size_t>{0, 1}));
  ASSERT_TRUE(dispatcher_.Unwatch(id).ok());
  result_.rows.clear();
  dispatcher_.OnCommit(Keys({"a"}));
  dispatcher_.Deliver(ChangeDispatcher::When::kNow);
  EXPECT_EQ(calls.size(), 2u);
  EXPECT_EQ(dispatcher_.Unwatch(id).code(), StatusCode::kNotFound);
}

TEST_F(ChangeDispatcherTest, AThrowingCallbackDoesNotStopLaterDeliveries) {
  dispatcher_.SetEventCallback([&](const SyncEvent& e) {
    events_.push_back(e);
    throw std::runtime_error("the app's bug");
  });
  dispatcher_.OnCommit(Keys({"a"}));
  dispatcher_.Deliver(ChangeDispatcher::When::kNow);
  dispatcher_.OnCommit(Keys({"b"}));
  dispatcher_.Deliver(ChangeDispatcher::When::kNow);
  EXPECT_EQ(events_.size(), 2u);
}

}  // namespace
}  // namespace syncagent
