// The mock server's syncagent/1 HTTP helpers: its error bodies (with the bearer challenge), the
// 405 answer, the Content-Encoding rule and the pull ETag. The generic helpers (JSON answers,
// header redaction, query parsing) live in tools/faults/http_json.h.
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_TOOLS_MOCK_SERVER_HTTP_UTIL_H_
#define SYNCAGENT_TOOLS_MOCK_SERVER_HTTP_UTIL_H_

#include <httplib.h>

#include <string>
#include <string_view>
#include <vector>

#include "tools/faults/http_json.h"

namespace syncagent::mock {

// Sets `status` and {"error":{"code":code,"message":message}}; 401 also gets WWW-Authenticate.
void SetError(httplib::Response& res, int status, std::string_view code, std::string_view message);
// 405 method_not_allowed ("use <allowed>") with an Allow header; `allowed` is e.g. "GET, POST".
void SetMethodNotAllowed(httplib::Response& res, const char* allowed);

// When the request has a Content-Encoding other than gzip or identity (syncagent/1 defines gzip
// only): sets 415 unsupported_media_type naming it, and returns true.
bool RejectUnsupportedEncoding(const httplib::Request& req, httplib::Response& res);

// An ETag value (quoted) identifying (cursor, collections filter).
std::string PullEtag(const std::string& cursor, const std::vector<std::string>& collections);
// True when an If-None-Match header value lists `etag` (weak or strong) or is "*".
bool IfNoneMatchMatches(std::string_view if_none_match, std::string_view etag);

}  // namespace syncagent::mock

#endif  // SYNCAGENT_TOOLS_MOCK_SERVER_HTTP_UTIL_H_
