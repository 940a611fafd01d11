// CurlHttpClient: the libcurl implementation of HttpClient.
//
// Safe defaults: TLS peer and host verification are always on and cannot be switched off;
// `http://` URLs are refused unless `allow_insecure_http`; redirects are not followed (a sync
// server that redirects is misconfigured, and following would leak the bearer token). It keeps one
// connection cache (keep-alive), decodes gzip responses, gzip-compresses large request bodies, caps
// the decoded response size, and stops a transfer within ~50 ms of cancellation or its deadline.
//
// Thread safety: Send() may be called from several threads; calls are serialised.
#ifndef SYNCAGENT_NET_CURL_HTTP_CLIENT_H_
#define SYNCAGENT_NET_CURL_HTTP_CLIENT_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "net/http_client.h"

namespace syncagent {

struct CurlHttpClientOptions {
  bool allow_insecure_http = false;
  std::string ca_file;  // trust anchors (PEM) used instead of the system store; empty = system
  std::vector<std::string> pinned_public_keys;  // "sha256//<base64>" each; empty = no pinning
  Millis connect_timeout{10000};
  Millis request_timeout{30000};
  int64_t max_response_bytes = 32 << 20;
  int64_t gzip_request_min_bytes = 4096;  // < 0 disables request compression
  std::string user_agent;                 // default "syncagent/<version>"
};

class CurlHttpClient final : public HttpClient {
 public:
  // `clock` supplies the monotonic axis of RequestControl::deadline; it must outlive the client.
  static StatusOr<std::unique_ptr<CurlHttpClient>> Create(CurlHttpClientOptions options,
                                                          Clock* clock);
  ~CurlHttpClient() override;

  StatusOr<HttpResponse> Send(const HttpRequest& request, const RequestControl& control) override;
  // Gzip-compresses a body over options.gzip_request_min_bytes (what Send would do).
  Status EncodeBody(HttpRequest* request) const override;

 private:
  struct Handles;
  CurlHttpClient(CurlHttpClientOptions options, Clock* clock, std::unique_ptr<Handles> handles);

  CurlHttpClientOptions options_;
  std::string pinned_keys_joined_;
  Clock* clock_;
  std::mutex mu_;
  std::unique_ptr<Handles> handles_;
};

// gzip-compresses `data` (RFC 1952). Exposed for tests and benchmarks.
StatusOr<std::string> GzipCompress(std::string_view data);

}  // namespace syncagent

#endif  // SYNCAGENT_NET_CURL_HTTP_CLIENT_H_
