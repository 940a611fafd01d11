#include "tools/simulators/sim_report_format.h"

#include <cstdio>

namespace syncagent {
namespace {

using nlohmann::ordered_json;

std::string JoinWindows(const std::vector<DailyWindow>& windows) {
  std::string out;
  for (const DailyWindow& w : windows) out += (out.empty() ? "" : ", ") + w.ToString();
  return out.empty() ? "none" : out;
}

std::string Heading(const SimReport& report) {
  const SimulationSpec& spec = report.spec;
  std::string out = "syncagent simulate " + std::string(ToString(spec.platform)) + ": " +
                    std::to_string(spec.days) + " day" + (spec.days == 1 ? "" : "s") +
                    ", interval " + FormatSimDuration(report.summary.interval) + ", budget " +
                    FormatSimDuration(report.summary.budget) + ", seed " +
                    std::to_string(spec.seed) + "\n";
  out += "offline: " + JoinWindows(spec.offline) + "; charging: " + JoinWindows(spec.charging);
  if (spec.force_quit_at) out += "; force-quit: " + FormatSimTime(*spec.force_quit_at);
  return out + "\n\n";
}

std::string RunLine(size_t index, const SimRun& run) {
  char buffer[160];
  std::snprintf(buffer, sizeof(buffer), "%4zu  %-16s  %-16s  %9s  %-7s  ", index,
                FormatSimTime(run.requested).c_str(), FormatSimTime(run.started).c_str(),
                FormatSimDuration(run.duration).c_str(), std::string(ToString(run.outcome)).c_str());
  std::string line = buffer + run.reason;
  if (!run.deferred_by.empty()) line += "; waited: " + run.deferred_by;
  return line + "\n";
}

std::string SummaryText(const SimSummary& s) {
  auto row = [](const char* name, const std::string& value) {
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), "  %-34s ", name);
    return buffer + value + "\n";
  };
  const bool any_interval = s.runs > 1;
  std::string out = "summary:\n";
  std::string counts = std::to_string(s.ok) + " ok, " + std::to_string(s.cut_by_budget) +
                       " cut, " + std::to_string(s.offline) + " offline";
  if (s.failed > 0) counts += ", " + std::to_string(s.failed) + " failed";
  if (s.skipped > 0) counts += ", " + std::to_string(s.skipped) + " skipped";
  out += row("runs", std::to_string(s.runs) + " (" + counts + ")");
  out += row("mean interval", any_interval ? FormatSimDuration(s.mean_interval) : "-");
  out += row("max interval", any_interval ? FormatSimDuration(s.max_interval) : "-");
  out += row("longest without a successful sync", FormatSimDuration(s.longest_without_success));
  out += row("runs cut by the budget", std::to_string(s.cut_by_budget));
  out += row("runs skipped by constraints", std::to_string(s.skipped_by_constraints));
  return out;
}

ordered_json RunJson(size_t index, const SimRun& run) {
  return ordered_json{{"index", index},
                      {"requested_ms", run.requested.count()},
                      {"requested", FormatSimTime(run.requested)},
                      {"started_ms", run.started.count()},
                      {"started", FormatSimTime(run.started)},
                      {"duration_ms", run.duration.count()},
                      {"attempt", run.attempt},
                      {"result", ToString(run.outcome)},
                      {"os_result", ToString(run.reported)},
                      {"reason", run.reason},
                      {"deferred_by", run.deferred_by}};
}

ordered_json WindowsJson(const std::vector<DailyWindow>& windows) {
  ordered_json out = ordered_json::array();
  for (const DailyWindow& w : windows) out.push_back(w.ToString());
  return out;
}

ordered_json SummaryJson(const SimReport& report) {
  const SimulationSpec& spec = report.spec;
  const SimSummary& s = report.summary;
  return ordered_json{
      {"platform", ToString(spec.platform)},
      {"days", spec.days},
      {"seed", spec.seed},
      {"interval_ms", s.interval.count()},
      {"budget_ms", s.budget.count()},
      {"offline_windows", WindowsJson(spec.offline)},
      {"charging_windows", WindowsJson(spec.charging)},
      {"force_quit_at_ms",
       spec.force_quit_at ? ordered_json(spec.force_quit_at->count()) : ordered_json(nullptr)},
      {"runs", s.runs},
      {"ok", s.ok},
      {"cut_by_budget", s.cut_by_budget},
      {"offline", s.offline},
      {"failed", s.failed},
      {"skipped", s.skipped},
      {"skipped_by_constraints", s.skipped_by_constraints},
      {"mean_interval_ms", s.mean_interval.count()},
      {"max_interval_ms", s.max_interval.count()},
      {"longest_without_success_ms", s.longest_without_success.count()},
      {"notes", report.notes}};
}

}  // namespace

std::string FormatSimReportText(const SimReport& report) {
  std::string out = Heading(report);
  out += "   #  requested         started           duration   result   reason\n";
  for (size_t i = 0; i < report.runs.size(); ++i) out += RunLine(i + 1, report.runs[i]);
  if (report.runs.empty()) out += "   (no runs)\n";
  out += "\n" + SummaryText(report.summary);
  if (!report.notes.empty()) out += "notes:\n";
  for (const std::string& note : report.notes) out += "  " + note + "\n";
  return out;
}

nlohmann::ordered_json SimReportToJson(const SimReport& report) {
  ordered_json runs = ordered_json::array();
  for (size_t i = 0; i < report.runs.size(); ++i) runs.push_back(RunJson(i + 1, report.runs[i]));
  return ordered_json{{"runs", std::move(runs)}, {"summary", SummaryJson(report)}};
}

}  // namespace syncagent
