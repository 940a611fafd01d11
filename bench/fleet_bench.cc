// fleet_bench: the request rate a fleet of devices puts on the server around an outage, on a
// virtual clock (issue: benchmarks against the physical floor, item 6). No network: each device
// is a wake-up schedule plus the real retry classes.
//
// Model, per device (all times virtual, milliseconds):
//   - a periodic task every 15 minutes; with schedule jitter each interval is drawn uniform in
//     15 min ± jitter_percent (as InProcessScheduler::Jittered does); the first wake is uniform
//     in [0, 15 min) (devices were not installed together);
//   - a wake runs one idle cycle = one pull request while the server is up (sync_bench idle
//     measures that a warm idle cycle is exactly one request);
//   - while the server is down every request fails with 503 (transient), optionally with a
//     Retry-After; the cycle's retry loop is the real RetryPolicy (the config defaults: 1 s
//     initial, x2, 60 s cap, 5 attempts, full jitter or none) against the cycle's own deadline
//     (budget 25 s minus the headless task's 2 s margin), each attempt taking 20 ms;
//   - what the device tells the OS afterwards is agent/retry_plan.h's PlanRetry — the exact
//     rule HeadlessTask runs: a periodic wake that failed because of the server keeps its next
//     periodic slot, the suggested wait (Retry-After) becomes a device-wide quiet period with up
//     to 50% random extra, and periodic wakes inside it make no request (PlanQuietWake); any
//     other retry waits max(BackoffPolicy (30 s exponential, WorkManager's numbers), the
//     suggestion) plus up to 50%.
// The server is down for 10 minutes starting at 1 h; the run lasts 3 h. Reported: the steady
// mean rate (before the outage), the peak per-second and per-10-s rates during the outage and
// during recovery (the hour after it), as multiples of the mean.
//
// The "legacy" rows replay the rule the library had before (every failure asks the OS for a
// retry after max(backoff, suggestion), no random extra, no quiet period) for comparison.
//
// Usage: fleet_bench [--devices N] [--seed S] [--json FILE]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/retry_plan.h"
#include "config/agent_config.h"
#include "net/retry_policy.h"
#include "platform/backoff_policy.h"

namespace syncagent {
namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kInterval = 15 * 60 * kSecond;
constexpr int64_t kOutageStart = 3600 * kSecond;
constexpr int64_t kOutageEnd = kOutageStart + 600 * kSecond;
constexpr int64_t kEnd = 3 * 3600 * kSecond;
constexpr int64_t kAttemptMs = 20;
constexpr int64_t kCycleDeadlineMs = 23 * kSecond;

enum class RetryAfterMode { kNone, kFixed120, kUntilEnd };

const char* RetryAfterName(RetryAfterMode m) {
  switch (m) {
    case RetryAfterMode::kNone: return "none";
    case RetryAfterMode::kFixed120: return "120 s";
    case RetryAfterMode::kUntilEnd: return "until outage end";
  }
  return "?";
}

struct Variant {
  bool jitter = true;
  RetryAfterMode retry_after = RetryAfterMode::kNone;
  bool legacy = false;  // the rule before agent/retry_plan.h (see the header comment)
};

struct Outcome {
  double mean_per_s = 0;
  int64_t outage_peak_1s = 0, outage_peak_10s = 0;
  int64_t recovery_peak_1s = 0, recovery_peak_10s = 0;
  int64_t total_requests = 0;
  double max_staleness_s = 0;  // longest gap between two successful syncs of one device
};

bool Down(int64_t t) { return t >= kOutageStart && t < kOutageEnd; }

Outcome Simulate(int devices, const Variant& variant, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const int jitter_percent = variant.jitter ? 10 : 0;
  RetryOptions retry;  // the config's defaults
  retry.jitter = variant.jitter ? BackoffJitter::kFull : BackoffJitter::kNone;
  retry.honor_retry_after = true;
  if (!variant.legacy) retry.max_wait_in_cycle = Millis(RetryConfig{}.max_wait_in_cycle_ms);
  if (variant.legacy) retry.retry_after_spread = 0;
  RetryPlanOptions plan_options;  // HeadlessOptions' defaults
  if (variant.legacy) plan_options.spread = 0;
  std::uniform_real_distribution<double> draw01(0.0, 1.0);

  std::vector<int64_t> per_second(kEnd / kSecond + 1, 0);
  std::vector<int> retries(devices, 0);
  std::vector<int64_t> not_before(devices, 0);
  std::vector<int64_t> last_success(devices, 0);
  using Event = std::pair<int64_t, int>;  // (wake time, device)
  std::priority_queue<Event, std::vector<Event>, std::greater<>> wakes;
  std::uniform_int_distribution<int64_t> phase(0, kInterval - 1);
  for (int d = 0; d < devices; ++d) wakes.push({phase(rng), d});

  auto jittered = [&](int64_t interval) {
    const int64_t spread = interval * jitter_percent / 100;
    if (spread <= 0) return interval;
    std::uniform_int_distribution<int64_t> dist(-spread, spread);
    return std::max<int64_t>(1, interval + dist(rng));
  };
  const Status unavailable = UnavailableError("503 service unavailable");
  Outcome outcome;
  while (!wakes.empty()) {
    auto [t, d] = wakes.top();
    wakes.pop();
    if (t >= kEnd) continue;
    // A periodic wake inside the server's quiet period: no request (HeadlessTask).
    if (!variant.legacy && not_before[d] > t) {
      const RetryPlan quiet = PlanQuietWake(t, not_before[d]);
      retries[d] = quiet.retries;
      wakes.push({t + jittered(kInterval), d});
      continue;
    }
    // One cycle: the SyncClient's retry loop with a fresh RetryPolicy (a new process per wake).
    RetryPolicy policy(retry, rng());
    const int64_t deadline = t + kCycleDeadlineMs;
    int64_t now = t;
    bool ok = false;
    Millis suggested{0};
    for (int attempt = 1;; ++attempt) {
      if (now < kEnd) ++per_second[now / kSecond];
      ++outcome.total_requests;
      if (!Down(now)) {
        ok = true;
        now += kAttemptMs;
        break;
      }
      now += kAttemptMs;
      std::optional<Millis> retry_after;
      if (variant.retry_after == RetryAfterMode::kFixed120) retry_after = Millis(120 * kSecond);
      if (variant.retry_after == RetryAfterMode::kUntilEnd) {
        retry_after = Millis(((kOutageEnd - now) + kSecond - 1) / kSecond * kSecond);
      }
      RetryDecision decision = policy.Decide(unavailable, attempt, retry_after,
                                             MonoTime{now * 1000000}, MonoTime{deadline * 1000000},
                                             Millis(kAttemptMs));
      if (decision.kind == RetryDecision::Kind::kRetry) {
        now += decision.delay.count();
        continue;
      }
      suggested = decision.delay;
      break;
    }
    if (ok) {
      if (last_success[d] > 0) {
        outcome.max_staleness_s =
            std::max(outcome.max_staleness_s, static_cast<double>(t - last_success[d]) / kSecond);
      }
      last_success[d] = t;
    }
    RetryPlanInput in;
    in.periodic = !variant.legacy;
    in.result = ok ? TaskResult::kSuccess : TaskResult::kRetry;
    in.error_class = ok ? RetryClass::kNone : unavailable.retry_class();
    in.suggested_delay = suggested;
    in.previous_retries = retries[d];
    const RetryPlan plan = PlanRetry(in, plan_options, draw01(rng));
    retries[d] = plan.retries;
    if (!variant.legacy && plan.quiet_for.count() > 0) not_before[d] = now + plan.quiet_for.count();
    if (plan.result == TaskResult::kRetry) {
      wakes.push({now + plan.retry_delay.count(), d});
    } else {
      wakes.push({t + jittered(kInterval), d});
    }
  }

  int64_t before = 0;
  for (int64_t s = 0; s < kOutageStart / kSecond; ++s) before += per_second[s];
  outcome.mean_per_s = static_cast<double>(before) / (kOutageStart / kSecond);
  auto peaks = [&](int64_t from_s, int64_t to_s, int64_t* peak1, int64_t* peak10) {
    for (int64_t s = from_s; s < to_s; ++s) *peak1 = std::max(*peak1, per_second[s]);
    for (int64_t s = from_s; s + 10 <= to_s; s += 10) {
      int64_t sum = 0;
      for (int64_t k = s; k < s + 10; ++k) sum += per_second[k];
      *peak10 = std::max(*peak10, sum);
    }
  };
  peaks(kOutageStart / kSecond, kOutageEnd / kSecond, &outcome.outage_peak_1s,
        &outcome.outage_peak_10s);
  peaks(kOutageEnd / kSecond, (kOutageEnd + 3600 * kSecond) / kSecond, &outcome.recovery_peak_1s,
        &outcome.recovery_peak_10s);
  return outcome;
}

int Main(int argc, char** argv) {
  int devices = 10000;
  uint64_t seed = 42;
  std::string json_out;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--devices" && i + 1 < argc) devices = std::max(1, std::atoi(argv[++i]));
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--json" && i + 1 < argc) json_out = argv[++i];
    else {
      std::fprintf(stderr, "usage: fleet_bench [--devices N] [--seed S] [--json FILE]\n");
      return 2;
    }
  }
  std::printf("fleet: %d devices, 15-min periodic task, 10-min outage (503) at t=1h, 3h simulated\n",
              devices);
  std::printf("| %-7s | %-6s | %-16s | %8s | %13s | %13s | %14s | %14s | %6s | %-4s |\n", "rule", "jitter",
              "Retry-After", "mean/s", "outage pk 1s", "outage pk 10s", "recov. pk 1s",
              "recov. pk 10s", "pk10/mean", "met");
  nlohmann::json rows = nlohmann::json::array();
  bool all_met = true;
  for (int kind = 0; kind < 4; ++kind) {
    const bool legacy = kind < 2, jitter = kind % 2 == 1;
    for (RetryAfterMode ra :
         {RetryAfterMode::kNone, RetryAfterMode::kFixed120, RetryAfterMode::kUntilEnd}) {
      const Outcome o = Simulate(devices, {jitter, ra, legacy}, seed);
      const double ratio_10s = o.recovery_peak_10s / (o.mean_per_s * 10);
      const double ratio_1s = o.recovery_peak_1s / o.mean_per_s;
      if (!legacy) all_met = all_met && ratio_10s <= 2.0;
      std::printf("| %-7s | %-6s | %-16s | %8.1f | %5lld (%4.1fx) | %5lld (%4.1fx) | "
                  "%5lld (%5.1fx) | %5lld (%5.1fx) | %6.2f | %-4s |\n",
                  legacy ? "legacy" : "library", jitter ? "yes" : "no", RetryAfterName(ra),
                  o.mean_per_s, static_cast<long long>(o.outage_peak_1s),
                  o.outage_peak_1s / o.mean_per_s, static_cast<long long>(o.outage_peak_10s),
                  o.outage_peak_10s / (o.mean_per_s * 10),
                  static_cast<long long>(o.recovery_peak_1s), ratio_1s,
                  static_cast<long long>(o.recovery_peak_10s), ratio_10s, ratio_10s,
                  ratio_10s <= 2.0 ? "yes" : "no");
      rows.push_back({{"jitter", jitter},
                      {"model", legacy ? "legacy" : "library"},
                      {"retry_after", RetryAfterName(ra)},
                      {"mean_per_s", o.mean_per_s},
                      {"outage_peak_1s", o.outage_peak_1s},
                      {"outage_peak_10s", o.outage_peak_10s},
                      {"recovery_peak_1s", o.recovery_peak_1s},
                      {"recovery_peak_10s", o.recovery_peak_10s},
                      {"recovery_peak_10s_over_mean", ratio_10s},
                      {"recovery_peak_1s_over_mean", ratio_1s},
                      {"total_requests", o.total_requests},
                      {"max_staleness_s", o.max_staleness_s}});
    }
  }
  std::printf("legacy = the rule before agent/retry_plan.h (every failure asks the OS for a retry "
              "after max(backoff, Retry-After), no random extra, no quiet period)\n"
              "target (library rows): recovery peak per 10 s <= 2x the steady mean: %s\n",
              all_met ? "met" : "NOT met");
  if (!json_out.empty()) std::ofstream(json_out) << rows.dump(2) << "\n";
  return 0;
}

}  // namespace
}  // namespace syncagent

int main(int argc, char** argv) { return syncagent::Main(argc, argv); }
