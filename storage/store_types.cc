// Out-of-line helpers for store_types.h and sync_records.h.
#include "storage/store_types.h"

#include "storage/sync_records.h"

namespace syncagent {

std::string_view MutationOpName(MutationOp op) {
  switch (op) {
    case MutationOp::kPut: return "put";
    case MutationOp::kPatch: return "patch";
    case MutationOp::kDelete: return "delete";
  }
  return "put";
}

std::string_view SyncStateName(SyncState state) {
  switch (state) {
    case SyncState::kSynced: return "synced";
    case SyncState::kPending: return "pending";
    case SyncState::kConflict: return "conflict";
    case SyncState::kRejected: return "rejected";
  }
  return "synced";
}

std::string_view RunResultName(RunResult result) {
  switch (result) {
    case RunResult::kSuccess: return "success";
    case RunResult::kRetry: return "retry";
    case RunResult::kFailure: return "failure";
    case RunResult::kSkipped: return "skipped";
    case RunResult::kRunning: return "running";
  }
  return "running";
}

}  // namespace syncagent
