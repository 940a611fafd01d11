// SimReport: the simulators' front door (`syncagent simulate`). Runs one configured schedule on a
// simulated iOS or Android device for N days under a scripted day (daily offline and charging
// windows, an optional force-quit) and returns every wake-up and a summary as plain values.
//
// The device: day 1 starts at midnight (the VirtualClock's 2026-01-01T00:00:00Z). It is online
// (unmetered network) except inside an offline window, on battery (80 %) except inside a charging
// window; windows repeat every day and may wrap past midnight ("22:00-07:00"). At
// `force_quit_at` the user swipes the app away: iOS stops launching it (ForceQuit, for the rest of
// the simulation); Android terminates it (TerminateApp: runs continue headless unless the config
// disables headless runs or asks stop_on_terminate).
//
// The work model (no network is used; every random draw comes from `seed`):
//   - A run that starts while the device is offline (possible only on Android with the config's
//     network constraint "none": iOS's refresh task always needs a network) cannot reach the server: outcome kOffline, the body reports kRetry
//     (HeadlessTask keeps the OS retry for connectivity failures, agent/retry_plan.h).
//   - Otherwise the run has work to do: what the last cut run left over, plus a fresh amount drawn
//     uniformly from [work_min, work_max], or with `backlog_probability` from
//     [backlog_min, backlog_max] (a burst of app writes). The body sleeps that long on the
//     simulator's clock. When it fits in the run's budget (the config's time budget capped by the
//     OS's limit): outcome kOk, kSuccess. When it does not: the body stops at the budget, the rest
//     carries over to the next run, outcome kCut, kSuccess (HeadlessTask reports a cycle stopped at
//     its deadline as success); if the OS cancelled it first (budget == the OS limit), kRetry.
// With SimulationSpec::make_body, a task body of the caller's replaces the work model (the CLI's
// --server: a real sync against a mock server); a run that starts offline is still kOffline and
// never reaches that body.
// The OS's side (delays, constraints, backoff) is the simulators' (simulated_*_scheduler.h); the
// backoff is BackoffOptions' default (WorkManager's exponential 30 s): the config has no OS backoff
// setting.
//
// Thread safety: RunSimulation builds its own clock, device and scheduler on each call; concurrent
// calls are safe. The value types are plain values.
#ifndef SYNCAGENT_TOOLS_SIMULATORS_SIM_REPORT_H_
#define SYNCAGENT_TOOLS_SIMULATORS_SIM_REPORT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/scheduler.h"
#include "syncagent/status.h"
#include "tools/simulators/simulated_android_scheduler.h"
#include "tools/simulators/simulated_ios_scheduler.h"

namespace syncagent {

enum class SimPlatform { kIos, kAndroid };
std::string_view ToString(SimPlatform platform);  // "ios", "android"
// "ios" or "android"; InvalidArgument otherwise.
StatusOr<SimPlatform> ParseSimPlatform(std::string_view text);

inline constexpr int kMinutesPerDay = 24 * 60;

// A window [from, to) repeated every day, in minutes since midnight. `to < from` wraps past
// midnight. Invariant (ParseDailyWindow): 0 <= from < 1440, 0 <= to <= 1440, from != to.
struct DailyWindow {
  int from_minute = 0;
  int to_minute = 0;

  bool wraps() const { return to_minute < from_minute; }
  bool Contains(int minute_of_day) const;
  std::string ToString() const;  // "22:00-07:00"
};

// "HH:MM-HH:MM": hours 00-23 and minutes 00-59 (the end may be 24:00); the ends must differ.
// InvalidArgument (message without the flag's name) otherwise.
StatusOr<DailyWindow> ParseDailyWindow(std::string_view text);
// "DAY:HH:MM" with DAY >= 1 (day 1 is the first simulated day): the time since the start.
StatusOr<Millis> ParseDayTime(std::string_view text);
// "day 2 08:15:03" for a time since the start (millisecond part dropped).
std::string FormatSimTime(Millis since_start);
// "7.5 s", "1 min 05 s", "25 min", "1 h", "2 h 05 min" (below a minute to 0.1 s, then truncated).
std::string FormatSimDuration(Millis duration);

struct WorkModel {
  Millis work_min = std::chrono::seconds(2);
  Millis work_max = std::chrono::seconds(12);
  double backlog_probability = 0.05;
  Millis backlog_min = std::chrono::seconds(30);
  Millis backlog_max = std::chrono::seconds(90);
};

// kFailed and kSkipped come only from a caller's body (SimulationSpec::make_body): a sync that
// failed, and a wake-up that made no request (e.g. the server's quiet period after Retry-After).
enum class RunOutcome { kOk, kCut, kOffline, kFailed, kSkipped };
std::string_view ToString(RunOutcome outcome);  // "ok", "cut", "offline", "failed", "skipped"

// What one run did, as its task body tells it.
struct SimBodyResult {
  RunOutcome outcome = RunOutcome::kOk;
  TaskResult reported = TaskResult::kSuccess;  // what the body tells the OS
  std::string reason;                          // one line
};
// A task body: called for every run that starts online, on the simulator's thread; it may sleep
// on the simulator's clock (given to the factory) and must return before the invocation's
// deadline to count as finished.
using SimBody = std::function<SimBodyResult(const TaskInvocation& invocation)>;
// Builds the body once per simulation, given the simulator's clock (a SimClock: the body's
// sleeps see the OS's expiration). An error ends RunSimulation with it.
using SimBodyFactory = std::function<StatusOr<SimBody>(Clock* clock)>;

inline constexpr int kMinSimDays = 1;
inline constexpr int kMaxSimDays = 60;

struct SimulationSpec {
  SimPlatform platform = SimPlatform::kIos;
  ScheduleOptions schedule;  // from the config (agent/cli/schedule_mapping.h)
  int days = 7;              // kMinSimDays..kMaxSimDays
  std::vector<DailyWindow> offline;
  std::vector<DailyWindow> charging;
  std::optional<Millis> force_quit_at;  // since the start
  uint64_t seed = 1;
  WorkModel work;
  SimBodyFactory make_body;   // empty: the work model above
  IosSimOptions ios;          // the OS model's knobs (tests pin the delays)
  AndroidSimOptions android;  // duplicate_probability is ignored (always 0)
};

struct SimRun {
  Millis requested{0};  // since the start: when the run became due (earliest begin / eligible)
  Millis started{0};
  Millis duration{0};
  int attempt = 1;  // 1 + OS retries since the last success
  RunOutcome outcome = RunOutcome::kOk;
  TaskResult reported = TaskResult::kSuccess;  // what the body told the OS
  std::string reason;                          // one line: what happened in the run
  std::string deferred_by;  // the constraints that held it back when it came due, or empty
};

struct SimSummary {
  int runs = 0;
  int ok = 0;
  int cut_by_budget = 0;
  int offline = 0;
  int failed = 0;   // only with a caller's body
  int skipped = 0;  // only with a caller's body
  // Wake-ups the OS held back because the constraints did not hold when they came due: the runs
  // with a deferred_by, plus a request still waiting at the end.
  int skipped_by_constraints = 0;
  Millis mean_interval{0};  // between consecutive starts; 0 with fewer than two runs
  Millis max_interval{0};
  // The longest stretch of the simulated span without a completed (kOk) run: between the start,
  // the ends of kOk runs and the end of the span.
  Millis longest_without_success{0};
  Millis budget{0};    // what each run is given: the config's budget capped by the OS's limit
  Millis interval{0};  // the config's minimum interval (Android clamps it to 15 min: see notes)
};

struct SimReport {
  SimulationSpec spec;
  std::vector<SimRun> runs;  // in start order
  SimSummary summary;
  std::vector<std::string> notes;  // the scheduler's notes: "day 1 00:00:00 warning: ..."

  Millis span() const { return std::chrono::hours(24) * spec.days; }
};

// Runs the simulation. InvalidArgument when days is out of range, a window is malformed, the
// force-quit is outside the span, or the scheduler refuses the schedule options.
StatusOr<SimReport> RunSimulation(const SimulationSpec& spec);

}  // namespace syncagent

#endif  // SYNCAGENT_TOOLS_SIMULATORS_SIM_REPORT_H_
