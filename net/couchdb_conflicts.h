// Conflicting leaves on a CouchDB server, as pure functions (no I/O): reading the leaves' bodies
// and histories and their common ancestor (`_bulk_get`), presenting a document with `_conflicts` to the engine as a contested
// RemoteChange (net/remote.h: `rivals`), and deciding whether a write based on a LeafToken
// (net/couchdb_revision.h) still covers every live leaf of the server's document.
//
// A contested document of leaves W (the server's winner), L1..Ln (its `_conflicts`) is pulled
// as the change of W with token "W|L1|..|Ln" and one rival per losing leaf Li with token
// "Li|W|L1..(without Li)": whichever version a resolution writes on, the others are deleted in
// the same `_bulk_docs` (net/couchdb_remote.h), and the server is left with one leaf.
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_NET_COUCHDB_CONFLICTS_H_
#define SYNCAGENT_NET_COUCHDB_CONFLICTS_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/couchdb_codec.h"
#include "net/couchdb_revision.h"

namespace syncagent::couchdb {

// One revision of one document: (id, rev).
using RevisionRef = std::pair<std::string, std::string>;

// One revision's body as `_bulk_get` sent it.
struct RevisionBody {
  DocumentParts doc;                 // live: its data
  std::vector<std::string> history;  // with revs=true: its revision, then its ancestors, newest
                                     // first (from _revisions); empty without
};

// The body of `POST /db/_bulk_get` for `wanted`: {"docs": [{"id", "rev"}, ...]}.
std::string EncodeBulkGet(const std::vector<RevisionRef>& wanted);

// Reads a `_bulk_get` answer ({"results": [{"id", "docs": [{"ok": doc} | {"missing": rev} |
// {"error": ...}]}]}): the live documents it holds, by (id, rev). Only revisions that were
// asked are taken; a missing one (deleted or compacted meanwhile), an error entry, a tombstone
// and a body nested deeper than the document limit are left out. Malformed answers fail.
StatusOr<std::map<RevisionRef, RevisionBody>> ParseBulkGet(std::string_view body,
                                                           const std::vector<RevisionRef>& wanted,
                                                           const CodecLimits& limits = {});

// The leaves to read (with revs=true) for the page's contested documents (a live doc with
// `_conflicts`): each one's winner and losing leaves.
std::vector<RevisionRef> LeavesToRead(const ChangesPage& page);

// The newest revision in every one of `histories` (the leaves' common ancestor); nullopt when
// they share none, or one is empty.
std::optional<std::string> CommonAncestor(const std::vector<const RevisionBody*>& leaves);

// The common ancestors to read for the page's contested documents, given their `leaves`.
std::vector<RevisionRef> AncestorsToRead(const ChangesPage& page,
                                         const std::map<RevisionRef, RevisionBody>& leaves);

// Makes `change` (the winner of `row`, from ToRemoteChanges) contested: its token names every
// leaf, each losing leaf found in `leaves` becomes a rival (best first, CouchDB's order), and
// the common ancestor found in `ancestors` is its ancestor_rev/ancestor_data. Losers not found
// are left out (deleted meanwhile, or unreadable); a change left without rivals stays plain.
void AddRivals(const ChangeRow& row, const std::map<RevisionRef, RevisionBody>& leaves,
               const std::map<RevisionRef, RevisionBody>& ancestors, RemoteChange* change);

// Whether a write based on `base` may go on: every live leaf of the server's document
// (`state`: its winner and `_conflicts`, read with conflicts=true) is a leaf the token names, so
// the write and its tombstones leave the server one leaf. REQUIRES: `state` is live.
bool CoversLiveLeaves(const LeafToken& base, const DocumentState& state);

}  // namespace syncagent::couchdb

#endif  // SYNCAGENT_NET_COUCHDB_CONFLICTS_H_
