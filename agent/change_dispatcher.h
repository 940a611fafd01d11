// ChangeDispatcher: tells the app what committed transactions changed — the documents_changed
// event and the live queries (LiveQueries) — after the transaction, outside the store's lock.
//
// The store hands over the keys of each committed write transaction that touched documents
// (OnCommit, called under the store's lock: it only queues them). They go out at delivery points:
//   - Deliver(kNow) after each of the Agent's own writes, and when a watch is added;
//   - during a sync cycle, Deliver(kThrottled) before each progress event and Deliver(kNow)
//     before any other event and at the cycle's end. This is the engine's event throttle
//     (sync_events.h): within one throttle interval the keys of several transactions fold into
//     one event, each key once, and the end-of-cycle delivery leaves none behind.
// A delivery sends {"type": "documents_changed", "count": N, "keys": [{"collection","key"}]}
// (sorted, each key once) to the event callback, then re-runs every watch whose collection was
// touched (or that is new); a watch calls back only when its result changed.
//
// One thread delivers at a time: a thread that finds another one delivering leaves its keys to
// it (the deliverer loops until nothing is queued), so no key waits past a delivery point. No
// delivery starts on a thread that is inside one of the agent's callbacks (CallbackScope): the
// keys then wait for the next delivery point, so a callback that writes does not re-enter itself.
// Nothing is delivered while a transaction is open: delivery points are outside store calls.
//
// Thread safety: every method may be called from any thread. SetEventCallback waits for a
// running documents_changed callback (so the old one is never called after it returns); it must
// not be called from that callback. Unwatch: see LiveQueries::Remove.
#ifndef SYNCAGENT_AGENT_CHANGE_DISPATCHER_H_
#define SYNCAGENT_AGENT_CHANGE_DISPATCHER_H_

#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include "agent/live_queries.h"
#include "agent/sync_events.h"
#include "platform/clock.h"

namespace syncagent {

class ChangeDispatcher {
 public:
  enum class When {
    kNow,        // deliver what is queued
    kThrottled,  // only if the last delivery is at least one throttle interval old
  };

  // REQUIRES: clock outlives the dispatcher; `query` may be called until the dispatcher is
  // destroyed (it is only called from Deliver).
  ChangeDispatcher(Clock* clock, Millis throttle, QueryFn query);

  // The store's commit observer (StoreOptions::on_commit): queues the keys. Never calls back.
  void OnCommit(std::vector<DocumentKey> keys);
  void Deliver(When when);
  void SetEventCallback(EventCallback on_event);

  // A live query (Agent::Watch): due at once, so the next delivery calls back with the current
  // result. Returns the watch id.
  int64_t Watch(std::string collection, query::QuerySpec spec, WatchFn fn);
  Status Unwatch(int64_t id) { return watches_.Remove(id); }
  void UnwatchAll() { watches_.RemoveAll(); }

  // Marks the current thread as inside one of `dispatcher`'s callbacks for its lifetime (the
  // Agent wraps the engine's event and resolver callbacks in one; deliveries use it too).
  class CallbackScope {
   public:
    explicit CallbackScope(const ChangeDispatcher* dispatcher);
    ~CallbackScope();
    CallbackScope(const CallbackScope&) = delete;
    CallbackScope& operator=(const CallbackScope&) = delete;
  };
  // True when the current thread is inside one of this dispatcher's callbacks.
  bool InCallback() const;

 private:
  // Claims the delivering role; false when a delivery must not or need not start now.
  bool BeginDelivery(When when);
  // One round: the queued keys' event, then the due watches. False (role given up) when nothing
  // was left to deliver.
  bool DeliverRound();
  void SendEvent(const std::set<DocumentKey>& keys);

  Clock* clock_;
  Millis throttle_;
  QueryFn query_;
  LiveQueries watches_;

  std::mutex mu_;                 // guards the members below
  std::set<DocumentKey> queued_;  // committed, not yet delivered
  bool delivering_ = false;       // a thread is delivering
  std::optional<MonoTime> last_delivery_;

  std::mutex event_mu_;  // held while the event callback runs
  EventCallback on_event_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_AGENT_CHANGE_DISPATCHER_H_
