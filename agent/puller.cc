#include "agent/puller.h"

namespace syncagent {

PhaseEnd Puller::Run(int* queued_writes) {
  auto checkpoint = ctx_->store->GetCheckpoint(Store::kPullCheckpoint);
  if (!checkpoint.ok()) return ctx_->Fail(checkpoint.status());
  PullRequest request;
  request.limit = ctx_->options->pull_page_size;
  request.collections = ctx_->options->collections;
  request.skip_origin = ctx_->origin;
  if (checkpoint->has_value()) {
    request.cursor = (*checkpoint)->value;
    request.if_none_match = (*checkpoint)->etag;
  }
  bool restarted = false;
  for (;;) {
    if (!ctx_->MayStartRequest()) return PhaseEnd::kStopped;
    auto page = ctx_->client->Pull(request, ctx_->Call());
    if (!page.ok()) {
      // The server no longer knows our cursor (its data was reset or moved): the protocol says
      // to drop it and pull from the beginning. Known documents come back as stale and are
      // skipped; the cursor is replaced with the first page's.
      const auto& wire_error = ctx_->client->last_wire_error();
      if (!restarted && !request.cursor.empty() && wire_error &&
          wire_error->code == "invalid_cursor") {
        restarted = true;
        request.cursor.clear();
        request.if_none_match.clear();
        continue;
      }
      return ctx_->Fail(page.status());
    }
    if (page->not_modified) return PhaseEnd::kComplete;

    std::vector<RemoteChange> changes;
    changes.reserve(page->changes.size());
    for (WireChange& c : page->changes) {
      RemoteChange change;
      change.collection = std::move(c.collection);
      change.key = std::move(c.key);
      change.version = c.document.version;
      change.deleted = c.document.deleted;
      change.data_text = std::move(c.document.data_text);
      change.hlc = std::move(c.document.hlc);
      changes.push_back(std::move(change));
    }
    auto applied = ctx_->store->ApplyRemotePage(changes, page->cursor, page->etag);
    if (!applied.ok()) {
      // A page the store refuses (e.g. an invalid key from the server) would be refused again:
      // the cycle fails without moving the cursor, and nothing of the page is kept.
      return ctx_->Fail(applied.status().WithRetryClass(
          applied.status().code() == StatusCode::kInvalidArgument ? RetryClass::kPermanent
                                                                  : applied.status().retry_class()));
    }
    ctx_->report->pulled += static_cast<int64_t>(changes.size());
    ctx_->report->conflicts += static_cast<int64_t>(applied->conflicts.size());
    if (!applied->conflicts.empty()) {
      auto settled = settler_->SettleOpen();
      if (!settled.ok()) return ctx_->Fail(settled.status());
      *queued_writes += *settled;
    }
    ctx_->Emit(SyncEventType::kPagePulled, static_cast<int64_t>(changes.size()));
    if (!page->has_more) return PhaseEnd::kComplete;
    request.cursor = page->cursor;
    request.if_none_match.clear();  // only meaningful for the first request of a cycle
  }
}

}  // namespace syncagent
