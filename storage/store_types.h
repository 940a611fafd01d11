// The value types of the Store's API: options, documents, mutations, writes and remote changes.
// (Conflicts, dead letters, runs and stats are in sync_records.h.)
//
// Document model (one row per (collection, key)):
//   rev           the last server revision known for the document (storage/revision.h: an
//                 opaque token); "" = never seen by the server.
//   deleted       tombstone. A deleted document keeps its row (data = null) so versions and
//                 pending deletes are tracked.
//   data          the local JSON object (null when deleted).
//   dirty         true while the document has mutations in the outbox (unacknowledged local
//                 changes). Invariant: dirty <=> at least one outbox row for the document.
//   base_rev      the server revision the local edit is based on; nullopt when the server has no
//                 live document (never seen, or a tombstone): a mutation with a null base is a
//                 "create" in the protocol. "" = "only where the server never had it" (a copy
//                 re-uploaded after the server lost its data, storage/server_reset.h).
//   base_data     the server body at base_rev (for three-way merge); null when none.
//   hlc           hybrid logical clock stamp of the last write (local stamp, or the remote stamp
//                 for documents written by the server).
//   updated_at    wall-clock ms of the last local change to the row.
//
// Thread safety: plain values.
#ifndef SYNCAGENT_STORAGE_STORE_TYPES_H_
#define SYNCAGENT_STORAGE_STORE_TYPES_H_

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/revision.h"

namespace syncagent {

class Clock;

// What the store does once the server lost what it had acknowledged (server_reset.h; config
// sync.on_server_reset).
enum class ServerResetRule {
  kReupload,     // every live local document goes back to the server; nothing local is lost
  kAdoptServer,  // the device becomes a copy of the server (what it drops is kept as conflicts)
};

// SQLite's PRAGMA synchronous, as the storage layer offers it (independent of config/).
enum class SyncMode {
  kNormal,  // WAL + NORMAL: a commit survives an app crash; an OS crash may lose the last ones
  kFull,    // WAL + FULL: every commit is fsynced
};

// A query index to keep (config storage.indexes; storage/query/index_sync.h).
struct QueryIndex {
  std::string collection;
  std::vector<std::string> fields;  // Mango field names, in index order
};

// A document's identity: its collection and key.
struct DocumentKey {
  std::string collection;
  std::string key;

  friend auto operator<=>(const DocumentKey&, const DocumentKey&) = default;
};

// Told the keys of the documents that one committed write transaction changed (each once,
// sorted), right after the commit, on the committing thread and under the Store's lock: it must
// not call the Store, only hand the keys on (agent/change_dispatcher.h).
using CommitObserver = std::function<void(std::vector<DocumentKey> keys)>;

struct StoreOptions {
  std::string path;                     // the database file; created 0600 when missing
  SyncMode synchronous = SyncMode::kNormal;
  int busy_timeout_ms = 5000;           // how long to wait for another connection's lock
  Clock* clock = nullptr;               // REQUIRED; must outlive the Store
  int64_t max_size_bytes = 0;           // 0 = unlimited; else a cap (writes beyond it fail with
                                        // kResourceExhausted, rolled back)
  // The collections that sync (config sync.collections; empty = all). Writes to the others are
  // kept and queued but never taken for a push: they are local-only until their collection is
  // listed (then their queued writes go out).
  std::vector<std::string> synced_collections;
  // Orders server revisions (the protocol's Remote::CompareRevisions); null = CompareGenerations.
  RevisionComparator compare_revisions;
  // Whether each pulled change is the server's current version of its document rather than one
  // step of its history (RemoteCapabilities::pulls_current_versions): a clean local copy then
  // takes any pulled revision other than its own, whatever compare_revisions says of the two
  // (CouchDB: a live leaf wins over a tombstone of a higher generation).
  bool pulled_is_current = false;
  // The query indexes the store keeps: Open creates the missing ones and drops the others
  // (storage/query/index_sync.h). kInvalidArgument from Open for a bad collection or field.
  std::vector<QueryIndex> indexes;
  // Optional: told after each committed write transaction that changed documents.
  CommitObserver on_commit;
  // Which remote revisions need a write to be taken (the protocol's Remote::NeedsWriteBack);
  // null = none (ConflictStore: kTakeRemote).
  WriteBackRule needs_write_back;
};

// Where a document stands with the server (storage/sync_state.h computes it), most urgent first:
//   kConflict  an open conflict waits for a decision (policy `manual`, or a resolver left it open)
//   kRejected  the server rejected a change to it permanently (it has a dead letter)
//   kPending   a local change is queued or on the wire (not yet acknowledged)
//   kSynced    none of the above: the server has what the device has
enum class SyncState { kSynced, kPending, kConflict, kRejected };

// "synced" | "pending" | "conflict" | "rejected"
std::string_view SyncStateName(SyncState state);

struct Document {
  std::string collection;
  std::string key;
  std::string rev;  // "" = never seen by the server
  bool deleted = false;
  nlohmann::json data;  // object, or null when deleted
  bool dirty = false;
  std::optional<std::string> base_rev;
  nlohmann::json base_data;  // object, or null
  std::string hlc;
  int64_t updated_at = 0;
  SyncState sync_state = SyncState::kSynced;  // as of the read (Store::Get, Store::List)
};

// Which documents List returns: `collection`, keys strictly greater than `after_key` (byte
// order), at most `limit` (1..10000), live documents only unless include_deleted.
struct ListOptions {
  std::string after_key;
  int limit = 100;
  bool include_deleted = false;
};

enum class MutationOp { kPut, kPatch, kDelete };

std::string_view MutationOpName(MutationOp op);  // "put" | "patch" | "delete"

// One outbox entry (the protocol's push mutation plus local bookkeeping).
struct Mutation {
  int64_t seq = 0;  // strictly increasing, never reused
  std::string mutation_id;  // random UUID v4
  std::string collection;
  std::string key;
  MutationOp op = MutationOp::kPut;
  std::optional<std::string> base_rev;  // nullopt = create; "" = only if the server never had it
  // The last server revision the store knew for the document when the batch was taken (its
  // row's rev; "" = none). For a create, the tombstone the server may still hold: a protocol
  // whose revisions form a tree (CouchDB) places the create after it, as its own servers do.
  std::string document_rev;
  nlohmann::json data;  // put: full object; patch: the merge patch; delete: null
  std::string hlc;
  int64_t created_at = 0;  // wall ms
  int attempts = 0;        // times handed to the network (MarkAttempted)
  std::string last_error;  // empty = none
};

// One local write for Store::Write (the batch API). For kDelete, data is ignored.
struct WriteOp {
  MutationOp op = MutationOp::kPut;
  std::string collection;
  std::string key;
  nlohmann::json data;

  static WriteOp Put(std::string collection, std::string key, nlohmann::json data) {
    return {MutationOp::kPut, std::move(collection), std::move(key), std::move(data)};
  }
  static WriteOp Patch(std::string collection, std::string key, nlohmann::json patch) {
    return {MutationOp::kPatch, std::move(collection), std::move(key), std::move(patch)};
  }
  static WriteOp Delete(std::string collection, std::string key) {
    return {MutationOp::kDelete, std::move(collection), std::move(key), nullptr};
  }
};

// The server's answer "applied" for one mutation.
struct AckInfo {
  std::string mutation_id;
  std::string server_rev;   // "" for a delete of a document the server never had
  std::string server_hlc;  // may be empty

  // The server applied a delete of a document it never had.
  bool never_existed() const { return server_rev.empty(); }
};

// One change of a pull page.
struct RemoteChange {
  std::string collection;
  std::string key;
  std::string rev;  // the server's revision; "" = the server never had the document
  bool deleted = false;
  nlohmann::json data;  // object, or null when deleted
  std::string hlc;      // may be empty
  // Alternatively (when not empty, `data` is ignored): the object as JSON text, already
  // validated by the caller (the pull path: ProtocolCodec::DecodePullPageText). Stored as is.
  std::string data_text;
  // Non-empty when the client cannot take this version (e.g. "nested deeper than 32 levels",
  // or the server left its body out as too large): the local document is left as it is, the
  // version is recorded in remote_skips, and the page's cursor moves past it.
  std::string unusable = "";
  // Other versions of this document that the server keeps beside this one, best first (e.g.
  // CouchDB's conflicting leaves, written by other replicators); empty on most servers. Each has
  // this change's collection and key, its own rev, and is usable (data or a tombstone); they
  // have no rivals of their own. The rev tokens of a contested document are the protocol's
  // names for "write on this version and supersede the others": a write based on any of them
  // leaves the server one version. The store settles a contested document as a conflict even
  // when the local document is clean (remote_applier.h).
  std::vector<RemoteChange> rivals = {};
  // With rivals: the revision and data (an object) of the last version they all descend from,
  // when the server still has it (the base of a three-way merge); "" and null otherwise.
  std::string ancestor_rev = "";
  nlohmann::json ancestor_data = nullptr;

  // The server has no revision of this document (a conflict's current document it never had).
  bool never_existed() const { return rev.empty(); }
};

struct Checkpoint {
  std::string value;  // e.g. the pull cursor
  std::string etag;   // e.g. the ETag of the page that produced the cursor; may be empty
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_STORE_TYPES_H_
