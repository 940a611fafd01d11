// JSON Merge Patch (RFC 7396): the semantics of a `patch` write, locally and on the server.
//
// A patch that is an object merges key by key: `null` removes a member, an object recurses, any
// other value replaces. A patch that is not an object replaces the target entirely.
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_STORAGE_JSON_MERGE_PATCH_H_
#define SYNCAGENT_STORAGE_JSON_MERGE_PATCH_H_

#include <nlohmann/json.hpp>

namespace syncagent {

// Applies `patch` to `target` in place (RFC 7396, section 2).
void ApplyMergePatch(nlohmann::json& target, const nlohmann::json& patch);

// Returns `target` with `patch` applied.
nlohmann::json MergePatched(nlohmann::json target, const nlohmann::json& patch);

// Returns a merge patch that turns `from` into `to` (both objects give a minimal member-wise
// patch; anything else gives `to` itself). Arrays are replaced whole, as RFC 7396 requires.
// Note: a member whose value is `null` in `to` cannot be expressed by a merge patch (null means
// "remove"); such members are removed instead.
nlohmann::json CreateMergePatch(const nlohmann::json& from, const nlohmann::json& to);

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_JSON_MERGE_PATCH_H_
