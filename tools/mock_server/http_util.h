// Small HTTP helpers shared by the mock server's handlers: JSON responses, the syncagent/1 error
// body, header redaction and query parsing.
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_TOOLS_MOCK_SERVER_HTTP_UTIL_H_
#define SYNCAGENT_TOOLS_MOCK_SERVER_HTTP_UTIL_H_

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace syncagent::mock {

inline constexpr const char* kJsonContentType = "application/json";

// Sets `status` and a compact JSON body with Content-Type application/json.
void SetJson(httplib::Response& res, int status, const nlohmann::json& body);
// The same with a body that is already JSON text.
void SetJsonText(httplib::Response& res, int status, std::string body);
// Sets `status` and {"error":{"code":code,"message":message}}; 401 also gets WWW-Authenticate.
void SetError(httplib::Response& res, int status, std::string_view code, std::string_view message);
// 405 method_not_allowed ("use <allowed>") with an Allow header; `allowed` is e.g. "GET, POST".
void SetMethodNotAllowed(httplib::Response& res, const char* allowed);
// The error code syncagent/1 uses for `status` when nothing more specific applies.
std::string_view DefaultErrorCode(int status);

// The body parsed as JSON, or nullopt.
std::optional<nlohmann::json> ParseJson(const std::string& body);

// The request headers as a JSON object, with credentials (Authorization, Cookie) redacted.
nlohmann::json RedactedHeaders(const httplib::Headers& headers);

// True when an Accept-Encoding value accepts gzip (a "gzip" or "*" token without q=0).
bool AcceptsGzip(std::string_view accept_encoding);

// When the request has a Content-Encoding other than gzip or identity (syncagent/1 defines gzip
// only): sets 415 unsupported_media_type naming it, and returns true.
bool RejectUnsupportedEncoding(const httplib::Request& req, httplib::Response& res);

// The query string of a request target ("" when none).
std::string QueryOf(const std::string& target);

// Splits "a,b,c" on commas, dropping empty items.
std::vector<std::string> SplitCommaList(std::string_view list);

// An ETag value (quoted) identifying (cursor, collections filter).
std::string PullEtag(const std::string& cursor, const std::vector<std::string>& collections);
// True when an If-None-Match header value lists `etag` (weak or strong) or is "*".
bool IfNoneMatchMatches(std::string_view if_none_match, std::string_view etag);

}  // namespace syncagent::mock

#endif  // SYNCAGENT_TOOLS_MOCK_SERVER_HTTP_UTIL_H_
