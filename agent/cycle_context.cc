#include "agent/cycle_context.h"

#include <algorithm>

namespace syncagent {

bool CycleContext::MayStartRequest() {
  if (cancel && cancel->IsCancelled()) {
    report->outcome = CycleOutcome::kPartial;
    report->stop = StopKind::kCancelled;
    report->cancel_reason = cancel->reason();
    return false;
  }
  const auto rtt = remote->stats().smoothed_rtt;
  const Millis margin = std::max(
      options->min_margin,
      Millis(static_cast<int64_t>(options->rtt_factor * static_cast<double>(rtt.count()))));
  if (clock->Now() + margin >= deadline) {
    report->outcome = CycleOutcome::kPartial;
    report->stop = StopKind::kDeadline;
    return false;
  }
  return true;
}

StatusOr<int64_t> CycleContext::ForgetServer(std::string_view how_detected) {
  server_reset_seen = false;
  AbandonOrigin();
  SYNCAGENT_ASSIGN_OR_RETURN(int64_t count, store->ForgetServer(options->on_server_reset));
  report->server_reset = true;
  const bool reupload = options->on_server_reset == ServerResetRule::kReupload;
  Emit(SyncEventType::kServerReset, count, {}, {},
       std::string(reupload ? "reupload" : "adopt_server") + ": " + std::string(how_detected));
  return reupload ? count : 0;
}

PhaseEnd CycleContext::Fail(const Status& status) { return Fail(status, nullptr); }

PhaseEnd CycleContext::Fail(const Status& status, const RemoteFailure& failure) {
  return Fail(status, &failure);
}

PhaseEnd CycleContext::Fail(const Status& status, const RemoteFailure* failure) {
  if (status.code() == StatusCode::kCancelled) {
    report->outcome = CycleOutcome::kPartial;
    report->stop = StopKind::kCancelled;
    report->cancel_reason = cancel && cancel->IsCancelled() ? cancel->reason() : status.message();
    return PhaseEnd::kStopped;
  }
  if (status.code() == StatusCode::kDeadlineExceeded &&
      status.retry_class() == RetryClass::kTransient && clock->Now() >= deadline) {
    report->outcome = CycleOutcome::kPartial;
    report->stop = StopKind::kDeadline;
    return PhaseEnd::kStopped;
  }
  report->error = status;
  switch (status.retry_class()) {
    case RetryClass::kTransient:
    case RetryClass::kNetwork:
      report->outcome = CycleOutcome::kRetry;
      report->retry_after = (failure ? *failure : remote->last_failure()).retry_after;
      break;
    default:
      report->outcome = CycleOutcome::kFailed;
      break;
  }
  return PhaseEnd::kFailed;
}

void CycleContext::Emit(SyncEventType type, int64_t count, std::string collection, std::string key,
                        std::string detail) {
  // What the cycle committed before this event goes out first: folded by the throttle before a
  // progress event, at once before any other (the cycle's start has nothing of its own).
  if (changes != nullptr && type != SyncEventType::kCycleStarted) {
    changes->Deliver(IsProgressEvent(type) ? ChangeDispatcher::When::kThrottled
                                           : ChangeDispatcher::When::kNow);
  }
  SyncEvent event;
  event.type = type;
  event.count = count;
  event.collection = std::move(collection);
  event.key = std::move(key);
  event.detail = std::move(detail);
  events->Emit(std::move(event));
}

}  // namespace syncagent
