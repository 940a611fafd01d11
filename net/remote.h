// Remote: "a sync server", in the sync engine's terms. The engine (agent/pusher, agent/puller,
// agent/conflict_settler) speaks only to this interface; a protocol implements it:
//   SyncagentRemote  (net/syncagent_remote.h)  the project's own syncagent/1 (docs/protocol.md);
//   FakeRemote       (tests/agent/fake_remote.h) an in-memory, scriptable double for unit tests.
// No wire string, status code or URL crosses this seam: failures come back typed
// (RemoteFailure), rejections typed (RejectKind), revisions as opaque text ordered by the
// protocol (CompareRevisions).
//
// Contested documents: a server that keeps several versions of one document (CouchDB's
// conflicting leaves) pulls it as one RemoteChange with `rivals`; its rev tokens then name "this
// version, superseding the others", so any write based on one leaves the server one version.
//
// Revisions (storage/revision.h): a document's server revision is the protocol's token
// (syncagent/1: its decimal version, "3"); "" means the server has no revision of it (never
// existed). A write's base is Mutation::base_rev: nullopt = a create ("absent or deleted on the
// server"), "" = "only where the server never had the document".
//
// Thread safety: one call at a time (the engine's cycle owns the remote); a pipelined push runs
// one Push on a helper thread while the cycle's thread leaves the remote alone.
#ifndef SYNCAGENT_NET_REMOTE_H_
#define SYNCAGENT_NET_REMOTE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_session.h"
#include "storage/revision.h"
#include "storage/store_types.h"

namespace syncagent {

// What the engine may assume of a remote; it asks instead of assuming.
struct RemoteCapabilities {
  bool patch = true;                      // a kPatch mutation is sent as a merge patch
  bool skips_own_writes = false;          // pulls leave out this device's acknowledged writes
  bool conflict_includes_current = true;  // else a conflict's current document is Fetch()ed
  int max_batch_mutations = 0;            // 0 = no limit of the remote's own
  int64_t max_batch_bytes = 0;            // 0 = no limit of the remote's own
  // Each pulled change is the server's current version of its document, not one step of its
  // history: a clean local copy takes it unless it is the same revision, whatever
  // CompareRevisions says (StoreOptions::pulled_is_current).
  bool pulls_current_versions = false;
};

// Why the remote refused one mutation for good (it is dead-lettered with the remote's code).
enum class RejectKind {
  kPayloadTooLarge,  // the mutation alone is over the server's size limit
  kInvalidDocument,  // the server's validation refused the data or the address
  kIdReused,         // the mutation id was used before with another payload
  kForbidden,        // the credentials may not write this document
  kOther,            // any other refusal the protocol names
};
std::string_view RejectKindName(RejectKind kind);

// The answer for one mutation of a push.
struct PushAnswer {
  enum class Kind { kApplied, kConflict, kRejected };
  Kind kind = Kind::kApplied;
  // kApplied: the new revision and stamp; server_rev "" for a delete of a document the server
  // never had.
  AckInfo ack;
  // kConflict: the server's current document (RemoteChange: its address, revision, body or
  // `unusable`); nullopt = the protocol does not include it: the engine Fetch()es it.
  std::optional<RemoteChange> current;
  // kRejected.
  RejectKind reject = RejectKind::kOther;
  std::string code;     // the remote's own name for the refusal (dead letters, events)
  std::string message;
};

// Where to pull from.
struct PullQuery {
  std::string cursor;      // opaque; empty = from the beginning
  std::string cursor_tag;  // the tag of the page that produced `cursor` (e.g. an ETag); may be ""
  int limit = 100;
  std::vector<std::string> collections;  // empty = all
  int64_t max_bytes = 0;                 // the largest page the client takes; 0 = no limit sent
};

struct RemotePage {
  bool unchanged = false;  // nothing new since the query's cursor; the other fields are empty
  std::vector<RemoteChange> changes;
  std::string cursor;      // where the next pull starts
  std::string cursor_tag;  // stored beside the cursor, handed back in the next PullQuery
  bool has_more = false;
};

// Why the last call failed, beyond its Status.
struct RemoteFailure {
  enum class Kind {
    kNone,
    kOther,           // see the Status: its retry class says what to do
    kBatchTooLarge,   // the request was too large for the server: send fewer mutations
    kReplyTooLarge,   // the answer was over the client's size cap (not read)
    kIdReused,        // `mutation_id` was used before with another payload
    kCursorRefused,   // the server no longer knows the cursor: it lost what it acknowledged
  };
  Kind kind = Kind::kNone;
  std::string mutation_id;  // kIdReused
  Millis retry_after{0};    // the wait the server or the backoff suggested
};

// The part of a push that needs neither the server nor the remote's own state (e.g. revision
// ids and request bodies), done ahead of the push by Remote::PreparePush; opaque to the engine.
class PreparedPush {
 public:
  virtual ~PreparedPush() = default;
};

class Remote {
 public:
  virtual ~Remote() = default;

  virtual RemoteCapabilities capabilities() const = 0;

  // Marks the start of a sync cycle by the device `device_id` (the store's client id); e.g. a
  // new tag for this device's own writes.
  virtual void BeginCycle(std::string_view device_id) = 0;
  // Marks the end of the cycle BeginCycle began: work the remote started on its own (e.g. a page
  // requested ahead) is stopped, and its transfers are in stats() afterwards.
  virtual void EndCycle() {}
  // An answer of this cycle was not recorded: pulls must not leave out this device's own writes
  // made so far (they come back like anyone else's).
  virtual void DistrustOwnWrites() = 0;

  // Sends `batch` (in outbox order) as one request; one answer per mutation, in order.
  virtual StatusOr<std::vector<PushAnswer>> Push(const std::vector<Mutation>& batch,
                                                 const CallContext& call) = 0;
  // Does now the part of pushing `batch` that needs no server, so that the push itself spends
  // less time between two requests (the pusher calls it while the previous request is on the
  // wire). nullptr when the remote has nothing to prepare (the default).
  // Thread safety: may run on another thread than, and at the same time as, any other call of
  // this remote.
  virtual std::unique_ptr<PreparedPush> PreparePush(const std::vector<Mutation>& batch) const {
    (void)batch;
    return nullptr;
  }
  // Push, with what PreparePush(batch) made for this very batch (or nullptr: nothing prepared).
  // The default ignores it.
  virtual StatusOr<std::vector<PushAnswer>> PushPrepared(const std::vector<Mutation>& batch,
                                                         std::unique_ptr<PreparedPush> prepared,
                                                         const CallContext& call) {
    (void)prepared;
    return Push(batch, call);
  }
  // One page of changes after `query.cursor`.
  virtual StatusOr<RemotePage> Pull(const PullQuery& query, const CallContext& call) = 0;
  // The server's current document (a RemoteChange with rev "" when it never had it).
  // REQUIRES: !capabilities().conflict_includes_current; others may answer kFailedPrecondition.
  virtual StatusOr<RemoteChange> Fetch(const std::string& collection, const std::string& key,
                                       const CallContext& call) = 0;

  // Whether the protocol can carry a local write to document `key` of a synced `collection`:
  // `data` is the whole document (put), the merge patch (patch) or null (delete). Called at
  // write time, so a document the server could never take is refused before it is queued, with
  // a message naming what is wrong. The default takes every write.
  virtual Status CheckLocalWrite(std::string_view collection, std::string_view key,
                                 const nlohmann::json& data) const {
    (void)collection;
    (void)key;
    (void)data;
    return Status::Ok();
  }

  // Whether the server version `rev` (a pulled RemoteChange's, or one of its rivals') stands
  // beside other versions of the document, so that taking it as it is still needs a write based
  // on it, which supersedes the others (StoreOptions::needs_write_back). Protocols whose server
  // keeps one version per document never have rivals. The default: never.
  virtual bool NeedsWriteBack(std::string_view rev) const {
    (void)rev;
    return false;
  }

  // How `local` relates to `remote` (two revision tokens of one document, neither empty).
  virtual RevisionOrder CompareRevisions(std::string_view local, std::string_view remote) const = 0;

  // After a failed call.
  virtual const RemoteFailure& last_failure() const = 0;
  virtual const TransferStats& stats() const = 0;
};

}  // namespace syncagent

#endif  // SYNCAGENT_NET_REMOTE_H_
