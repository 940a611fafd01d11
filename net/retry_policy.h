// RetryPolicy: when to try a failed request again, and how long to wait first.
//
// Backoff is exponential (initial * multiplier^n, capped) with one of four jitter kinds:
//   full         — uniform in [0, d]                      (spreads a fleet best)
//   equal        — d/2 + uniform in [0, d/2]              (keeps a minimum wait)
//   decorrelated — min(cap, uniform in [initial, 3 * previous])
//   none         — exactly d
// A server's Retry-After (delay-seconds or HTTP-date) is honoured as a lower bound, capped by
// `max_retry_after`; a wait for it inside the cycle gets a random extra of up to
// `retry_after_spread` of it (when the policy gives up instead, it suggests the plain wait). The policy never waits past the caller's deadline: when the next attempt
// could not start (plus a margin) before it, the decision is "give up for this cycle", and the
// caller reports "retry later" to the OS scheduler instead of sleeping.
//
// Thread safety: a RetryPolicy is used by one request loop at a time (it owns a random state).
#ifndef SYNCAGENT_NET_RETRY_POLICY_H_
#define SYNCAGENT_NET_RETRY_POLICY_H_

#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

#include "platform/clock.h"
#include "syncagent/status.h"

namespace syncagent {

enum class BackoffJitter { kFull, kEqual, kDecorrelated, kNone };

struct RetryOptions {
  Millis initial_delay{1000};
  double multiplier = 2.0;
  Millis max_delay{60000};
  BackoffJitter jitter = BackoffJitter::kFull;
  int max_attempts = 5;  // attempts per request per cycle, the first one included
  bool honor_retry_after = true;
  Millis max_retry_after{300000};
  // A Retry-After wait gets a random extra of up to this fraction of it, so the clients a server
  // turned away together do not all come back in the same second (bench/fleet_bench).
  double retry_after_spread = 0.5;
  // The longest single wait slept inside a cycle; a longer one (a long Retry-After) ends the
  // cycle with "retry later" and the wait as the suggestion. 0 = no limit but the deadline.
  Millis max_wait_in_cycle{0};
};

// Parses a Retry-After header value: delay-seconds ("120") or an HTTP-date in any of the three
// forms of RFC 9110 (IMF-fixdate, RFC 850, asctime). A date in the past gives 0. Returns nullopt
// for anything else.
std::optional<Millis> ParseRetryAfter(std::string_view value, int64_t now_wall_ms);

// Parses an HTTP-date into milliseconds since the Unix epoch.
std::optional<int64_t> ParseHttpDate(std::string_view value);

struct RetryDecision {
  enum class Kind {
    kRetry,          // wait `delay`, then try again
    kGiveUpPermanent,// the error will not go away by retrying (permanent, or attempts exhausted)
    kGiveUpForCycle, // retryable, but not before the deadline: report "retry later"
  };
  Kind kind = Kind::kGiveUpPermanent;
  Millis delay{0};  // kRetry: how long to wait; kGiveUpForCycle: the suggested wait
};

class RetryPolicy {
 public:
  explicit RetryPolicy(RetryOptions options, uint64_t seed = std::random_device{}());

  // The delay before retry number `attempt` (1 = the first retry), jitter applied. Advances the
  // decorrelated state.
  Millis NextBackoff(int attempt);

  // Decides after failed attempt number `attempt` (1-based) with error `error`.
  // `retry_after` is the server's requested wait, if any. `deadline` bounds the whole loop;
  // `min_attempt_time` is how long an attempt needs at least (e.g. the measured round trip), so
  // that a retry that could not finish is not started.
  RetryDecision Decide(const Status& error, int attempt, std::optional<Millis> retry_after,
                       MonoTime now, std::optional<MonoTime> deadline,
                       Millis min_attempt_time = Millis(0));

  const RetryOptions& options() const { return options_; }

 private:
  RetryOptions options_;
  std::mt19937_64 rng_;
  Millis previous_{0};
};

}  // namespace syncagent

#endif  // SYNCAGENT_NET_RETRY_POLICY_H_
