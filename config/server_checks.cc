// ConfigValidator's rules for the server section: the keys each protocol and each auth type
// uses, where the token or password comes from, basic auth only where the password cannot be
// read on the network, and the CouchDB databases of the collections.
#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include "config/config_validator.h"
#include "config/http_url.h"
#include "config/key_checks.h"
#include "config/text_util.h"

namespace syncagent::config_internal {
namespace {

// The auth keys and the type that uses each.
constexpr std::array<std::pair<std::string_view, AuthType>, 5> kAuthKeys = {{
    {"server.auth.token", AuthType::kBearer},
    {"server.auth.token_env", AuthType::kBearer},
    {"server.auth.username", AuthType::kBasic},
    {"server.auth.password", AuthType::kBasic},
    {"server.auth.password_env", AuthType::kBasic},
}};

std::string Quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

// CouchDB's rule for database names.
bool IsDatabaseName(std::string_view name) {
  if (name.empty() || name.size() > 238 || name[0] < 'a' || name[0] > 'z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           std::string_view("_$()+-/").find(c) != std::string_view::npos;
  });
}

}  // namespace

void ConfigValidator::CheckProtocolKeys() {
  if (!IsValid("server.protocol")) return;
  const ServerProtocol protocol = config_.server.protocol;
  const std::string got = "got " + Quoted(ToString(protocol)) +
                          (Seen("server.protocol") ? "" : " (the default)");
  if (protocol != ServerProtocol::kCouchdb) {
    if (Seen("server.couchdb") && IsValid("server.couchdb")) {
      Error("server.couchdb", "only used when server.protocol is \"couchdb\"; " + got);
    }
    if (IsValid("server.auth.type") && config_.server.auth.type == AuthType::kBasic) {
      Error("server.auth.type",
            "\"basic\" is only used when server.protocol is \"couchdb\" (a syncagent/1 server "
            "takes \"bearer\"); " + got);
    }
  }
  if (protocol != ServerProtocol::kSyncagent && Seen("sync.skip_own_changes")) {
    Error("sync.skip_own_changes",
          "only used when server.protocol is \"syncagent\" (a CouchDB changes feed cannot leave "
          "out one device's writes); " + got);
  }
}

void ConfigValidator::CheckAuth() {
  if (!IsValid("server.auth")) return;
  AuthConfig& auth = config_.server.auth;
  bool misplaced = false;
  for (const auto& [path, owner] : kAuthKeys) {
    if (Seen(path) && owner != auth.type) {
      Error(std::string(path), "only used when server.auth.type is " + Quoted(ToString(owner)) +
                                   "; got type " + Quoted(ToString(auth.type)));
      misplaced = true;
    }
  }
  if (misplaced) return;
  switch (auth.type) {
    case AuthType::kNone:
      return;
    case AuthType::kBearer:
      CheckSecretSource("token", "token_env", auth.token_env, CheckBearerToken, &auth.token,
                        &auth.token_from_environment);
      return;
    case AuthType::kBasic:
      if (!Seen("server.auth.username")) Error("server.auth", "type \"basic\" needs username");
      CheckSecretSource("password", "password_env", auth.password_env, CheckBasicPassword,
                        &auth.password, &auth.password_from_environment);
      return;
  }
}

void ConfigValidator::CheckSecretSource(std::string_view value_key, std::string_view env_key,
                                        const std::string& env_name, const StringCheck& check,
                                        Secret* out, bool* from_environment) {
  const std::string type(ToString(config_.server.auth.type));
  const std::string value_path = "server.auth." + std::string(value_key);
  const std::string env_path = "server.auth." + std::string(env_key);
  const bool has_value = Seen(value_path);
  if (has_value == Seen(env_path)) {
    Error("server.auth", "type " + Quoted(type) + " needs exactly one of " +
                             std::string(value_key) + " and " + std::string(env_key) + "; " +
                             (has_value ? "both are set" : "neither is set"));
    return;
  }
  if (has_value) {
    *from_environment = expanded_.count(value_path) > 0;
    return;
  }
  std::optional<std::string> value = options_.env ? options_.env(env_name) : std::nullopt;
  const std::string variable = "environment variable " + env_name;
  if (!value) {
    Error(env_path, variable + " is not set");
    return;
  }
  if (value->empty()) {
    Error(env_path, variable + " is empty");
    return;
  }
  if (std::optional<std::string> why = check(*value)) {
    Error(env_path, variable + " does not hold a usable " + std::string(value_key) + ": " + *why);
    return;
  }
  *out = Secret(std::move(*value));
  *from_environment = true;
}

void ConfigValidator::CheckBasicOverHttp() {
  if (!IsValid("server.auth") || !IsValid("server.base_url") ||
      config_.server.auth.type != AuthType::kBasic) {
    return;
  }
  std::string why;
  std::optional<HttpUrl> url = ParseHttpUrl(config_.server.base_url, &why);
  if (url && url->scheme == "http" && !IsLoopbackHost(url->host)) {
    Error("server.auth.type",
          "\"basic\" sends the password with every request, readable on the network over "
          "http:// to " + url->host + "; use https://, or a loopback host (localhost, "
          "127.0.0.0/8, [::1])");
  }
}

void ConfigValidator::CheckCouchdbDatabases() {
  if (!IsValid("server.couchdb.databases") || !IsValid("sync.collections")) return;
  const StringMap& databases = config_.server.couchdb.databases;
  std::map<std::string, std::string> owner;  // database -> the collection that uses it
  for (const auto& [collection, database] : databases) {
    CheckCollectionIsSynced("server.couchdb.databases", collection);
    auto [it, fresh] = owner.emplace(database, collection);
    if (!fresh) {
      Error(JoinPath("server.couchdb.databases", collection),
            "database " + Quote(database) + " is already the database of collection " +
                Quote(it->second) + "; each collection needs its own database");
    }
  }
  if (!IsValid("server.protocol") || config_.server.protocol != ServerProtocol::kCouchdb) return;
  const auto& listed = config_.sync.collections;
  if (listed.empty()) {
    Error("sync.collections",
          "server.protocol \"couchdb\" needs the collections listed (each is a database on the "
          "server, and a CouchDB server cannot list them for the agent); got [] (every "
          "collection)");
  }
  for (size_t i = 0; i < listed.size(); ++i) {
    if (databases.count(listed[i]) > 0) continue;
    const std::string path = IndexPath("sync.collections", i);
    if (!IsDatabaseName(listed[i])) {
      Error(path, "collection " + Quote(listed[i]) +
                      " is not a valid CouchDB database name (a lowercase letter, then a-z, 0-9, "
                      "_$()+-/); map it to one in server.couchdb.databases");
    } else if (auto it = owner.find(listed[i]); it != owner.end()) {
      Error(path, "collection " + Quote(listed[i]) + " uses the database of its own name, "
                      "which server.couchdb.databases gives to collection " + Quote(it->second));
    }
  }
}

}  // namespace syncagent::config_internal
