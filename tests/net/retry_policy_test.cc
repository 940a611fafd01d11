#include "net/retry_policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>
#include <vector>

namespace syncagent {
namespace {

using namespace std::chrono_literals;

RetryOptions Options(BackoffJitter jitter) {
  RetryOptions o;
  o.initial_delay = 100ms;
  o.multiplier = 2.0;
  o.max_delay = 1600ms;
  o.jitter = jitter;
  o.max_attempts = 10;
  o.retry_after_spread = 0;  // exact waits; the spread has its own tests
  return o;
}

TEST(RetryPolicyTest, NoJitterIsExactExponentialWithCap) {
  RetryPolicy policy(Options(BackoffJitter::kNone), 1);
  std::vector<int64_t> delays;
  for (int attempt = 1; attempt <= 7; ++attempt) delays.push_back(policy.NextBackoff(attempt).count());
  EXPECT_EQ(delays, (std::vector<int64_t>{100, 200, 400, 800, 1600, 1600, 1600}));
}

// Statistical checks of each jitter distribution over many draws: bounds always hold, and the
// mean lands where the distribution puts it (within a tolerance that a broken formula misses).
TEST(RetryPolicyTest, FullJitterIsUniformBelowTheExponentialDelay) {
  RetryPolicy policy(Options(BackoffJitter::kFull), 42);
  const int n = 20000;
  double sum = 0;
  int64_t lo = 1 << 30, hi = 0;
  for (int i = 0; i < n; ++i) {
    int64_t d = policy.NextBackoff(4).count();  // raw delay 800
    ASSERT_GE(d, 0);
    ASSERT_LE(d, 800);
    sum += static_cast<double>(d);
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_NEAR(sum / n, 400.0, 12.0);
  EXPECT_LT(lo, 20);
  EXPECT_GT(hi, 780);
}

TEST(RetryPolicyTest, EqualJitterKeepsHalfTheDelay) {
  RetryPolicy policy(Options(BackoffJitter::kEqual), 43);
  const int n = 20000;
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    int64_t d = policy.NextBackoff(4).count();
    ASSERT_GE(d, 400);
    ASSERT_LE(d, 800);
    sum += static_cast<double>(d);
  }
  EXPECT_NEAR(sum / n, 600.0, 8.0);
}

TEST(RetryPolicyTest, DecorrelatedJitterStaysBetweenInitialAndCapAndGrows) {
  RetryPolicy policy(Options(BackoffJitter::kDecorrelated), 44);
  double early = 0, late = 0;
  const int runs = 2000;
  for (int r = 0; r < runs; ++r) {
    RetryPolicy p(Options(BackoffJitter::kDecorrelated), 1000 + r);
    for (int attempt = 1; attempt <= 8; ++attempt) {
      int64_t d = p.NextBackoff(attempt).count();
      ASSERT_GE(d, 100);
      ASSERT_LE(d, 1600);
      if (attempt == 1) early += static_cast<double>(d);
      if (attempt == 8) late += static_cast<double>(d);
    }
  }
  // First draw is uniform in [100, 300]; after several steps the delays approach the cap.
  EXPECT_NEAR(early / runs, 200.0, 10.0);
  EXPECT_GT(late / runs, 700.0);
}

TEST(RetryPolicyTest, SameSeedSameSequence) {
  RetryPolicy a(Options(BackoffJitter::kFull), 7), b(Options(BackoffJitter::kFull), 7);
  for (int i = 1; i < 20; ++i) EXPECT_EQ(a.NextBackoff(i), b.NextBackoff(i));
}

TEST(RetryPolicyTest, PermanentAndAuthErrorsAreNotRetried) {
  RetryPolicy policy(Options(BackoffJitter::kNone), 1);
  MonoTime now{0};
  auto d1 = policy.Decide(Status(StatusCode::kInvalidArgument, "bad", RetryClass::kPermanent), 1,
                          std::nullopt, now, std::nullopt);
  EXPECT_EQ(d1.kind, RetryDecision::Kind::kGiveUpPermanent);
  auto d2 = policy.Decide(UnauthenticatedError("401"), 1, std::nullopt, now, std::nullopt);
  EXPECT_EQ(d2.kind, RetryDecision::Kind::kGiveUpPermanent);
}

TEST(RetryPolicyTest, NetworkErrorsWaitForConnectivityInsteadOfRetrying) {
  RetryPolicy policy(Options(BackoffJitter::kNone), 1);
  auto d = policy.Decide(UnavailableError("no route", RetryClass::kNetwork), 1, std::nullopt,
                         MonoTime{0}, std::nullopt);
  EXPECT_EQ(d.kind, RetryDecision::Kind::kGiveUpForCycle);
}

TEST(RetryPolicyTest, TransientErrorsRetryUntilAttemptsRunOut) {
  RetryOptions o = Options(BackoffJitter::kNone);
  o.max_attempts = 3;
  RetryPolicy policy(o, 1);
  Status err = UnavailableError("503");
  EXPECT_EQ(policy.Decide(err, 1, std::nullopt, MonoTime{0}, std::nullopt).kind,
            RetryDecision::Kind::kRetry);
  EXPECT_EQ(policy.Decide(err, 2, std::nullopt, MonoTime{0}, std::nullopt).kind,
            RetryDecision::Kind::kRetry);
  EXPECT_EQ(policy.Decide(err, 3, std::nullopt, MonoTime{0}, std::nullopt).kind,
            RetryDecision::Kind::kGiveUpForCycle);
}

TEST(RetryPolicyTest, RetryAfterIsALowerBoundCappedByConfig) {
  RetryOptions o = Options(BackoffJitter::kNone);
  o.max_retry_after = 5s;
  RetryPolicy policy(o, 1);
  Status err = UnavailableError("503");
  auto d = policy.Decide(err, 1, Millis(3000), MonoTime{0}, std::nullopt);
  EXPECT_EQ(d.kind, RetryDecision::Kind::kRetry);
  EXPECT_EQ(d.delay, 3000ms);
  auto capped = policy.Decide(err, 1, Millis(3600000), MonoTime{0}, std::nullopt);
  EXPECT_EQ(capped.delay, 5000ms);
  auto smaller = policy.Decide(err, 1, Millis(10), MonoTime{0}, std::nullopt);
  EXPECT_EQ(smaller.delay, 100ms);  // the backoff is larger than the server's ask
}

TEST(RetryPolicyTest, RetryAfterGetsUpToHalfAgainAsRandomExtra) {
  RetryOptions o = Options(BackoffJitter::kNone);
  o.retry_after_spread = 0.5;
  RetryPolicy policy(o, 7);
  Status err = UnavailableError("503");
  std::set<int64_t> seen;
  double sum = 0;
  const int n = 2000;
  for (int i = 0; i < n; ++i) {
    auto d = policy.Decide(err, 1, Millis(10000), MonoTime{0}, std::nullopt);
    ASSERT_EQ(d.kind, RetryDecision::Kind::kRetry);
    ASSERT_GE(d.delay, 10000ms);
    ASSERT_LE(d.delay, 15000ms);
    seen.insert(d.delay.count());
    sum += static_cast<double>(d.delay.count());
  }
  EXPECT_GT(seen.size(), 1000u) << "the extra is not random";
  EXPECT_NEAR(sum / n, 12500.0, 150.0);  // uniform extra: mean at a quarter of the ask
  // The cap applies before the extra.
  o.max_retry_after = 4s;
  RetryPolicy capped(o, 7);
  auto d = capped.Decide(err, 1, Millis(3600000), MonoTime{0}, std::nullopt);
  EXPECT_GE(d.delay, 4000ms);
  EXPECT_LE(d.delay, 6000ms);
}

TEST(RetryPolicyTest, AWaitLongerThanTheInCycleLimitEndsTheCycle) {
  RetryOptions o = Options(BackoffJitter::kNone);
  o.max_wait_in_cycle = 5s;
  RetryPolicy policy(o, 1);
  Status err = UnavailableError("503");
  const MonoTime now{0};
  const MonoTime deadline = now + 25s;
  EXPECT_EQ(policy.Decide(err, 1, Millis(5000), now, deadline).kind, RetryDecision::Kind::kRetry);
  auto d = policy.Decide(err, 1, Millis(20000), now, deadline);  // fits the deadline, not the limit
  EXPECT_EQ(d.kind, RetryDecision::Kind::kGiveUpForCycle);
  EXPECT_EQ(d.delay, 20000ms);  // suggested for the next wake-up
  o.max_wait_in_cycle = 0ms;    // 0: only the deadline limits
  RetryPolicy unlimited(o, 1);
  EXPECT_EQ(unlimited.Decide(err, 1, Millis(20000), now, deadline).kind,
            RetryDecision::Kind::kRetry);
}

TEST(RetryPolicyTest, RetryAfterIgnoredWhenNotHonoured) {
  RetryOptions o = Options(BackoffJitter::kNone);
  o.honor_retry_after = false;
  RetryPolicy policy(o, 1);
  auto d = policy.Decide(UnavailableError("503"), 1, Millis(30000), MonoTime{0}, std::nullopt);
  EXPECT_EQ(d.delay, 100ms);
}

TEST(RetryPolicyTest, NeverWaitsPastTheDeadline) {
  RetryPolicy policy(Options(BackoffJitter::kNone), 1);
  const MonoTime now{0};
  const MonoTime deadline = now + 1s;
  // Backoff 100 ms + a 500 ms round trip fits in 1 s: retry.
  EXPECT_EQ(policy.Decide(UnavailableError("x"), 1, std::nullopt, now, deadline, 500ms).kind,
            RetryDecision::Kind::kRetry);
  // Retry-After of 2 s does not fit: give up for the cycle and suggest the wait.
  auto d = policy.Decide(UnavailableError("x"), 1, Millis(2000), now, deadline);
  EXPECT_EQ(d.kind, RetryDecision::Kind::kGiveUpForCycle);
  EXPECT_EQ(d.delay, 2000ms);
}

TEST(RetryAfterTest, DelaySeconds) {
  EXPECT_EQ(ParseRetryAfter("120", 0), Millis(120000));
  EXPECT_EQ(ParseRetryAfter(" 0 ", 0), Millis(0));
  EXPECT_EQ(ParseRetryAfter("99999999999999999999", 0), Millis(int64_t{999999999} * 1000));
  EXPECT_EQ(ParseRetryAfter("-5", 0), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("1.5", 0), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("", 0), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", 0), std::nullopt);
}

TEST(RetryAfterTest, HttpDateInAllThreeForms) {
  // 1994-11-06T08:49:37Z = 784111777 s since the epoch (RFC 9110's example date).
  const int64_t when = int64_t{784111777} * 1000;
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), when);
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), when);
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994"), when);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", when - 30000), Millis(30000));
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", when + 5000), Millis(0));  // past
}

TEST(RetryAfterTest, MalformedDatesAreRejected) {
  EXPECT_EQ(ParseHttpDate("Sun, 06 Foo 1994 08:49:37 GMT"), std::nullopt);
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 25:49:37 GMT"), std::nullopt);
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 PST"), std::nullopt);
  EXPECT_EQ(ParseHttpDate("Sun, 6 Nov 1994 08:49:37"), std::nullopt);
  EXPECT_EQ(ParseHttpDate("2026-11-25T00:00:00Z"), std::nullopt);
}

}  // namespace
}  // namespace syncagent
