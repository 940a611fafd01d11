// Error classes: how every libcurl result code and HTTP status maps to a Status code and a retry
// class (ARCHITECTURE.md, "Error model"):
//   transient — timeouts, resets, 408/425/429/5xx: retry with backoff within the cycle;
//   network   — DNS failure, no route, connection refused: wait for connectivity;
//   auth      — 401: refresh the token once, then fail;
//   permanent — TLS verification failures, malformed URLs, other 4xx: do not retry as sent.
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_NET_ERROR_CLASSES_H_
#define SYNCAGENT_NET_ERROR_CLASSES_H_

#include <string_view>

#include "syncagent/status.h"

namespace syncagent {

// The Status for a failed libcurl transfer. `curl_code` is a CURLcode; `detail` is libcurl's
// error buffer (may be empty); `what` names the request, e.g. "POST https://h/v1/push".
Status StatusFromCurlCode(int curl_code, std::string_view detail, std::string_view what);

// The retry class of an HTTP status. 2xx and 304 give kNone.
RetryClass RetryClassForHttpStatus(int http_status);

// The Status code of an HTTP status. 2xx and 304 give kOk.
StatusCode StatusCodeForHttpStatus(int http_status);

}  // namespace syncagent

#endif  // SYNCAGENT_NET_ERROR_CLASSES_H_
