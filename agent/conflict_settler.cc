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

ConflictDecision ConflictSettler::Decide(const Conflict& conflict) {
  ConflictDecision decision;
  const bool local_gone = conflict.local_deleted;
  const bool remote_gone = conflict.remote_deleted || conflict.remote_rev.empty();
  if (local_gone == remote_gone && (local_gone || conflict.local_data == conflict.remote_data)) {
    decision.kind = ConflictDecision::Kind::kTakeRemote;  // both sides already agree
    decision.policy = "identical";
    return decision;
  }
  return ctx_->resolver->Decide(conflict);
}

StatusOr<int> ConflictSettler::SettleOpen() {
  // Keyset pages over every open conflict: the conflicts left open (manual ones, however many)
  // never hide the ones after them. Settling a conflict does not move the cursor.
  int queued_writes = 0;
  int64_t after_id = 0;
  while (true) {
    SYNCAGENT_ASSIGN_OR_RETURN(std::vector<Conflict> page,
                               ctx_->store->ListConflicts(true, kPageSize, after_id));
    for (Conflict& conflict : page) {
      after_id = conflict.id;
      SYNCAGENT_ASSIGN_OR_RETURN(bool queued, SettleOne(std::move(conflict)));
      if (queued) ++queued_writes;
    }
    if (static_cast<int64_t>(page.size()) < kPageSize) break;
  }
  return queued_writes;
}

StatusOr<bool> ConflictSettler::SettleOne(Conflict conflict) {
  // A local write that lands after the conflict was read makes the decision stale: the store
  // refuses it (kAborted), the conflict's local side is re-read and the policy decides again.
  // Still racing after a few rounds (a very busy writer): left open for the next cycle.
  ConflictDecision decision;
  Status applied;
  for (int round = 0; round < kMaxDecideRounds; ++round) {
    decision = Decide(conflict);
    if (decision.kind == ConflictDecision::Kind::kLeaveOpen) break;
    applied = Apply(ctx_->store, conflict.id, decision);
    if (applied.code() != StatusCode::kAborted) break;
    SYNCAGENT_RETURN_IF_ERROR(ctx_->store->RefreshConflict(conflict.id));
    SYNCAGENT_ASSIGN_OR_RETURN(conflict, ctx_->store->GetConflict(conflict.id));
  }
  if (decision.kind == ConflictDecision::Kind::kLeaveOpen) {
    if (announced_.insert(conflict.id).second) {
      ctx_->Emit(SyncEventType::kConflict, 1, conflict.collection, conflict.key, decision.policy);
    }
    return false;
  }
  if (applied.code() == StatusCode::kAborted) return false;
  SYNCAGENT_RETURN_IF_ERROR(applied);
  ++ctx_->report->resolved;
  std::string detail = decision.policy;
  if (!decision.tied_paths.empty()) detail += " (" + std::to_string(decision.tied_paths.size()) + " tied fields)";
  ctx_->Emit(SyncEventType::kConflictResolved, 1, conflict.collection, conflict.key, detail);
  // Taking a server version that stands beside others writes it back (StoreOptions::
  // needs_write_back), which the next push round sends like any resolution's write.
  return decision.kind == ConflictDecision::Kind::kWrite ||
         (!conflict.remote_deleted && ctx_->remote->NeedsWriteBack(conflict.remote_rev));
}

}  // namespace syncagent
