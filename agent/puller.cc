#include "agent/puller.h"

#include <algorithm>
#include <system_error>

namespace syncagent {

Puller::Puller(CycleContext* ctx, ConflictSettler* settler)
    : ctx_(ctx), settler_(settler), prefetch_(ctx->options->prefetch_pull) {}

Puller::~Puller() {
  if (ahead_.valid()) ahead_.wait();
}

Puller::Fetched Puller::PullNow(const PullQuery& request) {
  StatusOr<RemotePage> page = ctx_->remote->Pull(request, ctx_->Call());
  return Fetched{std::move(page), ctx_->remote->last_failure()};
}

void Puller::StartAhead(const PullQuery& next) {
  if (!prefetch_ || !ctx_->MayStartRequest()) return;
  try {
    ahead_ = std::async(std::launch::async, [this, next] { return PullNow(next); });
  } catch (const std::system_error&) {
    // No thread to be had (resource limits): the page is pulled after this one is applied.
  }
}

std::optional<Puller::Fetched> Puller::TakeAhead() {
  if (ahead_result_) {
    std::optional<Fetched> result = std::move(ahead_result_);
    ahead_result_.reset();
    return result;
  }
  if (!ahead_.valid()) return std::nullopt;
  return ahead_.get();
}

void Puller::FinishAhead() {
  if (ahead_.valid()) ahead_result_ = ahead_.get();
}

PhaseEnd Puller::Run(int* queued_writes) {
  // A cursor pulled with a narrower collection set does not cover the added collections.
  if (auto aligned = ctx_->store->AlignPullCollections(ctx_->options->collections); !aligned.ok()) {
    return ctx_->Fail(aligned.status());
  }
  auto checkpoint = ctx_->store->GetCheckpoint(CheckpointKey::PullCursor().name());
  if (!checkpoint.ok()) return ctx_->Fail(checkpoint.status());
  PullQuery request;
  request.limit = ctx_->options->pull_page_size;
  request.collections = ctx_->options->collections;
  request.max_bytes = ctx_->options->pull_max_bytes;
  if (checkpoint->has_value()) {
    request.cursor = (*checkpoint)->value;
    request.cursor_tag = (*checkpoint)->etag;
  }
  restarted_ = false;
  for (;;) {
    std::optional<Fetched> fetched = TakeAhead();
    if (!fetched) {
      if (!ctx_->MayStartRequest()) return PhaseEnd::kStopped;
      fetched = PullNow(request);
    }
    if (!fetched->page.ok()) {
      const Status failed = fetched->page.status();
      if (auto end = OnFailure(failed, fetched->failure, &request, queued_writes)) return *end;
      continue;
    }
    RemotePage& got = *fetched->page;
    if (got.unchanged) return PhaseEnd::kComplete;
    // A page shrunk for an oversized reply stays small for the rest of the cycle: growing it
    // back would meet the same documents' size again.
    PullQuery next = request;
    next.cursor = got.cursor;
    next.cursor_tag.clear();  // only meaningful for the first request of a cycle
    if (got.has_more) StartAhead(next);
    if (auto end = Apply(got, queued_writes)) return *end;
    if (!got.has_more) return PhaseEnd::kComplete;
    request = std::move(next);
  }
}

std::optional<PhaseEnd> Puller::OnFailure(const Status& status, const RemoteFailure& failure,
                                          PullQuery* request, int* queued_writes) {
  // The server no longer knows our cursor: its data was reset or restored, or base_url points
  // at another server. What it had acknowledged is gone: apply sync.on_server_reset, then pull
  // from the beginning.
  if (!restarted_ && !request->cursor.empty() &&
      failure.kind == RemoteFailure::Kind::kCursorRefused) {
    restarted_ = true;
    auto queued = ctx_->ForgetServer("pull cursor refused");
    if (!queued.ok()) return ctx_->Fail(queued.status());
    *queued_writes += static_cast<int>(*queued);
    request->cursor.clear();
    request->cursor_tag.clear();
    return std::nullopt;
  }
  // A reply over server.max_response_bytes (a server that ignores max_bytes): smaller pages,
  // down to one document.
  const bool too_large = failure.kind == RemoteFailure::Kind::kReplyTooLarge;
  if (too_large && request->limit > 1) {
    request->limit = std::max(1, request->limit / 2);
    return std::nullopt;
  }
  if (too_large) {
    // Only the server can move the cursor past it: try again in a later cycle.
    return ctx_->Fail(status
                          .WithContext("one document is larger than server.max_response_bytes "
                                       "and the server does not support the pull's max_bytes "
                                       "(docs/protocol.md §4.6)")
                          .WithRetryClass(RetryClass::kTransient),
                      failure);
  }
  return ctx_->Fail(status, failure);
}

std::optional<PhaseEnd> Puller::Apply(RemotePage& page, int* queued_writes) {
  const std::vector<RemoteChange>& changes = page.changes;
  auto applied = ctx_->store->ApplyRemotePage(changes, page.cursor, page.cursor_tag);
  if (!applied.ok()) {
    // A page the store refuses (e.g. an invalid key from the server) would be refused again:
    // the cycle fails without moving the cursor, and nothing of the page is kept.
    return ctx_->Fail(applied.status().WithRetryClass(
        applied.status().code() == StatusCode::kInvalidArgument ? RetryClass::kPermanent
                                                                : applied.status().retry_class()));
  }
  ctx_->report->pulled += static_cast<int64_t>(changes.size());
  ctx_->report->conflicts += static_cast<int64_t>(applied->conflicts.size());
  ctx_->report->remote_skipped += static_cast<int64_t>(applied->unusable.size());
  *queued_writes += applied->requeued;
  for (const RemoteSkip& skip : applied->unusable) {
    ctx_->Emit(SyncEventType::kRemoteSkipped, 1, skip.collection, skip.key, skip.reason);
  }
  if (!applied->conflicts.empty()) {
    FinishAhead();  // the settler may use the remote
    auto settled = settler_->SettleOpen();
    if (!settled.ok()) return ctx_->Fail(settled.status());
    *queued_writes += *settled;
  }
  ctx_->Emit(SyncEventType::kPagePulled, static_cast<int64_t>(changes.size()));
  return std::nullopt;
}

}  // namespace syncagent
