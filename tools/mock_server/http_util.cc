#include "tools/mock_server/http_util.h"

#include <cctype>
#include <cstdio>

#include "common/json_limits.h"

namespace syncagent::mock {

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

void SetError(httplib::Response& res, int status, std::string_view code, std::string_view message) {
  SetJson(res, status, {{"error", {{"code", code}, {"message", message}}}});
  if (status == 401) {
    res.headers.erase("WWW-Authenticate");
    res.set_header("WWW-Authenticate", "Bearer realm=\"syncagent\"");
  }
}

void SetMethodNotAllowed(httplib::Response& res, const char* allowed) {
  SetError(res, 405, "method_not_allowed", std::string("use ") + allowed);
  res.set_header("Allow", allowed);
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
    std::string lower;
    for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
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

bool RejectUnsupportedEncoding(const httplib::Request& req, httplib::Response& res) {
  if (!req.has_header("Content-Encoding")) return false;
  const std::string encoding = req.get_header_value("Content-Encoding");
  // Exactly what httplib decodes itself (gzip) or leaves alone (identity), nothing else.
  if (encoding == "gzip" || encoding == "identity") return false;
  SetError(res, 415, "unsupported_media_type",
           "Content-Encoding \"" + encoding + "\" is not supported: syncagent/1 defines gzip only");
  return true;
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

std::string PullEtag(const std::string& cursor, const std::vector<std::string>& collections) {
  // FNV-1a 64 over "cursor|c1,c2": opaque to clients, stable for equal inputs.
  uint64_t hash = 1469598103934665603ULL;
  auto mix = [&](std::string_view bytes) {
    for (unsigned char c : bytes) {
      hash ^= c;
      hash *= 1099511628211ULL;
    }
  };
  mix(cursor);
  mix("|");
  for (const auto& collection : collections) {
    mix(collection);
    mix(",");
  }
  char buffer[24];
  std::snprintf(buffer, sizeof(buffer), "\"%016llx\"", static_cast<unsigned long long>(hash));
  return buffer;
}

bool IfNoneMatchMatches(std::string_view if_none_match, std::string_view etag) {
  for (std::string tag : SplitCommaList(if_none_match)) {
    const auto first = tag.find_first_not_of(" \t");
    const auto last = tag.find_last_not_of(" \t");
    if (first == std::string::npos) continue;
    tag = tag.substr(first, last - first + 1);
    if (tag == "*") return true;
    if (tag.rfind("W/", 0) == 0) tag = tag.substr(2);
    if (tag == etag) return true;
  }
  return false;
}

}  // namespace syncagent::mock
