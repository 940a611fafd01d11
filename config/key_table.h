// The config key table: the single source of truth for every key syncagent's config accepts.
//
// Each KeyDescriptor says where the key lives (dotted path), its JSON type, default, constraints
// (range, allowed values, pattern, extra check), a one-line description, whether it is a secret and
// how to store it into / read it back from AgentConfig. Everything else derives from the table:
// ConfigValidator walks it to validate and store values and to detect unknown keys (with
// suggestions from the sibling keys), GenerateConfigSchema turns it into the JSON Schema, and the
// tests hold docs/config.md and AgentConfig's defaults to it.
//
// Thread safety: ConfigKeys() builds the table once (thread-safe static) and never changes it.
#ifndef SYNCAGENT_CONFIG_KEY_TABLE_H_
#define SYNCAGENT_CONFIG_KEY_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/agent_config.h"

namespace syncagent::config_internal {

enum class KeyType {
  kObject,  // a section: its keys are the descriptors below it in the table
  kString,
  kBoolean,
  kInteger,      // a JSON integer (15.0 is refused)
  kNumber,       // any JSON number
  kEnum,         // a string from enum_values
  kStringArray,  // an array of strings (items: pattern, check, unique_items)
  kStringMap,    // an object of free keys (pattern, check) to strings (value_pattern, value_check)
  kEnumMap,      // an object of free keys (pattern, check) to strings from enum_values
  kIndexList,    // storage.indexes: [{"collection": <pattern>, "fields": [...]}] (index_list.h)
};

// An extra rule on one string: returns why it is wrong (without quoting it), or nullopt.
using StringCheck = std::function<std::optional<std::string>(std::string_view text)>;

struct KeyDescriptor {
  std::string path;  // "server.timeouts.connect_ms"
  KeyType type = KeyType::kString;
  std::string description;       // one line, for the schema and the docs
  nlohmann::json default_value;  // null: no default (required, or absent means "unset")
  bool required = false;
  bool secret = false;                   // never echoed in a message
  bool is_path = false;                  // a file path: relative ones are resolved against base_dir
  std::optional<int64_t> minimum;        // kInteger
  std::optional<int64_t> maximum;        // kInteger
  std::optional<double> number_minimum;  // kNumber
  std::optional<size_t> min_length;      // kString
  std::vector<std::string> enum_values;  // kEnum, kEnumMap values
  std::string pattern;        // anchored ECMAScript regex: string value, array items, map keys
  std::string pattern_hint;   // the pattern in words, for messages
  std::string value_pattern;  // kStringMap values
  std::string value_pattern_hint;
  bool unique_items = false;  // kStringArray
  bool secret_values = false;           // kStringMap: values are never echoed (credentials)
  bool case_insensitive_names = false;  // kStringMap: two names differing in case are refused
  StringCheck check;          // string value, array item or map key
  StringCheck value_check;    // kStringMap values
  // Stores a validated (and env-expanded) value into the config. Null for kObject.
  std::function<void(AgentConfig&, const nlohmann::json&)> store;
  // Reads the field back as JSON (null when unset and the key has no default). Null for kObject.
  std::function<nlohmann::json(const AgentConfig&)> load;
};

// Every key, parents before children, in documentation order.
const std::vector<KeyDescriptor>& ConfigKeys();

// The descriptor for `path`, or null.
const KeyDescriptor* FindKey(std::string_view path);

// The keys directly under `parent` ("" for the top level).
std::vector<const KeyDescriptor*> ChildKeys(std::string_view parent);

// The "type" cell of the docs table: "string", "integer", "enum", "array of strings", ...
std::string DocTypeName(const KeyDescriptor& key);
// The "default" cell of the docs table: "`10000`", "`\"merge\"`", "required" or "—".
std::string DocDefault(const KeyDescriptor& key);

}  // namespace syncagent::config_internal

#endif  // SYNCAGENT_CONFIG_KEY_TABLE_H_
