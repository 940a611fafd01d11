// SimTrace: the record of every wake-up a simulated OS scheduler performed, with a summary.
//
// What: one WakeRecord per handler invocation (requested time, actual start, budget, constraints
// seen, result, cancellation, deadline violation, duplicate fire) kept in start order, plus
// free-form notes for scheduler-level events (a refused submission, a force-quit, a reboot, an
// interval clamp). Summarize() gives counts and the min/mean/max interval between starts.
//
// Why: the simulators exist so tests and app developers can see what the OS will do with their
// schedule; the trace is that answer.
//
// Threading contract: single-threaded (owned by one simulator); copies are values.
#ifndef SYNCAGENT_TOOLS_SIMULATORS_SIM_TRACE_H_
#define SYNCAGENT_TOOLS_SIMULATORS_SIM_TRACE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/clock.h"
#include "platform/scheduler.h"

namespace syncagent {

struct WakeRecord {
  std::string task_id;
  bool periodic = false;
  bool duplicate = false;   // the second start of a duplicate fire
  bool overlapped = false;  // started while another invocation of the same work was running
  MonoTime requested_at;    // when it became due (earliest begin, period, retry time)
  MonoTime started_at;
  MonoTime ended_at;
  int64_t started_at_wall_ms = 0;
  Millis budget{0};    // what the body was given (TaskInvocation::budget)
  Millis os_limit{0};  // when the OS cancels (expiration handler / onStopped)
  Millis consumed{0};  // virtual time the body used (clock after - clock before)
  std::string constraints_seen;
  // Why the OS held this run back when it came due (the constraints that did not hold then, e.g.
  // "network=none"), or empty when it started without waiting for its constraints.
  std::string deferred_by;
  int attempt = 1;
  TaskResult result = TaskResult::kSuccess;  // what the body returned
  bool cancelled = false;  // the OS cancelled the invocation (expiration / stop / kill)
  bool violation = false;  // still running past os_limit + grace (the real OS kills it)
  std::string note;        // "expired", "stopped: execution limit", ...

  std::string ToString() const;
};

struct TraceSummary {
  int runs = 0;
  int duplicates = 0;
  int successes = 0;
  int retries = 0;
  int failures = 0;
  int cancellations = 0;
  int violations = 0;
  int intervals = 0;  // how many intervals the min/mean/max cover
  Millis min_interval{0};
  Millis mean_interval{0};
  Millis max_interval{0};

  std::string ToString() const;
};

class SimTrace {
 public:
  // Inserts in start order (stable for equal starts).
  void Add(WakeRecord record);
  void Note(MonoTime at, std::string text);

  const std::vector<WakeRecord>& records() const { return records_; }
  const std::vector<std::pair<MonoTime, std::string>>& notes() const { return notes_; }
  // Records of one task (all tasks when `task_id` is empty).
  std::vector<WakeRecord> ForTask(std::string_view task_id) const;
  // True when some note contains `text`.
  bool HasNote(std::string_view text) const;

  // Counts over the records of `task_id` (all when empty). Intervals are between consecutive
  // non-duplicate starts; with `first_attempts_only`, only between attempt-1 starts (the periodic
  // rhythm, without retries in between).
  TraceSummary Summarize(std::string_view task_id = {}, bool first_attempts_only = false) const;

  // One line per record and note, for failure messages and the docs.
  std::string ToString() const;

 private:
  std::vector<WakeRecord> records_;
  std::vector<std::pair<MonoTime, std::string>> notes_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_TOOLS_SIMULATORS_SIM_TRACE_H_
