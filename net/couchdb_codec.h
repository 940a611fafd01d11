// The CouchDB replication protocol's wire shapes, as pure functions (no I/O): document ids,
// document bodies, `_changes` pages, `_bulk_docs` answers and `_revs_diff`. The CouchDB remote
// builds requests and reads answers with these; docs/couchdb.md says what PouchDB Server and
// CouchDB were measured to send.
//
// Mapping: a collection is one database (config: server.couchdb.databases); the document of key K
// is the CouchDB document whose _id is K. A document's data is its body without the members whose
// names start with '_' (CouchDB's: _id, _rev, _deleted, _attachments, _conflicts, ...); its
// attachments stay on the server and their stubs are kept aside (DocumentParts::attachments).
// `_design/` documents are never data and `_local/` documents never appear in a feed; ids that
// start with another '_' are reserved by CouchDB.
//
// Answers are read strictly: anything malformed fails the whole answer with a Status (kDataLoss,
// retry class transient) that names the answer and the field (`_changes answer: results[2].id:
// expected a non-empty string, got 7`), and nothing of it is taken.
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_NET_COUCHDB_CODEC_H_
#define SYNCAGENT_NET_COUCHDB_CODEC_H_

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/protocol_codec.h"
#include "storage/store_types.h"
#include "syncagent/status.h"

namespace syncagent::couchdb {

// --- Document ids ---------------------------------------------------------------------------

enum class IdKind {
  kData,      // an ordinary document: the key of a document of the collection
  kDesign,    // "_design/...": views and validation functions, never data
  kLocal,     // "_local/...": not replicated (checkpoints)
  kReserved,  // any other id starting with '_' (CouchDB refuses to store it)
};
IdKind ClassifyId(std::string_view id);

// The _id of the document of `key`. Refuses an empty key and a key starting with '_' (CouchDB
// reserves those ids), naming the key.
StatusOr<std::string> DocumentIdOf(std::string_view key);

// --- Bodies -------------------------------------------------------------------------------------

// A local write's data for a collection synced with CouchDB: refused when it is not an object or
// has a top-level member whose name starts with '_' (the error names the member).
Status CheckWritableData(const nlohmann::json& data);

// A document as the server sent it, split into CouchDB's members and the data.
struct DocumentParts {
  std::string id;
  std::string rev;
  bool deleted = false;
  nlohmann::json data;         // the body without '_' members; null when deleted
  nlohmann::json attachments;  // the _attachments member (stubs) as received; null when absent
  std::vector<std::string> conflicts;  // _conflicts (when asked for with conflicts=true)
};

// Splits `doc` (an object with a non-empty string _id and a revision _rev). `what` and `path`
// name it in errors ("_changes answer", "results[3].doc").
StatusOr<DocumentParts> SplitDocument(const nlohmann::json& doc, std::string_view what,
                                      const std::string& path);
// The same, moving the data members' values out of `doc` instead of copying them (its `_`
// members are left as they were, so errors can still quote them).
StatusOr<DocumentParts> SplitDocument(nlohmann::json&& doc, std::string_view what,
                                      const std::string& path);

// The body to write for document `id`: the data's members, _id, _attachments when
// `attachments` is not null, and for a delete only _id, _deleted: true and the attachments' stubs
// left out. REQUIRES: CheckWritableData(data) is OK (or `deleted`).
nlohmann::json BuildBody(std::string_view id, const nlohmann::json& data,
                         const nlohmann::json& attachments, bool deleted);

// --- _changes -----------------------------------------------------------------------------------

struct ChangeRow {
  std::string id;
  std::vector<std::string> revs;  // changes[].rev: the winning leaf first (every leaf with
                                  // style=all_docs)
  std::string seq;                // the row's seq as JSON text (integer or string)
  bool deleted = false;
  std::optional<DocumentParts> doc;  // with include_docs=true
  std::string unusable;  // the doc was nested deeper than the document limit (doc is nullopt)
};

struct ChangesPage {
  std::vector<ChangeRow> rows;  // data documents only
  std::string last_seq;         // JSON text: `2` (PouchDB Server) or `"3-g1AA..."` (CouchDB 3)
  int skipped = 0;              // _design/ and _local/ rows left out
};

// Reads a `_changes` answer (normal feed). Every row needs an id and at least one revision;
// `doc`, when present, must be an object whose _id is the row's id.
StatusOr<ChangesPage> ParseChanges(std::string_view body, const CodecLimits& limits = {});

// A `_changes` answer's shape, read without building a tree: how many rows its `results` holds
// (data, design and local alike) and its last_seq as JSON text. For sending the next page's
// request before this one is parsed (CouchdbRemote's read-ahead): a guess that validates
// nothing but the last_seq's own JSON, which ParseChanges confirms or refutes. nullopt when the
// text is not an object with one array `results` and one last_seq.
struct ChangesShape {
  int rows = 0;
  std::string last_seq;
};
std::optional<ChangesShape> PeekChanges(std::string_view body);

// The `since` query value for a stored last_seq (JSON text as ParseChanges keeps it): an integer
// as is, a string's content, "0" for "" (from the start). Fails for any other JSON.
StatusOr<std::string> SinceValue(std::string_view last_seq);

// The page's rows as changes of `collection`. Each row's document data goes into its change as
// compact JSON text (RemoteChange::data_text; `data` stays null), checked against the document
// limits (a document over them is `unusable`). REQUIRES: the page was asked with include_docs
// (a row without doc and not deleted is an error naming it).
StatusOr<std::vector<RemoteChange>> ToRemoteChanges(std::string_view collection,
                                                    const ChangesPage& page);

// --- _all_docs with keys -----------------------------------------------------------------------

// One document's state on the server, from `POST /db/_all_docs?include_docs=true` {"keys": [...]}.
struct DocumentState {
  bool exists = false;  // the server has a revision of it (live or deleted)
  std::string rev;      // its winning revision
  bool deleted = false;
  std::optional<DocumentParts> doc;  // a live document's body
  std::string unusable;  // a live document nested deeper than the document limit (no doc)
};

// Reads an `_all_docs` answer for `ids` (asked as keys, with include_docs=true): one row per id,
// in order; {"key", "error": "not_found"} for an id the server never had.
StatusOr<std::vector<DocumentState>> ParseAllDocs(std::string_view body,
                                                  const std::vector<std::string>& ids,
                                                  const CodecLimits& limits = {});

// The document `key` of `collection` as the engine sees a server's document: rev "" when the
// server never had it, a tombstone, or the data (unusable when over the document limits).
RemoteChange ToRemoteChange(std::string_view collection, std::string_view key,
                            const DocumentState& state);

// --- _bulk_docs ---------------------------------------------------------------------------------

struct BulkDocsEntry {
  std::string id;
  bool ok = false;
  std::string rev;     // ok
  std::string error;   // not ok: "conflict", "forbidden", "unauthorized", ...
  std::string reason;  // not ok, made safe for messages (wire::ServerText)
};

// Reads a `_bulk_docs` answer for the documents `sent_ids` (in the order sent). With new_edits
// (true) there is one entry per document, in order, with its id. With new_edits:false the server
// answers only for the documents it refused (PouchDB Server: `[]`): each entry's id must be one
// sent, at most once. The result has one element per sent document; nullopt = no entry.
StatusOr<std::vector<std::optional<BulkDocsEntry>>> ParseBulkDocs(
    std::string_view body, const std::vector<std::string>& sent_ids, bool new_edits);

// --- _revs_diff ---------------------------------------------------------------------------------

// {"id": ["rev", ...], ...}
std::string EncodeRevsDiff(const std::map<std::string, std::vector<std::string>>& revs);

// Reads a `_revs_diff` answer for `asked`: {id: {"missing": [rev, ...]}} for the ids with
// something missing (ids the server has every revision of are left out). Every id and revision
// answered must have been asked. The result maps each such id to its missing revisions.
StatusOr<std::map<std::string, std::vector<std::string>>> ParseRevsDiff(
    std::string_view body, const std::map<std::string, std::vector<std::string>>& asked);

}  // namespace syncagent::couchdb

#endif  // SYNCAGENT_NET_COUCHDB_CODEC_H_
