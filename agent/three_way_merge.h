// ThreeWayMerge: field-level merge of two edits of a JSON document against their common base.
//
// This is the `merge` conflict policy. For every member of the union of keys:
//   - both sides agree                → that value;
//   - only one side changed it        → that side's value (a removal is a change);
//   - both changed it, both objects   → merge recursively (an absent base counts as {});
//   - both changed it otherwise       → the tie rule: server, client, or newer (by HLC).
// Arrays and scalars are atomic values. A document deleted on one side and edited on the other is
// decided by the tie rule as a whole.
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_AGENT_THREE_WAY_MERGE_H_
#define SYNCAGENT_AGENT_THREE_WAY_MERGE_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace syncagent {

enum class TieRule { kServer, kClient, kNewer };

// One side of a merge: the document's body (object) or a tombstone.
struct MergeSide {
  bool deleted = false;
  nlohmann::json data;  // an object unless deleted
};

struct MergeOutcome {
  bool deleted = false;
  nlohmann::json data;                  // the merged object (null when deleted)
  std::vector<std::string> tied_paths;  // fields changed on both sides, decided by the tie rule
                                        // ("/a/b" JSON-pointer style; "" for the whole document)
};

// `local_is_newer` is consulted only under TieRule::kNewer (compare the sides' HLC stamps).
// `base` may be a tombstone or absent-as-deleted when the document was created on both sides.
MergeOutcome ThreeWayMerge(const MergeSide& base, const MergeSide& local, const MergeSide& remote,
                           TieRule tie, bool local_is_newer);

}  // namespace syncagent

#endif  // SYNCAGENT_AGENT_THREE_WAY_MERGE_H_
