#include "tools/faults/fault_admin.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace syncagent::faults {
namespace {

void Faults(FaultInjector& faults, ErrorStyle style, const httplib::Request& req,
            httplib::Response& res) {
  if (req.method == "GET") return SetJson(res, 200, faults.ToJson());
  if (req.method == "DELETE") {
    faults.Clear();
    return SetJson(res, 200, faults.ToJson());
  }
  if (req.method != "POST") return SetMethodNotAllowed(res, style, "GET, POST, DELETE");
  std::optional<nlohmann::json> body = ParseJson(req.body);
  if (!body) return SetErrorBody(res, style, 400, "invalid_request", "body is not valid JSON");
  StatusOr<std::vector<FaultRule>> rules = ParseFaultScenario(*body);
  if (!rules.ok())
    return SetErrorBody(res, style, 400, "invalid_request", rules.status().message());
  const std::string mode = req.get_param_value("mode");
  if (mode == "append") {
    faults.Append(std::move(rules).value());
  } else if (mode.empty() || mode == "replace") {
    faults.Replace(std::move(rules).value());
  } else {
    return SetErrorBody(res, style, 400, "invalid_request",
                        "mode: must be \"replace\" or \"append\"");
  }
  SetJson(res, 200, faults.ToJson());
}

void Requests(RequestLog& log, ErrorStyle style, const httplib::Request& req,
              httplib::Response& res) {
  if (req.method == "GET") return SetJson(res, 200, log.ToJson());
  if (req.method == "DELETE") {
    log.Clear();
    return SetJson(res, 200, log.ToJson());
  }
  SetMethodNotAllowed(res, style, "GET, DELETE");
}

}  // namespace

bool IsAdminPath(const std::string& path) {
  const std::string_view prefix = kAdminPrefix;
  return path.rfind(prefix, 0) == 0 && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

bool HandleFaultAdmin(FaultInjector& faults, RequestLog& log, ErrorStyle style,
                      const httplib::Request& req, httplib::Response& res) {
  if (req.path == "/_admin/faults") {
    Faults(faults, style, req, res);
    return true;
  }
  if (req.path == "/_admin/requests") {
    Requests(log, style, req, res);
    return true;
  }
  return false;
}

void SetMethodNotAllowed(httplib::Response& res, ErrorStyle style, const char* allowed) {
  SetErrorBody(res, style, 405, "method_not_allowed", std::string("use ") + allowed);
  res.set_header("Allow", allowed);
}

}  // namespace syncagent::faults
