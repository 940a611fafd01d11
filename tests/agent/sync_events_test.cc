#include "agent/sync_events.h"

#include <gtest/gtest.h>

#include <vector>

namespace syncagent {
namespace {

using namespace std::chrono_literals;

SyncEvent Progress(SyncEventType type, int64_t count) {
  SyncEvent e;
  e.type = type;
  e.count = count;
  return e;
}

TEST(EventEmitterTest, ProgressEventsAreFoldedWithinTheThrottleInterval) {
  VirtualClock clock;
  std::vector<SyncEvent> seen;
  EventEmitter emitter(&clock, [&](const SyncEvent& e) { seen.push_back(e); }, 100ms);
  emitter.Emit(Progress(SyncEventType::kPagePulled, 10));  // first one goes out at once
  for (int i = 0; i < 50; ++i) {
    clock.Advance(1ms);
    emitter.Emit(Progress(SyncEventType::kPagePulled, 10));
  }
  ASSERT_EQ(seen.size(), 1u);
  clock.Advance(60ms);
  emitter.Emit(Progress(SyncEventType::kPagePulled, 10));  // 111 ms after the first: delivered
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].count, 510);
  emitter.Emit(Progress(SyncEventType::kPagePulled, 7));
  emitter.Flush();
  ASSERT_EQ(seen.size(), 3u);
  int64_t total = 0;
  for (const auto& e : seen) total += e.count;
  EXPECT_EQ(total, 527);  // nothing lost
}

TEST(EventEmitterTest, OtherEventsFlushProgressFirstAndAreNeverThrottled) {
  VirtualClock clock;
  std::vector<SyncEvent> seen;
  EventEmitter emitter(&clock, [&](const SyncEvent& e) { seen.push_back(e); }, 1h);
  emitter.Emit(Progress(SyncEventType::kBatchPushed, 1));
  emitter.Emit(Progress(SyncEventType::kBatchPushed, 2));
  SyncEvent conflict;
  conflict.type = SyncEventType::kConflict;
  conflict.collection = "notes";
  conflict.key = "n1";
  emitter.Emit(conflict);
  emitter.Emit(conflict);
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[1].type, SyncEventType::kBatchPushed);
  EXPECT_EQ(seen[1].count, 2);  // the fold was flushed before the conflict
  EXPECT_EQ(seen[2].type, SyncEventType::kConflict);
  EXPECT_EQ(seen[3].type, SyncEventType::kConflict);
  EXPECT_EQ(seen[2].ToJson()["type"], "conflict");
  EXPECT_EQ(seen[2].ToJson()["key"], "n1");
}

TEST(EventEmitterTest, ChangingProgressTypeFlushesTheOtherType) {
  VirtualClock clock;
  std::vector<SyncEvent> seen;
  EventEmitter emitter(&clock, [&](const SyncEvent& e) { seen.push_back(e); }, 1h);
  emitter.Emit(Progress(SyncEventType::kBatchPushed, 1));
  emitter.Emit(Progress(SyncEventType::kBatchPushed, 4));
  emitter.Emit(Progress(SyncEventType::kPagePulled, 9));
  emitter.Flush();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[1].type, SyncEventType::kBatchPushed);
  EXPECT_EQ(seen[1].count, 4);
  EXPECT_EQ(seen[2].type, SyncEventType::kPagePulled);
  EXPECT_EQ(seen[2].count, 9);
}

// Without a callback (an app that does not listen) every path that delivers an event is a
// no-op: a progress event sent at once, one folded then flushed by another type, a non-progress
// event, an explicit Flush. Calling the empty callback would throw std::bad_function_call.
TEST(EventEmitterTest, WithoutACallbackEveryDeliveryIsANoOp) {
  VirtualClock clock;
  for (EventCallback none : {EventCallback(nullptr), EventCallback()}) {
    EventEmitter emitter(&clock, none, 10ms);
    EXPECT_NO_THROW(emitter.Emit(Progress(SyncEventType::kPagePulled, 1)));   // delivered at once
    EXPECT_NO_THROW(emitter.Emit(Progress(SyncEventType::kPagePulled, 2)));   // folded
    EXPECT_NO_THROW(emitter.Emit(Progress(SyncEventType::kBatchPushed, 3)));  // flushes the fold
    SyncEvent conflict;
    conflict.type = SyncEventType::kConflict;
    EXPECT_NO_THROW(emitter.Emit(conflict));  // flushes kBatchPushed, then delivers
    EXPECT_NO_THROW(emitter.Emit(Progress(SyncEventType::kPagePulled, 4)));
    EXPECT_NO_THROW(emitter.Flush());
  }
}

}  // namespace
}  // namespace syncagent
