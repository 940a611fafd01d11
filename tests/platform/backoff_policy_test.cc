#include "platform/backoff_policy.h"

#include <gtest/gtest.h>

#include <chrono>

namespace syncagent {
namespace {

using namespace std::chrono_literals;

TEST(BackoffPolicyTest, ExponentialFromTheDefault30Seconds) {
  BackoffPolicy policy;
  EXPECT_EQ(policy.kind(), BackoffKind::kExponential);
  EXPECT_EQ(policy.initial(), 30s);
  EXPECT_EQ(policy.DelayForRetry(1), 30s);
  EXPECT_EQ(policy.DelayForRetry(2), 60s);
  EXPECT_EQ(policy.DelayForRetry(3), 120s);
  EXPECT_EQ(policy.DelayForRetry(4), 240s);
  EXPECT_EQ(policy.DelayForRetry(10), Millis(30'000LL * 512));  // 4 h 16 min
  EXPECT_EQ(policy.DelayForRetry(11), 5h);                      // 8 h 32 min, capped
  EXPECT_EQ(policy.DelayForRetry(1000), 5h);                    // no overflow
}

TEST(BackoffPolicyTest, LinearGrowsByInitial) {
  BackoffPolicy policy({BackoffKind::kLinear, 30s, 5h});
  EXPECT_EQ(policy.DelayForRetry(1), 30s);
  EXPECT_EQ(policy.DelayForRetry(2), 60s);
  EXPECT_EQ(policy.DelayForRetry(3), 90s);
  EXPECT_EQ(policy.DelayForRetry(600), 5h);  // 18000 s = exactly 5 h
  EXPECT_EQ(policy.DelayForRetry(601), 5h);
  EXPECT_EQ(policy.DelayForRetry(2'000'000'000), 5h);
}

TEST(BackoffPolicyTest, InitialIsClampedTo10SecondsAnd5Hours) {
  EXPECT_EQ(BackoffPolicy({BackoffKind::kExponential, 1s, 5h}).initial(), 10s);
  EXPECT_EQ(BackoffPolicy({BackoffKind::kExponential, 1s, 5h}).DelayForRetry(2), 20s);
  EXPECT_EQ(BackoffPolicy({BackoffKind::kLinear, 9h, 5h}).initial(), 5h);
  EXPECT_EQ(BackoffPolicy({BackoffKind::kLinear, 9h, 5h}).DelayForRetry(3), 5h);
}

TEST(BackoffPolicyTest, MaxCapsAndIsClampedToInitialAnd5Hours) {
  BackoffPolicy capped({BackoffKind::kExponential, 30s, 100s});
  EXPECT_EQ(capped.DelayForRetry(3), 100s);
  EXPECT_EQ(BackoffPolicy({BackoffKind::kExponential, 60s, 1s}).max(), 60s);
  EXPECT_EQ(BackoffPolicy({BackoffKind::kExponential, 60s, 24h}).max(), 5h);
}

TEST(BackoffPolicyTest, CounterCountsRetriesAndResetsOnSuccess) {
  BackoffPolicy policy;
  EXPECT_EQ(policy.attempt(), 1);
  EXPECT_EQ(policy.RecordRetry(), 30s);
  EXPECT_EQ(policy.RecordRetry(), 60s);
  EXPECT_EQ(policy.RecordRetry(), 120s);
  EXPECT_EQ(policy.retries(), 3);
  EXPECT_EQ(policy.attempt(), 4);
  policy.Reset();
  EXPECT_EQ(policy.attempt(), 1);
  EXPECT_EQ(policy.RecordRetry(), 30s);
}

TEST(BackoffPolicyTest, CustomLimitsForFastTests) {
  BackoffPolicy policy({BackoffKind::kExponential, 5ms, 1s}, BackoffLimits{1ms, 1s});
  EXPECT_EQ(policy.initial(), 5ms);
  EXPECT_EQ(policy.DelayForRetry(3), 20ms);
}

}  // namespace
}  // namespace syncagent
