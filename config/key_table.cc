#include "config/key_table.h"

#include <type_traits>
#include <utility>

#include "config/index_list.h"
#include "config/key_checks.h"
#include "config/text_util.h"
#include "syncagent/status.h"

namespace syncagent::config_internal {
namespace {

using nlohmann::json;

// A field accessor usable on both `AgentConfig&` and `const AgentConfig&`.
#define SYNCAGENT_FIELD(member) \
  [](auto& c) -> auto& { return c.member; }

constexpr const char* kCollectionPattern = "^[A-Za-z0-9_.-]{1,64}$";
constexpr const char* kCollectionHint = "1 to 64 letters, digits, '_', '.' or '-'";
constexpr const char* kEnvNamePattern = "^[A-Za-z_][A-Za-z0-9_]*$";
constexpr const char* kEnvNameHint = "an environment variable name ([A-Za-z_][A-Za-z0-9_]*)";

// --- Converting between validated JSON values and AgentConfig fields -----------------------------

void Assign(int64_t& field, const json& v) { field = v.get<int64_t>(); }
void Assign(double& field, const json& v) { field = v.get<double>(); }
void Assign(bool& field, const json& v) { field = v.get<bool>(); }
void Assign(std::string& field, const json& v) { field = v.get<std::string>(); }
void Assign(Secret& field, const json& v) { field = Secret(v.get<std::string>()); }
void Assign(std::vector<std::string>& field, const json& v) {
  field = v.get<std::vector<std::string>>();
}
void Assign(StringMap& field, const json& v) {
  field.clear();
  for (const auto& [key, value] : v.items()) field.emplace(key, value.get<std::string>());
}
template <typename E>
requires std::is_enum_v<E>
void Assign(E& field, const json& v) {
  std::optional<E> value = EnumFromName<E>(v.get<std::string>());
  SYNCAGENT_CHECK(value.has_value());  // the validator checked the name
  field = *value;
}
template <typename E>
void Assign(std::map<std::string, E, std::less<>>& field, const json& v) {
  field.clear();
  for (const auto& [key, value] : v.items()) {
    std::optional<E> parsed = EnumFromName<E>(value.template get<std::string>());
    SYNCAGENT_CHECK(parsed.has_value());
    field.emplace(key, *parsed);
  }
}

void Assign(std::vector<IndexConfig>& field, const json& v) { field = IndexListFromJson(v); }

json ToJson(int64_t v) { return v; }
json ToJson(const std::vector<IndexConfig>& v) { return IndexListToJson(v); }
json ToJson(double v) { return v; }
json ToJson(bool v) { return v; }
json ToJson(const std::string& v) { return v; }
json ToJson(const Secret& v) { return v.empty() ? json() : json(v.ToString()); }
json ToJson(const std::vector<std::string>& v) { return v; }
json ToJson(const StringMap& v) {
  json out = json::object();
  for (const auto& [key, value] : v) out[key] = value;
  return out;
}
template <typename E>
requires std::is_enum_v<E> json ToJson(E v) { return std::string(ToString(v)); }
template <typename E>
json ToJson(const std::map<std::string, E, std::less<>>& v) {
  json out = json::object();
  for (const auto& [key, value] : v) out[key] = std::string(ToString(value));
  return out;
}

// Attaches store/load for `field` to `d`.
template <typename Field>
KeyDescriptor Key(KeyDescriptor d, Field field) {
  d.store = [field](AgentConfig& c, const json& v) { Assign(field(c), v); };
  const bool empty_is_unset = d.default_value.is_null();
  d.load = [field, empty_is_unset](const AgentConfig& c) {
    json out = ToJson(field(c));
    if (empty_is_unset && out.is_string() && out.get_ref<const std::string&>().empty()) {
      return json();
    }
    return out;
  };
  return d;
}

KeyDescriptor Section(std::string path, std::string description) {
  KeyDescriptor d;
  d.path = std::move(path);
  d.type = KeyType::kObject;
  d.description = std::move(description);
  return d;
}

// The table uses designated initializers and leaves most fields at their defaults on purpose.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

std::vector<KeyDescriptor> BuildTable() {
  std::vector<KeyDescriptor> k;
  // The top-level "$schema" lets editors find the schema; syncagent ignores its value.
  k.push_back({.path = "$schema",
               .type = KeyType::kString,
               .description = "Path or URL of the JSON Schema, for editors; ignored by syncagent.",
               .store = [](AgentConfig&, const json&) {},
               .load = [](const AgentConfig&) { return json(); }});

  // --- server ---
  k.push_back(Section("server", "The sync server and how to reach it."));
  k.push_back(Key({.path = "server.protocol",
                   .type = KeyType::kEnum,
                   .description = "The server's protocol: syncagent (syncagent/1, docs/protocol.md) "
                                  "or couchdb (the CouchDB replication protocol).",
                   .default_value = "syncagent",
                   .enum_values = EnumNames<ServerProtocol>()},
                  SYNCAGENT_FIELD(server.protocol)));
  k.push_back(Key({.path = "server.base_url",
                   .type = KeyType::kString,
                   .description = "Absolute http(s) URL of the sync server (https unless "
                                  "allow_insecure_http).",
                   .required = true,
                   .min_length = 1,
                   .check = CheckBaseUrl},
                  SYNCAGENT_FIELD(server.base_url)));
  k.push_back(Key({.path = "server.allow_insecure_http",
                   .type = KeyType::kBoolean,
                   .description = "Allow an http:// base_url (for a local test server only).",
                   .default_value = false},
                  SYNCAGENT_FIELD(server.allow_insecure_http)));
  k.push_back(Section("server.auth", "How requests authenticate."));
  k.push_back(
      Key({.path = "server.auth.type",
           .type = KeyType::kEnum,
           .description = "none: no credentials; bearer: send Authorization: Bearer <token>; "
                          "basic: send Authorization: Basic with username and password "
                          "(couchdb only).",
           .default_value = "none",
           .enum_values = EnumNames<AuthType>()},
          SYNCAGENT_FIELD(server.auth.type)));
  k.push_back(Key({.path = "server.auth.token",
                   .type = KeyType::kString,
                   .description = "The bearer token (a secret; prefer token_env or ${VAR}).",
                   .secret = true,
                   .min_length = 1,
                   .check = CheckBearerToken},
                  SYNCAGENT_FIELD(server.auth.token)));
  k.push_back(Key({.path = "server.auth.token_env",
                   .type = KeyType::kString,
                   .description = "Name of the environment variable holding the bearer token, read "
                                  "at load.",
                   .pattern = kEnvNamePattern,
                   .pattern_hint = kEnvNameHint},
                  SYNCAGENT_FIELD(server.auth.token_env)));
  k.push_back(Key({.path = "server.auth.username",
                   .type = KeyType::kString,
                   .description = "basic: the user name (no ':' or control characters).",
                   .min_length = 1,
                   .check = CheckBasicUsername},
                  SYNCAGENT_FIELD(server.auth.username)));
  k.push_back(Key({.path = "server.auth.password",
                   .type = KeyType::kString,
                   .description = "basic: the password (a secret; prefer password_env or ${VAR}).",
                   .secret = true,
                   .min_length = 1,
                   .check = CheckBasicPassword},
                  SYNCAGENT_FIELD(server.auth.password)));
  k.push_back(Key({.path = "server.auth.password_env",
                   .type = KeyType::kString,
                   .description = "basic: name of the environment variable holding the password, "
                                  "read at load.",
                   .pattern = kEnvNamePattern,
                   .pattern_hint = kEnvNameHint},
                  SYNCAGENT_FIELD(server.auth.password_env)));
  k.push_back(Section("server.tls", "TLS trust settings."));
  k.push_back(
      Key({.path = "server.tls.ca_file",
           .type = KeyType::kString,
           .description = "PEM file of CA certificates to trust instead of the system store; "
                          "must be readable at load.",
           .is_path = true,
           .min_length = 1,
           .check = CheckPathText},
          SYNCAGENT_FIELD(server.tls.ca_file)));
  k.push_back(
      Key({.path = "server.tls.pinned_public_keys",
           .type = KeyType::kStringArray,
           .description = "Accepted server public keys, each sha256//<base64 SHA-256 of the "
                          "SubjectPublicKeyInfo>; [] = no pinning.",
           .default_value = json::array(),
           .pattern = "^sha256//[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$",
           .pattern_hint = "sha256//<base64 of 32 bytes>",
           .check = CheckPin},
          SYNCAGENT_FIELD(server.tls.pinned_public_keys)));
  k.push_back(Section("server.timeouts", "Network timeouts."));
  k.push_back(Key({.path = "server.timeouts.connect_ms",
                   .type = KeyType::kInteger,
                   .description = "Time allowed to connect (TCP and TLS), in milliseconds.",
                   .default_value = 10000,
                   .minimum = 1,
                   .maximum = 600000},
                  SYNCAGENT_FIELD(server.timeouts.connect_ms)));
  k.push_back(Key({.path = "server.timeouts.request_ms",
                   .type = KeyType::kInteger,
                   .description = "Time allowed for one whole request, in milliseconds.",
                   .default_value = 30000,
                   .minimum = 1,
                   .maximum = 3600000},
                  SYNCAGENT_FIELD(server.timeouts.request_ms)));
  k.push_back(Key({.path = "server.headers",
                   .type = KeyType::kStringMap,
                   .description = "Extra HTTP headers sent with every request (not Authorization).",
                   .default_value = json::object(),
                   .pattern = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$",
                   .pattern_hint = "an HTTP header name (letters, digits and !#$%&'*+-.^_`|~)",
                   .value_pattern = "^[^\\x00-\\x08\\x0A-\\x1F\\x7F]*$",
                   .value_pattern_hint = "a header value without control characters",
                   .secret_values = true,  // they may be credentials (an API key)
                   .case_insensitive_names = true,
                   .check = CheckHeaderName,
                   .value_check = CheckHeaderValue},
                  SYNCAGENT_FIELD(server.headers)));
  k.push_back(Key({.path = "server.max_response_bytes",
                   .type = KeyType::kInteger,
                   .description = "Largest reply body accepted, in bytes.",
                   .default_value = 33554432,
                   .minimum = 1024},
                  SYNCAGENT_FIELD(server.max_response_bytes)));
  k.push_back(Key({.path = "server.gzip_request_min_bytes",
                   .type = KeyType::kInteger,
                   .description = "Request bodies larger than this many bytes are sent "
                                  "gzip-compressed.",
                   .default_value = 4096,
                   .minimum = 0},
                  SYNCAGENT_FIELD(server.gzip_request_min_bytes)));
  k.push_back(Section("server.couchdb", "CouchDB replication (server.protocol \"couchdb\" only)."));
  k.push_back(Key({.path = "server.couchdb.databases",
                   .type = KeyType::kStringMap,
                   .description = "The database of each collection under base_url; a collection "
                                  "without an entry uses the database of its own name.",
                   .default_value = json::object(),
                   .pattern = kCollectionPattern,
                   .pattern_hint = kCollectionHint,
                   .value_pattern = "^[a-z][a-z0-9_$()+/-]{0,237}$",
                   .value_pattern_hint = "a CouchDB database name (a lowercase letter, then up to "
                                         "237 of a-z, 0-9, _, $, (, ), +, -, /)"},
                  SYNCAGENT_FIELD(server.couchdb.databases)));
  k.push_back(Key({.path = "server.couchdb.create_databases",
                   .type = KeyType::kBoolean,
                   .description = "Create a collection's database when the server does not have "
                                  "it (else that is a permanent error).",
                   .default_value = false},
                  SYNCAGENT_FIELD(server.couchdb.create_databases)));

  // --- storage ---
  k.push_back(Section("storage", "The local SQLite database."));
  k.push_back(Key({.path = "storage.path",
                   .type = KeyType::kString,
                   .description = "Database file; a relative path is resolved against the config "
                                  "file's directory.",
                   .required = true,
                   .is_path = true,
                   .min_length = 1,
                   .check = CheckPathText},
                  SYNCAGENT_FIELD(storage.path)));
  k.push_back(Key({.path = "storage.synchronous",
                   .type = KeyType::kEnum,
                   .description = "SQLite synchronous mode: normal (fast, WAL-safe) or full "
                                  "(durable on power loss).",
                   .default_value = "normal",
                   .enum_values = EnumNames<Synchronous>()},
                  SYNCAGENT_FIELD(storage.synchronous)));
  k.push_back(Key({.path = "storage.busy_timeout_ms",
                   .type = KeyType::kInteger,
                   .description = "How long to wait for a database lock, in milliseconds.",
                   .default_value = 5000,
                   .minimum = 0,
                   .maximum = 600000},
                  SYNCAGENT_FIELD(storage.busy_timeout_ms)));
  k.push_back(Key({.path = "storage.max_size_mb",
                   .type = KeyType::kInteger,
                   .description = "Cap on the database file in MiB (0 = none). At the cap, "
                                  "writes that need more room fail as on a full disk.",
                   .default_value = 0,
                   .minimum = 0,
                   .maximum = 1048576},
                  SYNCAGENT_FIELD(storage.max_size_mb)));
  k.push_back(Key({.path = "storage.indexes",
                   .type = KeyType::kIndexList,
                   .description = "Query indexes, each {\"collection\": C, \"fields\": [F, ...]}: "
                                  "created (and dropped) when the store opens (docs/queries.md).",
                   .default_value = json::array(),
                   .pattern = kCollectionPattern,
                   .pattern_hint = kCollectionHint},
                  SYNCAGENT_FIELD(storage.indexes)));

  // --- schedule ---
  k.push_back(Section("schedule", "When the OS wakes the agent to sync."));
  k.push_back(Key({.path = "schedule.task_id",
                   .type = KeyType::kString,
                   .description = "Identifier of the background task registered with the OS.",
                   .default_value = "syncagent.refresh",
                   .pattern = "^[A-Za-z0-9._-]+$",
                   .pattern_hint = "one or more letters, digits, '.', '_' or '-'"},
                  SYNCAGENT_FIELD(schedule.task_id)));
  k.push_back(Key({.path = "schedule.minimum_interval_minutes",
                   .type = KeyType::kInteger,
                   .description = "Shortest time between two periodic syncs, in minutes.",
                   .default_value = 15,
                   .minimum = 15},
                  SYNCAGENT_FIELD(schedule.minimum_interval_minutes)));
  k.push_back(Key({.path = "schedule.jitter_percent",
                   .type = KeyType::kInteger,
                   .description = "Random spread added to the interval, in percent of it.",
                   .default_value = 10,
                   .minimum = 0,
                   .maximum = 100},
                  SYNCAGENT_FIELD(schedule.jitter_percent)));
  k.push_back(
      Key({.path = "schedule.time_budget_seconds",
           .type = KeyType::kInteger,
           .description = "How long one sync cycle may run before it checkpoints and stops.",
           .default_value = 25,
           .minimum = 1,
           .maximum = 600},
          SYNCAGENT_FIELD(schedule.time_budget_seconds)));
  k.push_back(Key({.path = "schedule.stop_on_terminate",
                   .type = KeyType::kBoolean,
                   .description = "Stop scheduling syncs when the user terminates the app.",
                   .default_value = false},
                  SYNCAGENT_FIELD(schedule.stop_on_terminate)));
  k.push_back(Key({.path = "schedule.start_on_boot",
                   .type = KeyType::kBoolean,
                   .description = "Schedule syncs again after the device reboots.",
                   .default_value = true},
                  SYNCAGENT_FIELD(schedule.start_on_boot)));
  k.push_back(Key({.path = "schedule.enable_headless",
                   .type = KeyType::kBoolean,
                   .description = "Run syncs headless (without the app's UI) after termination.",
                   .default_value = true},
                  SYNCAGENT_FIELD(schedule.enable_headless)));
  k.push_back(Section("schedule.constraints", "Device conditions a sync waits for."));
  k.push_back(Key({.path = "schedule.constraints.network",
                   .type = KeyType::kEnum,
                   .description = "Network required: none, any, unmetered or not_roaming.",
                   .default_value = "any",
                   .enum_values = EnumNames<NetworkType>()},
                  SYNCAGENT_FIELD(schedule.constraints.network)));
  k.push_back(Key({.path = "schedule.constraints.requires_charging",
                   .type = KeyType::kBoolean,
                   .description = "Only sync while charging.",
                   .default_value = false},
                  SYNCAGENT_FIELD(schedule.constraints.requires_charging)));
  k.push_back(Key({.path = "schedule.constraints.requires_battery_not_low",
                   .type = KeyType::kBoolean,
                   .description = "Only sync when the battery is not low.",
                   .default_value = false},
                  SYNCAGENT_FIELD(schedule.constraints.requires_battery_not_low)));
  k.push_back(Key({.path = "schedule.constraints.requires_storage_not_low",
                   .type = KeyType::kBoolean,
                   .description = "Only sync when storage is not low.",
                   .default_value = false},
                  SYNCAGENT_FIELD(schedule.constraints.requires_storage_not_low)));
  k.push_back(Key({.path = "schedule.constraints.requires_device_idle",
                   .type = KeyType::kBoolean,
                   .description = "Only sync while the device is idle.",
                   .default_value = false},
                  SYNCAGENT_FIELD(schedule.constraints.requires_device_idle)));

  // --- retry ---
  k.push_back(Section("retry", "Backoff between attempts within one sync cycle."));
  k.push_back(Key({.path = "retry.initial_delay_ms",
                   .type = KeyType::kInteger,
                   .description = "Delay before the first retry, in milliseconds.",
                   .default_value = 1000,
                   .minimum = 1},
                  SYNCAGENT_FIELD(retry.initial_delay_ms)));
  k.push_back(Key({.path = "retry.multiplier",
                   .type = KeyType::kNumber,
                   .description = "Factor applied to the delay after each failed attempt.",
                   .default_value = 2.0,
                   .number_minimum = 1.0},
                  SYNCAGENT_FIELD(retry.multiplier)));
  k.push_back(
      Key({.path = "retry.max_delay_ms",
           .type = KeyType::kInteger,
           .description = "Upper bound of the delay, in milliseconds (>= initial_delay_ms).",
           .default_value = 60000,
           .minimum = 1},
          SYNCAGENT_FIELD(retry.max_delay_ms)));
  k.push_back(Key({.path = "retry.jitter",
                   .type = KeyType::kEnum,
                   .description = "How the delay is randomised: full, equal, decorrelated or none.",
                   .default_value = "full",
                   .enum_values = EnumNames<JitterKind>()},
                  SYNCAGENT_FIELD(retry.jitter)));
  k.push_back(Key({.path = "retry.max_attempts_per_cycle",
                   .type = KeyType::kInteger,
                   .description = "Attempts per request within one cycle before giving up until "
                                  "the next wake-up.",
                   .default_value = 5,
                   .minimum = 1,
                   .maximum = 100},
                  SYNCAGENT_FIELD(retry.max_attempts_per_cycle)));
  k.push_back(Key({.path = "retry.honor_retry_after",
                   .type = KeyType::kBoolean,
                   .description = "Wait as long as the server's Retry-After asks (up to "
                                  "max_retry_after_ms).",
                   .default_value = true},
                  SYNCAGENT_FIELD(retry.honor_retry_after)));
  k.push_back(Key({.path = "retry.max_retry_after_ms",
                   .type = KeyType::kInteger,
                   .description = "Cap on a server's Retry-After, in milliseconds.",
                   .default_value = 300000,
                   .minimum = 0},
                  SYNCAGENT_FIELD(retry.max_retry_after_ms)));
  k.push_back(Key({.path = "retry.max_wait_in_cycle_ms",
                   .type = KeyType::kInteger,
                   .description = "Longest single wait slept inside a background cycle, in "
                                  "milliseconds; a longer one (a long Retry-After) ends the cycle "
                                  "and the next periodic wake-up carries on. 0 = up to the "
                                  "deadline.",
                   .default_value = 5000,
                   .minimum = 0},
                  SYNCAGENT_FIELD(retry.max_wait_in_cycle_ms)));

  // --- sync ---
  k.push_back(Section("sync", "What is synced and how."));
  k.push_back(Key({.path = "sync.collections",
                   .type = KeyType::kStringArray,
                   .description = "Collections to sync; [] = all of them.",
                   .default_value = json::array(),
                   .pattern = kCollectionPattern,
                   .pattern_hint = kCollectionHint,
                   .unique_items = true},
                  SYNCAGENT_FIELD(sync.collections)));
  k.push_back(Key({.path = "sync.push_batch_size",
                   .type = KeyType::kInteger,
                   .description = "Most mutations sent in one push request.",
                   .default_value = 100,
                   .minimum = 1,
                   .maximum = 10000},
                  SYNCAGENT_FIELD(sync.push_batch_size)));
  k.push_back(Key({.path = "sync.push_batch_bytes",
                   .type = KeyType::kInteger,
                   .description = "Largest push request body, in bytes.",
                   .default_value = 1048576,
                   .minimum = 1024,
                   .maximum = 67108864},
                  SYNCAGENT_FIELD(sync.push_batch_bytes)));
  k.push_back(Key({.path = "sync.pull_page_size",
                   .type = KeyType::kInteger,
                   .description = "Most changes asked for in one pull request.",
                   .default_value = 500,
                   .minimum = 1,
                   .maximum = 10000},
                  SYNCAGENT_FIELD(sync.pull_page_size)));
  k.push_back(Key({.path = "sync.skip_own_changes",
                   .type = KeyType::kBoolean,
                   .description = "Ask the server to leave this device's own writes out of pulls.",
                   .default_value = true},
                  SYNCAGENT_FIELD(sync.skip_own_changes)));
  k.push_back(Key({.path = "sync.on_server_reset",
                   .type = KeyType::kEnum,
                   .description = "What to do when the server lost data it had acknowledged: "
                                  "reupload every local document, or adopt the server's copy.",
                   .default_value = "reupload",
                   .enum_values = EnumNames<OnServerReset>()},
                  SYNCAGENT_FIELD(sync.on_server_reset)));
  k.push_back(Section("sync.conflict", "How conflicts between local and server edits resolve."));
  k.push_back(Key({.path = "sync.conflict.default",
                   .type = KeyType::kEnum,
                   .description = "Policy for collections without a per_collection entry.",
                   .default_value = "merge",
                   .enum_values = EnumNames<ConflictPolicy>()},
                  SYNCAGENT_FIELD(sync.conflict.default_policy)));
  k.push_back(Key({.path = "sync.conflict.per_collection",
                   .type = KeyType::kEnumMap,
                   .description = "Policy per collection name, overriding default.",
                   .default_value = json::object(),
                   .enum_values = EnumNames<ConflictPolicy>(),
                   .pattern = kCollectionPattern,
                   .pattern_hint = kCollectionHint},
                  SYNCAGENT_FIELD(sync.conflict.per_collection)));
  k.push_back(Key({.path = "sync.conflict.merge_tie",
                   .type = KeyType::kEnum,
                   .description = "merge: who wins when both sides changed the same field.",
                   .default_value = "server",
                   .enum_values = EnumNames<MergeTie>()},
                  SYNCAGENT_FIELD(sync.conflict.merge_tie)));

  // --- logging ---
  k.push_back(Section("logging", "Diagnostics."));
  k.push_back(Key({.path = "logging.level",
                   .type = KeyType::kEnum,
                   .description = "Lowest level logged: trace, debug, info, warn, error or off.",
                   .default_value = "info",
                   .enum_values = EnumNames<LogLevel>()},
                  SYNCAGENT_FIELD(logging.level)));
  return k;
}

#pragma GCC diagnostic pop
#undef SYNCAGENT_FIELD

}  // namespace

const std::vector<KeyDescriptor>& ConfigKeys() {
  static const std::vector<KeyDescriptor>* const keys =
      new std::vector<KeyDescriptor>(BuildTable());
  return *keys;
}

const KeyDescriptor* FindKey(std::string_view path) {
  for (const KeyDescriptor& key : ConfigKeys()) {
    if (key.path == path) return &key;
  }
  return nullptr;
}

std::vector<const KeyDescriptor*> ChildKeys(std::string_view parent) {
  std::vector<const KeyDescriptor*> children;
  for (const KeyDescriptor& key : ConfigKeys()) {
    if (ParentPath(key.path) == parent) children.push_back(&key);
  }
  return children;
}

std::string DocTypeName(const KeyDescriptor& key) {
  switch (key.type) {
    case KeyType::kObject:
      return "object";
    case KeyType::kString:
      return "string";
    case KeyType::kBoolean:
      return "boolean";
    case KeyType::kInteger:
      return "integer";
    case KeyType::kNumber:
      return "number";
    case KeyType::kEnum:
      return "enum";
    case KeyType::kStringArray:
      return "array of strings";
    case KeyType::kStringMap:
      return "map of strings";
    case KeyType::kEnumMap:
      return "map of enums";
    case KeyType::kIndexList:
      return "array of indexes";
  }
  return "unknown";
}

std::string DocDefault(const KeyDescriptor& key) {
  if (key.required) return "required";
  if (key.default_value.is_null()) return "\xE2\x80\x94";  // an em dash: no default
  return "`" + key.default_value.dump() + "`";
}

}  // namespace syncagent::config_internal
