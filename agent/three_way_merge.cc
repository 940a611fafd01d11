#include "agent/three_way_merge.h"

#include <set>

#include "storage/json_equal.h"

namespace syncagent {
namespace {

using nlohmann::json;

struct Context {
  TieRule tie;
  bool local_is_newer;
  std::vector<std::string>* tied_paths;

  bool PickLocal() const {
    switch (tie) {
      case TieRule::kServer: return false;
      case TieRule::kClient: return true;
      case TieRule::kNewer: return local_is_newer;
    }
    return false;
  }
};

// Escapes a member name for a JSON-pointer-style path (RFC 6901).
std::string Escape(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

// Merges objects `local` and `remote` against `base` (each may be null meaning "absent").
json MergeObjects(const json* base, const json& local, const json& remote, const std::string& path,
                  const Context& ctx) {
  std::set<std::string> keys;
  for (auto it = local.begin(); it != local.end(); ++it) keys.insert(it.key());
  for (auto it = remote.begin(); it != remote.end(); ++it) keys.insert(it.key());
  if (base) {
    for (auto it = base->begin(); it != base->end(); ++it) keys.insert(it.key());
  }
  json out = json::object();
  for (const std::string& key : keys) {
    auto find = [&key](const json* obj) -> const json* {
      if (!obj || !obj->is_object()) return nullptr;
      auto it = obj->find(key);
      return it == obj->end() ? nullptr : &*it;
    };
    const json* b = find(base);
    const json* l = find(&local);
    const json* r = find(&remote);
    auto same = [](const json* x, const json* y) {
      if (!x || !y) return x == y;
      return JsonEqual(*x, *y);
    };
    const json* chosen = nullptr;
    if (same(l, r) || same(r, b)) {
      chosen = l;
    } else if (same(l, b)) {
      chosen = r;
    } else if (l && r && l->is_object() && r->is_object() && (!b || b->is_object())) {
      out[key] = MergeObjects(b, *l, *r, path + "/" + Escape(key), ctx);
      continue;
    } else {
      ctx.tied_paths->push_back(path + "/" + Escape(key));
      chosen = ctx.PickLocal() ? l : r;
    }
    if (chosen) out[key] = *chosen;
  }
  return out;
}

}  // namespace

MergeOutcome ThreeWayMerge(const MergeSide& base, const MergeSide& local, const MergeSide& remote,
                           TieRule tie, bool local_is_newer) {
  MergeOutcome outcome;
  Context ctx{tie, local_is_newer, &outcome.tied_paths};
  if (local.deleted && remote.deleted) {
    outcome.deleted = true;
    return outcome;
  }
  if (local.deleted || remote.deleted) {
    // One side has no document. If that side made no change (the base had none either), the
    // other side's edit stands; if the other side made no change, the deletion stands;
    // otherwise it is a document-level tie.
    const MergeSide& kept = local.deleted ? remote : local;
    const bool deletion_is_change = !base.deleted;
    const bool kept_unchanged = !base.deleted && JsonEqual(base.data, kept.data);
    bool take_deletion = kept_unchanged;
    if (deletion_is_change && !kept_unchanged) {
      outcome.tied_paths.push_back("");
      const bool pick_local = ctx.PickLocal();
      take_deletion = pick_local ? local.deleted : remote.deleted;
    }
    if (take_deletion) {
      outcome.deleted = true;
    } else {
      outcome.data = kept.data;
    }
    return outcome;
  }
  const json* base_data = (!base.deleted && base.data.is_object()) ? &base.data : nullptr;
  outcome.data = MergeObjects(base_data, local.data, remote.data, "", ctx);
  return outcome;
}

}  // namespace syncagent
