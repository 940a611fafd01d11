// RunSimulation: the device script, the work model and the summary, with the OS's random delays
// pinned (IosSimOptions / AndroidSimOptions) so every expected number follows from the model
// (sim_report.h) by hand; and the parsers of the command's flags.
#include "tools/simulators/sim_report.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>

namespace syncagent {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)

// iOS runs exactly 20 min after earliest-begin and as soon as the network returns; every run has
// exactly `work` to do.
SimulationSpec FixedIos(Millis work) {
  SimulationSpec spec;
  spec.platform = SimPlatform::kIos;
  spec.days = 1;
  spec.ios.usage_delay.custom = [](std::mt19937_64&) { return Millis(20min); };
  spec.ios.resume_delay_max = 0ms;
  spec.work.work_min = spec.work.work_max = work;
  spec.work.backlog_probability = 0;
  return spec;  // schedule: ScheduleOptions' defaults (15 min, 25 s budget)
}

StatusOr<DailyWindow> Window(std::string_view text) { return ParseDailyWindow(text); }

// One Android day whose runs ignore the network (constraint "none"), offline in `window`.
SimulationSpec AndroidDayIgnoringTheNetwork(std::string_view window) {
  SimulationSpec spec;
  spec.platform = SimPlatform::kAndroid;
  spec.days = 1;
  spec.schedule.constraints.network = NetworkRequirement::kNone;
  spec.offline = {*Window(window)};
  return spec;
}

// RunSimulation's report; an empty one (and a test failure) when it refuses the spec.
SimReport MustRun(const SimulationSpec& spec) {
  auto report = RunSimulation(spec);
  EXPECT_TRUE(report.ok()) << report.status().ToString();
  return report.ok() ? *std::move(report) : SimReport{};
}

TEST(SimReportTest, IosFixedDelaysGiveARunEvery35MinutesAnd10Seconds) {
  const SimReport r = MustRun(FixedIos(10s));
  // Run k starts at 15 min (interval) + 20 min (usage delay) after the previous run's end (10 s
  // of work): 35 min + (k-1) * 35 min 10 s. The 40th starts at 23:26:30, the 41st would start
  // at 24:01:40, after the day.
  ASSERT_EQ(r.runs.size(), 40u);
  for (size_t k = 0; k < r.runs.size(); ++k) {
    const SimRun& run = r.runs[k];
    EXPECT_EQ(run.started, Millis(35min) + k * Millis(35min + 10s)) << k;
    EXPECT_EQ(run.requested, run.started - 20min) << k;
    EXPECT_EQ(run.duration, 10s);
    EXPECT_EQ(run.outcome, RunOutcome::kOk);
    EXPECT_EQ(run.reported, TaskResult::kSuccess);
    EXPECT_EQ(run.reason, "synced 10.0 s of work");
    EXPECT_EQ(run.deferred_by, "");
  }
  const SimSummary& s = r.summary;
  EXPECT_EQ(s.runs, 40);
  EXPECT_EQ(s.ok, 40);
  EXPECT_EQ(s.cut_by_budget, 0);
  EXPECT_EQ(s.offline, 0);
  EXPECT_EQ(s.skipped_by_constraints, 0);
  EXPECT_EQ(s.mean_interval, 35min + 10s);
  EXPECT_EQ(s.max_interval, 35min + 10s);
  // From 00:00 to the first end (00:35:10), and between ends: 35 min 10 s; the last end is
  // 23:26:40, 33 min 20 s before midnight.
  EXPECT_EQ(s.longest_without_success, 35min + 10s);
  EXPECT_EQ(s.budget, 25s);
  EXPECT_EQ(s.interval, 15min);
}

TEST(SimReportTest, AnOfflineWindowHoldsTheRefreshBackUntilTheNetworkReturns) {
  SimulationSpec spec = FixedIos(10s);
  spec.offline = {*Window("00:30-02:00")};
  const SimReport r = MustRun(spec);
  ASSERT_GE(r.runs.size(), 2u);
  // Due at 00:35 while offline: it waits, and starts when the network returns at 02:00.
  const SimRun& first = r.runs[0];
  EXPECT_EQ(first.requested, 15min);
  EXPECT_EQ(first.started, 2h);
  EXPECT_EQ(first.deferred_by, "network any required, have none");
  EXPECT_EQ(first.outcome, RunOutcome::kOk);
  // The next one is back on the rhythm: 02:00:10 + 15 min + 20 min.
  EXPECT_EQ(r.runs[1].started, 2h + 35min + 10s);
  EXPECT_EQ(r.runs[1].deferred_by, "");
  EXPECT_EQ(r.summary.skipped_by_constraints, 1);
  EXPECT_EQ(r.summary.offline, 0);  // the network constraint kept every run online
  EXPECT_EQ(r.summary.longest_without_success, 2h + 10s);
}

TEST(SimReportTest, WorkBeyondTheBudgetIsCutAndCarriedOver) {
  const SimReport r = MustRun(FixedIos(40s));
  ASSERT_GE(r.runs.size(), 3u);
  // 40 s > 25 s: cut with 15 s left; then 15 + 40 = 55 s, 30 s left; then 70 s, 45 s left.
  EXPECT_EQ(r.runs[0].reason, "cut at the 25.0 s budget; 15.0 s of work left for the next run");
  EXPECT_EQ(r.runs[1].reason, "cut at the 25.0 s budget; 30.0 s of work left for the next run");
  EXPECT_EQ(r.runs[2].reason, "cut at the 25.0 s budget; 45.0 s of work left for the next run");
  for (const SimRun& run : r.runs) {
    EXPECT_EQ(run.outcome, RunOutcome::kCut);
    EXPECT_EQ(run.reported, TaskResult::kSuccess);  // stopped at its own deadline: success
    EXPECT_EQ(run.duration, 25s);
  }
  EXPECT_EQ(r.summary.cut_by_budget, r.summary.runs);
  EXPECT_EQ(r.summary.ok, 0);
  EXPECT_EQ(r.summary.longest_without_success, 24h);  // never a completed sync
  EXPECT_EQ(r.summary.mean_interval, 35min + 25s);
}

TEST(SimReportTest, ABudgetAtTheOsLimitIsCancelledByTheOsAndRetriedWithBackoff) {
  SimulationSpec spec = FixedIos(40s);
  spec.schedule.time_budget = 60s;  // capped to iOS's 30 s: the expiration handler fires first
  const SimReport r = MustRun(spec);
  ASSERT_GE(r.runs.size(), 2u);
  const SimRun& first = r.runs[0];
  EXPECT_EQ(first.started, 35min);
  EXPECT_EQ(first.duration, 30s);
  EXPECT_EQ(first.outcome, RunOutcome::kCut);
  EXPECT_EQ(first.reported, TaskResult::kRetry);
  EXPECT_EQ(first.reason, "cancelled by the OS at its limit; 10.0 s of work left for the next run");
  // Re-submitted 30 s (BackoffPolicy's first delay) after its end, then the 20 min usage delay.
  EXPECT_EQ(r.runs[1].requested, 35min + 30s + 30s);
  EXPECT_EQ(r.runs[1].started, 35min + 60s + 20min);
  EXPECT_EQ(r.runs[1].attempt, 2);
  EXPECT_EQ(r.summary.budget, 30s);
}

TEST(SimReportTest, OfflineRunsWithoutANetworkConstraintFailAndClimbTheBackoffLadder) {
  SimulationSpec spec = AndroidDayIgnoringTheNetwork("00:00-24:00");
  spec.android.dispatch_delay_max = 0ms;
  const SimReport r = MustRun(spec);
  // First period eligible at once (flex = interval); each failure waits 30 s * 2^(n-1), capped at
  // 5 h: starts at 0, 30, 90, 210, 450, 930, 1890, 3810, 7650, 15330, 30690 s, then every 5 h:
  // 48690, 66690, 84690 s; the next (102690 s) is after the day.
  const int64_t expected_s[] = {0,    30,    90,    210,   450,   930,   1890,
                                3810, 7650, 15330, 30690, 48690, 66690, 84690};
  ASSERT_EQ(r.runs.size(), std::size(expected_s));
  for (size_t k = 0; k < r.runs.size(); ++k) {
    const SimRun& run = r.runs[k];
    EXPECT_EQ(run.started, Millis(expected_s[k] * 1000)) << k;
    EXPECT_EQ(run.outcome, RunOutcome::kOffline);
    EXPECT_EQ(run.reported, TaskResult::kRetry);
    EXPECT_EQ(run.attempt, static_cast<int>(k) + 1);
  }
  EXPECT_EQ(r.summary.offline, 14);
  EXPECT_EQ(r.summary.max_interval, 5h);
  EXPECT_EQ(r.summary.longest_without_success, 24h);
  EXPECT_EQ(r.summary.skipped_by_constraints, 0);
}

TEST(SimReportTest, IosNeverRunsAfterAForceQuit) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    SimulationSpec spec;
    spec.platform = SimPlatform::kIos;
    spec.days = 4;
    spec.seed = seed;
    spec.force_quit_at = 24h + 9h;
    const SimReport r = MustRun(spec);
    EXPECT_GT(r.summary.runs, 5) << seed;  // day 1 alone has more
    for (const SimRun& run : r.runs) EXPECT_LT(run.started, 33h) << seed;
    EXPECT_GE(r.summary.longest_without_success, 96h - 33h) << seed;
    ASSERT_FALSE(r.notes.empty());
    EXPECT_NE(r.notes.back().find("day 2 09:00:00 force-quit"), std::string::npos)
        << r.notes.back();
  }
}

TEST(SimReportTest, AndroidKeepsRunningHeadlessAfterAForceQuit) {
  SimulationSpec spec;
  spec.platform = SimPlatform::kAndroid;
  spec.days = 2;
  spec.force_quit_at = 12h;
  const SimReport r = MustRun(spec);
  int after = 0;
  for (const SimRun& run : r.runs) after += run.started > 12h;
  EXPECT_GT(after, 30);  // a 15-min rhythm for 36 h
}

TEST(SimReportTest, AndroidChargingConstraintRunsOnlyInTheChargingWindow) {
  SimulationSpec spec;
  spec.platform = SimPlatform::kAndroid;
  spec.days = 3;
  spec.schedule.constraints.requires_charging = true;
  spec.charging = {*Window("22:00-07:00")};
  const SimReport r = MustRun(spec);
  ASSERT_GT(r.summary.runs, 0);
  const DailyWindow window = spec.charging[0];
  for (const SimRun& run : r.runs) {
    const int minute = static_cast<int>(run.started.count() / 60'000 % kMinutesPerDay);
    EXPECT_TRUE(window.Contains(minute)) << FormatSimTime(run.started);
  }
  // Every day's first run after 07:00 waits for 22:00.
  EXPECT_GE(r.summary.skipped_by_constraints, 3);
}

// A caller's body replaces the work model; runs that start offline never reach it.
TEST(SimReportTest, ACallersBodyReplacesTheModelButNotTheOfflineCheck) {
  SimulationSpec spec = AndroidDayIgnoringTheNetwork("12:00-13:00");
  auto calls = std::make_shared<int>(0);
  spec.make_body = [calls](Clock* clock) -> StatusOr<SimBody> {
    EXPECT_NE(clock, nullptr);
    return SimBody([calls](const TaskInvocation&) {
      const bool even = ++*calls % 2 == 0;
      return SimBodyResult{even ? RunOutcome::kSkipped : RunOutcome::kFailed,
                           TaskResult::kSuccess, even ? "quiet" : "500"};
    });
  };
  const SimReport r = MustRun(spec);
  EXPECT_EQ(r.summary.failed + r.summary.skipped, *calls);
  EXPECT_EQ(r.summary.failed, (*calls + 1) / 2);
  EXPECT_GT(r.summary.offline, 0);  // the 12:00 slot, then its retries until 13:00
  EXPECT_EQ(r.summary.runs, *calls + r.summary.offline);
  for (const SimRun& run : r.runs) {
    const bool offline = run.started >= 12h && run.started < 13h;
    EXPECT_EQ(run.outcome == RunOutcome::kOffline, offline) << FormatSimTime(run.started);
  }
  spec.make_body = [](Clock*) -> StatusOr<SimBody> { return InternalError("no agent"); };
  EXPECT_EQ(RunSimulation(spec).status().message(), "no agent");
}

TEST(SimReportTest, RefusesDaysOutOfRangeAndAForceQuitAfterTheEnd) {
  SimulationSpec spec;
  spec.days = 0;
  EXPECT_EQ(RunSimulation(spec).status().code(), StatusCode::kInvalidArgument);
  spec.days = kMaxSimDays + 1;
  EXPECT_EQ(RunSimulation(spec).status().code(), StatusCode::kInvalidArgument);
  spec.days = 2;
  spec.force_quit_at = 48h;
  EXPECT_EQ(RunSimulation(spec).status().code(), StatusCode::kInvalidArgument);
}

TEST(SimReportParseTest, DailyWindows) {
  auto night = Window("22:00-07:00");
  ASSERT_TRUE(night.ok());
  EXPECT_EQ(night->from_minute, 22 * 60);
  EXPECT_EQ(night->to_minute, 7 * 60);
  EXPECT_TRUE(night->wraps());
  EXPECT_TRUE(night->Contains(23 * 60));
  EXPECT_TRUE(night->Contains(0));
  EXPECT_FALSE(night->Contains(7 * 60));
  EXPECT_EQ(night->ToString(), "22:00-07:00");
  auto day = Window("9:30-24:00");
  ASSERT_TRUE(day.ok());
  EXPECT_EQ(day->to_minute, kMinutesPerDay);
  EXPECT_FALSE(day->Contains(9 * 60 + 29));
  EXPECT_TRUE(day->Contains(kMinutesPerDay - 1));
  for (const char* bad : {"", "07:00", "25:00-03:00", "01:60-02:00", "24:00-01:00", "01:00-02:0",
                          "01:00-24:01", "a1:00-02:00", "01:00-01:00", "01:00--02:00"}) {
    EXPECT_FALSE(Window(bad).ok()) << bad;
  }
}

TEST(SimReportParseTest, DayTimesAndFormats) {
  auto at = ParseDayTime("2:09:05");
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(*at, 24h + 9h + 5min);
  EXPECT_EQ(FormatSimTime(*at), "day 2 09:05:00");
  for (const char* bad : {"", "0:09:00", "1:24:00", "1:9", "x:01:00", "1:01:00:00"}) {
    EXPECT_FALSE(ParseDayTime(bad).ok()) << bad;
  }
  EXPECT_EQ(FormatSimDuration(7500ms), "7.5 s");
  EXPECT_EQ(FormatSimDuration(65s), "1 min 05 s");
  EXPECT_EQ(FormatSimDuration(25min), "25 min");
  EXPECT_EQ(FormatSimDuration(60min + 59s), "1 h");
  EXPECT_EQ(FormatSimDuration(2h + 5min + 30s), "2 h 05 min");
  EXPECT_EQ(ParseSimPlatform("android").value(), SimPlatform::kAndroid);
  EXPECT_FALSE(ParseSimPlatform("wp").ok());
}

}  // namespace
}  // namespace syncagent
