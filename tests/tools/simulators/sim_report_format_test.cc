// The plain and JSON forms of a SimReport, on the pinned iOS day of sim_report_test.cc (a run
// every 35 min 10 s from 00:35, 10 s of work each).
#include "tools/simulators/sim_report_format.h"

#include <gtest/gtest.h>

#include <chrono>

namespace syncagent {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)

SimReport PinnedIosDay() {
  SimulationSpec spec;
  spec.platform = SimPlatform::kIos;
  spec.days = 1;
  spec.seed = 9;
  spec.offline = {ParseDailyWindow("03:00-04:00").value()};
  spec.ios.usage_delay.custom = [](std::mt19937_64&) { return Millis(20min); };
  spec.ios.resume_delay_max = 0ms;
  spec.work.work_min = spec.work.work_max = 10s;
  spec.work.backlog_probability = 0;
  return RunSimulation(spec).value();
}

TEST(SimReportFormatTest, JsonHasTheDocumentedFieldsAndValues) {
  const SimReport report = PinnedIosDay();
  const nlohmann::ordered_json json = SimReportToJson(report);
  ASSERT_EQ(json.size(), 2u);
  ASSERT_TRUE(json["runs"].is_array());
  const auto& first = json["runs"][0];
  EXPECT_EQ(first["index"], 1);
  EXPECT_EQ(first["requested_ms"], 15 * 60'000);
  EXPECT_EQ(first["requested"], "day 1 00:15:00");
  EXPECT_EQ(first["started_ms"], 35 * 60'000);
  EXPECT_EQ(first["started"], "day 1 00:35:00");
  EXPECT_EQ(first["duration_ms"], 10'000);
  EXPECT_EQ(first["attempt"], 1);
  EXPECT_EQ(first["result"], "ok");
  EXPECT_EQ(first["os_result"], "success");
  EXPECT_EQ(first["reason"], "synced 10.0 s of work");
  EXPECT_EQ(first["deferred_by"], "");
  // Runs 1-5 start at 00:35:00, 01:10:10, 01:45:20, 02:20:30, 02:55:40; the 6th is due at
  // 03:30:50, offline, so it starts at 04:00:00 when the network returns.
  const auto& sixth = json["runs"][5];
  EXPECT_EQ(sixth["started"], "day 1 04:00:00");
  EXPECT_EQ(sixth["deferred_by"], "network any required, have none");

  const auto& summary = json["summary"];
  std::vector<std::string> keys;
  for (const auto& item : summary.items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{
                      "platform", "days", "seed", "interval_ms", "budget_ms", "offline_windows",
                      "charging_windows", "force_quit_at_ms", "runs", "ok", "cut_by_budget",
                      "offline", "failed", "skipped", "skipped_by_constraints", "mean_interval_ms", "max_interval_ms",
                      "longest_without_success_ms", "notes"}));
  EXPECT_EQ(summary["platform"], "ios");
  EXPECT_EQ(summary["days"], 1);
  EXPECT_EQ(summary["seed"], 9);
  EXPECT_EQ(summary["interval_ms"], 15 * 60'000);
  EXPECT_EQ(summary["budget_ms"], 25'000);
  EXPECT_EQ(summary["offline_windows"], nlohmann::ordered_json::array({"03:00-04:00"}));
  EXPECT_TRUE(summary["force_quit_at_ms"].is_null());
  EXPECT_EQ(summary["runs"], json["runs"].size());
  EXPECT_EQ(summary["skipped_by_constraints"], 1);
  // The longest gap: the 5th run's end (02:55:50) to the 6th's (04:00:10).
  EXPECT_EQ(summary["longest_without_success_ms"], (64 * 60 + 20) * 1000);
  EXPECT_EQ(summary["max_interval_ms"], (64 * 60 + 20) * 1000);
}

TEST(SimReportFormatTest, PlainTextHasOneLinePerRunAndTheSummary) {
  const SimReport report = PinnedIosDay();
  const std::string text = FormatSimReportText(report);
  EXPECT_EQ(text.rfind("syncagent simulate ios: 1 day, interval 15 min, budget 25.0 s, seed 9\n"
                       "offline: 03:00-04:00; charging: none\n",
                       0),
            0u)
      << text;
  EXPECT_NE(text.find("   1  day 1 00:15:00    day 1 00:35:00       10.0 s  ok       synced "
                      "10.0 s of work\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("; waited: network any required, have none\n"), std::string::npos);
  EXPECT_NE(text.find("  runs skipped by constraints        1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  longest without a successful sync  1 h 04 min\n"), std::string::npos);
  size_t lines = 0;
  for (size_t p = text.find(" day 1 "); p != std::string::npos; p = text.find(" day 1 ", p + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 2 * report.runs.size());  // requested and started, on every run line
}

}  // namespace
}  // namespace syncagent
