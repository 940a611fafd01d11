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
// Prefetching (SyncEngineOptions::prefetch_pull): while a page is applied to the store, the next
// one (from that page's cursor) is already requested, so the store work overlaps the server's.
// Pages are still applied strictly in order, each with its cursor; a page requested ahead is
// thrown away unused when the phase ends before it (its cursor is never stored). When applying
// a page settles conflicts, the request ahead is finished first (the settler may use the
// remote), its result and RemoteFailure kept for their turn.
//
// Thread safety: used by the cycle's thread. A page requested ahead is pulled on a helper
// thread; meanwhile the cycle's thread works on the Store only and touches the Remote again
// after the request is finished (as the pipelined push, pusher.h).
#ifndef SYNCAGENT_AGENT_PULLER_H_
#define SYNCAGENT_AGENT_PULLER_H_

#include <future>
#include <optional>

#include "agent/conflict_settler.h"
#include "agent/cycle_context.h"

namespace syncagent {

class Puller {
 public:
  Puller(CycleContext* ctx, ConflictSettler* settler);
  ~Puller();  // waits for a request made ahead
  Puller(const Puller&) = delete;
  Puller& operator=(const Puller&) = delete;

  // Pulls until caught up, out of time, or a failure. `queued_writes` is increased by the
  // number of conflict resolutions that queued local writes.
  PhaseEnd Run(int* queued_writes);

 private:
  // One Pull's result, with the remote's last_failure() right after it.
  struct Fetched {
    StatusOr<RemotePage> page;
    RemoteFailure failure;
  };
  Fetched PullNow(const PullQuery& request);

  // nullopt: try again with the adjusted *request.
  std::optional<PhaseEnd> OnFailure(const Status& status, const RemoteFailure& failure,
                                    PullQuery* request, int* queued_writes);
  // nullopt: the page and its cursor are stored.
  std::optional<PhaseEnd> Apply(RemotePage& page, int* queued_writes);

  // Requests `next` on a helper thread (when prefetching, and time is left).
  void StartAhead(const PullQuery& next);
  // The page requested ahead (waiting for it), if any.
  std::optional<Fetched> TakeAhead();
  // Finishes the request ahead before the remote is used here; keeps its result.
  void FinishAhead();

  CycleContext* ctx_;
  ConflictSettler* settler_;
  bool restarted_ = false;
  bool prefetch_ = false;
  std::future<Fetched> ahead_;           // a Pull on the helper thread
  std::optional<Fetched> ahead_result_;  // its result, finished early
};

}  // namespace syncagent

#endif  // SYNCAGENT_AGENT_PULLER_H_
