#include "tools/mock_server/admin_handlers.h"

#include "tools/faults/fault_admin.h"
#include "tools/mock_server/http_util.h"
#include "tools/mock_server/mutation_parser.h"

namespace syncagent::mock {
namespace {

using nlohmann::json;

constexpr std::string_view kDocsPrefix = "/_admin/docs/";

int StatusFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    default:
      return 500;
  }
}

}  // namespace

json StatsToJson(const SyncState::Stats& stats, int64_t requests) {
  return {{"applied", stats.applied},
          {"replayed", stats.replayed},
          {"head", stats.head},
          {"documents", stats.documents},
          {"requests", requests}};
}

json AdminDocumentJson(const DocumentState& document) {
  json out = document.ToChangeJson();
  out["change_seq"] = document.change_seq;
  return out;
}

void AdminHandlers::Handle(const httplib::Request& req, httplib::Response& res) const {
  const std::string& path = req.path;
  if (faults::HandleFaultAdmin(*faults_, *log_, faults::ErrorStyle::kSyncagent, req, res)) return;
  if (path == "/_admin/docs") return Docs(req, res);
  if (path.rfind(kDocsPrefix, 0) == 0) return Document(req, res);
  if (path == "/_admin/stats") {
    if (req.method != "GET") return SetMethodNotAllowed(res, "GET");
    return faults::SetJson(res, 200, StatsToJson(state_->GetStats(), log_->total()));
  }
  if (path == "/_admin/reset") {
    if (req.method != "POST") return SetMethodNotAllowed(res, "POST");
    Status status = reset_();
    if (!status.ok()) return SetError(res, 500, "internal", status.ToString());
    return faults::SetJson(res, 200, json::object());
  }
  SetError(res, 404, "not_found", "no such admin endpoint: " + path);
}

void AdminHandlers::Docs(const httplib::Request& req, httplib::Response& res) const {
  if (req.method != "GET") return SetMethodNotAllowed(res, "GET");
  const std::string collection = req.get_param_value("collection");
  json documents = json::array();
  for (const DocumentState& document : state_->Documents()) {
    if (!collection.empty() && document.collection != collection) continue;
    documents.push_back(AdminDocumentJson(document));
  }
  faults::SetJson(res, 200, {{"documents", std::move(documents)}});
}

void AdminHandlers::Document(const httplib::Request& req, httplib::Response& res) const {
  // httplib has already percent-decoded the path; the key is everything after the first '/'.
  const std::string rest = req.path.substr(kDocsPrefix.size());
  const auto slash = rest.find('/');
  const std::string collection = rest.substr(0, slash);
  const std::string key = slash == std::string::npos ? std::string() : rest.substr(slash + 1);
  if (!IsValidCollectionName(collection) || !IsValidDocumentKey(key)) {
    return SetError(res, 400, "invalid_request",
                    "expected /_admin/docs/{collection}/{key} with a valid collection and key");
  }
  const json hlc = req.has_param("hlc") ? json(req.get_param_value("hlc")) : json();
  if (req.method == "GET") {
    std::optional<DocumentState> document = state_->Find(collection, key);
    if (!document) return SetError(res, 404, "not_found", "no document " + collection + "/" + key);
    return faults::SetJson(res, 200, {{"document", AdminDocumentJson(*document)}});
  }
  StatusOr<DocumentState> written = InvalidArgumentError("unreachable");
  if (req.method == "PUT") {
    std::optional<json> body = faults::ParseJson(req.body);
    if (!body || !body->is_object()) {
      return SetError(res, 400, "invalid_request", "body must be a JSON object");
    }
    written = state_->AdminPut(collection, key, *body, hlc);
  } else if (req.method == "DELETE") {
    written = state_->AdminDelete(collection, key, hlc);
  } else {
    return SetMethodNotAllowed(res, "GET, PUT, DELETE");
  }
  if (!written.ok()) {
    return SetError(res, StatusFor(written.status()),
                    faults::DefaultErrorCode(StatusFor(written.status())),
                    written.status().message());
  }
  faults::SetJson(res, 200, {{"document", AdminDocumentJson(*written)}});
}

}  // namespace syncagent::mock
