#include "storage/pull_scope.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

namespace syncagent {
namespace {

// The stored set, or nullopt when the text is not a JSON array of strings (treated as absent).
std::optional<std::set<std::string>> ParseSet(std::string_view text) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!value.is_array()) return std::nullopt;
  std::set<std::string> out;
  for (const auto& item : value) {
    if (!item.is_string()) return std::nullopt;
    out.insert(item.get<std::string>());
  }
  return out;
}

}  // namespace

StatusOr<bool> PullScope::Align(std::vector<std::string> collections) {
  std::sort(collections.begin(), collections.end());
  collections.erase(std::unique(collections.begin(), collections.end()), collections.end());
  const std::set<std::string> wanted(collections.begin(), collections.end());
  const std::string wanted_text = nlohmann::json(collections).dump();

  SYNCAGENT_ASSIGN_OR_RETURN(auto stored, checkpoints_.Get(collections_name_));
  std::optional<std::set<std::string>> covered;
  if (stored) covered = ParseSet(stored->value);
  if (stored && stored->value == wanted_text) return false;

  bool widened = false;
  if (covered) {
    if (covered->empty()) {
      widened = false;  // the cursor covered every collection
    } else if (wanted.empty()) {
      widened = true;   // all collections now, a list before
    } else {
      widened = std::any_of(wanted.begin(), wanted.end(),
                            [&](const std::string& c) { return covered->count(c) == 0; });
    }
  }
  if (widened) SYNCAGENT_RETURN_IF_ERROR(checkpoints_.Delete(cursor_name_));
  SYNCAGENT_RETURN_IF_ERROR(checkpoints_.Set(collections_name_, wanted_text, ""));
  return widened;
}

}  // namespace syncagent
