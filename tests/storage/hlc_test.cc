#include "storage/hybrid_logical_clock.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "tests/storage/store_test_util.h"

namespace syncagent {
namespace {

using testing::StoreTest;

TEST(HlcTest, TextFormIsFixedWidthAndRoundTrips) {
  HlcStamp stamp{1767225600123, 0x2a, "c-node"};
  EXPECT_EQ(stamp.ToString(), "001767225600123-0000002a-c-node");
  auto parsed = HybridLogicalClock::Parse(stamp.ToString());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, stamp);
}

TEST(HlcTest, ParseRejectsMalformedText) {
  for (const char* bad : {"", "123", "00176722560012x-0000002a-n", "001767225600123_0000002a-n",
                          "001767225600123-0000002A-n", "001767225600123-0000002a-"}) {
    auto parsed = HybridLogicalClock::Parse(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(HlcTest, NowIsStrictlyIncreasingWithinOneMillisecond) {
  VirtualClock clock;
  HybridLogicalClock hlc(clock, "a");
  HlcStamp a = hlc.Now();
  HlcStamp b = hlc.Now();
  EXPECT_EQ(a.wall_ms, clock.WallMs());
  EXPECT_EQ(b.wall_ms, a.wall_ms);
  EXPECT_EQ(b.logical, a.logical + 1);
  clock.Advance(std::chrono::milliseconds(5));
  HlcStamp c = hlc.Now();
  EXPECT_EQ(c.wall_ms, a.wall_ms + 5);
  EXPECT_EQ(c.logical, 0u);
}

TEST(HlcTest, NowNeverGoesBackwardsWhenTheWallClockJumpsBack) {
  VirtualClock clock;
  HybridLogicalClock hlc(clock, "a");
  HlcStamp before = hlc.Now();
  clock.SetWallMs(clock.WallMs() - 3600 * 1000);
  HlcStamp after = hlc.Now();
  EXPECT_LT(HybridLogicalClock::Compare(before, after), 0);
  EXPECT_EQ(after.wall_ms, before.wall_ms);
  EXPECT_LT(before.ToString(), after.ToString());
}

TEST(HlcTest, ObserveMergesARemoteStampFromTheFuture) {
  VirtualClock clock;
  HybridLogicalClock hlc(clock, "a");
  HlcStamp remote{clock.WallMs() + 10000, 7, "b"};
  HlcStamp merged = hlc.Observe(remote);
  EXPECT_EQ(merged.wall_ms, remote.wall_ms);
  EXPECT_EQ(merged.logical, 8u);
  HlcStamp next = hlc.Now();
  EXPECT_GT(HybridLogicalClock::Compare(next, remote), 0);
}

TEST(HlcTest, ObserveOfAnOldStampStillAdvances) {
  VirtualClock clock;
  HybridLogicalClock hlc(clock, "a");
  HlcStamp first = hlc.Now();
  HlcStamp merged = hlc.Observe({first.wall_ms - 1000, 99, "b"});
  EXPECT_GT(HybridLogicalClock::Compare(merged, first), 0);
}

TEST(HlcTest, CompareBreaksTiesOnNodeAndMatchesStringOrder) {
  HlcStamp a{100, 1, "node-a"};
  HlcStamp b{100, 1, "node-b"};
  EXPECT_LT(HybridLogicalClock::Compare(a, b), 0);
  EXPECT_GT(HybridLogicalClock::Compare(b, a), 0);
  EXPECT_EQ(HybridLogicalClock::Compare(a, a), 0);
  std::vector<HlcStamp> stamps = {{5, 0, "z"}, {100, 2, "a"}, {100, 16, "a"}, {99, 255, "b"},
                                  {100, 1, "b"}, {100, 1, "a"}, {1000000, 0, "a"}};
  std::vector<HlcStamp> by_compare = stamps;
  std::sort(by_compare.begin(), by_compare.end(), [](const HlcStamp& x, const HlcStamp& y) {
    return HybridLogicalClock::Compare(x, y) < 0;
  });
  std::vector<HlcStamp> by_text = stamps;
  std::sort(by_text.begin(), by_text.end(),
            [](const HlcStamp& x, const HlcStamp& y) { return x.ToString() < y.ToString(); });
  EXPECT_EQ(by_compare, by_text);
}

TEST(HlcTest, RestoreKeepsTheClockAboveThePersistedStamp) {
  VirtualClock clock;
  HybridLogicalClock hlc(clock, "a");
  hlc.Restore({clock.WallMs() + 60000, 3, "a"});
  HlcStamp next = hlc.Now();
  EXPECT_EQ(next.wall_ms, clock.WallMs() + 60000);
  EXPECT_EQ(next.logical, 4u);
}

using StoreHlcTest = StoreTest;

TEST_F(StoreHlcTest, WritesAreStampedWithTheClientIdAsNode) {
  ASSERT_OK(store_->Put("notes", "n1", {{"a", 1}}));
  Document doc = MustGet("notes", "n1");
  auto stamp = HybridLogicalClock::Parse(doc.hlc);
  ASSERT_TRUE(stamp.ok()) << stamp.status().ToString();
  EXPECT_EQ(stamp->node, store_->client_id());
  EXPECT_EQ(stamp->wall_ms, clock_.WallMs());
  EXPECT_EQ(Peek().at(0).hlc, doc.hlc);
}

TEST_F(StoreHlcTest, StampsKeepIncreasingAfterRestartWithTheClockSetBack) {
  ASSERT_OK(store_->Put("notes", "n1", {{"a", 1}}));
  const std::string before = MustGet("notes", "n1").hlc;
  clock_.SetWallMs(clock_.WallMs() - 24 * 3600 * 1000);  // a day back
  Reopen();
  ASSERT_OK(store_->Put("notes", "n2", {{"a", 2}}));
  const std::string after = MustGet("notes", "n2").hlc;
  EXPECT_LT(before, after);
  auto a = HybridLogicalClock::Parse(before);
  auto b = HybridLogicalClock::Parse(after);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_LT(HybridLogicalClock::Compare(*a, *b), 0);
}

TEST_F(StoreHlcTest, ObservedRemoteStampsArePersistedToo) {
  const int64_t future = clock_.WallMs() + 3600 * 1000;
  auto observed = store_->ObserveHlc(HlcStamp{future, 5, "server"}.ToString());
  ASSERT_TRUE(observed.ok()) << observed.status().ToString();
  Reopen();
  auto next = store_->NewHlc();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->wall_ms, future);
  EXPECT_EQ(next->logical, 7u);
  EXPECT_FALSE(store_->ObserveHlc("garbage").ok());
}

}  // namespace
}  // namespace syncagent
