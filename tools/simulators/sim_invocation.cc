#include "tools/simulators/sim_invocation.h"

#include <algorithm>
#include <exception>

#include "platform/cancel_token.h"

namespace syncagent {

WakeRecord RunSimInvocation(SimClock* clock, const TaskHandler& handler,
                            const SimInvocationSpec& spec) {
  CancelToken token;
  const MonoTime start = clock->Now();

  WakeRecord record;
  record.task_id = spec.task_id;
  record.periodic = spec.periodic;
  record.duplicate = spec.duplicate;
  record.overlapped = spec.overlapped;
  record.requested_at = spec.requested_at;
  record.started_at = start;
  record.started_at_wall_ms = clock->WallMs();
  record.budget = std::min(spec.budget, spec.os_limit);
  record.os_limit = spec.os_limit;
  record.constraints_seen = spec.constraints_seen;
  record.deferred_by = spec.deferred_by;
  record.attempt = spec.attempt;

  TaskInvocation invocation;
  invocation.task_id = spec.task_id;
  invocation.requested_at_wall_ms = clock->WallAt(spec.requested_at);
  invocation.started_at_wall_ms = record.started_at_wall_ms;
  invocation.budget = record.budget;
  invocation.deadline = start + record.budget;
  invocation.cancel = &token;
  invocation.constraints_seen = spec.constraints_seen;
  invocation.attempt = spec.attempt;
  invocation.periodic = spec.periodic;

  bool fired = false;
  const SimClock::TimerId timer = clock->AddTimer(start + spec.os_limit, [&] {
    fired = true;
    token.Cancel(spec.cancel_reason);
  });
  std::string thrown;
  try {
    record.result = handler(invocation);
  } catch (const std::exception& e) {
    record.result = TaskResult::kFailure;
    thrown = std::string("handler threw: ") + e.what();
  } catch (...) {
    record.result = TaskResult::kFailure;
    thrown = "handler threw a non-std exception";
  }
  clock->CancelTimer(timer);

  const MonoTime end = clock->Now();
  const auto used = end - start;
  record.ended_at = end;
  record.consumed = std::chrono::duration_cast<Millis>(used);
  if (!fired && used >= spec.os_limit) {
    // The body did not sleep on the SimClock, so the timer could not interrupt it: the OS would
    // have cancelled it at the limit all the same.
    fired = true;
    token.Cancel(spec.cancel_reason);
  }
  record.cancelled = fired;
  record.violation = used > spec.os_limit + spec.kill_grace;
  if (fired) record.note = spec.cancel_reason;
  if (record.violation) {
    if (!record.note.empty()) record.note += "; ";
    record.note +=
        "still running " +
        std::to_string(std::chrono::duration_cast<Millis>(used - spec.os_limit).count()) +
        " ms after the limit (the OS kills it)";
  }
  if (!thrown.empty()) record.note += (record.note.empty() ? "" : "; ") + thrown;
  return record;
}

}  // namespace syncagent
