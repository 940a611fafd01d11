// CycleReport: what one sync cycle did, and how it ended.
//
//   kDone     — everything that could be pushed was pushed and the pull reached the head;
//   kPartial  — stopped early (deadline margin, or cancelled by the OS); all progress is
//               checkpointed and the next cycle resumes where this one stopped;
//   kRetry    — a transient or connectivity failure; try again later (after retry_after);
//   kFailed   — a failure that retrying will not fix (credentials, TLS trust, local storage).
//
// Thread safety: a plain value.
#ifndef SYNCAGENT_AGENT_CYCLE_REPORT_H_
#define SYNCAGENT_AGENT_CYCLE_REPORT_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "platform/clock.h"
#include "syncagent/status.h"

namespace syncagent {

enum class CycleOutcome { kDone, kPartial, kRetry, kFailed };
std::string_view CycleOutcomeName(CycleOutcome outcome);

// Why a kPartial cycle stopped early.
enum class StopKind {
  kNone,       // it did not stop early
  kDeadline,   // the deadline (less the safety margin) came before the work was done
  kCancelled,  // the OS or the app cancelled it (CycleReport::cancel_reason says who and why)
};
std::string_view StopKindName(StopKind kind);  // "", "deadline", "cancelled"

struct CycleReport {
  CycleOutcome outcome = CycleOutcome::kDone;
  int64_t pushed = 0;          // mutations sent and answered
  int64_t applied = 0;         // ... that the server applied
  int64_t conflicts = 0;       // conflicts met (push and pull)
  int64_t resolved = 0;        // ... settled by a policy this cycle
  int64_t rejected = 0;        // mutations dead-lettered
  int64_t pulled = 0;          // remote changes received
  int64_t remote_skipped = 0;  // ... that could not be taken (isolated in remote_skips)
  bool server_reset = false;   // the server lost acknowledged data; sync.on_server_reset ran
  int64_t bytes_up = 0;
  int64_t bytes_down = 0;
  int64_t requests = 0;
  Millis duration{0};
  Millis push_time{0};  // spent in the push phase (every round), answers recorded included
  Millis pull_time{0};  // spent in the pull phase (every round), pages applied included
  Status error;                     // why the cycle is kRetry/kFailed (or what cut it short)
  Millis retry_after{0};            // kRetry: the wait the server or the backoff suggested
  StopKind stop = StopKind::kNone;  // kPartial: why it stopped early
  std::string cancel_reason;        // kCancelled: the canceller's words

  // For people and the JSON's "stop_reason": "deadline", the cancel reason, or "".
  std::string StopReason() const;

  nlohmann::json ToJson() const;
};

}  // namespace syncagent

#endif  // SYNCAGENT_AGENT_CYCLE_REPORT_H_
