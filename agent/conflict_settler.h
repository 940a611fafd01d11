// ConflictSettler: settles the store's open conflicts with the ConflictResolver, inside a cycle.
//
// For each open conflict (recorded by a push reply or a pull page): identical sides are not a
// conflict at all (taken as remote, whatever the policy); otherwise the resolver decides, and the
// decision becomes one store transaction (take remote / write the resolved document on top of the
// server's version; taking a server version that stands beside others, Remote::NeedsWriteBack,
// also writes). A conflict left open (manual, or a failing custom callback) blocks pushes of
// that document until the app resolves it, and is announced once as a `conflict` event. A local
// write made after the conflict was recorded is never dropped: the store refuses a decision taken
// on a stale local side (kAborted), and the settler re-reads the conflict and decides again.
//
// Thread safety: used by the cycle's thread only.
#ifndef SYNCAGENT_AGENT_CONFLICT_SETTLER_H_
#define SYNCAGENT_AGENT_CONFLICT_SETTLER_H_

#include <set>

#include "agent/cycle_context.h"

namespace syncagent {

class ConflictSettler {
 public:
  explicit ConflictSettler(CycleContext* ctx) : ctx_(ctx) {}

  // Settles every open conflict it can, all of them however many stay open (read in pages of
  // kPageSize, oldest first). Returns how many decisions queued new local writes (which the next
  // push round sends).
  StatusOr<int> SettleOpen();

  // Applies one decision to conflict `id` (also used by the app-facing API for manual ones).
  static Status Apply(Store* store, int64_t id, const ConflictDecision& decision);

 private:
  static constexpr int kMaxDecideRounds = 3;
  static constexpr int64_t kPageSize = 500;

  ConflictDecision Decide(const Conflict& conflict);
  // Decides and applies one conflict (or announces it left open). True when the decision
  // queued a local write.
  StatusOr<bool> SettleOne(Conflict conflict);

  CycleContext* ctx_;
  std::set<int64_t> announced_;  // open conflicts already reported this cycle
};

}  // namespace syncagent

#endif  // SYNCAGENT_AGENT_CONFLICT_SETTLER_H_
