// The SimReport as a self-contained SVG timeline (`syncagent simulate --svg FILE`).
//
// What: one lane per simulated day (00:00 at the left, 24:00 at the right, a tick every 3 h);
// grey bands for the offline windows, a yellow strip along the bottom of a lane for the charging
// windows, a dashed red line at a force-quit, and one mark per run at its start time, coloured by
// result (green ok, orange cut by the budget, red offline; purple failed and blue-grey skipped,
// which only a caller's body reports). Every run mark is a <rect> with class "run <result>"
// (sim_report.h's ToString(RunOutcome)) and a <title> (the run's line, shown as a tooltip);
// no other element has a class starting with "run". A legend (with the force-quit line when there
// is one) and the summary sit under the lanes.
// No scripts, no external files or fonts (generic font-family only), no entities beyond the five
// XML ones.
//
// Thread safety: a pure function.
#ifndef SYNCAGENT_TOOLS_SIMULATORS_SIM_SVG_H_
#define SYNCAGENT_TOOLS_SIMULATORS_SIM_SVG_H_

#include <string>

#include "tools/simulators/sim_report.h"

namespace syncagent {

std::string RenderSimTimelineSvg(const SimReport& report);

}  // namespace syncagent

#endif  // SYNCAGENT_TOOLS_SIMULATORS_SIM_SVG_H_
