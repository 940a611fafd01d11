#include "tests/couchdb/pouchdb_server.h"

#include <regex>

namespace syncagent::couch_testing {

StatusOr<std::unique_ptr<PouchDbServer>> PouchDbServer::Start(PouchDbServerOptions options) {
  constexpr const char kAdminVariable[] = "POUCHDB_SERVER_ADMIN";
  const bool complete = options.complete_package;
  std::string modules = options.modules_dir;
  if (modules.empty()) modules = complete ? DefaultAuthModulesDir() : DefaultModulesDir();
  std::vector<std::string> env_add;
  if (!options.admin.empty()) env_add.push_back(std::string(kAdminVariable) + "=" + options.admin);
  SYNCAGENT_ASSIGN_OR_RETURN(
      std::unique_ptr<NodeChild> child,
      NodeChild::Start(complete ? "pouchdb_server_auth.js" : "pouchdb_server.js", modules,
                       complete ? "pouchdb-server" : "express-pouchdb",
                       {"--port", std::to_string(options.port)}, {kAdminVariable}, env_add));
  auto line = child->ReadLine(std::chrono::seconds(60));
  static const std::regex kListening(R"(listening on (http://127\.0\.0\.1:[0-9]+))");
  std::smatch match;
  if (!line.ok() || !std::regex_match(*line, match, kListening)) {
    child->Stop();
    return UnavailableError("PouchDB Server did not start (" +
                            (line.ok() ? "first line \"" + *line + "\"" : line.status().message()) +
                            "); its stderr: " + child->Stderr() + "; " + kInstallPeersHint);
  }
  return std::unique_ptr<PouchDbServer>(new PouchDbServer(std::move(child), match[1].str()));
}

PouchDbServer::PouchDbServer(std::unique_ptr<NodeChild> child, std::string url)
    : child_(std::move(child)), url_(std::move(url)) {}

PouchDbServer::~PouchDbServer() = default;

int PouchDbServer::Stop() { return child_->Stop(); }

std::string PouchDbServer::Stderr() const { return child_->Stderr(); }

int PouchDbServer::port() const { return std::stoi(url_.substr(url_.rfind(':') + 1)); }

}  // namespace syncagent::couch_testing
