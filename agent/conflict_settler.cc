#include "agent/conflict_settler.h"

namespace syncagent {

Status ConflictSettler::Apply(Store* store, int64_t id, const ConflictDecision& decision) {
  switch (decision.kind) {
    case ConflictDecision::Kind::kTakeRemote:
      return store->ResolveConflict(id, Resolution::TakeRemote());
    case ConflictDecision::Kind::kWrite:
      return store->ResolveConflict(
          id, decision.deleted ? Resolution::Delete() : Resolution::Replace(decision.data));
    case ConflictDecision::Kind::kLeaveOpen:
      return Status::Ok();
  }
  return InternalError("unknown conflict decision");
}

StatusOr<int> ConflictSettler::SettleOpen() {
  SYNCAGENT_ASSIGN_OR_RETURN(std::vector<Conflict> open, ctx_->store->ListConflicts(true));
  int queued_writes = 0;
  for (const Conflict& conflict : open) {
    ConflictDecision decision;
    const bool local_gone = conflict.local_deleted;
    const bool remote_gone = conflict.remote_deleted || conflict.remote_version == 0;
    if (local_gone == remote_gone && (local_gone || conflict.local_data == conflict.remote_data)) {
      decision.kind = ConflictDecision::Kind::kTakeRemote;  // both sides already agree
      decision.policy = "identical";
    } else {
      decision = ctx_->resolver->Decide(conflict);
    }
    if (decision.kind == ConflictDecision::Kind::kLeaveOpen) {
      if (announced_.insert(conflict.id).second) {
        ctx_->Emit(SyncEventType::kConflict, 1, conflict.collection, conflict.key, decision.policy);
      }
      continue;
    }
    SYNCAGENT_RETURN_IF_ERROR(Apply(ctx_->store, conflict.id, decision));
    ++ctx_->report->resolved;
    if (decision.kind == ConflictDecision::Kind::kWrite) ++queued_writes;
    std::string detail = decision.policy;
    if (!decision.tied_paths.empty()) detail += " (" + std::to_string(decision.tied_paths.size()) + " tied fields)";
    ctx_->Emit(SyncEventType::kConflictResolved, 1, conflict.collection, conflict.key, detail);
  }
  return queued_writes;
}

}  // namespace syncagent
