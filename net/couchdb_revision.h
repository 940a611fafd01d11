// CouchDB revision ids ("<generation>-<hash>", e.g. "3-917fa2381192822767f010b95b45325b"): parsing,
// ordering, the winner among a document's leaves, and the revision ids the agent makes itself.
//
// The agent writes with `new_edits: false` (docs/couchdb.md): it chooses each revision id, so that
// a write replayed after a lost answer lands as the same revision instead of a second one (or a
// spurious conflict). NextRevision derives the id from what is written: generation = parent's
// generation + 1 (1 without a parent), hash = MD5 (hex) over a canonical text of the parent
// revision and the body. The same write on the same parent always gives the same id, on any
// device; a different body or parent gives a different one.
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_NET_COUCHDB_REVISION_H_
#define SYNCAGENT_NET_COUCHDB_REVISION_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/revision.h"
#include "syncagent/status.h"

namespace syncagent::couchdb {

struct Revision {
  uint64_t generation = 0;  // >= 1
  std::string hash;         // non-empty, no '-' needed; as the server wrote it
};

// "N-hash" with N a decimal integer >= 1 (no sign, no leading zero, at most 18 digits) and a
// non-empty hash of printable ASCII other than '|' (which separates the leaves of a LeafToken);
// nullopt otherwise.
std::optional<Revision> ParseRevision(std::string_view text);

// The revision token the agent keeps for a document the server holds in several conflicting
// leaves (a contested document, RemoteChange::rivals): the leaf a write goes on, then '|' and
// each other leaf the write supersedes (deletes): "3-abc|3-abd|2-ef0". A plain revision is a
// token without others.
struct LeafToken {
  std::string on;
  std::vector<std::string> others;
};
std::string EncodeLeafToken(std::string_view on, const std::vector<std::string>& others);
// Splits at '|'; a token whose parts are not all revisions is taken as plain ({token, {}}).
LeafToken ParseLeafToken(std::string_view token);

// How `local` relates to `remote` (Remote::CompareRevisions), by the leaves the tokens go on
// (LeafToken::on): the same leaf is kSame; a higher generation is taken as a descendant
// (kRemoteNewer / kLocalNewer); the same generation with a different hash, or a token that is not
// a CouchDB revision, is kDiverged.
RevisionOrder CompareRevisions(std::string_view local, std::string_view remote);

// CouchDB's rule for the winning leaf: the higher generation, then the greater hash (byte-wise).
// Negative when `a` loses to `b`, 0 when equal, positive when `a` wins.
// REQUIRES: both parse (ParseRevision).
int CompareForWinner(const Revision& a, const Revision& b);

// The revision id of writing `body` (what the mutation decides: couchdb::BuildBody's data and
// _id, or _id and _deleted; no _rev, _revisions or carried-over _attachments) on top of
// `parent_rev` ("" for a document the server does not have). The canonical text hashed is
// "syncagent-rev/1\n" + parent_rev + "\n" + body serialised compactly with object keys sorted.
// Fails when `parent_rev` is neither "" nor a revision, or the body cannot be serialised
// (a string that is not UTF-8).
StatusOr<std::string> NextRevision(std::string_view parent_rev, const nlohmann::json& body);
// The canonical text of a body: compact, object keys sorted (nlohmann::json::dump()). Fails for
// a body that cannot be serialised (a string that is not UTF-8).
StatusOr<std::string> CanonicalText(const nlohmann::json& body);

// NextRevision of the body whose compact serialisation (nlohmann::json::dump(): keys sorted) is
// `serialized_body`, for a caller that keeps that text. REQUIRES: it is such a dump.
StatusOr<std::string> NextRevisionOfText(std::string_view parent_rev,
                                         std::string_view serialized_body);

// The revision id of deleting the leaf `leaf` (a branch a resolution supersedes): NextRevision
// of the body {"_id": id, "_deleted": true} on it. REQUIRES: `leaf` parses.
StatusOr<std::string> TombstoneRevision(std::string_view leaf, std::string_view id);

// The `_revisions` member that places `rev` under `parent_rev` in the document's tree:
// {"start": generation of rev, "ids": [hash of rev, hash of parent]} (the parent left out when
// "" or not directly below). REQUIRES: `rev` parses.
nlohmann::json RevisionsField(std::string_view rev, std::string_view parent_rev);

// MD5 of `data` as 32 lowercase hex digits (OpenSSL).
std::string Md5Hex(std::string_view data);

}  // namespace syncagent::couchdb

#endif  // SYNCAGENT_NET_COUCHDB_REVISION_H_
