#include "config/config_validator.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <regex>
#include <system_error>

#include "config/env_expander.h"
#include "config/http_url.h"
#include "config/index_list.h"
#include "config/key_checks.h"
#include "config/text_util.h"

namespace syncagent::config_internal {
namespace {

using nlohmann::json;
using Json = nlohmann::ordered_json;  // the document, in its key order

std::string FormatNumber(double value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", value);
  return buf;
}

// What a key expects, in words: "an integer from 1 to 600000", "one of none, bearer", ...
std::string Expectation(const KeyDescriptor& key) {
  switch (key.type) {
    case KeyType::kObject:
      return "an object";
    case KeyType::kString:
      return "a string";
    case KeyType::kBoolean:
      return "a boolean";
    case KeyType::kInteger:
      if (key.minimum && key.maximum) {
        return "an integer from " + std::to_string(*key.minimum) + " to " +
               std::to_string(*key.maximum);
      }
      if (key.minimum) return "an integer >= " + std::to_string(*key.minimum);
      if (key.maximum) return "an integer <= " + std::to_string(*key.maximum);
      return "an integer";
    case KeyType::kNumber:
      if (key.number_minimum) return "a number >= " + FormatNumber(*key.number_minimum);
      return "a number";
    case KeyType::kEnum:
      return "one of " + JoinList(key.enum_values);
    case KeyType::kStringArray:
      return "an array of strings";
    case KeyType::kStringMap:
      return "an object of strings";
    case KeyType::kEnumMap:
      return "an object mapping names to one of " + JoinList(key.enum_values);
    case KeyType::kIndexList:
      return "an array of indexes";
  }
  return "a value";
}

std::string TypeError(const KeyDescriptor& key, const Json& value) {
  const std::string separator = key.type == KeyType::kEnum ? "; got " : ", got ";
  return "expected " + Expectation(key) + separator + Describe(json(value), key.secret);
}

bool MatchesPattern(const std::string& pattern, const std::string& text) {
  if (pattern.empty()) return true;
  const std::regex re(pattern, std::regex::ECMAScript);
  return std::regex_search(text, re);
}

std::string LowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

ConfigValidator::ConfigValidator(const ConfigOptions& options, std::optional<std::string> base_dir)
    : options_(options), base_dir_(std::move(base_dir)) {}

void ConfigValidator::Run(const Json& root) {
  if (!root.is_object()) {
    Error("(root)", "expected an object, got " + Describe(json(root), /*secret=*/false));
    return;
  }
  ValidateObject(root, "");
  CheckRequired();
  CheckCrossField();
}

void ConfigValidator::ValidateObject(const Json& object, const std::string& parent) {
  for (const auto& [name, value] : object.items()) {
    const std::string table_path = parent.empty() ? name : parent + "." + name;
    const KeyDescriptor* key = FindKey(table_path);
    if (key == nullptr || LeafName(key->path) != name) {
      std::vector<std::string> siblings;
      for (const KeyDescriptor* child : ChildKeys(parent)) {
        siblings.emplace_back(LeafName(child->path));
      }
      std::string message = "unknown key";
      if (std::optional<std::string> suggestion = Suggest(name, siblings)) {
        message += "; did you mean " + *suggestion + "?";
      }
      Error(JoinPath(parent, name), std::move(message));
      continue;
    }
    seen_.insert(key->path);
    ValidateValue(*key, value, key->path);
  }
}

void ConfigValidator::ValidateValue(const KeyDescriptor& key, const Json& value,
                                    const std::string& path) {
  switch (key.type) {
    case KeyType::kObject:
      if (!value.is_object()) {
        Error(path, TypeError(key, value));
        return;
      }
      ValidateObject(value, path);
      return;
    case KeyType::kBoolean:
      if (!value.is_boolean()) {
        Error(path, TypeError(key, value));
        return;
      }
      key.store(config_, json(value.get<bool>()));
      return;
    case KeyType::kInteger:
      ValidateInteger(key, value, path);
      return;
    case KeyType::kNumber:
      ValidateNumber(key, value, path);
      return;
    case KeyType::kString:
    case KeyType::kEnum: {
      std::optional<ExpandedString> text = Expand(key, value, path, key.secret);
      if (!text) return;
      if (!CheckString(key, *text, path, key.check, key.pattern, key.pattern_hint, key.secret,
                       key.type == KeyType::kEnum)) {
        return;
      }
      key.store(config_, json(key.is_path ? ResolvePath(text->text) : text->text));
      return;
    }
    case KeyType::kStringArray:
      ValidateArray(key, value, path);
      return;
    case KeyType::kStringMap:
    case KeyType::kEnumMap:
      ValidateMap(key, value, path);
      return;
    case KeyType::kIndexList: {
      auto indexes = ValidateIndexList(value, path, key.pattern, key.pattern_hint,
                                       [this](std::string at, std::string message) {
                                         Error(std::move(at), std::move(message));
                                       });
      if (indexes) key.store(config_, IndexListToJson(*indexes));
      return;
    }
  }
}

void ConfigValidator::ValidateInteger(const KeyDescriptor& key, const Json& value,
                                      const std::string& path) {
  if (!value.is_number_integer()) {
    Error(path, TypeError(key, value));
    return;
  }
  const bool too_big =
      value.is_number_unsigned() &&
      value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  const int64_t number = too_big ? std::numeric_limits<int64_t>::max() : value.get<int64_t>();
  if (too_big || (key.minimum && number < *key.minimum) || (key.maximum && number > *key.maximum)) {
    Error(path, "expected " + Expectation(key) + ", got " + value.dump());
    return;
  }
  key.store(config_, json(number));
}

void ConfigValidator::ValidateNumber(const KeyDescriptor& key, const Json& value,
                                     const std::string& path) {
  if (!value.is_number()) {
    Error(path, TypeError(key, value));
    return;
  }
  const double number = value.get<double>();
  if (key.number_minimum && !(number >= *key.number_minimum)) {
    Error(path, "expected " + Expectation(key) + ", got " + value.dump());
    return;
  }
  key.store(config_, json(number));
}

void ConfigValidator::ValidateArray(const KeyDescriptor& key, const Json& value,
                                    const std::string& path) {
  if (!value.is_array()) {
    Error(path, TypeError(key, value));
    return;
  }
  json items = json::array();
  bool ok = true;
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string item_path = IndexPath(path, i);
    std::optional<ExpandedString> text = Expand(key, value[i], item_path, key.secret);
    if (!text || !CheckString(key, *text, item_path, key.check, key.pattern, key.pattern_hint,
                              key.secret, /*check_enum=*/false)) {
      ok = false;
      continue;
    }
    if (key.unique_items) {
      for (size_t j = 0; j < items.size(); ++j) {
        if (items[j] == text->text) {
          Error(item_path, "duplicate of an earlier item " + Found(*text, key.secret) +
                               " (items must be unique)");
          ok = false;
          break;
        }
      }
    }
    items.push_back(text->text);
  }
  if (ok) key.store(config_, items);
}

void ConfigValidator::ValidateMap(const KeyDescriptor& key, const Json& value,
                                  const std::string& path) {
  if (!value.is_object()) {
    Error(path, TypeError(key, value));
    return;
  }
  const bool enum_values = key.type == KeyType::kEnumMap;
  const bool secret_values = key.secret_values;
  json entries = json::object();
  std::set<std::string> lowered_names;
  bool ok = true;
  for (const auto& [name, item] : value.items()) {
    const std::string entry_path = JoinPath(path, name);
    std::optional<std::string> why = key.check ? key.check(name) : std::nullopt;
    if (!why && !MatchesPattern(key.pattern, name)) {
      why = "invalid name; expected " + key.pattern_hint;
    }
    if (!why && key.case_insensitive_names && !lowered_names.insert(LowerAscii(name)).second) {
      why = "the same header name is given twice (names are case-insensitive)";
    }
    if (why) {
      Error(entry_path, *why);
      ok = false;
      continue;
    }
    KeyDescriptor item_key;
    item_key.type = enum_values ? KeyType::kEnum : KeyType::kString;
    item_key.enum_values = key.enum_values;
    std::optional<ExpandedString> text = Expand(item_key, item, entry_path, secret_values);
    if (!text || !CheckString(item_key, *text, entry_path, key.value_check, key.value_pattern,
                              key.value_pattern_hint, secret_values, enum_values)) {
      ok = false;
      continue;
    }
    entries[name] = text->text;
  }
  if (ok) key.store(config_, entries);
}

std::optional<ConfigValidator::ExpandedString> ConfigValidator::Expand(const KeyDescriptor& key,
                                                                       const Json& value,
                                                                       const std::string& path,
                                                                       bool secret) {
  if (!value.is_string()) {
    const std::string separator = key.type == KeyType::kEnum ? "; got " : ", got ";
    const std::string expected = key.type == KeyType::kEnum ? Expectation(key) : "a string";
    Error(path, "expected " + expected + separator + Describe(json(value), secret));
    return std::nullopt;
  }
  ExpandedString out;
  out.raw = value.get<std::string>();
  ExpandResult result = ExpandEnvironment(out.raw, options_.env);
  if (result.error) {
    Error(path, *result.error);
    return std::nullopt;
  }
  out.text = std::move(result.value);
  out.expanded = result.used_environment;
  if (out.expanded) expanded_.insert(key.path.empty() ? path : key.path);
  return out;
}

bool ConfigValidator::CheckString(const KeyDescriptor& key, const ExpandedString& value,
                                  const std::string& path, const StringCheck& check,
                                  const std::string& pattern, const std::string& pattern_hint,
                                  bool secret, bool check_enum) {
  if (key.min_length && value.text.size() < *key.min_length) {
    Error(path, "expected a non-empty string" +
                    std::string(value.expanded ? ", got an empty value after expansion" : ""));
    return false;
  }
  if (check) {
    if (std::optional<std::string> why = check(value.text)) {
      Error(path, *why);
      return false;
    }
  }
  if (!MatchesPattern(pattern, value.text)) {
    Error(path, "expected " + pattern_hint + ", got " + Found(value, secret));
    return false;
  }
  if (check_enum) {
    for (const std::string& allowed : key.enum_values) {
      if (allowed == value.text) return true;
    }
    std::string message =
        "expected one of " + JoinList(key.enum_values) + "; got " + Found(value, secret);
    if (!secret && !value.expanded) {
      if (std::optional<std::string> suggestion = Suggest(value.text, key.enum_values)) {
        message += "; did you mean " + *suggestion + "?";
      }
    }
    Error(path, std::move(message));
    return false;
  }
  return true;
}

std::string ConfigValidator::Found(const ExpandedString& value, bool secret) {
  if (secret) return "a string (not shown)";
  if (value.expanded) return "a value expanded from " + Quote(value.raw);
  return Quote(value.text);
}

std::string ConfigValidator::ResolvePath(const std::string& path) const {
  if (!base_dir_ || path.empty()) return path;
  const std::filesystem::path p(path);
  if (p.is_absolute()) return path;
  return (std::filesystem::path(*base_dir_) / p).lexically_normal().string();
}

void ConfigValidator::CheckRequired() {
  for (const KeyDescriptor& key : ConfigKeys()) {
    if (!key.required || Seen(key.path) || !IsValid(key.path)) continue;
    Error(key.path, "required key is missing");
  }
}

void ConfigValidator::CheckCrossField() {
  // http:// needs the explicit opt-in.
  if (Seen("server.base_url") && IsValid("server.base_url") &&
      IsValid("server.allow_insecure_http") && !config_.server.allow_insecure_http) {
    std::string why;
    std::optional<HttpUrl> url = ParseHttpUrl(config_.server.base_url, &why);
    if (url && url->scheme == "http") {
      Error("server.base_url", "http:// is refused unless server.allow_insecure_http is true");
    }
  }
  CheckProtocolKeys();
  CheckAuth();
  CheckBasicOverHttp();
  CheckCaFile();
  // The backoff cap must not be below its start.
  if (IsValid("retry.initial_delay_ms") && IsValid("retry.max_delay_ms") &&
      config_.retry.max_delay_ms < config_.retry.initial_delay_ms) {
    Error("retry.max_delay_ms", "expected an integer >= retry.initial_delay_ms (" +
                                    std::to_string(config_.retry.initial_delay_ms) + "), got " +
                                    std::to_string(config_.retry.max_delay_ms) +
                                    (Seen("retry.max_delay_ms") ? "" : " (the default)"));
  }
  // per_collection may only name synced collections when the list is explicit.
  if (IsValid("sync.conflict.per_collection")) {
    for (const auto& [name, policy] : config_.sync.conflict.per_collection) {
      CheckCollectionIsSynced("sync.conflict.per_collection", name);
    }
  }
  CheckCouchdbDatabases();
}

void ConfigValidator::CheckCollectionIsSynced(const std::string& map_path,
                                              const std::string& collection) {
  const auto& listed = config_.sync.collections;
  if (!IsValid("sync.collections") || listed.empty() ||
      std::find(listed.begin(), listed.end(), collection) != listed.end()) {
    return;
  }
  Error(JoinPath(map_path, collection),
        "collection " + Quote(collection) + " is not listed in sync.collections");
}

void ConfigValidator::CheckCaFile() {
  const std::string& file = config_.server.tls.ca_file;
  if (!Seen("server.tls.ca_file") || !IsValid("server.tls.ca_file") || file.empty()) return;
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(file, ec);
  if (ec) {
    Error("server.tls.ca_file", "cannot read " + Quote(file) + ": " + ec.message());
    return;
  }
  if (std::filesystem::is_directory(status)) {
    Error("server.tls.ca_file", Quote(file) + " is a directory, expected a PEM file");
    return;
  }
  if (::access(file.c_str(), R_OK) != 0) {
    const std::error_code access_error(errno, std::generic_category());
    Error("server.tls.ca_file", "cannot read " + Quote(file) + ": " + access_error.message());
  }
}

void ConfigValidator::Error(std::string path, std::string message) {
  errors_.push_back({std::move(path), std::move(message)});
}

bool ConfigValidator::IsValid(std::string_view path) const {
  for (const ConfigIssue& issue : errors_) {
    const std::string_view p = issue.path;
    // An error at the path or below it.
    if (p.substr(0, path.size()) == path &&
        (p.size() == path.size() || p[path.size()] == '.' || p[path.size()] == '[')) {
      return false;
    }
    // An error at an ancestor (e.g. "server" is not an object).
    if (path.substr(0, p.size()) == p && path.size() > p.size() && path[p.size()] == '.') {
      return false;
    }
  }
  return true;
}

}  // namespace syncagent::config_internal
