// HTTP helpers shared by the servers built on the fault engine (the mock server and the fault
// proxy): JSON answers, error bodies in the style of the protocol being imitated, header
// redaction for the request log, and small parsing helpers.
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_TOOLS_FAULTS_HTTP_JSON_H_
#define SYNCAGENT_TOOLS_FAULTS_HTTP_JSON_H_

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace syncagent::faults {

inline constexpr const char* kJsonContentType = "application/json";

// The shape of an error body a server answers with (and an injected status fault carries).
enum class ErrorStyle {
  kSyncagent,  // syncagent/1: {"error":{"code":CODE,"message":MESSAGE}}, a bearer challenge on 401
  kCouchdb,    // CouchDB: {"error":CODE,"reason":MESSAGE}
};

// Parses "syncagent" or "couchdb".
std::optional<ErrorStyle> ParseErrorStyle(std::string_view name);

// Sets `status` and a compact JSON body with Content-Type application/json.
void SetJson(httplib::Response& res, int status, const nlohmann::json& body);
// The same with a body that is already JSON text.
void SetJsonText(httplib::Response& res, int status, std::string body);
// Sets `status` and an error body of `style` (see ErrorStyle).
void SetErrorBody(httplib::Response& res, ErrorStyle style, int status, std::string_view code,
                  std::string_view message);
// A short error code for `status` when nothing more specific applies ("unavailable" for 503).
std::string_view DefaultErrorCode(int status);

// The body parsed as JSON (no deeper than the wire limit), or nullopt.
std::optional<nlohmann::json> ParseJson(const std::string& body);

// The request headers as a JSON object, with credentials (Authorization, Proxy-Authorization,
// Cookie) redacted; httplib's pseudo headers (REMOTE_ADDR...) left out.
nlohmann::json RedactedHeaders(const httplib::Headers& headers);

// True when an Accept-Encoding value accepts gzip (a "gzip" or "*" token without q=0).
bool AcceptsGzip(std::string_view accept_encoding);

// The query string of a request target ("" when none).
std::string QueryOf(const std::string& target);

// Splits "a,b,c" on commas, dropping empty items (items are not trimmed).
std::vector<std::string> SplitCommaList(std::string_view list);

// True for a POST, PUT, PATCH or DELETE with neither Content-Length nor Transfer-Encoding: it
// has no body (RFC 9112 section 6.3), though httplib would read one until the connection closes.
bool HasNoBodyFraming(const httplib::Request& req);

// ASCII lower case.
std::string LowerAscii(std::string_view text);

}  // namespace syncagent::faults

#endif  // SYNCAGENT_TOOLS_FAULTS_HTTP_JSON_H_
