#include "config/agent_config.h"

namespace syncagent {

std::string_view ToString(ServerProtocol value) {
  switch (value) {
    case ServerProtocol::kSyncagent:
      return "syncagent";
    case ServerProtocol::kCouchdb:
      return "couchdb";
  }
  return "unknown";
}

std::string_view ToString(AuthType value) {
  switch (value) {
    case AuthType::kNone:
      return "none";
    case AuthType::kBearer:
      return "bearer";
    case AuthType::kBasic:
      return "basic";
  }
  return "unknown";
}

std::string_view ToString(Synchronous value) {
  switch (value) {
    case Synchronous::kNormal:
      return "normal";
    case Synchronous::kFull:
      return "full";
  }
  return "unknown";
}

std::string_view ToString(NetworkType value) {
  switch (value) {
    case NetworkType::kNone:
      return "none";
    case NetworkType::kAny:
      return "any";
    case NetworkType::kUnmetered:
      return "unmetered";
    case NetworkType::kNotRoaming:
      return "not_roaming";
  }
  return "unknown";
}

std::string_view ToString(JitterKind value) {
  switch (value) {
    case JitterKind::kFull:
      return "full";
    case JitterKind::kEqual:
      return "equal";
    case JitterKind::kDecorrelated:
      return "decorrelated";
    case JitterKind::kNone:
      return "none";
  }
  return "unknown";
}

std::string_view ToString(ConflictPolicy value) {
  switch (value) {
    case ConflictPolicy::kServerWins:
      return "server_wins";
    case ConflictPolicy::kClientWins:
      return "client_wins";
    case ConflictPolicy::kLastWriterWins:
      return "last_writer_wins";
    case ConflictPolicy::kMerge:
      return "merge";
    case ConflictPolicy::kManual:
      return "manual";
  }
  return "unknown";
}

std::string_view ToString(MergeTie value) {
  switch (value) {
    case MergeTie::kServer:
      return "server";
    case MergeTie::kClient:
      return "client";
    case MergeTie::kNewer:
      return "newer";
  }
  return "unknown";
}

std::string_view ToString(OnServerReset value) {
  switch (value) {
    case OnServerReset::kReupload:
      return "reupload";
    case OnServerReset::kAdoptServer:
      return "adopt_server";
  }
  return "unknown";
}

std::string_view ToString(LogLevel value) {
  switch (value) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kOff:
      return "off";
  }
  return "unknown";
}

ConflictPolicy ConflictConfig::PolicyFor(std::string_view collection) const {
  auto it = per_collection.find(collection);
  return it == per_collection.end() ? default_policy : it->second;
}

std::string CouchdbConfig::DatabaseFor(std::string_view collection) const {
  auto it = databases.find(collection);
  return it == databases.end() ? std::string(collection) : it->second;
}

std::vector<std::string> SecretValues(const ServerConfig& server) {
  std::vector<std::string> secrets;
  for (const Secret* secret : {&server.auth.token, &server.auth.password}) {
    if (!secret->empty()) secrets.push_back(secret->reveal());
  }
  for (const auto& [name, value] : server.headers) {
    if (!value.empty()) secrets.push_back(value);
  }
  return secrets;
}

}  // namespace syncagent
