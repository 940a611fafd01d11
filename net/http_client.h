// HttpClient: the seam between syncagent's protocol logic and the network.
//
// The sync client builds requests and interprets responses; an HttpClient only moves bytes. The
// production implementation is CurlHttpClient (libcurl); tests of the protocol layer use the same
// implementation against the mock server over loopback.
//
// Thread safety: implementations serialise calls internally; one request runs at a time per client.
#ifndef SYNCAGENT_NET_HTTP_CLIENT_H_
#define SYNCAGENT_NET_HTTP_CLIENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/clock.h"
#include "syncagent/status.h"

namespace syncagent {

class CancelToken;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  // Header names are lower-cased; repeated headers keep every value in order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int64_t bytes_sent = 0;      // request bytes on the wire (headers + body as sent, compressed)
  int64_t bytes_received = 0;  // response bytes on the wire (headers + body as received)
  bool reused_connection = false;

  // The first value of header `name` (case-insensitive), if present.
  std::optional<std::string> Header(std::string_view name) const;
};

// Limits a single request: an absolute deadline on the clock's monotonic axis and a cancel token.
struct RequestControl {
  std::optional<MonoTime> deadline;
  const CancelToken* cancel = nullptr;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;

  // Performs one request. Any HTTP status is a successful transfer; a non-OK Status means no
  // complete response arrived (connection, TLS, timeout, cancellation, size cap), and carries the
  // retry class of the failure.
  virtual StatusOr<HttpResponse> Send(const HttpRequest& request, const RequestControl& control) = 0;

  // Encodes `request`'s body for the wire as Send would (e.g. gzip-compressed, Content-Encoding
  // set, when it is large), so that a caller can do that work ahead of the request: Send sends a
  // body that already names its encoding as it is. The default leaves the request alone (Send
  // encodes it, if at all).
  // Thread safety: may run on any thread, beside Send.
  virtual Status EncodeBody(HttpRequest* request) const {
    (void)request;
    return Status::Ok();
  }
};

}  // namespace syncagent

#endif  // SYNCAGENT_NET_HTTP_CLIENT_H_
