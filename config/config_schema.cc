#include "config/config_schema.h"

#include <string_view>

#include "config/index_list.h"
#include "config/key_table.h"
#include "config/text_util.h"

namespace syncagent {
namespace {

using config_internal::ChildKeys;
using config_internal::ConfigKeys;
using config_internal::KeyDescriptor;
using config_internal::KeyType;
using config_internal::LeafName;
using nlohmann::json;

bool HasRequiredKeyBelow(std::string_view parent) {
  for (const KeyDescriptor& key : ConfigKeys()) {
    if (key.required && key.path.size() > parent.size() &&
        key.path.compare(0, parent.size(), parent) == 0 && key.path[parent.size()] == '.') {
      return true;
    }
  }
  return false;
}

json ObjectSchema(std::string_view parent);

json StringSchema(const std::string& pattern) {
  json s = {{"type", "string"}};
  if (!pattern.empty()) s["pattern"] = pattern;
  return s;
}

json KeySchema(const KeyDescriptor& key) {
  json s;
  switch (key.type) {
    case KeyType::kObject:
      s = ObjectSchema(key.path);
      break;
    case KeyType::kString:
      s = StringSchema(key.pattern);
      if (key.min_length) s["minLength"] = *key.min_length;
      break;
    case KeyType::kBoolean:
      s = {{"type", "boolean"}};
      break;
    case KeyType::kInteger:
      s = {{"type", "integer"}};
      if (key.minimum) s["minimum"] = *key.minimum;
      if (key.maximum) s["maximum"] = *key.maximum;
      break;
    case KeyType::kNumber:
      s = {{"type", "number"}};
      if (key.number_minimum) s["minimum"] = *key.number_minimum;
      break;
    case KeyType::kEnum:
      s = {{"type", "string"}, {"enum", key.enum_values}};
      break;
    case KeyType::kStringArray:
      s = {{"type", "array"}, {"items", StringSchema(key.pattern)}};
      if (key.unique_items) s["uniqueItems"] = true;
      break;
    case KeyType::kStringMap:
      s = {{"type", "object"},
           {"propertyNames", StringSchema(key.pattern)},
           {"additionalProperties", StringSchema(key.value_pattern)}};
      break;
    case KeyType::kEnumMap:
      s = {{"type", "object"},
           {"propertyNames", StringSchema(key.pattern)},
           {"additionalProperties", {{"type", "string"}, {"enum", key.enum_values}}}};
      break;
    case KeyType::kIndexList:
      s = config_internal::IndexListSchema(key.pattern);
      break;
  }
  s["description"] = key.description;
  if (!key.default_value.is_null()) s["default"] = key.default_value;
  if (key.secret) s["writeOnly"] = true;
  return s;
}

json ObjectSchema(std::string_view parent) {
  json properties = json::object();
  json required = json::array();
  for (const KeyDescriptor* child : ChildKeys(parent)) {
    const std::string name(LeafName(child->path));
    properties[name] = KeySchema(*child);
    if (child->required || (child->type == KeyType::kObject && HasRequiredKeyBelow(child->path))) {
      required.push_back(name);
    }
  }
  json s = {{"type", "object"}, {"properties", properties}, {"additionalProperties", false}};
  if (!required.empty()) s["required"] = required;
  return s;
}

}  // namespace

json GenerateConfigSchema() {
  json schema = ObjectSchema("");
  schema["$schema"] = "https://json-schema.org/draft/2020-12/schema";
  schema["title"] = "syncagent configuration";
  schema["description"] =
      "Configuration of the syncagent background-sync agent (see docs/config.md). String values "
      "may contain ${VAR} references, expanded from the environment when the file is loaded.";
  return schema;
}

std::string ConfigSchemaText() { return GenerateConfigSchema().dump(2) + "\n"; }

}  // namespace syncagent
