// The two text forms of a SimReport (`syncagent simulate` without and with --json).
//
// Plain: a heading (platform, days, interval, budget, seed, the scripted windows), one line per
// run (index, requested, started, duration, result, reason; "waited: ..." when the constraints
// held it back), the summary, then the scheduler's notes.
//
// JSON: one object {"runs":[...],"summary":{...}} with these fields (times in milliseconds since
// the start of day 1, midnight; also as "day N HH:MM:SS" text):
//   runs[]:  index (1-based), requested_ms, requested, started_ms, started, duration_ms, attempt,
//            result ("ok" | "cut" | "offline" | "failed" | "skipped"), os_result ("success" | "retry" | "failure": what
//            the body told the OS), reason, deferred_by ("" or the constraints that held it back)
//   summary: platform, days, seed, interval_ms, budget_ms, offline_windows[], charging_windows[],
//            force_quit_at_ms (null when none), runs, ok, cut_by_budget, offline, failed,
//            skipped, skipped_by_constraints, mean_interval_ms, max_interval_ms,
//            longest_without_success_ms, notes[]
// The meaning of each number is SimSummary's (sim_report.h); docs/platforms.md lists them too.
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_TOOLS_SIMULATORS_SIM_REPORT_FORMAT_H_
#define SYNCAGENT_TOOLS_SIMULATORS_SIM_REPORT_FORMAT_H_

#include <string>

#include <nlohmann/json.hpp>

#include "tools/simulators/sim_report.h"

namespace syncagent {

std::string FormatSimReportText(const SimReport& report);
// Keys in the order listed above.
nlohmann::ordered_json SimReportToJson(const SimReport& report);

}  // namespace syncagent

#endif  // SYNCAGENT_TOOLS_SIMULATORS_SIM_REPORT_FORMAT_H_
