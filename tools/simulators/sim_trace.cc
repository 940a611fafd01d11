#include "tools/simulators/sim_trace.h"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace syncagent {

namespace {
// "+3d04:05:06.007" relative to the clock's epoch.
std::string FormatMono(MonoTime t) {
  int64_t ms = t.ns / 1'000'000;
  const int64_t days = ms / 86'400'000;
  ms %= 86'400'000;
  char buffer[48];
  std::snprintf(buffer, sizeof(buffer), "+%lldd%02lld:%02lld:%02lld.%03lld",
                static_cast<long long>(days), static_cast<long long>(ms / 3'600'000),
                static_cast<long long>(ms / 60'000 % 60), static_cast<long long>(ms / 1000 % 60),
                static_cast<long long>(ms % 1000));
  return buffer;
}

std::string FormatMillis(Millis d) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.1fs", static_cast<double>(d.count()) / 1000.0);
  return buffer;
}
}  // namespace

std::string WakeRecord::ToString() const {
  std::string out = FormatMono(started_at) + " " + task_id;
  if (duplicate) out += " [duplicate]";
  if (overlapped) out += " [overlapped]";
  out += " attempt=" + std::to_string(attempt);
  out += " requested=" + FormatMono(requested_at);
  out += " budget=" + FormatMillis(budget) + " limit=" + FormatMillis(os_limit);
  out += " used=" + FormatMillis(consumed);
  out += " result=" + std::string(syncagent::ToString(result));
  if (cancelled) out += " cancelled";
  if (violation) out += " VIOLATION";
  if (!note.empty()) out += " (" + note + ")";
  if (!deferred_by.empty()) out += " deferred by: " + deferred_by;
  out += " [" + constraints_seen + "]";
  return out;
}

std::string TraceSummary::ToString() const {
  std::string out = "runs=" + std::to_string(runs) + " duplicates=" + std::to_string(duplicates) +
                    " success=" + std::to_string(successes) + " retry=" + std::to_string(retries) +
                    " failure=" + std::to_string(failures) +
                    " cancelled=" + std::to_string(cancellations) +
                    " violations=" + std::to_string(violations);
  if (intervals > 0) {
    out += " interval min/mean/max=" + FormatMillis(min_interval) + "/" +
           FormatMillis(mean_interval) + "/" + FormatMillis(max_interval);
  }
  return out;
}

void SimTrace::Add(WakeRecord record) {
  auto it = std::upper_bound(
      records_.begin(), records_.end(), record.started_at,
      [](MonoTime t, const WakeRecord& existing) { return t < existing.started_at; });
  records_.insert(it, std::move(record));
}

void SimTrace::Note(MonoTime at, std::string text) { notes_.emplace_back(at, std::move(text)); }

std::vector<WakeRecord> SimTrace::ForTask(std::string_view task_id) const {
  std::vector<WakeRecord> out;
  for (const WakeRecord& record : records_) {
    if (task_id.empty() || record.task_id == task_id) out.push_back(record);
  }
  return out;
}

bool SimTrace::HasNote(std::string_view text) const {
  for (const auto& note : notes_) {
    if (note.second.find(text) != std::string::npos) return true;
  }
  return false;
}

TraceSummary SimTrace::Summarize(std::string_view task_id, bool first_attempts_only) const {
  TraceSummary summary;
  int64_t min_ns = std::numeric_limits<int64_t>::max(), max_ns = 0, sum_ns = 0;
  bool have_previous = false;
  MonoTime previous;
  for (const WakeRecord& record : records_) {
    if (!task_id.empty() && record.task_id != task_id) continue;
    ++summary.runs;
    if (record.duplicate) ++summary.duplicates;
    if (record.cancelled) ++summary.cancellations;
    if (record.violation) ++summary.violations;
    switch (record.result) {
      case TaskResult::kSuccess:
        ++summary.successes;
        break;
      case TaskResult::kRetry:
        ++summary.retries;
        break;
      case TaskResult::kFailure:
        ++summary.failures;
        break;
    }
    if (record.duplicate || (first_attempts_only && record.attempt != 1)) continue;
    if (have_previous) {
      const int64_t gap = (record.started_at - previous).count();
      min_ns = std::min(min_ns, gap);
      max_ns = std::max(max_ns, gap);
      sum_ns += gap;
      ++summary.intervals;
    }
    previous = record.started_at;
    have_previous = true;
  }
  if (summary.intervals > 0) {
    summary.min_interval = Millis(min_ns / 1'000'000);
    summary.max_interval = Millis(max_ns / 1'000'000);
    summary.mean_interval = Millis(sum_ns / summary.intervals / 1'000'000);
  }
  return summary;
}

std::string SimTrace::ToString() const {
  std::string out;
  for (const auto& note : notes_) out += FormatMono(note.first) + " note: " + note.second + "\n";
  for (const WakeRecord& record : records_) out += record.ToString() + "\n";
  return out;
}

}  // namespace syncagent
