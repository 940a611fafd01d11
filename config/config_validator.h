// ConfigValidator: walks a parsed config document against the key table (config/key_table.h),
// collecting every error in one pass and storing each valid value into an AgentConfig.
//
// What it does, in order: unknown keys (with a did-you-mean from the sibling keys), JSON types,
// `${VAR}` expansion of string values, ranges / allowed values / patterns / extra checks, relative
// path resolution against base_dir, missing required keys, then the cross-field rules (http:// vs
// allow_insecure_http, keys that mean nothing for server.protocol, the keys of each auth type,
// token and password sources and their environment lookup, basic auth only over https or
// loopback, tls.ca_file readability, retry.max_delay_ms >= initial_delay_ms, per_collection and
// couchdb.databases names vs sync.collections, one database per collection). A rule that
// involves a key that already has an error is skipped, so one mistake gives one message.
// No secret value is ever placed in a message.
//
// Thread safety: single-use and not thread-safe; create one per document.
#ifndef SYNCAGENT_CONFIG_CONFIG_VALIDATOR_H_
#define SYNCAGENT_CONFIG_CONFIG_VALIDATOR_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/agent_config.h"
#include "config/config_issue.h"
#include "config/config_options.h"
#include "config/key_table.h"

namespace syncagent::config_internal {

class ConfigValidator {
 public:
  // `base_dir`: the directory relative paths are resolved against (none: leave them relative).
  ConfigValidator(const ConfigOptions& options, std::optional<std::string> base_dir);

  ConfigValidator(const ConfigValidator&) = delete;
  ConfigValidator& operator=(const ConfigValidator&) = delete;

  // Validates `root`. Afterwards errors() lists every problem; config() is meaningful only when
  // errors() is empty.
  void Run(const nlohmann::ordered_json& root);

  const AgentConfig& config() const { return config_; }
  AgentConfig& config() { return config_; }
  const std::vector<ConfigIssue>& errors() const { return errors_; }

 private:
  // A string value after ${VAR} expansion.
  struct ExpandedString {
    std::string text;
    std::string raw;  // before expansion
    bool expanded = false;
  };

  void ValidateObject(const nlohmann::ordered_json& object, const std::string& parent);
  void ValidateValue(const KeyDescriptor& key, const nlohmann::ordered_json& value,
                     const std::string& path);
  void ValidateInteger(const KeyDescriptor& key, const nlohmann::ordered_json& value,
                       const std::string& path);
  void ValidateNumber(const KeyDescriptor& key, const nlohmann::ordered_json& value,
                      const std::string& path);
  void ValidateArray(const KeyDescriptor& key, const nlohmann::ordered_json& value,
                     const std::string& path);
  void ValidateMap(const KeyDescriptor& key, const nlohmann::ordered_json& value,
                   const std::string& path);

  // Type-checks and expands a string; reports and returns nullopt on error.
  std::optional<ExpandedString> Expand(const KeyDescriptor& key,
                                       const nlohmann::ordered_json& value, const std::string& path,
                                       bool secret);
  // Min length, extra check, pattern and enum rules for one string. Returns false on error.
  bool CheckString(const KeyDescriptor& key, const ExpandedString& value, const std::string& path,
                   const StringCheck& check, const std::string& pattern,
                   const std::string& pattern_hint, bool secret, bool check_enum);
  // What was found, for "got ...": never the text of a secret or of an expanded value.
  static std::string Found(const ExpandedString& value, bool secret);
  std::string ResolvePath(const std::string& path) const;

  void CheckRequired();
  void CheckCrossField();
  void CheckCaFile();
  // An entry of a {collection: ...} map at `map_path` names a collection sync.collections lists
  // (when that list is explicit).
  void CheckCollectionIsSynced(const std::string& map_path, const std::string& collection);

  // The server section's rules (config/server_checks.cc).
  void CheckProtocolKeys();
  void CheckAuth();
  // For bearer (token) or basic (password): exactly one of `value_key` and `env_key`, and the
  // variable named by `env_key` read from the environment into `*out`.
  void CheckSecretSource(std::string_view value_key, std::string_view env_key,
                         const std::string& env_name, const StringCheck& check, Secret* out,
                         bool* from_environment);
  void CheckBasicOverHttp();
  void CheckCouchdbDatabases();

  void Error(std::string path, std::string message);
  // True when no error was reported at `path`, below it or at one of its ancestors.
  bool IsValid(std::string_view path) const;
  bool Seen(std::string_view path) const { return seen_.count(std::string(path)) > 0; }

  const ConfigOptions& options_;
  std::optional<std::string> base_dir_;
  AgentConfig config_;
  std::vector<ConfigIssue> errors_;
  std::set<std::string> seen_;      // table paths present in the document
  std::set<std::string> expanded_;  // table paths whose value used ${VAR}
};

}  // namespace syncagent::config_internal

#endif  // SYNCAGENT_CONFIG_CONFIG_VALIDATOR_H_
