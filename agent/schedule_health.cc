#include "agent/schedule_health.h"

#include <algorithm>

namespace syncagent {
namespace {

std::string Minutes(Millis d) {
  const double minutes = static_cast<double>(d.count()) / 60000.0;
  char buf[32];
  std::snprintf(buf, sizeof buf, minutes < 10 ? "%.1f min" : "%.0f min", minutes);
  return buf;
}

nlohmann::json OptMs(const std::optional<Millis>& d) {
  return d ? nlohmann::json(d->count()) : nlohmann::json();
}

}  // namespace

nlohmann::json ScheduleHealth::ToJson() const {
  return {{"requested_interval_ms", requested_interval.count()},
          {"runs", runs},
          {"successes", successes},
          {"min_interval_ms", OptMs(min_interval)},
          {"mean_interval_ms", OptMs(mean_interval)},
          {"max_interval_ms", OptMs(max_interval)},
          {"last_run_ms", last_run_ms ? nlohmann::json(*last_run_ms) : nlohmann::json()},
          {"since_last_run_ms", OptMs(since_last_run)},
          {"starved", starved},
          {"verdict", verdict}};
}

ScheduleHealth AnalyzeSchedule(const std::vector<RunRecord>& runs, Millis requested_interval,
                               int64_t now_wall_ms) {
  ScheduleHealth h;
  h.requested_interval = requested_interval;
  h.runs = static_cast<int>(runs.size());
  std::vector<int64_t> starts;
  for (const RunRecord& r : runs) {
    starts.push_back(r.started_at);
    if (r.result == RunResult::kSuccess) ++h.successes;
  }
  std::sort(starts.begin(), starts.end());
  if (!starts.empty()) {
    h.last_run_ms = starts.back();
    h.since_last_run = Millis(std::max<int64_t>(0, now_wall_ms - starts.back()));
  }
  if (starts.size() >= 2) {
    int64_t lo = INT64_MAX, hi = 0;
    for (size_t i = 1; i < starts.size(); ++i) {
      const int64_t gap = starts[i] - starts[i - 1];
      lo = std::min(lo, gap);
      hi = std::max(hi, gap);
    }
    h.min_interval = Millis(lo);
    h.max_interval = Millis(hi);
    h.mean_interval = Millis((starts.back() - starts.front()) /
                             static_cast<int64_t>(starts.size() - 1));
  }
  const Millis limit = requested_interval * ScheduleHealth::kStarvationFactor;
  h.starved = requested_interval.count() > 0 && h.since_last_run && *h.since_last_run > limit;
  if (!h.last_run_ms) {
    h.verdict = "no wake-up recorded yet";
  } else if (h.starved) {
    h.verdict = "starved: last wake-up " + Minutes(*h.since_last_run) + " ago, requested every " +
                Minutes(requested_interval);
  } else if (h.mean_interval) {
    h.verdict = "ok: woken every " + Minutes(*h.mean_interval) + " on average (requested " +
                Minutes(requested_interval) + ")";
  } else {
    h.verdict = "ok: one wake-up so far";
  }
  return h;
}

}  // namespace syncagent
