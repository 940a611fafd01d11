#include "agent/pusher.h"

#include <algorithm>
#include <future>
#include <system_error>

#include "common/json_limits.h"

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

PushRequest Pusher::BuildRequest(const std::vector<Mutation>& batch) {
  PushRequest request;
  request.client_id = ctx_->store->client_id();
  request.batch_id = "b-" + ids_.NewUuid();
  if (ctx_->options->skip_own_changes && ctx_->origin.empty()) {
    // Random and never stored: a restored copy of the database must not skip writes it lacks.
    ctx_->origin = "o-" + ids_.NewUuid();
  }
  request.origin = ctx_->origin;
  request.mutations.reserve(batch.size());
  for (const Mutation& m : batch) request.mutations.push_back(ToWire(m));
  return request;
}

Status Pusher::FlushAnswered() {
  if (!answered_) return Status::Ok();
  Answered answered = std::move(*answered_);
  answered_.reset();
  SYNCAGENT_RETURN_IF_ERROR(ApplyResults(answered.batch, answered.response));
  ctx_->Emit(SyncEventType::kBatchPushed, static_cast<int64_t>(answered.batch.size()));
  return Status::Ok();
}

PhaseEnd Pusher::Stop(PhaseEnd end) {
  Status flushed = FlushAnswered();
  if (!flushed.ok() && end != PhaseEnd::kFailed) return ctx_->Fail(flushed);
  return end;
}

PhaseEnd Pusher::Run() {
  std::vector<Mutation> ready;  // taken (marked attempted) behind the batch on the wire
  for (;;) {
    std::vector<Mutation> batch;
    if (ctx_->server_reset_seen || ready.empty()) {
      // A fresh take sees every recorded answer (a later mutation of an answered document is
      // rebased onto the server's version before it is read).
      if (Status flushed = FlushAnswered(); !flushed.ok()) return ctx_->Fail(flushed);
      if (Status reset = ForgetServerIfSeen(&ready); !reset.ok()) return ctx_->Fail(reset);
      auto peeked = ctx_->store->PeekBatch(1, ctx_->options->push_batch_bytes);
      if (!peeked.ok()) return ctx_->Fail(peeked.status());
      if (peeked->empty()) return PhaseEnd::kComplete;
      if (!ctx_->MayStartRequest()) return PhaseEnd::kStopped;
      // From here on the server may apply these mutations: the batch is read and marked as
      // attempted in one transaction, so no local write folds into it.
      auto taken = ctx_->store->TakeBatch(batch_size_, ctx_->options->push_batch_bytes);
      if (!taken.ok()) return ctx_->Fail(taken.status());
      if (taken->empty()) return PhaseEnd::kComplete;
      batch = std::move(*taken);
      if (Status kept = DropOverLimit(&batch); !kept.ok()) return ctx_->Fail(kept);
      if (batch.empty()) continue;
    } else {
      // Left in the outbox, attempted: the next push (this cycle or the next) sends it again.
      if (!ctx_->MayStartRequest()) return Stop(PhaseEnd::kStopped);
      batch = std::move(ready);
      ready.clear();
      if (Status kept = DropOverLimit(&batch); !kept.ok()) return Stop(ctx_->Fail(kept));
      if (batch.empty()) continue;
    }

    PushRequest request = BuildRequest(batch);
    Status local = Status::Ok();
    auto exchange = [&]() -> StatusOr<PushResponse> {
      if (!ctx_->options->pipeline_push) return ctx_->client->Push(request, ctx_->Call());
      // The request goes out on a helper thread; meanwhile this thread records the previous
      // batch's answers and takes the next batch. Requests still go one at a time, in outbox
      // order; the next batch holds no document of this one (so none of its mutations waits for
      // an answer to this request) and is only sent after this request's answer.
      std::future<StatusOr<PushResponse>> reply;
      try {
        reply = std::async(std::launch::async,
                           [this, &request] { return ctx_->client->Push(request, ctx_->Call()); });
      } catch (const std::system_error&) {
        // No thread to be had (resource limits): the same exchange, one step after the other.
        return ctx_->client->Push(request, ctx_->Call());
      }
      local = FlushAnswered();
      if (local.ok()) {
        auto next = ctx_->store->TakeBatchAfter(batch_size_, ctx_->options->push_batch_bytes,
                                                batch.back().seq, batch);
        if (next.ok()) {
          ready = std::move(*next);
        } else {
          local = next.status();
        }
      }
      return reply.get();
    };
    StatusOr<PushResponse> response = exchange();
    if (!response.ok()) {
      // The server may have applied some of it under this origin without our knowing the
      // versions: those changes must come back in the pull.
      ctx_->AbandonOrigin();
      // What was taken behind the failed batch must not overtake it: it stays attempted in the
      // outbox and is taken again, in order, after the failed batch.
      ready.clear();
      if (!local.ok()) return Stop(ctx_->Fail(local));
      if (Status flushed = FlushAnswered(); !flushed.ok()) return ctx_->Fail(flushed);
      if (auto end = HandleFailure(response.status(), batch)) return *end;
      continue;
    }
    answered_ = Answered{std::move(batch), std::move(*response)};
    if (!local.ok()) return Stop(ctx_->Fail(local));
    // A successful batch lets the size grow back towards the configured one after a 413.
    batch_size_ = std::min(ctx_->options->push_batch_size, batch_size_ * 2);
  }
}

Status Pusher::ForgetServerIfSeen(std::vector<Mutation>* ready) {
  if (!ctx_->server_reset_seen) return Status::Ok();
  // Nothing is on the wire here and every answer is recorded: the outbox is rewritten, the
  // batch taken early with it.
  ready->clear();
  return ctx_->ForgetServer("an acknowledged document is unknown to the server").status();
}

Status Pusher::DropOverLimit(std::vector<Mutation>* batch) {
  std::vector<Mutation> kept;
  kept.reserve(batch->size());
  for (Mutation& m : *batch) {
    std::string problem = m.op == MutationOp::kDelete ? "" : DocumentDepthProblem(m.data);
    if (problem.empty()) {
      kept.push_back(std::move(m));
      continue;
    }
    // Queued before the document limit existed: no server would take it.
    SYNCAGENT_ASSIGN_OR_RETURN(int64_t id,
                               ctx_->store->DeadLetter(m.mutation_id, "invalid_document",
                                                       "data: " + problem +
                                                           " (the document limit); not sent"));
    (void)id;
    ++ctx_->report->rejected;
    ctx_->Emit(SyncEventType::kDeadLetter, 1, m.collection, m.key, "invalid_document");
  }
  *batch = std::move(kept);
  return Status::Ok();
}

std::optional<PhaseEnd> Pusher::HandleFailure(const Status& status,
                                              const std::vector<Mutation>& batch) {
  const auto& wire_error = ctx_->client->last_wire_error();
  if (ctx_->client->last_reply_too_large()) {
    // A lost answer, not a rejection: the server may have applied the batch. Smaller batches
    // get smaller answers; a single mutation's answer too large is tried again next cycle (its
    // replay is answered from the server's exactly-once memory).
    if (batch.size() > 1) {
      batch_size_ = std::max(1, static_cast<int>(batch.size()) / 2);
      return std::nullopt;
    }
    return ctx_->Fail(status.WithRetryClass(RetryClass::kTransient));
  }
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
        // A delete of an acknowledged document that the server "never had": it lost its data.
        if (r.version == 0 && m.base_version.value_or(0) >= 1) ctx_->server_reset_seen = true;
        ++ctx_->report->applied;
        acks.push_back(AckInfo{m.mutation_id, r.version, r.hlc});
        break;
      case PushResult::Kind::kConflict: {
        if (r.current.never_existed() && m.base_version.value_or(0) >= 1) {
          // The server acknowledged this document once and now never had it: it lost its data.
          // No conflict: the engine applies sync.on_server_reset, which rewrites this mutation.
          ctx_->server_reset_seen = true;
          break;
        }
        if (!r.current.unusable.empty()) {
          // The server's version cannot be taken here, so the conflict cannot be settled: the
          // local change is kept as a dead letter (retry it once the server's copy is fixed).
          ++ctx_->report->rejected;
          SYNCAGENT_ASSIGN_OR_RETURN(
              int64_t id, ctx_->store->DeadLetter(m.mutation_id, "remote_unusable",
                                                  "conflict with a server version that cannot "
                                                  "be taken: " + r.current.unusable));
          (void)id;
          ctx_->Emit(SyncEventType::kDeadLetter, 1, m.collection, m.key, "remote_unusable");
          break;
        }
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
    if (acked != static_cast<int64_t>(acks.size())) ctx_->AbandonOrigin();
  }
  return Status::Ok();
}

}  // namespace syncagent
