#include "agent/sync_events.h"

namespace syncagent {

bool IsProgressEvent(SyncEventType type) {
  return type == SyncEventType::kBatchPushed || type == SyncEventType::kPagePulled;
}

std::string_view SyncEventTypeName(SyncEventType type) {
  switch (type) {
    case SyncEventType::kCycleStarted: return "cycle_started";
    case SyncEventType::kBatchPushed: return "batch_pushed";
    case SyncEventType::kPagePulled: return "page_pulled";
    case SyncEventType::kConflict: return "conflict";
    case SyncEventType::kConflictResolved: return "conflict_resolved";
    case SyncEventType::kDeadLetter: return "dead_letter";
    case SyncEventType::kCycleFinished: return "cycle_finished";
    case SyncEventType::kRemoteSkipped: return "remote_skipped";
    case SyncEventType::kServerReset: return "server_reset";
    case SyncEventType::kDocumentsChanged: return "documents_changed";
  }
  return "unknown";
}

nlohmann::json SyncEvent::ToJson() const {
  nlohmann::json j = {{"type", SyncEventTypeName(type)}, {"time_ms", wall_ms}, {"count", count}};
  if (!collection.empty()) j["collection"] = collection;
  if (!key.empty()) j["key"] = key;
  if (!detail.empty()) j["detail"] = detail;
  if (type == SyncEventType::kDocumentsChanged) {
    nlohmann::json list = nlohmann::json::array();
    for (const DocumentKey& k : keys) {
      list.push_back({{"collection", k.collection}, {"key", k.key}});
    }
    j["keys"] = std::move(list);
  }
  return j;
}

void EventEmitter::Deliver(SyncEvent event) {
  if (callback_) callback_(event);
}

void EventEmitter::Flush() {
  if (!pending_) return;
  SyncEvent event = std::move(*pending_);
  pending_.reset();
  last_progress_ = clock_->Now();
  Deliver(std::move(event));
}

void EventEmitter::Emit(SyncEvent event) {
  event.wall_ms = clock_->WallMs();
  if (!IsProgressEvent(event.type)) {
    Flush();
    Deliver(std::move(event));
    return;
  }
  if (pending_ && pending_->type != event.type) Flush();
  if (pending_) {
    pending_->count += event.count;
    pending_->wall_ms = event.wall_ms;
  } else {
    pending_ = std::move(event);
  }
  const MonoTime now = clock_->Now();
  if (!last_progress_ || now - *last_progress_ >= throttle_) Flush();
}

}  // namespace syncagent
