#include "agent/puller.h"

#include <algorithm>

namespace syncagent {

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
    if (!ctx_->MayStartRequest()) return PhaseEnd::kStopped;
    auto page = ctx_->remote->Pull(request, ctx_->Call());
    if (!page.ok()) {
      if (auto end = OnFailure(page.status(), &request, queued_writes)) return *end;
      continue;
    }
    if (page->unchanged) return PhaseEnd::kComplete;
    if (auto end = Apply(*page, queued_writes)) return *end;
    if (!page->has_more) return PhaseEnd::kComplete;
    request.cursor = page->cursor;
    request.cursor_tag.clear();  // only meaningful for the first request of a cycle
    // A page shrunk for an oversized reply stays small for the rest of the cycle: growing it
    // back would meet the same documents' size again.
  }
}

std::optional<PhaseEnd> Puller::OnFailure(const Status& status, PullQuery* request,
                                          int* queued_writes) {
  // The server no longer knows our cursor: its data was reset or restored, or base_url points
  // at another server. What it had acknowledged is gone: apply sync.on_server_reset, then pull
  // from the beginning.
  const RemoteFailure& failure = ctx_->remote->last_failure();
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
                          .WithRetryClass(RetryClass::kTransient));
  }
  return ctx_->Fail(status);
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
    auto settled = settler_->SettleOpen();
    if (!settled.ok()) return ctx_->Fail(settled.status());
    *queued_writes += *settled;
  }
  ctx_->Emit(SyncEventType::kPagePulled, static_cast<int64_t>(changes.size()));
  return std::nullopt;
}

}  // namespace syncagent
