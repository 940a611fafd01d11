// The SVG timeline: well formed (parsed by xml_check.h), self-contained, one run mark per run,
// one lane per day and the scripted bands.
#include "tools/simulators/sim_svg.h"

#include <gtest/gtest.h>

#include <chrono>

#include "tests/tools/simulators/xml_check.h"

namespace syncagent {
namespace {

using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)
using testing_xml::ParseXml;

SimReport Week(SimPlatform platform, uint64_t seed) {
  SimulationSpec spec;
  spec.platform = platform;
  spec.days = 7;
  spec.seed = seed;
  spec.schedule.constraints.network = NetworkRequirement::kNone;  // offline runs too (red marks)
  spec.offline = {ParseDailyWindow("01:00-06:00").value(), ParseDailyWindow("12:00-13:00").value()};
  spec.charging = {ParseDailyWindow("22:00-07:00").value()};
  spec.force_quit_at = 6 * 24h + 18h;
  return RunSimulation(spec).value();
}

TEST(SimSvgTest, WellFormedWithOneMarkPerRun) {
  for (SimPlatform platform : {SimPlatform::kIos, SimPlatform::kAndroid}) {
    const SimReport report = Week(platform, 3);
    const std::string svg = RenderSimTimelineSvg(report);
    const auto doc = ParseXml(svg);
    ASSERT_TRUE(doc.ok()) << doc.error;
    ASSERT_FALSE(doc.elements.empty());
    EXPECT_EQ(doc.elements[0].name, "svg");
    EXPECT_EQ(doc.elements[0].attributes.at("xmlns"), "http://www.w3.org/2000/svg");
    ASSERT_GT(report.runs.size(), 10u);
    EXPECT_EQ(doc.CountClassPrefix("run "), static_cast<int>(report.runs.size()));
    EXPECT_EQ(doc.CountClassPrefix("run ok"), report.summary.ok);
    EXPECT_EQ(doc.CountClassPrefix("run cut"), report.summary.cut_by_budget);
    EXPECT_EQ(doc.CountClassPrefix("run offline"), report.summary.offline);
    // iOS's refresh task always needs a network; Android honours the config's "none".
    if (platform == SimPlatform::kAndroid) {
      EXPECT_GT(report.summary.offline, 0);
    }
    // 7 lanes: two offline bands a day; the charging window wraps: two pieces a day.
    EXPECT_EQ(doc.CountClassPrefix("offline"), 14);
    EXPECT_EQ(doc.CountClassPrefix("charging"), 14);
    EXPECT_EQ(doc.CountClassPrefix("force-quit"), 1);
    int day_labels = 0;
    for (const auto& e : doc.elements) day_labels += e.name == "text";
    EXPECT_GT(day_labels, 7);  // "Day 1".."Day 7", the hour axis, the title and the legend
  }
}

TEST(SimSvgTest, FailedAndSkippedRunsGetTheirOwnMarksAndLegend) {
  SimReport report = Week(SimPlatform::kAndroid, 4);
  ASSERT_GT(report.runs.size(), 2u);
  report.runs[0].outcome = RunOutcome::kFailed;
  report.runs[1].outcome = RunOutcome::kSkipped;
  report.summary.failed = report.summary.skipped = 1;
  const std::string svg = RenderSimTimelineSvg(report);
  const auto doc = ParseXml(svg);
  ASSERT_TRUE(doc.ok()) << doc.error;
  EXPECT_EQ(doc.CountClassPrefix("run failed"), 1);
  EXPECT_EQ(doc.CountClassPrefix("run skipped"), 1);
  EXPECT_NE(svg.find(">sync failed<"), std::string::npos);
  EXPECT_NE(svg.find(">no request<"), std::string::npos);
  EXPECT_EQ(RenderSimTimelineSvg(Week(SimPlatform::kAndroid, 4)).find(">sync failed<"),
            std::string::npos);
}

TEST(SimSvgTest, SelfContained) {
  const std::string svg = RenderSimTimelineSvg(Week(SimPlatform::kIos, 1));
  for (const char* banned : {"<script", "href", "url(", "@import", "<foreignObject", "<!"}) {
    EXPECT_EQ(svg.find(banned), std::string::npos) << banned;
  }
}

TEST(SimSvgTest, TextIsEscaped) {
  SimReport report = Week(SimPlatform::kIos, 2);
  ASSERT_FALSE(report.runs.empty());
  report.runs[0].reason = "a <b> & \"c\"";
  const auto doc = ParseXml(RenderSimTimelineSvg(report));
  EXPECT_TRUE(doc.ok()) << doc.error;
}

TEST(SimSvgTest, AnEmptySimulationStillDrawsItsLanes) {
  SimulationSpec spec;
  spec.days = 2;
  spec.offline = {ParseDailyWindow("00:00-24:00").value()};  // iOS needs network: no run at all
  const SimReport report = RunSimulation(spec).value();
  EXPECT_EQ(report.summary.runs, 0);
  const auto doc = ParseXml(RenderSimTimelineSvg(report));
  ASSERT_TRUE(doc.ok()) << doc.error;
  EXPECT_EQ(doc.CountClassPrefix("run "), 0);
  EXPECT_EQ(doc.CountClassPrefix("offline"), 2);
  EXPECT_EQ(report.summary.skipped_by_constraints, 1);  // the request waiting at the end
  EXPECT_EQ(report.summary.longest_without_success, 48h);
}

}  // namespace
}  // namespace syncagent
