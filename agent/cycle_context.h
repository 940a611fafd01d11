// CycleContext: what the phases of one sync cycle share — collaborators, the deadline, the
// cancel token and the report being filled — and the one rule about time: a request starts only
// when the remaining budget exceeds a margin derived from the measured round-trip time.
//
// Thread safety: owned by the cycle's thread.
#ifndef SYNCAGENT_AGENT_CYCLE_CONTEXT_H_
#define SYNCAGENT_AGENT_CYCLE_CONTEXT_H_

#include <string>
#include <vector>

#include "agent/change_dispatcher.h"
#include "agent/conflict_resolver.h"
#include "agent/cycle_report.h"
#include "agent/sync_events.h"
#include "net/remote.h"
#include "platform/cancel_token.h"
#include "storage/store.h"

namespace syncagent {

struct SyncEngineOptions {
  int push_batch_size = 100;
  int64_t push_batch_bytes = 1 << 20;
  int pull_page_size = 500;
  std::vector<std::string> collections;  // empty = all
  // A request starts only with at least max(min_margin, rtt_factor * smoothed RTT) left.
  Millis min_margin{500};
  double rtt_factor = 3.0;
  int max_rounds = 3;  // push/pull rounds per cycle (a resolution may queue new writes)
  // Record a push's answers and take the next batch while the following request is on the wire
  // (see pusher.h). Off: strictly one step after the other.
  bool pipeline_push = true;
  // Request the next pull page while the current one is applied (see puller.h). Off: strictly
  // one step after the other.
  bool prefetch_pull = true;
  Millis event_throttle{250};
  // The largest pull page body the client takes (server.max_response_bytes less headroom),
  // sent as the pull's max_bytes (docs/protocol.md §4.6); 0 = not sent.
  int64_t pull_max_bytes = 0;
  // What to do once the server lost what it had acknowledged (sync.on_server_reset).
  ServerResetRule on_server_reset = ServerResetRule::kReupload;
};

// How a phase ended.
enum class PhaseEnd {
  kComplete,  // nothing left to do
  kStopped,   // out of time or cancelled: report.outcome = kPartial
  kFailed,    // report.error and report.outcome set
};

struct CycleContext {
  Store* store = nullptr;
  Remote* remote = nullptr;
  Clock* clock = nullptr;
  const ConflictResolver* resolver = nullptr;
  EventEmitter* events = nullptr;
  // Optional: delivers documents_changed and the watches at each event (change_dispatcher.h).
  ChangeDispatcher* changes = nullptr;
  const SyncEngineOptions* options = nullptr;
  MonoTime deadline;
  const CancelToken* cancel = nullptr;
  CycleReport* report = nullptr;
  // Set by a phase that found the server lost what it had acknowledged (an acknowledged
  // document that "never existed"); the engine then applies options->on_server_reset.
  bool server_reset_seen = false;

  // Own-write skipping (Remote::capabilities().skips_own_writes) covers only pushes whose every
  // applied answer was recorded: otherwise the changes are pulled like anyone else's.
  void AbandonOrigin() { remote->DistrustOwnWrites(); }
  // Applies options->on_server_reset (storage/server_reset.h) and reports it; returns the
  // number of writes it queued.
  StatusOr<int64_t> ForgetServer(std::string_view how_detected);
  // True when another request may start; otherwise records why not (kPartial) and returns false.
  bool MayStartRequest();
  CallContext Call() const { return CallContext{deadline, cancel}; }
  // Records a failure of a network call or store operation and classifies the cycle.
  PhaseEnd Fail(const Status& status);
  // Fail, for the remote call that returned `status`, whose RemoteFailure is `failure` (the
  // remote's last_failure() may belong to a later call by then: a pull page requested ahead).
  PhaseEnd Fail(const Status& status, const RemoteFailure& failure);
  void Emit(SyncEventType type, int64_t count, std::string collection = {}, std::string key = {},
            std::string detail = {});

 private:
  PhaseEnd Fail(const Status& status, const RemoteFailure* failure);  // null: the remote's last
};

}  // namespace syncagent

#endif  // SYNCAGENT_AGENT_CYCLE_CONTEXT_H_
