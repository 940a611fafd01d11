// storage.indexes: the query indexes the store keeps (docs/queries.md, docs/config.md) —
//   [{"collection": "notes", "fields": ["done", "updated"]}, ...]
// validated here for ConfigValidator, with an error per problem naming its JSON path
// (storage.indexes[1].fields[0]: field name "a..b" has an empty part), and described for the
// JSON Schema.
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_CONFIG_INDEX_LIST_H_
#define SYNCAGENT_CONFIG_INDEX_LIST_H_

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/agent_config.h"

namespace syncagent::config_internal {

inline constexpr size_t kMaxIndexes = 32;
inline constexpr size_t kMaxIndexFields = 8;

// Reports (path, message) for each problem of `value` (at `path`) through `error`; returns the
// indexes when there was none. `collection_pattern` / `collection_hint`: what a collection name
// must be.
std::optional<std::vector<IndexConfig>> ValidateIndexList(
    const nlohmann::ordered_json& value, const std::string& path,
    const std::string& collection_pattern, const std::string& collection_hint,
    const std::function<void(std::string path, std::string message)>& error);

// The JSON Schema of the list.
nlohmann::json IndexListSchema(const std::string& collection_pattern);

nlohmann::json IndexListToJson(const std::vector<IndexConfig>& indexes);
std::vector<IndexConfig> IndexListFromJson(const nlohmann::json& value);  // REQUIRES: validated

}  // namespace syncagent::config_internal

#endif  // SYNCAGENT_CONFIG_INDEX_LIST_H_
