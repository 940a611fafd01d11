#include "agent/cycle_report.h"

namespace syncagent {

std::string_view CycleOutcomeName(CycleOutcome outcome) {
  switch (outcome) {
    case CycleOutcome::kDone:
      return "done";
    case CycleOutcome::kPartial:
      return "partial";
    case CycleOutcome::kRetry:
      return "retry";
    case CycleOutcome::kFailed:
      return "failed";
  }
  return "failed";
}

nlohmann::json CycleReport::ToJson() const {
  nlohmann::json j = {{"outcome", CycleOutcomeName(outcome)},
                      {"pushed", pushed},
                      {"applied", applied},
                      {"conflicts", conflicts},
                      {"resolved", resolved},
                      {"rejected", rejected},
                      {"pulled", pulled},
                      {"remote_skipped", remote_skipped},
                      {"server_reset", server_reset},
                      {"bytes_up", bytes_up},
                      {"bytes_down", bytes_down},
                      {"requests", requests},
                      {"duration_ms", duration.count()},
                      {"push_ms", push_time.count()},
                      {"pull_ms", pull_time.count()}};
  if (!error.ok()) {
    j["error"] = {{"code", StatusCodeName(error.code())},
                  {"class", RetryClassName(error.retry_class())},
                  {"message", error.message()}};
  }
  if (retry_after.count() > 0) j["retry_after_ms"] = retry_after.count();
  if (stop != StopKind::kNone) {
    j["stop"] = StopKindName(stop);
    j["stop_reason"] = StopReason();
  }
  return j;
}

std::string_view StopKindName(StopKind kind) {
  switch (kind) {
    case StopKind::kNone:
      return "";
    case StopKind::kDeadline:
      return "deadline";
    case StopKind::kCancelled:
      return "cancelled";
  }
  return "";
}

std::string CycleReport::StopReason() const {
  if (stop == StopKind::kCancelled) return cancel_reason.empty() ? "cancelled" : cancel_reason;
  return std::string(StopKindName(stop));
}

}  // namespace syncagent
