// AgentConfig: the typed, validated configuration of one syncagent instance.
//
// What: plain structs with defaults, one per section of the JSON config (see docs/config.md), and
// an `enum class` for every enumerated value with its ToString() name. Why: the rest of the agent
// reads typed fields instead of poking at JSON, and a default-constructed AgentConfig already
// carries the documented defaults (a test compares them with the key table, config/key_table.cc).
// Durations are integers in the unit named by the field (`_ms`, `_seconds`, `_minutes`).
//
// Thread safety: plain values; a const AgentConfig may be shared between threads.
#ifndef SYNCAGENT_CONFIG_AGENT_CONFIG_H_
#define SYNCAGENT_CONFIG_AGENT_CONFIG_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/secret.h"

namespace syncagent {

enum class ServerProtocol { kSyncagent, kCouchdb };
enum class AuthType { kNone, kBearer, kBasic };
enum class Synchronous { kNormal, kFull };
enum class NetworkType { kNone, kAny, kUnmetered, kNotRoaming };
enum class JitterKind { kFull, kEqual, kDecorrelated, kNone };
enum class ConflictPolicy { kServerWins, kClientWins, kLastWriterWins, kMerge, kManual };
enum class MergeTie { kServer, kClient, kNewer };
enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kOff };
enum class OnServerReset { kReupload, kAdoptServer };

// The config-file spelling of each value ("bearer", "not_roaming", "last_writer_wins", ...).
std::string_view ToString(ServerProtocol value);
std::string_view ToString(AuthType value);
std::string_view ToString(Synchronous value);
std::string_view ToString(NetworkType value);
std::string_view ToString(JitterKind value);
std::string_view ToString(ConflictPolicy value);
std::string_view ToString(MergeTie value);
std::string_view ToString(LogLevel value);
std::string_view ToString(OnServerReset value);

// Every enumerator of E, in declaration order (the order the docs and the schema list them in).
template <typename E>
struct EnumTraits;
template <>
struct EnumTraits<ServerProtocol> {
  static constexpr std::array kValues = {ServerProtocol::kSyncagent, ServerProtocol::kCouchdb};
};
template <>
struct EnumTraits<AuthType> {
  static constexpr std::array kValues = {AuthType::kNone, AuthType::kBearer, AuthType::kBasic};
};
template <>
struct EnumTraits<Synchronous> {
  static constexpr std::array kValues = {Synchronous::kNormal, Synchronous::kFull};
};
template <>
struct EnumTraits<NetworkType> {
  static constexpr std::array kValues = {NetworkType::kNone, NetworkType::kAny,
                                         NetworkType::kUnmetered, NetworkType::kNotRoaming};
};
template <>
struct EnumTraits<JitterKind> {
  static constexpr std::array kValues = {JitterKind::kFull, JitterKind::kEqual,
                                         JitterKind::kDecorrelated, JitterKind::kNone};
};
template <>
struct EnumTraits<ConflictPolicy> {
  static constexpr std::array kValues = {ConflictPolicy::kServerWins, ConflictPolicy::kClientWins,
                                         ConflictPolicy::kLastWriterWins, ConflictPolicy::kMerge,
                                         ConflictPolicy::kManual};
};
template <>
struct EnumTraits<MergeTie> {
  static constexpr std::array kValues = {MergeTie::kServer, MergeTie::kClient, MergeTie::kNewer};
};
template <>
struct EnumTraits<OnServerReset> {
  static constexpr std::array kValues = {OnServerReset::kReupload, OnServerReset::kAdoptServer};
};
template <>
struct EnumTraits<LogLevel> {
  static constexpr std::array kValues = {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo,
                                         LogLevel::kWarn,  LogLevel::kError, LogLevel::kOff};
};

// The enumerator spelled `name`, or nullopt.
template <typename E>
std::optional<E> EnumFromName(std::string_view name) {
  for (E value : EnumTraits<E>::kValues) {
    if (ToString(value) == name) return value;
  }
  return std::nullopt;
}

// The spellings of every enumerator of E, in declaration order.
template <typename E>
std::vector<std::string> EnumNames() {
  std::vector<std::string> names;
  for (E value : EnumTraits<E>::kValues) names.emplace_back(ToString(value));
  return names;
}

using StringMap = std::map<std::string, std::string, std::less<>>;

struct AuthConfig {
  AuthType type = AuthType::kNone;
  Secret token;           // set from `token`, or from the variable named by `token_env`
  std::string token_env;  // the variable name, when the token came from it
  // True when the token came from the environment (token_env or a ${VAR} in token), false when
  // it is written in the config file in plain text (a lint warning).
  bool token_from_environment = false;
  // type basic: sent pre-emptively as Authorization: Basic base64(username:password).
  std::string username;
  Secret password;           // set from `password`, or from the variable named by `password_env`
  std::string password_env;  // the variable name, when the password came from it
  bool password_from_environment = false;  // as token_from_environment
};

// server.protocol "couchdb": how collections map onto CouchDB databases.
struct CouchdbConfig {
  StringMap databases;  // collection -> database; a collection without an entry uses its own name
  bool create_databases = false;  // create a missing database instead of failing

  // The database of `collection`.
  std::string DatabaseFor(std::string_view collection) const;
};

struct TlsConfig {
  std::string ca_file;                          // resolved path; empty = the system trust store
  std::vector<std::string> pinned_public_keys;  // "sha256//<base64>"
};

struct TimeoutsConfig {
  int64_t connect_ms = 10000;
  int64_t request_ms = 30000;
};

struct ServerConfig {
  ServerProtocol protocol = ServerProtocol::kSyncagent;
  std::string base_url;
  bool allow_insecure_http = false;
  AuthConfig auth;
  TlsConfig tls;
  TimeoutsConfig timeouts;
  StringMap headers;
  int64_t max_response_bytes = 33554432;
  int64_t gzip_request_min_bytes = 4096;
  CouchdbConfig couchdb;
};

// A query index the store keeps (storage.indexes; docs/queries.md).
struct IndexConfig {
  std::string collection;
  std::vector<std::string> fields;  // Mango field names ("done", "address.city"), in index order

  friend bool operator==(const IndexConfig&, const IndexConfig&) = default;
};

// The values that must never appear in output (logs, errors, printed config): the bearer token,
// the basic-auth password and the extra header values; empty ones are left out.
std::vector<std::string> SecretValues(const ServerConfig& server);

struct StorageConfig {
  std::string path;  // resolved against the config file's directory when relative
  Synchronous synchronous = Synchronous::kNormal;
  int64_t busy_timeout_ms = 5000;
  int64_t max_size_mb = 0;  // cap on the database file (MiB); 0 = none
  std::vector<IndexConfig> indexes;
};

struct Constraints {
  NetworkType network = NetworkType::kAny;
  bool requires_charging = false;
  bool requires_battery_not_low = false;
  bool requires_storage_not_low = false;
  bool requires_device_idle = false;
};

struct ScheduleConfig {
  std::string task_id = "syncagent.refresh";
  int64_t minimum_interval_minutes = 15;
  int64_t jitter_percent = 10;
  int64_t time_budget_seconds = 25;
  bool stop_on_terminate = false;
  bool start_on_boot = true;
  bool enable_headless = true;
  Constraints constraints;
};

struct RetryConfig {
  int64_t initial_delay_ms = 1000;
  double multiplier = 2.0;
  int64_t max_delay_ms = 60000;
  JitterKind jitter = JitterKind::kFull;
  int64_t max_attempts_per_cycle = 5;
  bool honor_retry_after = true;
  int64_t max_retry_after_ms = 300000;
  int64_t max_wait_in_cycle_ms = 5000;
};

struct ConflictConfig {
  ConflictPolicy default_policy = ConflictPolicy::kMerge;  // key `default`
  std::map<std::string, ConflictPolicy, std::less<>> per_collection;
  MergeTie merge_tie = MergeTie::kServer;

  // The policy for `collection`: its per_collection entry, else default_policy.
  ConflictPolicy PolicyFor(std::string_view collection) const;
};

struct SyncConfig {
  std::vector<std::string> collections;  // empty = every collection
  int64_t push_batch_size = 100;
  int64_t push_batch_bytes = 1048576;
  int64_t pull_page_size = 500;
  bool skip_own_changes = true;
  // After the server lost what it had acknowledged (docs/protocol.md §6.7).
  OnServerReset on_server_reset = OnServerReset::kReupload;
  ConflictConfig conflict;
};

struct LoggingConfig {
  LogLevel level = LogLevel::kInfo;
};

struct AgentConfig {
  ServerConfig server;
  StorageConfig storage;
  ScheduleConfig schedule;
  RetryConfig retry;
  SyncConfig sync;
  LoggingConfig logging;
};

}  // namespace syncagent

#endif  // SYNCAGENT_CONFIG_AGENT_CONFIG_H_
