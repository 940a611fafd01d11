#include "platform/clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "platform/cancel_token.h"

namespace syncagent {
namespace {

using namespace std::chrono_literals;

TEST(VirtualClockTest, SleepAdvancesBothAxes) {
  VirtualClock clock(1000);
  MonoTime t0 = clock.Now();
  EXPECT_TRUE(clock.SleepFor(1500ms, nullptr));
  EXPECT_EQ(clock.Now() - t0, 1500ms);
  EXPECT_EQ(clock.WallMs(), 2500);
  EXPECT_EQ(clock.total_slept(), 1500ms);
}

TEST(VirtualClockTest, WallJumpDoesNotMoveMonotonic) {
  VirtualClock clock(10'000);
  clock.Advance(5s);
  MonoTime before = clock.Now();
  clock.SetWallMs(2'000);  // backwards jump
  EXPECT_EQ(clock.WallMs(), 2'000);
  EXPECT_EQ(clock.Now(), before);
  clock.Advance(1s);
  EXPECT_EQ(clock.WallMs(), 3'000);
}

TEST(VirtualClockTest, CancelledSleepReturnsFalseWithoutAdvancing) {
  VirtualClock clock;
  CancelToken cancel;
  cancel.Cancel("expired");
  MonoTime t0 = clock.Now();
  EXPECT_FALSE(clock.SleepFor(10s, &cancel));
  EXPECT_EQ(clock.Now(), t0);
  EXPECT_EQ(cancel.reason(), "expired");
}

TEST(CancelTokenTest, FirstReasonWins) {
  CancelToken cancel;
  EXPECT_FALSE(cancel.IsCancelled());
  cancel.Cancel("os expiration");
  cancel.Cancel("second");
  EXPECT_TRUE(cancel.IsCancelled());
  EXPECT_EQ(cancel.reason(), "os expiration");
}

TEST(RealClockTest, CancelWakesSleeperEarly) {
  RealClock clock;
  CancelToken cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(20ms);
    cancel.Cancel();
  });
  MonoTime t0 = clock.Now();
  bool completed = clock.SleepFor(30s, &cancel);
  auto waited = clock.Now() - t0;
  canceller.join();
  EXPECT_FALSE(completed);
  // Correctness bound, not a speed target: the sleep must end because of the cancel, not the 30s.
  EXPECT_LT(waited, 10s);
}

TEST(RealClockTest, MonotonicNeverGoesBackwards) {
  RealClock clock;
  MonoTime prev = clock.Now();
  for (int i = 0; i < 1000; ++i) {
    MonoTime now = clock.Now();
    EXPECT_GE(now, prev);
    prev = now;
  }
  EXPECT_GT(clock.WallMs(), 1'600'000'000'000);
}

}  // namespace
}  // namespace syncagent
