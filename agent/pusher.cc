#include "agent/pusher.h"

#include <algorithm>
#include <future>
#include <system_error>

#include "common/json_limits.h"
#include "storage/json_merge_patch.h"

namespace syncagent {
namespace {

// The mutation is based on a revision the server acknowledged (not a create, not "only where
// the server never had it").
bool NamesAcknowledged(const Mutation& m) { return m.base_rev && !m.base_rev->empty(); }

}  // namespace

Pusher::Pusher(CycleContext* ctx) : ctx_(ctx) {
  const RemoteCapabilities caps = ctx->remote->capabilities();
  max_batch_size_ = ctx->options->push_batch_size;
  if (caps.max_batch_mutations > 0) max_batch_size_ = std::min(max_batch_size_, caps.max_batch_mutations);
  batch_size_ = max_batch_size_;
  batch_bytes_ = ctx->options->push_batch_bytes;
  if (caps.max_batch_bytes > 0) batch_bytes_ = std::min(batch_bytes_, caps.max_batch_bytes);
  // Recording answers beside the next request needs answers that are complete: a conflict whose
  // document must be fetched would use the remote while the request is on it.
  pipeline_ = ctx->options->pipeline_push && caps.conflict_includes_current;
  whole_bodies_ = !caps.patch;
}

Status Pusher::FlushAnswered() {
  if (!answered_) return Status::Ok();
  Answered answered = std::move(*answered_);
  answered_.reset();
  SYNCAGENT_RETURN_IF_ERROR(ApplyResults(answered.batch, answered.answers));
  ctx_->Emit(SyncEventType::kBatchPushed, static_cast<int64_t>(answered.batch.size()));
  return Status::Ok();
}

PhaseEnd Pusher::Stop(PhaseEnd end) {
  Status flushed = FlushAnswered();
  if (!flushed.ok() && end != PhaseEnd::kFailed) return ctx_->Fail(flushed);
  return end;
}

PhaseEnd Pusher::Run() {
  Ready ready;  // taken (marked attempted) behind the batch on the wire
  for (;;) {
    std::vector<Mutation> batch;
    std::unique_ptr<PreparedPush> prepared;
    if (ctx_->server_reset_seen || ready.batch.empty()) {
      // A fresh take sees every recorded answer (a later mutation of an answered document is
      // rebased onto the server's version before it is read).
      if (Status flushed = FlushAnswered(); !flushed.ok()) return ctx_->Fail(flushed);
      if (Status reset = ForgetServerIfSeen(&ready); !reset.ok()) return ctx_->Fail(reset);
      auto peeked = ctx_->store->PeekBatch(1, batch_bytes_);
      if (!peeked.ok()) return ctx_->Fail(peeked.status());
      if (peeked->empty()) return PhaseEnd::kComplete;
      if (!ctx_->MayStartRequest()) return PhaseEnd::kStopped;
      // From here on the server may apply these mutations: the batch is read and marked as
      // attempted in one transaction, so no local write folds into it.
      auto taken = ctx_->store->TakeBatch(batch_size_, batch_bytes_);
      if (!taken.ok()) return ctx_->Fail(taken.status());
      if (taken->empty()) return PhaseEnd::kComplete;
      batch = std::move(*taken);
      if (Status kept = DropOverLimit(&batch); !kept.ok()) return ctx_->Fail(kept);
      if (batch.empty()) continue;
      if (Status whole = SendWholeBodies(&batch); !whole.ok()) return ctx_->Fail(whole);
    } else {
      // Left in the outbox, attempted: the next push (this cycle or the next) sends it again.
      if (!ctx_->MayStartRequest()) return Stop(PhaseEnd::kStopped);
      batch = std::move(ready.batch);
      prepared = std::move(ready.prepared);
      ready = Ready{};
    }

    Status local = Status::Ok();
    auto exchange = [&]() -> StatusOr<std::vector<PushAnswer>> {
      if (!pipeline_) return ctx_->remote->PushPrepared(batch, std::move(prepared), ctx_->Call());
      // The request goes out on a helper thread; meanwhile this thread records the previous
      // batch's answers, takes the next batch and makes it ready (MakeReady). Requests still go one at a time, in outbox
      // order; the next batch holds no document of this one (so none of its mutations waits for
      // an answer to this request) and is only sent after this request's answer.
      std::future<StatusOr<std::vector<PushAnswer>>> reply;
      try {
        reply = std::async(std::launch::async, [this, &batch, &prepared] {
          return ctx_->remote->PushPrepared(batch, std::move(prepared), ctx_->Call());
        });
      } catch (const std::system_error&) {
        // No thread to be had (resource limits): the same exchange, one step after the other.
        return ctx_->remote->PushPrepared(batch, std::move(prepared), ctx_->Call());
      }
      // Until reply.get(), the remote belongs to the helper thread (see AbandonOriginSoon).
      request_on_wire_ = true;
      local = FlushAnswered();
      if (local.ok()) {
        auto next = ctx_->store->TakeBatchAfter(batch_size_, batch_bytes_,
                                                batch.back().seq, batch);
        if (next.ok()) {
          ready.batch = std::move(*next);
        } else {
          local = next.status();
        }
      }
      if (local.ok()) local = MakeReady(&ready);
      auto answers = reply.get();
      request_on_wire_ = false;
      if (distrust_pending_) {
        distrust_pending_ = false;
        ctx_->AbandonOrigin();
      }
      return answers;
    };
    StatusOr<std::vector<PushAnswer>> response = exchange();
    if (!response.ok()) {
      // The server may have applied some of it under this origin without our knowing the
      // versions: those changes must come back in the pull.
      ctx_->AbandonOrigin();
      // What was taken behind the failed batch must not overtake it: it stays attempted in the
      // outbox and is taken again, in order, after the failed batch.
      ready = Ready{};
      if (!local.ok()) return Stop(ctx_->Fail(local));
      if (Status flushed = FlushAnswered(); !flushed.ok()) return ctx_->Fail(flushed);
      if (auto end = HandleFailure(response.status(), batch)) return *end;
      continue;
    }
    answered_ = Answered{std::move(batch), std::move(*response)};
    if (!local.ok()) return Stop(ctx_->Fail(local));
    // A successful batch lets the size grow back towards the configured one after a 413.
    batch_size_ = std::min(max_batch_size_, batch_size_ * 2);
  }
}

Status Pusher::ForgetServerIfSeen(Ready* ready) {
  if (!ctx_->server_reset_seen) return Status::Ok();
  // Nothing is on the wire here and every answer is recorded: the outbox is rewritten, the
  // batch taken early with it.
  *ready = Ready{};
  return ctx_->ForgetServer("an acknowledged document is unknown to the server").status();
}

Status Pusher::MakeReady(Ready* ready) {
  SYNCAGENT_RETURN_IF_ERROR(DropOverLimit(&ready->batch));
  SYNCAGENT_RETURN_IF_ERROR(SendWholeBodies(&ready->batch));
  // An empty batch (all dead-lettered) makes the loop take a fresh one.
  if (!ready->batch.empty()) ready->prepared = ctx_->remote->PreparePush(ready->batch);
  return Status::Ok();
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
    SYNCAGENT_RETURN_IF_ERROR(
        DeadLetter(m, "invalid_document", "data: " + problem + " (the document limit); not sent"));
  }
  *batch = std::move(kept);
  return Status::Ok();
}

Status Pusher::DeadLetter(const Mutation& m, const std::string& code,
                          const std::string& message) {
  SYNCAGENT_ASSIGN_OR_RETURN(int64_t id, ctx_->store->DeadLetter(m.mutation_id, code, message));
  (void)id;
  ++ctx_->report->rejected;
  ctx_->Emit(SyncEventType::kDeadLetter, 1, m.collection, m.key, code);
  return Status::Ok();
}

std::optional<PhaseEnd> Pusher::HandleFailure(const Status& status,
                                              const std::vector<Mutation>& batch) {
  const RemoteFailure& failure = ctx_->remote->last_failure();
  switch (failure.kind) {
    case RemoteFailure::Kind::kReplyTooLarge:
      // A lost answer, not a rejection: the server may have applied the batch. Smaller batches
      // get smaller answers; a single mutation's answer too large is tried again next cycle (its
      // replay is answered from the server's exactly-once memory).
      if (batch.size() > 1) {
        batch_size_ = std::max(1, static_cast<int>(batch.size()) / 2);
        return std::nullopt;
      }
      return ctx_->Fail(status.WithRetryClass(RetryClass::kTransient));
    case RemoteFailure::Kind::kBatchTooLarge:
      if (batch.size() > 1) {
        batch_size_ = std::max(1, static_cast<int>(batch.size()) / 2);
        return std::nullopt;
      }
      if (Status dead = DeadLetter(batch.front(), "payload_too_large", status.message());
          !dead.ok()) {
        return ctx_->Fail(dead);
      }
      return std::nullopt;
    case RemoteFailure::Kind::kIdReused: {
      auto it = std::find_if(batch.begin(), batch.end(), [&](const Mutation& m) {
        return m.mutation_id == failure.mutation_id;
      });
      if (it == batch.end()) break;
      if (Status dead = DeadLetter(*it, "mutation_id_reused", status.message()); !dead.ok()) {
        return ctx_->Fail(dead);
      }
      return std::nullopt;
    }
    case RemoteFailure::Kind::kNone:
    case RemoteFailure::Kind::kOther:
    case RemoteFailure::Kind::kCursorRefused:
      break;
  }
  return ctx_->Fail(status);
}

void Pusher::AbandonOriginSoon() {
  if (request_on_wire_) {
    distrust_pending_ = true;  // the helper thread is inside Push: tell the remote afterwards
  } else {
    ctx_->AbandonOrigin();
  }
}

Status Pusher::RecordConflict(const Mutation& m, const PushAnswer& answer) {
  const RemoteChange& current = *answer.current;
  if (current.never_existed() && NamesAcknowledged(m)) {
    // The server acknowledged this document once and now never had it: it lost its data. No
    // conflict: the engine applies sync.on_server_reset, which rewrites this mutation.
    ctx_->server_reset_seen = true;
    return Status::Ok();
  }
  if (!current.unusable.empty()) {
    // The server's version cannot be taken here, so the conflict cannot be settled: the local
    // change is kept as a dead letter (retry it once the server's copy is fixed).
    return DeadLetter(m, "remote_unusable",
                      "conflict with a server version that cannot be taken: " + current.unusable);
  }
  ++ctx_->report->conflicts;
  ConflictInput input;
  input.collection = m.collection;
  input.key = m.key;
  input.remote_rev = current.rev;
  input.remote_deleted = current.deleted;
  input.remote_data = current.data;
  input.remote_hlc = current.hlc;
  input.origin = ConflictOrigin::kPush;
  input.mutation_id = m.mutation_id;
  SYNCAGENT_ASSIGN_OR_RETURN(int64_t id, ctx_->store->RecordConflict(input));
  (void)id;
  return Status::Ok();
}

namespace {

// The whole document a kPatch makes on a remote that takes no patches: the server's body at
// the mutation's base (the document's base_data: the batch holds the oldest queued mutation of
// each document, so its base is the document's) with the patch applied. Without a known base
// body, the local document as it is now: never a partial document.
nlohmann::json WholeBodyOf(const Document* doc, const nlohmann::json& patch) {
  nlohmann::json body = nlohmann::json::object();
  if (doc != nullptr && doc->base_data.is_object()) {
    body = doc->base_data;
  } else if (doc != nullptr && doc->data.is_object()) {
    return doc->data;
  }
  ApplyMergePatch(body, patch);
  return body;
}

}  // namespace

Status Pusher::SendWholeBodies(std::vector<Mutation>* batch) {
  if (!whole_bodies_) return Status::Ok();
  for (Mutation& m : *batch) {
    if (m.op != MutationOp::kPatch) continue;
    SYNCAGENT_ASSIGN_OR_RETURN(std::optional<Document> doc,
                               ctx_->store->Get(m.collection, m.key, /*include_deleted=*/true));
    m.data = WholeBodyOf(doc ? &*doc : nullptr, m.data);
    m.op = MutationOp::kPut;
  }
  return Status::Ok();
}

Status Pusher::ApplyResults(const std::vector<Mutation>& batch, std::vector<PushAnswer>& answers) {
  if (answers.size() != batch.size()) {
    return Status(StatusCode::kInternal,
                  "the remote answered " + std::to_string(answers.size()) + " of " +
                      std::to_string(batch.size()) + " mutations");
  }
  std::vector<AckInfo> acks;
  Status deferred = Status::Ok();  // a failed Fetch: reported once the other answers are kept
  for (size_t i = 0; i < batch.size(); ++i) {
    const Mutation& m = batch[i];
    PushAnswer& answer = answers[i];
    ++ctx_->report->pushed;
    switch (answer.kind) {
      case PushAnswer::Kind::kApplied:
        // A delete of an acknowledged document that the server "never had": it lost its data.
        if (answer.ack.never_existed() && NamesAcknowledged(m)) {
          ctx_->server_reset_seen = true;
        }
        ++ctx_->report->applied;
        answer.ack.mutation_id = m.mutation_id;
        acks.push_back(std::move(answer.ack));
        break;
      case PushAnswer::Kind::kConflict:
        if (!answer.current) {
          // The remote's conflict answer carries no body: ask for the document. If that fails,
          // or the deadline leaves no room for the request, this mutation stays queued (its
          // replay is answered again) and the others are kept.
          if (!ctx_->MayStartRequest()) break;
          auto fetched = ctx_->remote->Fetch(m.collection, m.key, ctx_->Call());
          if (!fetched.ok()) {
            if (deferred.ok()) {
              deferred = fetched.status().WithContext("fetching " + m.collection + "/" + m.key);
            }
            break;
          }
          answer.current = std::move(*fetched);
        }
        SYNCAGENT_RETURN_IF_ERROR(RecordConflict(m, answer));
        break;
      case PushAnswer::Kind::kRejected:
        // A remote that names no code gets its refusal's kind as the code (never an empty one).
        SYNCAGENT_RETURN_IF_ERROR(DeadLetter(
            m, answer.code.empty() ? std::string(RejectKindName(answer.reject)) : answer.code,
            answer.message));
        break;
    }
  }
  if (!acks.empty()) {
    SYNCAGENT_ASSIGN_OR_RETURN(int64_t acked, ctx_->store->AckBatch(acks));
    // A mutation that left the outbox meanwhile (dead-lettered, or replaced by a conflict
    // decision from another thread) was not recorded: its version is not known locally, so the
    // pull must not skip it.
    if (acked != static_cast<int64_t>(acks.size())) AbandonOriginSoon();
  }
  return deferred;
}

}  // namespace syncagent
