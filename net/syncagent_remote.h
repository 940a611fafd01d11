// SyncagentRemote: the Remote (net/remote.h) for the project's own protocol, syncagent/1
// (docs/protocol.md), over a SyncClient and its HttpSession.
//
// What it owns that the engine no longer knows: the wire form of a mutation, batch ids
// (Idempotency-Key), the per-cycle origin tag of §4.5 (pushes carry it, pulls skip it), ETags and
// 304 (a page's cursor_tag), the meaning of 413, of `mutation_id_reused` and `invalid_cursor`, and
// of a rejected result's code. Revisions are syncagent/1 versions written in decimal ("3");
// CompareRevisions orders them as integers.
//
// Thread safety: one call at a time (see net/remote.h).
#ifndef SYNCAGENT_NET_SYNCAGENT_REMOTE_H_
#define SYNCAGENT_NET_SYNCAGENT_REMOTE_H_

#include <memory>
#include <random>
#include <string>

#include "net/remote.h"
#include "net/sync_client.h"
#include "storage/random_id.h"

namespace syncagent {

struct SyncagentRemoteOptions {
  SyncClientOptions client;
  // sync.skip_own_changes: tag each cycle's pushes with a random origin and pull with
  // skip_origin, so the server leaves this device's own acknowledged writes out (§4.5).
  bool skip_own_writes = true;
};

class SyncagentRemote final : public Remote {
 public:
  // `http`, `clock` and `tokens` (may be null: no auth) must outlive the remote.
  SyncagentRemote(HttpClient* http, Clock* clock, TokenProvider* tokens,
                  SyncagentRemoteOptions options, uint64_t seed = std::random_device{}());

  RemoteCapabilities capabilities() const override;
  void BeginCycle(std::string_view device_id) override;
  void DistrustOwnWrites() override { origin_.clear(); }
  StatusOr<std::vector<PushAnswer>> Push(const std::vector<Mutation>& batch,
                                         const CallContext& call) override;
  StatusOr<RemotePage> Pull(const PullQuery& query, const CallContext& call) override;
  // syncagent/1 has no single-document read: its conflicts always carry the document
  // (capabilities().conflict_includes_current), so this answers kFailedPrecondition.
  StatusOr<RemoteChange> Fetch(const std::string& collection, const std::string& key,
                               const CallContext& call) override;
  RevisionOrder CompareRevisions(std::string_view local, std::string_view remote) const override;
  const RemoteFailure& last_failure() const override { return failure_; }
  const TransferStats& stats() const override { return client_.stats(); }

  // The wire client underneath (tests read its codec and wire errors).
  SyncClient& client() { return client_; }
  // The origin tag of this cycle's pushes; empty until the first push, and after
  // DistrustOwnWrites().
  const std::string& origin() const { return origin_; }

 private:
  void NoteFailure(const Status& status, bool push);

  SyncClient client_;
  SyncagentRemoteOptions options_;
  RandomIdGenerator ids_;
  std::string device_id_;
  std::string origin_;
  RemoteFailure failure_;
};

// The wire form of an outbox mutation (kInvalidArgument when its base is not a syncagent/1
// version), and a wire document in the engine's terms. Version 0 is revision "".
StatusOr<WireMutation> ToWire(const Mutation& m);
RemoteChange FromWire(WireChange change);

}  // namespace syncagent

#endif  // SYNCAGENT_NET_SYNCAGENT_REMOTE_H_
