// SyncEvent and EventEmitter: what the engine tells the app while it works.
//
// Events: cycle started, batch pushed, page pulled, conflict (recorded / resolved), dead letter,
// cycle finished; documents_changed (the keys committed transactions changed) comes from
// agent/change_dispatcher.h, folded within the same throttle interval. Progress events (batch
// pushed, page pulled) are throttled: within one throttle interval they are folded into one event
// whose `count` is the sum, so a 100,000-document pull does not flood a UI thread; the fold is
// flushed before any other event and at the end of a cycle, so no count is lost and order is
// preserved. Conflict and dead-letter events are never throttled.
//
// Thread safety: an EventEmitter belongs to one cycle at a time; the callback runs on the cycle's
// thread and must not call back into the engine.
#ifndef SYNCAGENT_AGENT_SYNC_EVENTS_H_
#define SYNCAGENT_AGENT_SYNC_EVENTS_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/clock.h"
#include "storage/store_types.h"

namespace syncagent {

enum class SyncEventType {
  kCycleStarted,
  kBatchPushed,
  kPagePulled,
  kConflict,          // recorded and left open (manual) — the app must act
  kConflictResolved,  // settled by a policy
  kDeadLetter,
  kCycleFinished,
  kRemoteSkipped,  // a remote version the client cannot take (too deep / too large): isolated
  kServerReset,    // the server lost what it had acknowledged; detail = the rule applied
  kDocumentsChanged,  // committed transactions changed `keys` (agent/change_dispatcher.h)
};
std::string_view SyncEventTypeName(SyncEventType type);
// Batch pushed and page pulled: the events the throttle folds.
bool IsProgressEvent(SyncEventType type);

struct SyncEvent {
  SyncEventType type = SyncEventType::kCycleStarted;
  int64_t wall_ms = 0;
  int64_t count = 0;       // documents or mutations concerned
  std::string collection;  // conflict / dead letter
  std::string key;
  std::string detail;      // policy, error code, outcome…
  std::vector<DocumentKey> keys;  // documents_changed: each key once, sorted

  nlohmann::json ToJson() const;
};

using EventCallback = std::function<void(const SyncEvent&)>;

class EventEmitter {
 public:
  EventEmitter(Clock* clock, EventCallback callback, Millis throttle)
      : clock_(clock), callback_(std::move(callback)), throttle_(throttle) {}

  void Emit(SyncEvent event);
  // Emits the folded progress event, if any.
  void Flush();

 private:
  void Deliver(SyncEvent event);

  Clock* clock_;
  EventCallback callback_;
  Millis throttle_;
  std::optional<SyncEvent> pending_;     // folded progress event not yet delivered
  std::optional<MonoTime> last_progress_;  // when the last progress event was delivered
};

}  // namespace syncagent

#endif  // SYNCAGENT_AGENT_SYNC_EVENTS_H_
