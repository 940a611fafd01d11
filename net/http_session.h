// HttpSession: what every sync protocol needs from HTTP, written once — the retry loop on the
// injected Clock, bearer auth with one token refresh on 401, transfer accounting, the call's
// deadline and cancel token, and the redaction of the client's own secrets. A protocol (the
// syncagent/1 SyncClient, a CouchDB replicator) builds requests, hands them to Exchange() with a
// function that decodes a 2xx reply, and reads the session's record of the last failure.
//
// Retries happen inside one Exchange, never past the call's deadline: when the next attempt
// could not finish in time the call returns the last error (class transient or network) and
// `suggested_retry_delay()` tells how long the server (Retry-After) or the backoff asked to wait.
// A 2xx reply that `accept` refuses counts as a failure of the class `accept` gives it (a
// malformed body is transient: retried).
//
// Secrets: the bearer token last sent and the values of the configured extra headers are replaced
// by "***" (common/redact.h) in every error message and in the recorded error body.
//
// Thread safety: one call at a time (the engine's cycle owns the session).
#ifndef SYNCAGENT_NET_HTTP_SESSION_H_
#define SYNCAGENT_NET_HTTP_SESSION_H_

#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/http_client.h"
#include "net/retry_policy.h"

namespace syncagent {

// Supplies bearer tokens. GetToken(true) is called once after a 401 to obtain a fresh token.
// Thread safety: GetToken may be called from two threads at once (a remote's session and its
// ReadAhead, net/read_ahead.h).
class TokenProvider {
 public:
  virtual ~TokenProvider() = default;
  virtual StatusOr<std::string> GetToken(bool force_refresh) = 0;
};

// A fixed token (from the config); a refresh returns the same token.
class StaticTokenProvider final : public TokenProvider {
 public:
  explicit StaticTokenProvider(std::string token) : token_(std::move(token)) {}
  StatusOr<std::string> GetToken(bool) override { return token_; }

 private:
  std::string token_;
};

// Bounds one call: an absolute deadline on the clock's monotonic axis and a cancel token.
struct CallContext {
  std::optional<MonoTime> deadline;
  const CancelToken* cancel = nullptr;
};

struct TransferStats {
  int64_t requests = 0;  // every attempt, retries included
  int64_t bytes_up = 0;
  int64_t bytes_down = 0;
  int64_t retries = 0;
  Millis smoothed_rtt{0};  // EWMA of successful request durations
};

struct HttpSessionOptions {
  std::string base_url;  // e.g. "https://sync.example.com" (a trailing slash is ignored)
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers on every request
  RetryOptions retry;
  // The protocol's summary of an error body for the failure's message (e.g. "code: message"),
  // already sanitised; empty when the body says nothing useful. May be null.
  std::function<std::string(std::string_view body)> describe_error;
};

class HttpSession {
 public:
  // `http`, `clock` and `tokens` (may be null: no auth) must outlive the session.
  HttpSession(HttpClient* http, Clock* clock, TokenProvider* tokens, HttpSessionOptions options,
              uint64_t seed = std::random_device{}());

  // A request for base_url + `path_and_query`, carrying the extra headers.
  HttpRequest NewRequest(std::string method, std::string_view path_and_query) const;

  // Sends `request` until `accept` returns OK or the retry policy gives up. `accept` decodes the
  // reply (any 2xx, or 304); its non-OK result is treated like a transport failure of its class.
  // `retry_too_large`: whether a reply over the transport's size cap is retried like a lost
  // answer (a push) or ends the call at once (a pull: the caller asks for less).
  Status Exchange(HttpRequest request, const CallContext& context,
                  const std::function<Status(HttpResponse&)>& accept, bool retry_too_large);

  // HttpClient::EncodeBody of the session's client. Thread safety: as that.
  Status EncodeBody(HttpRequest* request) const { return http_->EncodeBody(request); }

  // `text` with the token last sent and the extra header values replaced by "***".
  std::string Redact(std::string_view text) const;
  Status Redact(const Status& status) const;

  const TransferStats& stats() const { return stats_; }
  // After a failed call: the wait the server (Retry-After) or the backoff suggested.
  Millis suggested_retry_delay() const { return suggested_retry_delay_; }
  // After a failed call that got an HTTP error reply: its status and (redacted) body.
  int last_error_status() const { return last_error_status_; }
  const std::string& last_error_body() const { return last_error_body_; }
  // After a failed call: the reply was larger than the transport's cap (it was not read).
  bool last_reply_too_large() const { return reply_too_large_; }

 private:
  Status HttpError(const HttpRequest& request, const HttpResponse& response);

  HttpClient* http_;
  Clock* clock_;
  TokenProvider* tokens_;
  HttpSessionOptions options_;
  RetryPolicy retry_;
  TransferStats stats_;
  Millis suggested_retry_delay_{0};
  int last_error_status_ = 0;
  std::string last_error_body_;
  bool reply_too_large_ = false;
  std::string sent_token_;  // the bearer token of the latest attempt
};

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string UrlEncode(std::string_view s);

// `s` cut to `max_len` bytes ("..." appended) with control characters replaced by spaces: safe
// to quote from a server's reply in a message.
std::string SanitizeForMessage(std::string_view s, size_t max_len = 200);

}  // namespace syncagent

#endif  // SYNCAGENT_NET_HTTP_SESSION_H_
