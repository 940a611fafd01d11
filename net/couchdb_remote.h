// CouchdbRemote: the Remote (net/remote.h) for the CouchDB replication protocol (CouchDB 3,
// PouchDB Server), over an HttpSession. docs/couchdb.md has the protocol as measured.
//
// Collections are databases (options.databases, else the collection's own name); a document's
// key is its _id and its data is its body without CouchDB's '_' members (net/couchdb_codec.h).
//
// Push (per database of the batch): every write carries a revision id the agent computes
// (couchdb::NextRevision from its parent and the body) and is written with `new_edits: false`.
// When the batch holds a mutation sent before (Mutation::attempts), `_revs_diff` first asks which
// of those revisions the server lacks: one it has is a replay of a write whose answer was lost,
// answered as applied with that revision (a batch of first attempts skips that round trip).
// A put of a document the device never knew a revision of (a new root) is written without a
// read: a live version the server already holds stays beside it as a conflicting leaf, which the
// pull meets contested. Then `_all_docs` (keys, include_docs) gives each remaining document's
// winning revision: a write whose base is not the server's winner is a conflict (with the
// server's document); a winner that is the write's own revision is a write already made; the
// others go in one `_bulk_docs` with new_edits:false. A put on a document the server does not have (or has
// deleted) is made on the last revision the device knew of it (Mutation::document_rev: the
// tombstone), as CouchDB's own PUT after a delete is, or starts a new root when it knew none; a
// delete of a document the server never had is applied without a request (revision ""). Between
// the `_all_docs` read and the write another client may write: the server then keeps both as
// conflicting leaves (a pull sees them), as CouchDB replication does.
//
// Conflicting leaves (net/couchdb_conflicts.h, docs/couchdb.md): `_changes` and `_all_docs` are
// read with conflicts=true; a page's documents with `_conflicts` are pulled contested (their
// leaves and common ancestor read with `_bulk_get`; RemoteChange::rivals), their rev tokens
// naming every leaf (couchdb::LeafToken). A write based on such a token goes on its leaf and, in
// the same `_bulk_docs`, deletes each other leaf with a deterministic tombstone revision; it is a
// conflict when the server has a live leaf the token does not name.
//
// Pull: the `_changes` feed of each collection's database with include_docs=true, one collection
// after the other; the cursor is a JSON object {collection: last_seq} (last_seq kept as the server
// wrote it). `_design/` rows are skipped. When a page is full, the next page is requested before
// this one is parsed (ReadAhead: its last_seq is read from the answer's text by
// couchdb::PeekChanges), so that the pull waits for the server and not for the parse between two
// pages; EndCycle drops a page requested ahead that no pull took. The pull is also checkpointed on
// the server, in the document `_local/syncagent-<device id>` of the database (CouchDB's place for
// replication checkpoints): with the first page of each cycle, every 10th page and once caught up
// (CheckpointDue); the cursor lists the collections so checkpointed ("~checkpointed"). A server
// lost its data (RemoteFailure::kCursorRefused) when such a checkpoint is gone, or when a
// database's update_seq is below the cursor's integer last_seq (an in-memory PouchDB Server
// restarted answers such a `since` with an empty page that looks caught up). A cursor without the
// mark (older, or written outside a cycle) is never taken for a reset for a missing checkpoint.
//
// Errors: a database the server does not have is created when options.create_databases, else a
// permanent kFailedPrecondition naming it. A per-document "unauthorized" in a `_bulk_docs` answer
// (PouchDB Server's 201 for a database whose _security excludes the user) fails the push as a
// 401 would; "forbidden" (a validate_doc_update refusal) rejects that write; a 400 for the batch
// (PouchDB Server refuses a whole batch for one bad document) is retried document by document,
// and the document still refused alone is rejected (dead-lettered); 413 is kBatchTooLarge.
// Everything else is HttpSession's: retries, Retry-After, auth, redaction.
//
// The implementation is in three files: net/couchdb_remote.cc (construction, requests, fetch,
// failures), net/couchdb_push.cc (push) and net/couchdb_pull.cc (pull, checkpoints).
//
// Thread safety: one call at a time (see net/remote.h); the page requested ahead runs on a thread
// of its own, which touches only the ReadAhead.
#ifndef SYNCAGENT_NET_COUCHDB_REMOTE_H_
#define SYNCAGENT_NET_COUCHDB_REMOTE_H_

#include <functional>
#include <memory>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "net/couchdb_codec.h"
#include "net/http_session.h"
#include "net/read_ahead.h"
#include "net/remote.h"

namespace syncagent {

struct CouchdbRemoteOptions {
  // base_url, extra headers and retry; the remote adds Accept: application/json, its own
  // describe_error, and the basic Authorization header.
  HttpSessionOptions session;
  std::map<std::string, std::string, std::less<>> databases;  // collection -> database
  bool create_databases = false;
  // Basic auth, sent with every request (PouchDB Server's 401 carries no challenge) when
  // `username` is not empty. The header is redacted like every extra header.
  std::string username;
  std::string password;
  CodecLimits limits;
  // Whether a full `_changes` page's successor is requested before the page is parsed
  // (ReadAhead): a pull then waits for the server alone, not for the parse between two pages.
  bool read_ahead = true;
};

// "Basic " + base64(username ":" password).
std::string BasicAuthorization(std::string_view username, std::string_view password);

class CouchdbRemote final : public Remote {
 public:
  // `http`, `clock` and `tokens` (bearer, e.g. CouchDB 3 JWT; may be null) must outlive it.
  CouchdbRemote(HttpClient* http, Clock* clock, TokenProvider* tokens,
                CouchdbRemoteOptions options, uint64_t seed = std::random_device{}());

  RemoteCapabilities capabilities() const override;
  // Keeps `device_id` for the checkpoints. CouchDB cannot leave one device's writes out of a feed:
  // pulls bring this device's own writes back (the store recognises them by revision), so there
  // is nothing to distrust.
  void BeginCycle(std::string_view device_id) override;
  // Drops a `_changes` page requested ahead that no pull took.
  void EndCycle() override;
  void DistrustOwnWrites() override {}
  StatusOr<std::vector<PushAnswer>> Push(const std::vector<Mutation>& batch,
                                         const CallContext& call) override;
  // Each mutation's document id, serialised body, revision id and tombstones (no state of the
  // remote is read).
  std::unique_ptr<PreparedPush> PreparePush(const std::vector<Mutation>& batch) const override;
  StatusOr<std::vector<PushAnswer>> PushPrepared(const std::vector<Mutation>& batch,
                                                 std::unique_ptr<PreparedPush> prepared,
                                                 const CallContext& call) override;
  StatusOr<RemotePage> Pull(const PullQuery& query, const CallContext& call) override;
  StatusOr<RemoteChange> Fetch(const std::string& collection, const std::string& key,
                               const CallContext& call) override;
  // Refuses a key CouchDB reserves ('_' first, or empty) and data with a top-level member whose
  // name starts with '_', naming it.
  Status CheckLocalWrite(std::string_view collection, std::string_view key,
                         const nlohmann::json& data) const override;
  // True for a LeafToken naming leaves to supersede (a contested document's version).
  bool NeedsWriteBack(std::string_view rev) const override;
  RevisionOrder CompareRevisions(std::string_view local, std::string_view remote) const override;
  const RemoteFailure& last_failure() const override { return failure_; }
  // The session's transfers and those of the pages requested ahead (once taken or dropped).
  const TransferStats& stats() const override;

  // The database of `collection`.
  std::string DatabaseOf(std::string_view collection) const;

 private:
  struct Write;        // one mutation on its way (couchdb_push.cc)
  struct Prepared;     // PreparePush's (couchdb_push.cc)
  struct BulkRequest;  // a `_bulk_docs` request put together (couchdb_push.cc)
  // A request body: JSON text, or that text encoded for the wire ahead of the request
  // (HttpClient::EncodeBody), with the Content-Encoding it was given.
  struct Body {
    Body(std::string json) : bytes(std::move(json)) {}  // NOLINT: implicit, as plain JSON text
    Body(const char* json) : bytes(json) {}             // NOLINT: implicit, as plain JSON text
    Body(std::string encoded, std::string encoding)
        : bytes(std::move(encoded)), content_encoding(std::move(encoding)) {}
    std::string bytes;
    std::string content_encoding;  // "" = none (the transport may still compress it)
  };

  // The document id, body, revision, base and tombstones of `m`; an error is the mutation's
  // own fault.
  static Status Prepare(const Mutation& m, Write* write);
  static std::unique_ptr<Prepared> PrepareAll(const std::vector<Mutation>& batch);
  // For each collection of a prepared batch whose writes are all first attempts of new roots
  // (no request but its `_bulk_docs`: IsNewRoot), that request, encoded for the wire.
  Status PrepareRequests(const std::vector<Mutation>& batch, Prepared* prepared) const;

  // One request under /<database>; `decode` reads a 2xx body (its error is retried like a lost
  // answer). A missing database is created (create_databases) or reported by name.
  Status Call(const std::string& method, const std::string& database, const std::string& rest,
              const Body& body, const CallContext& call,
              const std::function<Status(std::string_view)>& decode);
  Status CreateDatabase(const std::string& database, const CallContext& call);
  StatusOr<std::vector<couchdb::DocumentState>> States(const std::string& database,
                                                       const std::vector<std::string>& ids,
                                                       const CallContext& call);
  // `prebuilt`: the collection's `_bulk_docs` made ahead (PrepareRequests), if any.
  Status PushCollection(const std::string& collection, std::vector<Write>& writes,
                        const CallContext& call, const BulkRequest* prebuilt);
  Status DropReplays(const std::string& database, std::vector<Write>& writes,
                     const CallContext& call);
  // Writes `writes` with one `_bulk_docs` new_edits:false: `prebuilt`, when given, is that
  // request for exactly these writes.
  Status WriteReplicated(const std::string& collection, std::vector<Write*>& writes,
                         const CallContext& call, const BulkRequest* prebuilt = nullptr);
  // Pulls one page of `collection` after `since` (JSON text); nullopt when it has nothing new.
  // The page comes from the read-ahead when it requested this very one; a full page's successor
  // is requested ahead before the page is parsed.
  StatusOr<std::optional<couchdb::ChangesPage>> PullCollection(const std::string& collection,
                                                               const std::string& since, int limit,
                                                               const CallContext& call);
  // "/_changes?..." of a page of `limit` after the `since` query value.
  static std::string ChangesRest(const std::string& since_value, int limit);
  // After `body`, the `_changes` answer for `since` (JSON text), was received: when it is a full
  // page, the next page's request is started on read_ahead_ (a guess from PeekChanges; the
  // parse decides what the next pull asks for).
  void ReadNextAhead(const std::string& database, std::string_view body, const std::string& since,
                     int limit, const CallContext& call);
  // Reads the leaves of the page's documents with conflicting leaves and their common ancestors
  // (two `_bulk_get`s, only when the page has such documents) and makes those documents
  // contested (couchdb::AddRivals). REQUIRES: `changes` are the page's rows, in order.
  Status AddRivals(const std::string& database, const couchdb::ChangesPage& page,
                   std::vector<RemoteChange>* changes, const CallContext& call);
  Status CheckNotReset(const std::string& database, const std::string& since,
                       const CallContext& call);
  // "/_local/syncagent-<device id>": this device's checkpoint document in a database.
  std::string CheckpointPath() const;
  // Once per cycle and database: the checkpoint this device wrote there must still exist; a
  // server without it lost its data (kCursorRefused).
  Status VerifyCheckpoint(const std::string& database, const CallContext& call);
  // Whether the page just pulled from `database` is checkpointed on the server: the first page
  // of the cycle (so that the checkpoint exists before the cursor marks it), every
  // kPagesPerCheckpoint-th page after it, and a short page (the collection caught up). Other
  // pages' last_seq is held back and written by the pull that finds the collection caught up
  // (WriteHeldCheckpoint); a cycle that ends before leaves the checkpoint a few pages behind,
  // which only its informational last_seq shows.
  bool CheckpointDue(const std::string& database, const couchdb::ChangesPage& page, int limit);
  Status WriteHeldCheckpoint(const std::string& database, const CallContext& call);
  // Writes this device's checkpoint, {"last_seq": ..., "device": ...}, into `database`.
  Status WriteCheckpoint(const std::string& database, const std::string& last_seq,
                         const CallContext& call);
  // Records why the call failed (after a failed request of this call).
  void NoteFailure(bool push);
  // NoteFailure for a pull or a fetch, and the status redacted.
  Status FailRead(const Status& status);

  HttpSession session_;
  std::unique_ptr<ReadAhead> read_ahead_;  // null when !options.read_ahead
  mutable TransferStats stats_;            // stats()'s sum
  CouchdbRemoteOptions options_;
  RemoteFailure failure_;
  bool reset_seen_ = false;  // this pull found a database behind its cursor
  std::string device_id_;    // BeginCycle's; "" = no checkpoints (a remote used outside a cycle)
  // Databases whose checkpoint was checked, or written, this cycle.
  std::set<std::string> verified_;
  std::map<std::string, std::string> checkpoint_revs_;  // database -> its checkpoint's _rev
  // This cycle's checkpoints (CheckpointDue): pages pulled since the last one written, and the
  // last_seq held back, by database.
  static constexpr int kPagesPerCheckpoint = 10;
  std::map<std::string, int> pages_since_checkpoint_;
  std::map<std::string, std::string> held_checkpoints_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_NET_COUCHDB_REMOTE_H_
