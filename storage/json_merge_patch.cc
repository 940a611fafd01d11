#include "storage/json_merge_patch.h"

#include "storage/json_equal.h"

namespace syncagent {

void ApplyMergePatch(nlohmann::json& target, const nlohmann::json& patch) {
  if (!patch.is_object()) {
    target = patch;
    return;
  }
  if (!target.is_object()) target = nlohmann::json::object();
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (it.value().is_null()) {
      target.erase(it.key());
    } else {
      ApplyMergePatch(target[it.key()], it.value());
    }
  }
}

nlohmann::json MergePatched(nlohmann::json target, const nlohmann::json& patch) {
  ApplyMergePatch(target, patch);
  return target;
}

nlohmann::json CreateMergePatch(const nlohmann::json& from, const nlohmann::json& to) {
  if (!from.is_object() || !to.is_object()) return to;
  nlohmann::json patch = nlohmann::json::object();
  for (auto it = from.begin(); it != from.end(); ++it) {
    auto found = to.find(it.key());
    if (found == to.end() || found->is_null()) patch[it.key()] = nullptr;
  }
  for (auto it = to.begin(); it != to.end(); ++it) {
    if (it.value().is_null()) continue;
    auto found = from.find(it.key());
    if (found == from.end()) {
      patch[it.key()] = it.value();
    } else if (!JsonEqual(*found, it.value())) {
      if (found->is_object() && it.value().is_object()) {
        patch[it.key()] = CreateMergePatch(*found, it.value());
      } else {
        patch[it.key()] = it.value();
      }
    }
  }
  return patch;
}

}  // namespace syncagent
