#include "agent/change_dispatcher.h"

#include <algorithm>
#include <utility>

namespace syncagent {
namespace {

// The dispatchers whose callbacks the current thread is inside (innermost last).
thread_local std::vector<const ChangeDispatcher*> t_in_callback;

}  // namespace

ChangeDispatcher::CallbackScope::CallbackScope(const ChangeDispatcher* dispatcher) {
  t_in_callback.push_back(dispatcher);
}

ChangeDispatcher::CallbackScope::~CallbackScope() { t_in_callback.pop_back(); }

bool ChangeDispatcher::InCallback() const {
  return std::find(t_in_callback.begin(), t_in_callback.end(), this) != t_in_callback.end();
}

ChangeDispatcher::ChangeDispatcher(Clock* clock, Millis throttle, QueryFn query)
    : clock_(clock), throttle_(throttle), query_(std::move(query)) {}

void ChangeDispatcher::OnCommit(std::vector<DocumentKey> keys) {
  std::lock_guard<std::mutex> lock(mu_);
  for (DocumentKey& key : keys) queued_.insert(std::move(key));
}

void ChangeDispatcher::SetEventCallback(EventCallback on_event) {
  std::lock_guard<std::mutex> lock(event_mu_);
  on_event_ = std::move(on_event);
}

int64_t ChangeDispatcher::Watch(std::string collection, query::QuerySpec spec, WatchFn fn) {
  const int64_t id = watches_.Add(std::move(collection), std::move(spec), std::move(fn));
  Deliver(When::kNow);  // its first result (on this thread unless another one is delivering)
  return id;
}

void ChangeDispatcher::Deliver(When when) {
  if (!BeginDelivery(when)) return;
  CallbackScope scope(this);
  while (DeliverRound()) {
  }
}

bool ChangeDispatcher::BeginDelivery(When when) {
  if (InCallback()) return false;  // the next delivery point takes the keys
  std::lock_guard<std::mutex> lock(mu_);
  if (delivering_) return false;  // that thread loops until nothing is queued
  if (queued_.empty() && !watches_.AnyDue()) return false;
  if (when == When::kThrottled && last_delivery_ && clock_->Now() - *last_delivery_ < throttle_) {
    return false;
  }
  delivering_ = true;
  return true;
}

bool ChangeDispatcher::DeliverRound() {
  std::set<DocumentKey> keys;
  {
    std::lock_guard<std::mutex> lock(mu_);
    keys.swap(queued_);
    // Under mu_, so that a key queued or a watch added after this check finds delivering_ false
    // and delivers itself.
    const bool watches_due = watches_.MarkTouched(keys);
    if (keys.empty() && !watches_due) {
      delivering_ = false;
      return false;
    }
    last_delivery_ = clock_->Now();
  }
  if (!keys.empty()) SendEvent(keys);
  for (const auto& watch : watches_.TakeDue()) LiveQueries::Evaluate(*watch, query_);
  return true;
}

void ChangeDispatcher::SendEvent(const std::set<DocumentKey>& keys) {
  SyncEvent event;
  event.type = SyncEventType::kDocumentsChanged;
  event.wall_ms = clock_->WallMs();
  event.count = static_cast<int64_t>(keys.size());
  event.keys.assign(keys.begin(), keys.end());
  std::lock_guard<std::mutex> lock(event_mu_);
  if (!on_event_) return;
  try {
    on_event_(event);
  } catch (...) {
    // A callback's exception must not end the delivery (delivering_ would stay set); dropped.
  }
}

}  // namespace syncagent
