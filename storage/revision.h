// Server revisions, as the store keeps them: opaque text tokens chosen by the protocol
// (syncagent/1: the decimal version "3"; CouchDB: "3-<hash>"), and "" for "the server has no
// revision of this document" (never seen, or the server never had it). The store never does
// arithmetic on a revision; where it must order two (is a pulled version newer than the stored
// one? is an acknowledgement newer?) it asks a RevisionComparator, supplied by the protocol
// (Remote::CompareRevisions) through StoreOptions.
//
// Thread safety: plain functions and values.
#ifndef SYNCAGENT_STORAGE_REVISION_H_
#define SYNCAGENT_STORAGE_REVISION_H_

#include <functional>
#include <string_view>

namespace syncagent {

// How a local revision relates to a remote one of the same document.
enum class RevisionOrder {
  kSame,
  kRemoteNewer,  // the remote descends from the local one
  kLocalNewer,   // the local one descends from the remote
  kDiverged,     // neither descends from the other (a revision tree's sibling leaves)
};

// Orders two non-empty revision tokens of one document.
using RevisionComparator = std::function<RevisionOrder(std::string_view local,
                                                       std::string_view remote)>;

// Whether a conflict's remote revision stands beside other versions the server keeps of the
// document (a contested document: RemoteChange::rivals), so that taking it as it is still needs
// a write based on it, which supersedes the others (the protocol's Remote::NeedsWriteBack).
using WriteBackRule = std::function<bool(std::string_view remote_rev)>;

// The default comparator: revisions that start with a generation number ("3", "3-ab12")
// are ordered by it; equal generations with different text have diverged; a token without a
// leading number is comparable only to itself (else kDiverged).
RevisionOrder CompareGenerations(std::string_view local, std::string_view remote);

// `compare` (CompareGenerations when null) extended to the empty revision: "" is older than
// any revision and the same as "".
RevisionOrder OrderRevisions(const RevisionComparator& compare, std::string_view local,
                             std::string_view remote);

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_REVISION_H_
