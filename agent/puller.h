// Puller: the pull phase of a cycle — pages from the stored cursor until the server says there is
// no more, each page and its cursor (with the page's ETag) committed in ONE store transaction.
//
// An idle cycle costs one request: the stored ETag goes out as If-None-Match and the server
// answers 304. Remote changes to locally dirty documents are recorded as conflicts by the store
// (not overwritten) and settled by the ConflictSettler after each page. A cursor the server
// rejects as `invalid_cursor` is dropped once per cycle and the pull restarts from the beginning.
//
// Thread safety: used by the cycle's thread only.
#ifndef SYNCAGENT_AGENT_PULLER_H_
#define SYNCAGENT_AGENT_PULLER_H_

#include "agent/conflict_settler.h"
#include "agent/cycle_context.h"

namespace syncagent {

class Puller {
 public:
  Puller(CycleContext* ctx, ConflictSettler* settler) : ctx_(ctx), settler_(settler) {}

  // Pulls until caught up, out of time, or a failure. `queued_writes` is increased by the
  // number of conflict resolutions that queued local writes.
  PhaseEnd Run(int* queued_writes);

 private:
  CycleContext* ctx_;
  ConflictSettler* settler_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_AGENT_PULLER_H_
