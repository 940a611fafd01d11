#include "agent/sync_engine.h"

#include <charconv>

#include "agent/conflict_settler.h"
#include "agent/puller.h"
#include "agent/pusher.h"

namespace syncagent {
namespace {

std::optional<int64_t> ParseMs(const std::string& text) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

nlohmann::json SyncStatus::ToJson() const {
  nlohmann::json j = {
      {"queue_depth", store.queue_depth},       {"local_only", store.local_only},
      {"remote_skips", store.remote_skips},     {"dead_letters", store.dead_letters},
      {"open_conflicts", store.open_conflicts}, {"documents", store.documents},
      {"last_outcome", last_outcome},           {"last_error", last_error}};
  j["oldest_pending_age_ms"] =
      store.oldest_pending_age_ms ? nlohmann::json(*store.oldest_pending_age_ms) : nlohmann::json();
  j["last_success_ms"] = last_success_ms ? nlohmann::json(*last_success_ms) : nlohmann::json();
  j["last_attempt_ms"] = last_attempt_ms ? nlohmann::json(*last_attempt_ms) : nlohmann::json();
  return j;
}

SyncEngine::SyncEngine(Store* store, Remote* remote, Clock* clock, const ConflictResolver* resolver,
                       SyncEngineOptions options, EventCallback on_event)
    : store_(store),
      remote_(remote),
      clock_(clock),
      resolver_(resolver),
      options_(std::move(options)),
      on_event_(std::move(on_event)) {}

void SyncEngine::RunRounds(CycleContext* ctx) {
  ConflictSettler settler(ctx);
  // Conflicts left open by an earlier cycle (e.g. one cut short) come first.
  auto settled = settler.SettleOpen();
  if (!settled.ok()) {
    ctx->Fail(settled.status());
    return;
  }
  // The time a phase takes, added to the report's push_time or pull_time.
  auto timed = [ctx](Millis* total, auto&& phase) {
    const MonoTime start = ctx->clock->Now();
    const PhaseEnd end = phase();
    *total += std::chrono::duration_cast<Millis>(ctx->clock->Now() - start);
    return end;
  };
  for (int round = 0; round < options_.max_rounds; ++round) {
    const PhaseEnd pushed = timed(&ctx->report->push_time, [ctx] { return Pusher(ctx).Run(); });
    if (ctx->server_reset_seen) {
      // Found by the push's last answers: the outbox is rewritten before anything else.
      if (auto forgot = ctx->ForgetServer("an acknowledged document is unknown to the server");
          !forgot.ok() && pushed != PhaseEnd::kFailed) {
        ctx->Fail(forgot.status());
        return;
      }
    }
    if (pushed != PhaseEnd::kComplete) return;
    // Conflicts answered by the push are settled before pulling, so the pull does not meet them
    // again as dirty documents.
    settled = settler.SettleOpen();
    if (!settled.ok()) {
      ctx->Fail(settled.status());
      return;
    }
    int queued_writes = *settled;
    const PhaseEnd pulled = timed(&ctx->report->pull_time, [ctx, &settler, &queued_writes] {
      return Puller(ctx, &settler).Run(&queued_writes);
    });
    if (pulled != PhaseEnd::kComplete) return;
    if (queued_writes == 0) return;
  }
}

CycleReport SyncEngine::RunCycle(MonoTime deadline, const CancelToken* cancel) {
  const MonoTime start = clock_->Now();
  remote_->BeginCycle(store_->client_id());
  const TransferStats before = remote_->stats();
  CycleReport report;
  EventEmitter events(clock_, on_event_, options_.event_throttle);
  CycleContext ctx;
  ctx.store = store_;
  ctx.remote = remote_;
  ctx.clock = clock_;
  ctx.resolver = resolver_;
  ctx.events = &events;
  ctx.changes = changes_;
  ctx.options = &options_;
  ctx.deadline = deadline;
  ctx.cancel = cancel;
  ctx.report = &report;

  ctx.Emit(SyncEventType::kCycleStarted, 0);
  RunRounds(&ctx);
  remote_->EndCycle();

  const TransferStats& after = remote_->stats();
  report.requests = after.requests - before.requests;
  report.bytes_up = after.bytes_up - before.bytes_up;
  report.bytes_down = after.bytes_down - before.bytes_down;
  report.duration = std::chrono::duration_cast<Millis>(clock_->Now() - start);
  RecordOutcome(report);
  ctx.Emit(SyncEventType::kCycleFinished, report.pushed + report.pulled, {}, {},
           std::string(CycleOutcomeName(report.outcome)));
  events.Flush();
  if (changes_ != nullptr) changes_->Deliver(ChangeDispatcher::When::kNow);  // nothing left behind
  return report;
}

void SyncEngine::RecordOutcome(const CycleReport& report) {
  const std::string now = std::to_string(clock_->WallMs());
  const bool success =
      report.outcome == CycleOutcome::kDone || report.outcome == CycleOutcome::kPartial;
  // Best effort: a store that cannot record the outcome has already failed the cycle loudly.
  store_->SetCheckpoint(CheckpointKey::LastAttempt().name(), now).IgnoreError();
  store_->SetCheckpoint(CheckpointKey::LastOutcome().name(), CycleOutcomeName(report.outcome))
      .IgnoreError();
  store_->SetCheckpoint(CheckpointKey::LastError().name(), success ? "" : report.error.message())
      .IgnoreError();
  if (success) store_->SetCheckpoint(CheckpointKey::LastSuccess().name(), now).IgnoreError();
}

StatusOr<SyncStatus> SyncEngine::GetStatus() {
  SyncStatus status;
  SYNCAGENT_ASSIGN_OR_RETURN(status.store, store_->Stats());
  SYNCAGENT_ASSIGN_OR_RETURN(auto success,
                             store_->GetCheckpoint(CheckpointKey::LastSuccess().name()));
  if (success) status.last_success_ms = ParseMs(success->value);
  SYNCAGENT_ASSIGN_OR_RETURN(auto attempt,
                             store_->GetCheckpoint(CheckpointKey::LastAttempt().name()));
  if (attempt) status.last_attempt_ms = ParseMs(attempt->value);
  SYNCAGENT_ASSIGN_OR_RETURN(auto outcome,
                             store_->GetCheckpoint(CheckpointKey::LastOutcome().name()));
  if (outcome) status.last_outcome = outcome->value;
  SYNCAGENT_ASSIGN_OR_RETURN(auto error, store_->GetCheckpoint(CheckpointKey::LastError().name()));
  if (error) status.last_error = error->value;
  return status;
}

}  // namespace syncagent
