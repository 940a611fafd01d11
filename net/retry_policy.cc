#include "net/retry_policy.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

namespace syncagent {
namespace {

constexpr std::array<const char*, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};

std::optional<int> MonthIndex(std::string_view s) {
  if (s.size() != 3) return std::nullopt;
  char lower[4] = {static_cast<char>(std::tolower(static_cast<unsigned char>(s[0]))),
                   static_cast<char>(std::tolower(static_cast<unsigned char>(s[1]))),
                   static_cast<char>(std::tolower(static_cast<unsigned char>(s[2]))), 0};
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (std::strcmp(lower, kMonths[i]) == 0) return static_cast<int>(i);
  }
  return std::nullopt;
}

// Days since 1970-01-01 of a civil date (proleptic Gregorian).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::optional<int> ParseInt(std::string_view s) {
  int v = 0;
  if (s.empty()) return std::nullopt;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<int64_t> ParseClock(std::string_view s) {  // "HH:MM:SS"
  if (s.size() != 8 || s[2] != ':' || s[5] != ':') return std::nullopt;
  auto h = ParseInt(s.substr(0, 2)), m = ParseInt(s.substr(3, 2)), sec = ParseInt(s.substr(6, 2));
  if (!h || !m || !sec || *h > 23 || *m > 59 || *sec > 60) return std::nullopt;
  return *h * 3600 + *m * 60 + *sec;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == sep) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != sep) ++j;
    if (j > i) parts.push_back(s.substr(i, j - i));
    i = j;
  }
  return parts;
}

std::optional<int64_t> Compose(int64_t year, int month, int day, int64_t seconds_of_day) {
  if (month < 0 || month > 11 || day < 1 || day > 31 || year < 1970 || year > 9999) {
    return std::nullopt;
  }
  return (DaysFromCivil(year, month + 1, day) * 86400 + seconds_of_day) * 1000;
}

}  // namespace

std::optional<int64_t> ParseHttpDate(std::string_view value) {
  auto parts = Split(value, ' ');
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  if (parts.size() == 6 && parts[0].size() == 4 && parts[0].back() == ',' && parts[5] == "GMT") {
    auto day = ParseInt(parts[1]);
    auto month = MonthIndex(parts[2]);
    auto year = ParseInt(parts[3]);
    auto secs = ParseClock(parts[4]);
    if (day && month && year && secs && parts[1].size() == 2 && parts[3].size() == 4) {
      return Compose(*year, *month, *day, *secs);
    }
    return std::nullopt;
  }
  // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
  if (parts.size() == 4 && parts[0].back() == ',' && parts[3] == "GMT") {
    auto dmy = Split(parts[1], '-');
    if (dmy.size() != 3) return std::nullopt;
    auto day = ParseInt(dmy[0]);
    auto month = MonthIndex(dmy[1]);
    auto yy = ParseInt(dmy[2]);
    auto secs = ParseClock(parts[2]);
    if (!day || !month || !yy || !secs || dmy[2].size() != 2) return std::nullopt;
    // RFC 9110: a two-digit year more than 50 years in the future is in the past century.
    int year = *yy + (*yy < 70 ? 2000 : 1900);
    return Compose(year, *month, *day, *secs);
  }
  // asctime: "Sun Nov  6 08:49:37 1994"
  if (parts.size() == 5) {
    auto month = MonthIndex(parts[1]);
    auto day = ParseInt(parts[2]);
    auto secs = ParseClock(parts[3]);
    auto year = ParseInt(parts[4]);
    if (month && day && secs && year && parts[4].size() == 4) {
      return Compose(*year, *month, *day, *secs);
    }
  }
  return std::nullopt;
}

std::optional<Millis> ParseRetryAfter(std::string_view value, int64_t now_wall_ms) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    // delay-seconds; saturate absurdly large values instead of overflowing.
    if (value.size() > 9) return Millis(int64_t{999999999} * 1000);
    int64_t seconds = 0;
    std::from_chars(value.data(), value.data() + value.size(), seconds);
    return Millis(seconds * 1000);
  }
  auto when = ParseHttpDate(value);
  if (!when) return std::nullopt;
  return Millis(std::max<int64_t>(0, *when - now_wall_ms));
}

RetryPolicy::RetryPolicy(RetryOptions options, uint64_t seed)
    : options_(options), rng_(seed), previous_(options.initial_delay) {
  options_.multiplier = std::max(1.0, options_.multiplier);
  options_.max_attempts = std::max(1, options_.max_attempts);
  if (options_.max_delay < options_.initial_delay) options_.max_delay = options_.initial_delay;
}

Millis RetryPolicy::NextBackoff(int attempt) {
  const double initial = static_cast<double>(options_.initial_delay.count());
  const double cap = static_cast<double>(options_.max_delay.count());
  const int exponent = std::max(0, attempt - 1);
  const double raw = std::min(cap, initial * std::pow(options_.multiplier, exponent));
  auto uniform = [this](double lo, double hi) {
    if (hi <= lo) return lo;
    return std::uniform_real_distribution<double>(lo, hi)(rng_);
  };
  double delay = raw;
  switch (options_.jitter) {
    case BackoffJitter::kFull:
      delay = uniform(0.0, raw);
      break;
    case BackoffJitter::kEqual:
      delay = raw / 2.0 + uniform(0.0, raw / 2.0);
      break;
    case BackoffJitter::kDecorrelated: {
      const double prev = static_cast<double>(previous_.count());
      delay = std::min(cap, uniform(initial, std::max(initial, prev * 3.0)));
      previous_ = Millis(static_cast<int64_t>(delay));
      break;
    }
    case BackoffJitter::kNone:
      break;
  }
  return Millis(static_cast<int64_t>(std::llround(delay)));
}

RetryDecision RetryPolicy::Decide(const Status& error, int attempt,
                                  std::optional<Millis> retry_after, MonoTime now,
                                  std::optional<MonoTime> deadline, Millis min_attempt_time) {
  RetryDecision decision;
  const RetryClass rc = error.retry_class();
  if (error.ok() || rc == RetryClass::kPermanent || rc == RetryClass::kNone ||
      rc == RetryClass::kAuth) {
    decision.kind = RetryDecision::Kind::kGiveUpPermanent;
    return decision;
  }
  Millis wait = NextBackoff(attempt);
  Millis server{0};
  if (retry_after && options_.honor_retry_after) {
    server = std::min(*retry_after, options_.max_retry_after);
    wait = std::max(wait, server);
  }
  // Giving up suggests the plain wait: whoever schedules the next attempt adds its own spread
  // (agent/retry_plan.h), once.
  decision.delay = wait;
  // No connectivity: retrying within the cycle is pointless; wait for the network instead.
  if (rc == RetryClass::kNetwork || attempt >= options_.max_attempts) {
    decision.kind = RetryDecision::Kind::kGiveUpForCycle;
    return decision;
  }
  if (server.count() > 0 && server >= wait && options_.retry_after_spread > 0) {
    const double extra = std::uniform_real_distribution<double>(
        0.0, static_cast<double>(server.count()) * options_.retry_after_spread)(rng_);
    wait = server + Millis(static_cast<int64_t>(extra));
  }
  if ((options_.max_wait_in_cycle.count() > 0 && decision.delay > options_.max_wait_in_cycle) ||
      (deadline && now + wait + min_attempt_time >= *deadline)) {
    decision.kind = RetryDecision::Kind::kGiveUpForCycle;
    return decision;
  }
  decision.delay = wait;
  decision.kind = RetryDecision::Kind::kRetry;
  return decision;
}

}  // namespace syncagent
