#include "config/index_list.h"

#include <regex>
#include <set>

#include "common/field_path.h"
#include "config/text_util.h"

namespace syncagent::config_internal {

namespace {

using Json = nlohmann::ordered_json;

// The fields of one index at `path` (its "fields" member); false after reporting a problem.
bool ValidateFields(const Json& fields, const std::string& path, IndexConfig* index,
                    const std::function<void(std::string, std::string)>& error) {
  if (!fields.is_array() || fields.empty() || fields.size() > kMaxIndexFields) {
    error(path, "expected an array of 1 to " + std::to_string(kMaxIndexFields) + " field names");
    return false;
  }
  bool ok = true;
  std::set<std::string> seen;
  for (size_t i = 0; i < fields.size(); ++i) {
    const std::string at = IndexPath(path, i);
    if (!fields[i].is_string()) {
      error(at, "expected a field name (a string)");
      ok = false;
      continue;
    }
    const std::string name = fields[i].get<std::string>();
    StatusOr<FieldPath> parsed = ParseFieldPath(name, at);
    if (!parsed.ok()) {
      error(at, parsed.status().message().substr(at.size() + 2));  // without the "<path>: "
      ok = false;
    } else if (!seen.insert(parsed->Dotted()).second) {
      error(at, "the field \"" + name + "\" is listed twice");
      ok = false;
    }
    index->fields.push_back(name);
  }
  return ok;
}

// One index at `path`; nullopt after reporting a problem.
std::optional<IndexConfig> ValidateIndex(const Json& item, const std::string& path,
                                         const std::string& pattern, const std::string& hint,
                                         const std::function<void(std::string, std::string)>& error) {
  if (!item.is_object()) {
    error(path, "expected an object {\"collection\": ..., \"fields\": [...]}");
    return std::nullopt;
  }
  bool ok = true;
  for (const auto& [name, member] : item.items()) {
    if (name != "collection" && name != "fields") {
      error(JoinPath(path, name), "unknown key; expected collection or fields");
      ok = false;
    }
  }
  IndexConfig index;
  if (!item.contains("collection") || !item.contains("fields")) {
    error(path, "an index needs both \"collection\" and \"fields\"");
    return std::nullopt;
  }
  const Json& collection = item["collection"];
  if (!collection.is_string() ||
      !std::regex_search(collection.get<std::string>(), std::regex(pattern))) {
    error(JoinPath(path, "collection"), "expected a collection name: " + hint);
    ok = false;
  } else {
    index.collection = collection.get<std::string>();
  }
  ok = ValidateFields(item["fields"], JoinPath(path, "fields"), &index, error) && ok;
  if (!ok) return std::nullopt;
  return index;
}

}  // namespace

std::optional<std::vector<IndexConfig>> ValidateIndexList(
    const Json& value, const std::string& path, const std::string& collection_pattern,
    const std::string& collection_hint,
    const std::function<void(std::string path, std::string message)>& error) {
  if (!value.is_array() || value.size() > kMaxIndexes) {
    const std::string type = value.type_name();
    const std::string got = value.is_array() ? std::to_string(value.size()) + " of them"
                                             : (type[0] == 'a' || type[0] == 'o' ? "an " : "a ") + type;
    error(path, "expected an array of at most " + std::to_string(kMaxIndexes) +
                    " indexes {\"collection\": ..., \"fields\": [...]}, got " + got);
    return std::nullopt;
  }
  std::vector<IndexConfig> indexes;
  bool ok = true;
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string at = IndexPath(path, i);
    std::optional<IndexConfig> index =
        ValidateIndex(value[i], at, collection_pattern, collection_hint, error);
    if (!index) {
      ok = false;
      continue;
    }
    for (size_t j = 0; j < indexes.size(); ++j) {
      if (indexes[j] == *index) {
        error(at, "duplicate of " + IndexPath(path, j));
        ok = false;
      }
    }
    indexes.push_back(std::move(*index));
  }
  if (!ok) return std::nullopt;
  return indexes;
}

nlohmann::json IndexListSchema(const std::string& collection_pattern) {
  const nlohmann::json field = {{"type", "string"}, {"minLength", 1}};
  const nlohmann::json item = {
      {"type", "object"},
      {"properties",
       {{"collection", {{"type", "string"}, {"pattern", collection_pattern}}},
        {"fields",
         {{"type", "array"}, {"items", field}, {"minItems", 1}, {"maxItems", kMaxIndexFields}}}}},
      {"required", {"collection", "fields"}},
      {"additionalProperties", false}};
  return {{"type", "array"}, {"items", item}, {"maxItems", kMaxIndexes}};
}

nlohmann::json IndexListToJson(const std::vector<IndexConfig>& indexes) {
  nlohmann::json out = nlohmann::json::array();
  for (const IndexConfig& index : indexes) {
    out.push_back({{"collection", index.collection}, {"fields", index.fields}});
  }
  return out;
}

std::vector<IndexConfig> IndexListFromJson(const nlohmann::json& value) {
  std::vector<IndexConfig> indexes;
  for (const nlohmann::json& item : value) {
    indexes.push_back({item.at("collection").get<std::string>(),
                       item.at("fields").get<std::vector<std::string>>()});
  }
  return indexes;
}

}  // namespace syncagent::config_internal
