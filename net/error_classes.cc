#include "net/error_classes.h"

#include <curl/curl.h>

#include <string>

namespace syncagent {

Status StatusFromCurlCode(int curl_code, std::string_view detail, std::string_view what) {
  const auto code = static_cast<CURLcode>(curl_code);
  std::string message(what);
  message += ": ";
  message += curl_easy_strerror(code);
  if (!detail.empty()) {
    message += " (";
    message += detail;
    message += ")";
  }
  switch (code) {
    case CURLE_OK:
      return Status::Ok();

    // No connectivity: wait for the network instead of burning retries.
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_INTERFACE_FAILED:
      return Status(StatusCode::kUnavailable, message, RetryClass::kNetwork);

    // The exchange broke part-way: retry with backoff.
    case CURLE_OPERATION_TIMEDOUT:
      return Status(StatusCode::kDeadlineExceeded, message, RetryClass::kTransient);
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_AGAIN:
      return Status(StatusCode::kUnavailable, message, RetryClass::kTransient);
    case CURLE_BAD_CONTENT_ENCODING:
      return Status(StatusCode::kDataLoss, message, RetryClass::kTransient);
    case CURLE_OUT_OF_MEMORY:
      return Status(StatusCode::kResourceExhausted, message, RetryClass::kTransient);

    // Trust failures fail closed and are never retried: the configuration must change.
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return Status(StatusCode::kPermissionDenied, "TLS verification failed: " + message,
                    RetryClass::kPermanent);

    // The request itself is wrong.
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_NOT_BUILT_IN:
      return Status(StatusCode::kInvalidArgument, message, RetryClass::kPermanent);

    case CURLE_ABORTED_BY_CALLBACK:
      return Status(StatusCode::kCancelled, message, RetryClass::kNone);

    default:
      return Status(StatusCode::kUnavailable, message, RetryClass::kTransient);
  }
}

RetryClass RetryClassForHttpStatus(int http_status) {
  if ((http_status >= 200 && http_status < 300) || http_status == 304) return RetryClass::kNone;
  switch (http_status) {
    case 401:
      return RetryClass::kAuth;
    case 408:  // request timeout
    case 425:  // too early
    case 429:  // too many requests
      return RetryClass::kTransient;
    default:
      break;
  }
  if (http_status >= 500) return RetryClass::kTransient;
  return RetryClass::kPermanent;
}

StatusCode StatusCodeForHttpStatus(int http_status) {
  if ((http_status >= 200 && http_status < 300) || http_status == 304) return StatusCode::kOk;
  switch (http_status) {
    case 400: return StatusCode::kInvalidArgument;
    case 401: return StatusCode::kUnauthenticated;
    case 403: return StatusCode::kPermissionDenied;
    case 404: return StatusCode::kNotFound;
    case 408: return StatusCode::kDeadlineExceeded;
    case 409: return StatusCode::kAborted;
    case 413: return StatusCode::kResourceExhausted;
    case 422: return StatusCode::kInvalidArgument;
    case 429: return StatusCode::kResourceExhausted;
    case 504: return StatusCode::kDeadlineExceeded;
    default: break;
  }
  if (http_status >= 500) return StatusCode::kUnavailable;
  return StatusCode::kFailedPrecondition;
}

}  // namespace syncagent
