// Pusher: the push phase of a cycle — drains the outbox in order, in batches capped by count and
// bytes, each sent as one request of the Remote (idempotent: a replay carries the same mutation ids).
//
// Speaks only to the Remote (net/remote.h). Per mutation: applied → acknowledged with the
// server's revision; conflict → recorded for the ConflictSettler (its current document fetched
// first when the remote's answer leaves it out); rejected → dead-lettered with the remote's code
// (and an event) and the queue moves on. Two conflicts are not conflicts: a server version the
// client cannot take (too deep) dead-letters the mutation (remote_unusable); a document the
// server acknowledged before and now "never existed" means the server lost its data:
// CycleContext::ForgetServer runs before the next batch.
// Per batch (RemoteFailure): kBatchTooLarge → the batch size is halved (a single mutation too
// large for the server is dead-lettered as payload_too_large); kReplyTooLarge → halved too, but a
// single mutation's is a lost answer (retry next cycle), never a dead letter; kIdReused → that
// mutation is dead-lettered; transient and connectivity failures leave the batch queued (the
// cycle reports retry). Batches never exceed the remote's own limits (RemoteCapabilities).
// Crash safety: mutations are marked attempted before the request leaves, so a later local write
// never folds into something the server may already have applied; a replay after a lost reply
// carries the same mutation ids and the server answers with the original results.
// Pipelining (SyncEngineOptions::pipeline_push, for a remote whose conflicts carry the
// document): while a request is on the wire, the previous batch's answers are recorded and the
// next batch is taken and made ready to send (Remote::PreparePush: e.g. its revision ids and
// request body), so the store work and the request's making overlap the server's. Requests stay strictly
// sequential and in outbox order; a batch taken early holds no document of the batch on the
// wire, and is given back (taken again later, in order) if that request fails.
//
// Thread safety: used by the cycle's thread. A pipelined request runs on a helper thread; during
// it the Remote and what it uses (HttpClient, TokenProvider, Clock) are touched by that thread
// only (but for Remote::PreparePush, which may run beside any call): the cycle's thread works
// on the Store and reads the client again after the answer. (The
// same objects already move between threads when a headless run uses its worker thread.)
// If both the request and the store work beside it fail, the store's failure ends the cycle.
#ifndef SYNCAGENT_AGENT_PUSHER_H_
#define SYNCAGENT_AGENT_PUSHER_H_

#include "agent/cycle_context.h"

namespace syncagent {

class Pusher {
 public:
  explicit Pusher(CycleContext* ctx);

  // Pushes until the outbox has nothing sendable left, time runs out, or a failure.
  PhaseEnd Run();

 private:
  // The batch taken behind the one on the wire, ready to send.
  struct Ready {
    std::vector<Mutation> batch;
    std::unique_ptr<PreparedPush> prepared;  // Remote::PreparePush(batch), or nullptr
  };
  // A batch's answer, recorded while the next batch is on the wire.
  struct Answered {
    std::vector<Mutation> batch;
    std::vector<PushAnswer> answers;
  };

  // Records the held answer, if any.
  Status FlushAnswered();
  // Records the held answer, then ends the phase with `end` (or with the recording's failure).
  PhaseEnd Stop(PhaseEnd end);
  // Handles a failed push of `batch`; returns nullopt to continue with the next batch.
  std::optional<PhaseEnd> HandleFailure(const Status& status, const std::vector<Mutation>& batch);
  Status ApplyResults(const std::vector<Mutation>& batch, std::vector<PushAnswer>& answers);
  // Records a conflict answer for `m`. REQUIRES: answer.current is set.
  Status RecordConflict(const Mutation& m, const PushAnswer& answer);
  // The remote must stop leaving this cycle's own writes out of pulls: now, or (while a
  // pipelined request is on the wire and the remote belongs to the helper thread) as soon as
  // its answer is back.
  void AbandonOriginSoon();
  Status DeadLetter(const Mutation& m, const std::string& code, const std::string& message);
  // After a flush, when an answer showed the server lost its data: applies
  // sync.on_server_reset (CycleContext::ForgetServer) and drops *ready, which it rewrote.
  Status ForgetServerIfSeen(Ready* ready);
  // Makes a batch taken behind the one on the wire ready to send: DropOverLimit,
  // SendWholeBodies, then the remote's PreparePush.
  Status MakeReady(Ready* ready);
  // Dead-letters the mutations of *batch whose data breaks the document limit (queued by an
  // older version, before the limit was enforced at write time) and removes them from it.
  Status DropOverLimit(std::vector<Mutation>* batch);
  // For a remote without merge patches (capabilities().patch false): each kPatch of *batch
  // becomes a kPut of the whole document it makes (WholeBodyOf).
  Status SendWholeBodies(std::vector<Mutation>* batch);

  CycleContext* ctx_;
  int batch_size_;      // the current cap, halved after a too-large batch or answer
  int max_batch_size_;  // the configured size within the remote's limit
  int64_t batch_bytes_;
  bool pipeline_ = false;
  bool whole_bodies_ = false;      // the remote takes no patches (capabilities().patch false)
  bool request_on_wire_ = false;   // a pipelined Push runs on the helper thread
  bool distrust_pending_ = false;  // AbandonOriginSoon waits for that Push to return
  std::optional<Answered> answered_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_AGENT_PUSHER_H_
