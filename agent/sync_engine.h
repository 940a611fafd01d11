// SyncEngine: one sync cycle — the body of the headless task.
//
//   RunCycle(deadline, cancel):
//     0. settle conflicts left open by an earlier cycle (e.g. one cut short by a crash);
//     1. push the outbox (Pusher);
//     2. pull from the stored cursor (Puller), settling conflicts page by page;
//     3. if conflict resolutions queued new writes, push again (bounded rounds).
//   No request starts when the remaining budget is below the RTT-derived margin; then the report
//   says kPartial and everything done so far is already committed, so the next cycle resumes.
//   Time comes from the injected Clock; the engine never sleeps on its own (retry waits happen in
//   the Remote's HTTP session, on the same clock, and never past the deadline). The server is a
//   Remote (net/remote.h): the engine knows no protocol.
//
// Status: a snapshot of the store's queue plus the last success / error, persisted in the store
// so that a cold process (the next headless run, the CLI) sees it.
//
// Thread safety: RunCycle must not run concurrently on one engine (the headless task's lease
// guarantees single flight across processes); GetStatus may be called between cycles.
#ifndef SYNCAGENT_AGENT_SYNC_ENGINE_H_
#define SYNCAGENT_AGENT_SYNC_ENGINE_H_

#include <optional>
#include <string>

#include "agent/conflict_resolver.h"
#include "agent/cycle_context.h"
#include "agent/cycle_report.h"
#include "agent/sync_events.h"

namespace syncagent {

struct SyncStatus {
  StoreStats store;
  std::optional<int64_t> last_success_ms;  // wall ms of the last cycle that ended done/partial
  std::optional<int64_t> last_attempt_ms;  // wall ms of the last cycle's end
  std::string last_outcome;                // "done" | "partial" | "retry" | "failed" | ""
  std::string last_error;                  // message of the last failed cycle; "" after success

  nlohmann::json ToJson() const;
};

class SyncEngine {
 public:
  // Every pointer must outlive the engine.
  SyncEngine(Store* store, Remote* remote, Clock* clock, const ConflictResolver* resolver,
             SyncEngineOptions options, EventCallback on_event = nullptr);

  CycleReport RunCycle(MonoTime deadline, const CancelToken* cancel = nullptr);

  StatusOr<SyncStatus> GetStatus();

  void SetEventCallback(EventCallback on_event) { on_event_ = std::move(on_event); }
  // Optional: the dispatcher a cycle delivers the committed changes through (at each event and
  // at its end). REQUIRES: outlives the engine; set before the first cycle.
  void set_change_dispatcher(ChangeDispatcher* changes) { changes_ = changes; }
  const SyncEngineOptions& options() const { return options_; }

 private:
  void RunRounds(CycleContext* ctx);
  void RecordOutcome(const CycleReport& report);

  Store* store_;
  Remote* remote_;
  Clock* clock_;
  const ConflictResolver* resolver_;
  SyncEngineOptions options_;
  EventCallback on_event_;
  ChangeDispatcher* changes_ = nullptr;
};

}  // namespace syncagent

#endif  // SYNCAGENT_AGENT_SYNC_ENGINE_H_
