// SimInvocation: runs one handler invocation inside a simulated OS scheduler and records it.
//
// What: builds the TaskInvocation (deadline = start + budget, a fresh CancelToken), arms the OS's
// cancellation at `os_limit` on the SimClock (iOS expiration handler, WorkManager onStopped), calls
// the handler, measures the virtual time it consumed, and returns the WakeRecord: cancelled when
// the limit was reached, a violation when the handler was still running `kill_grace` after it. A
// handler that throws is recorded as kFailure (no exception leaves the simulator).
//
// Why: both simulators run invocations the same way; only the numbers and the follow-up differ.
//
// Threading contract: single-threaded; may be re-entered from a SimClock timer (a nested
// duplicate run).
#ifndef SYNCAGENT_TOOLS_SIMULATORS_SIM_INVOCATION_H_
#define SYNCAGENT_TOOLS_SIMULATORS_SIM_INVOCATION_H_

#include <string>

#include "platform/scheduler.h"
#include "tools/simulators/sim_clock.h"
#include "tools/simulators/sim_trace.h"

namespace syncagent {

struct SimInvocationSpec {
  std::string task_id;
  bool periodic = false;
  int attempt = 1;
  MonoTime requested_at;
  Millis budget{0};           // handed to the body
  Millis os_limit{0};         // when the OS cancels
  Millis kill_grace{0};       // a body still running at os_limit + kill_grace is a violation
  std::string cancel_reason;  // CancelToken reason and the record's note
  bool duplicate = false;
  bool overlapped = false;
  std::string constraints_seen;
  std::string deferred_by;  // copied to the record (WakeRecord::deferred_by)
};

WakeRecord RunSimInvocation(SimClock* clock, const TaskHandler& handler,
                            const SimInvocationSpec& spec);

}  // namespace syncagent

#endif  // SYNCAGENT_TOOLS_SIMULATORS_SIM_INVOCATION_H_
