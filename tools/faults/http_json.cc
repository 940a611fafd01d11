#include "tools/faults/http_json.h"

#include <cctype>

#include "common/json_limits.h"

namespace syncagent::faults {

std::optional<ErrorStyle> ParseErrorStyle(std::string_view name) {
  if (name == "syncagent") return ErrorStyle::kSyncagent;
  if (name == "couchdb") return ErrorStyle::kCouchdb;
  return std::nullopt;
}

void SetErrorBody(httplib::Response& res, ErrorStyle style, int status, std::string_view code,
                  std::string_view message) {
  if (style == ErrorStyle::kCouchdb) {
    SetJson(res, status, {{"error", code}, {"reason", message}});
    return;
  }
  SetJson(res, status, {{"error", {{"code", code}, {"message", message}}}});
  if (status == 401) {
    res.headers.erase("WWW-Authenticate");
    res.set_header("WWW-Authenticate", "Bearer realm=\"syncagent\"");
  }
}

bool HasNoBodyFraming(const httplib::Request& req) {
  const bool may_have_body = req.method == "POST" || req.method == "PUT" || req.method == "PATCH" ||
                             req.method == "DELETE";
  return may_have_body && !req.has_header("Content-Length") && !req.has_header("Transfer-Encoding");
}

std::string LowerAscii(std::string_view text) {
  std::string lower;
  lower.reserve(text.size());
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

void SetJson(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.headers.erase("Content-Type");
  // Messages may quote request bytes; never let invalid UTF-8 turn an answer into an exception.
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  kJsonContentType);
}

void SetJsonText(httplib::Response& res, int status, std::string body) {
  res.status = status;
  res.headers.erase("Content-Type");
  res.set_content(std::move(body), kJsonContentType);
}

std::string_view DefaultErrorCode(int status) {
  switch (status) {
    case 400:
      return "invalid_request";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 408:
      return "request_timeout";
    case 413:
      return "payload_too_large";
    case 415:
      return "unsupported_media_type";
    case 422:
      return "unprocessable";
    case 429:
      return "rate_limited";
    case 500:
      return "internal";
    case 502:
      return "bad_gateway";
    case 503:
      return "unavailable";
    case 504:
      return "gateway_timeout";
    default:
      return status >= 500 ? "server_error" : "error";
  }
}

std::optional<nlohmann::json> ParseJson(const std::string& body) {
  // Nothing deeper than the wire limit is built: dumping or copying it would recurse that deep.
  if (JsonTextDepth(body, kMaxWireDepth) > kMaxWireDepth) return std::nullopt;
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return std::nullopt;
  return parsed;
}

nlohmann::json RedactedHeaders(const httplib::Headers& headers) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : headers) {
    const std::string lower = LowerAscii(name);
    std::string shown = value;
    if (lower == "authorization" || lower == "proxy-authorization") {
      const auto space = value.find(' ');
      shown =
          (space == std::string::npos ? std::string() : value.substr(0, space + 1)) + "[redacted]";
    } else if (lower == "cookie") {
      shown = "[redacted]";
    }
    if (lower == "remote_addr" || lower == "remote_port" || lower == "local_addr" ||
        lower == "local_port") {
      continue;  // httplib's pseudo headers
    }
    if (out.contains(name)) {
      out[name] = out[name].get<std::string>() + ", " + shown;
    } else {
      out[name] = shown;
    }
  }
  return out;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  for (const std::string& item : SplitCommaList(accept_encoding)) {
    std::string token;
    std::string params;
    const auto semicolon = item.find(';');
    for (char c : item.substr(0, semicolon)) {
      if (c != ' ' && c != '\t')
        token += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (semicolon != std::string::npos) {
      for (char c : item.substr(semicolon + 1)) {
        if (c != ' ' && c != '\t') params += c;
      }
    }
    const bool refused =
        params == "q=0" || params == "q=0.0" || params == "q=0.00" || params == "q=0.000";
    if ((token == "gzip" || token == "*") && !refused) return true;
  }
  return false;
}

std::string QueryOf(const std::string& target) {
  const auto question = target.find('?');
  return question == std::string::npos ? std::string() : target.substr(question + 1);
}

std::vector<std::string> SplitCommaList(std::string_view list) {
  std::vector<std::string> items;
  while (!list.empty()) {
    const auto comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return items;
}

}  // namespace syncagent::faults
