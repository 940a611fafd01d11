// Puller: the pull phase of a cycle — pages from the stored cursor until the server says there is
// no more, each page and its cursor (with the page's ETag) committed in ONE store transaction.
//
// Speaks only to the Remote (net/remote.h). An idle cycle costs one request: the stored cursor
// tag goes back with the cursor and the remote answers "unchanged" (syncagent/1: ETag and 304). Remote changes to locally dirty documents are recorded as conflicts by the store
// (not overwritten) and settled by the ConflictSettler after each page. A version the client
// cannot take (too deep, too large, left out by the server) is isolated: recorded in the store's
// remote_skips, reported (event remote_skipped), and passed by the cursor.
// A cursor the server refuses (RemoteFailure::kCursorRefused) means the server lost what it had
// acknowledged: sync.on_server_reset is applied (CycleContext::ForgetServer) once per cycle and
// the pull restarts from the beginning. A reply over server.max_response_bytes (kReplyTooLarge)
// halves the page
// (down to one document) for a server that ignores the pull's max_bytes.
//
// Thread safety: used by the cycle's thread only.
#ifndef SYNCAGENT_AGENT_PULLER_H_
#define SYNCAGENT_AGENT_PULLER_H_

#include <optional>

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
  // nullopt: try again with the adjusted *request.
  std::optional<PhaseEnd> OnFailure(const Status& status, PullQuery* request,
                                    int* queued_writes);
  // nullopt: the page and its cursor are stored.
  std::optional<PhaseEnd> Apply(RemotePage& page, int* queued_writes);

  CycleContext* ctx_;
  ConflictSettler* settler_;
  bool restarted_ = false;
};

}  // namespace syncagent

#endif  // SYNCAGENT_AGENT_PULLER_H_
