#include "agent/pusher.h"

#include <algorithm>

namespace syncagent {

WireMutation ToWire(const Mutation& m) {
  WireMutation w;
  w.mutation_id = m.mutation_id;
  w.seq = m.seq;
  w.collection = m.collection;
  w.key = m.key;
  switch (m.op) {
    case MutationOp::kPut: w.op = WireOp::kPut; break;
    case MutationOp::kPatch: w.op = WireOp::kPatch; break;
    case MutationOp::kDelete: w.op = WireOp::kDelete; break;
  }
  w.base_version = m.base_version;
  w.data = m.data;
  w.hlc = m.hlc;
  w.force = m.force;
  return w;
}

PhaseEnd Pusher::Run() {
  for (;;) {
    auto peeked = ctx_->store->PeekBatch(1, ctx_->options->push_batch_bytes);
    if (!peeked.ok()) return ctx_->Fail(peeked.status());
    if (peeked->empty()) return PhaseEnd::kComplete;
    if (!ctx_->MayStartRequest()) return PhaseEnd::kStopped;
    // From here on the server may apply these mutations: the batch is read and marked as
    // attempted in one transaction, so no local write folds into it.
    auto taken = ctx_->store->TakeBatch(batch_size_, ctx_->options->push_batch_bytes);
    if (!taken.ok()) return ctx_->Fail(taken.status());
    const std::vector<Mutation>& batch = *taken;
    if (batch.empty()) return PhaseEnd::kComplete;

    PushRequest request;
    request.client_id = ctx_->store->client_id();
    request.batch_id = "b-" + ids_.NewUuid();
    request.origin = ctx_->origin;
    for (const Mutation& m : batch) {
      request.mutations.push_back(ToWire(m));
    }

    auto response = ctx_->client->Push(request, ctx_->Call());
    if (!response.ok()) {
      // The server may have applied some of it under this origin without our knowing the
      // versions: those changes must come back in the pull.
      ctx_->RenewOrigin();
      if (auto end = HandleFailure(response.status(), batch)) return *end;
      continue;
    }
    Status applied = ApplyResults(batch, *response);
    if (!applied.ok()) return ctx_->Fail(applied);
    ctx_->Emit(SyncEventType::kBatchPushed, static_cast<int64_t>(batch.size()));
    // A successful batch lets the size grow back towards the configured one after a 413.
    batch_size_ = std::min(ctx_->options->push_batch_size, batch_size_ * 2);
  }
}

std::optional<PhaseEnd> Pusher::HandleFailure(const Status& status,
                                              const std::vector<Mutation>& batch) {
  const auto& wire_error = ctx_->client->last_wire_error();
  if (status.code() == StatusCode::kResourceExhausted &&
      status.retry_class() == RetryClass::kPermanent) {  // 413
    if (batch.size() > 1) {
      batch_size_ = std::max(1, static_cast<int>(batch.size()) / 2);
      return std::nullopt;
    }
    auto dead = ctx_->store->DeadLetter(batch.front().mutation_id, "payload_too_large",
                                        status.message());
    if (!dead.ok()) return ctx_->Fail(dead.status());
    ++ctx_->report->rejected;
    ctx_->Emit(SyncEventType::kDeadLetter, 1, batch.front().collection, batch.front().key,
               "payload_too_large");
    return std::nullopt;
  }
  if (wire_error && wire_error->code == "mutation_id_reused" && !wire_error->mutation_id.empty()) {
    auto it = std::find_if(batch.begin(), batch.end(), [&](const Mutation& m) {
      return m.mutation_id == wire_error->mutation_id;
    });
    if (it != batch.end()) {
      auto dead = ctx_->store->DeadLetter(it->mutation_id, "mutation_id_reused", status.message());
      if (!dead.ok()) return ctx_->Fail(dead.status());
      ++ctx_->report->rejected;
      ctx_->Emit(SyncEventType::kDeadLetter, 1, it->collection, it->key, "mutation_id_reused");
      return std::nullopt;
    }
  }
  return ctx_->Fail(status);
}

Status Pusher::ApplyResults(const std::vector<Mutation>& batch, const PushResponse& response) {
  std::vector<AckInfo> acks;
  for (size_t i = 0; i < batch.size(); ++i) {
    const Mutation& m = batch[i];
    const PushResult& r = response.results[i];
    ++ctx_->report->pushed;
    switch (r.kind) {
      case PushResult::Kind::kApplied:
        ++ctx_->report->applied;
        acks.push_back(AckInfo{m.mutation_id, r.version, r.hlc});
        break;
      case PushResult::Kind::kConflict: {
        ++ctx_->report->conflicts;
        ConflictInput input;
        input.collection = m.collection;
        input.key = m.key;
        input.remote_version = r.current.version;
        input.remote_deleted = r.current.deleted;
        input.remote_data = r.current.data;
        input.remote_hlc = r.current.hlc;
        input.origin = ConflictOrigin::kPush;
        input.mutation_id = m.mutation_id;
        SYNCAGENT_ASSIGN_OR_RETURN(int64_t id, ctx_->store->RecordConflict(input));
        (void)id;
        break;
      }
      case PushResult::Kind::kRejected: {
        ++ctx_->report->rejected;
        SYNCAGENT_ASSIGN_OR_RETURN(int64_t id,
                                   ctx_->store->DeadLetter(m.mutation_id, r.code, r.message));
        (void)id;
        ctx_->Emit(SyncEventType::kDeadLetter, 1, m.collection, m.key, r.code);
        break;
      }
    }
  }
  if (!acks.empty()) {
    SYNCAGENT_ASSIGN_OR_RETURN(int64_t acked, ctx_->store->AckBatch(acks));
    // A mutation that left the outbox meanwhile (dead-lettered, or replaced by a conflict
    // decision from another thread) was not recorded: its version is not known locally, so the
    // pull must not skip it.
    if (acked != static_cast<int64_t>(acks.size())) ctx_->RenewOrigin();
  }
  return Status::Ok();
}

}  // namespace syncagent
