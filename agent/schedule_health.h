// ScheduleHealth: how the OS has actually been running the headless task, from the run log —
// the intervals between wake-ups against the requested one, and starvation (the OS has not run
// the task for much longer than asked: battery saver, app standby, force-quit on iOS, a disabled
// systemd timer).
//
// Thread safety: pure function over values.
#ifndef SYNCAGENT_AGENT_SCHEDULE_HEALTH_H_
#define SYNCAGENT_AGENT_SCHEDULE_HEALTH_H_

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/clock.h"
#include "storage/sync_records.h"

namespace syncagent {

struct ScheduleHealth {
  Millis requested_interval{0};
  int runs = 0;                 // wake-ups considered (skipped ones included)
  int successes = 0;
  std::optional<Millis> min_interval, mean_interval, max_interval;
  std::optional<int64_t> last_run_ms;   // start of the newest wake-up
  std::optional<Millis> since_last_run;
  bool starved = false;  // no wake-up for more than kStarvationFactor x the requested interval
  std::string verdict;   // one line for people

  static constexpr int kStarvationFactor = 3;
  nlohmann::json ToJson() const;
};

// `runs` as returned by Store::ListRuns (newest first).
ScheduleHealth AnalyzeSchedule(const std::vector<RunRecord>& runs, Millis requested_interval,
                               int64_t now_wall_ms);

}  // namespace syncagent

#endif  // SYNCAGENT_AGENT_SCHEDULE_HEALTH_H_
