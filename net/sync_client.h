// SyncClient: the syncagent/1 protocol over an HttpClient — push a batch, pull a page — with the
// retry loop, bearer auth with one token refresh on 401, and transfer accounting.
//
// Retries happen inside one call, on the injected Clock, never past the call's deadline: when
// the next attempt could not finish in time, the call returns the last error (its retry class
// transient or network), and `suggested_retry_delay()` tells the caller how long the server or the
// backoff asked to wait, so the headless task can report "retry later" to the OS scheduler.
// Malformed or truncated 200 replies count as transient failures and are retried as well: a push
// is idempotent through its mutation ids, a pull through its cursor.
//
// Special outcomes for the sync engine:
//   413 on push       → kResourceExhausted, class permanent: halve the batch and push again.
//   422 on push       → kInvalidArgument, class permanent; last_wire_error().mutation_id names
//                       the mutation whose id was reused with another payload.
//   304 on pull       → PullPage::not_modified.
//   a reply over max_response_bytes → a push retries it as a lost answer; a pull does not (the
//                       puller asks for a smaller page); last_reply_too_large() says so.
//
// Secrets: the client never passes on its own credentials in text that came from the server. The
// bearer token it sent and the values of the configured extra headers are replaced by "***"
// (common/redact.h) in every error message it returns, in last_wire_error() and in the code and
// message of a rejected push result, so a server that echoes the token in an error body cannot
// get it stored (run log, dead letters, outbox) or emitted in an event. Document data is never
// altered.
//
// Thread safety: one call at a time (the engine's cycle owns the client).
#ifndef SYNCAGENT_NET_SYNC_CLIENT_H_
#define SYNCAGENT_NET_SYNC_CLIENT_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "net/http_client.h"
#include "net/protocol_codec.h"
#include "net/retry_policy.h"

namespace syncagent {

// Supplies bearer tokens. GetToken(true) is called once after a 401 to obtain a fresh token.
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

struct SyncClientOptions {
  std::string base_url;  // e.g. "https://sync.example.com" (a trailing slash is ignored)
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers on every request
  RetryOptions retry;
  CodecLimits limits;
};

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

class SyncClient {
 public:
  // `http`, `clock` and `tokens` (may be null: no auth) must outlive the client.
  SyncClient(HttpClient* http, Clock* clock, TokenProvider* tokens, SyncClientOptions options,
             uint64_t seed = std::random_device{}());

  StatusOr<PushResponse> Push(const PushRequest& request, const CallContext& context);
  StatusOr<PullPage> Pull(const PullRequest& request, const CallContext& context);

  const TransferStats& stats() const { return stats_; }
  // After a failed call: the wait the server (Retry-After) or the backoff suggested.
  Millis suggested_retry_delay() const { return suggested_retry_delay_; }
  // After a failed call: the server's error body, if it sent one.
  const std::optional<WireError>& last_wire_error() const { return last_wire_error_; }
  // After a failed call: the reply was larger than max_response_bytes (it was not read). For a
  // push that is a lost answer (the server may have applied it); for a pull, a page too large.
  bool last_reply_too_large() const { return reply_too_large_; }
  const ProtocolCodec& codec() const { return codec_; }

 private:
  // Sends `request` until `accept` returns OK or the retry policy gives up. `accept` decodes the
  // response; a non-OK result from it is treated like a transport failure of its class.
  // `retry_too_large`: whether a reply over max_response_bytes is retried like a lost answer
  // (push) or ends the call at once (pull: the caller asks for a smaller page).
  Status Exchange(HttpRequest request, const CallContext& context,
                  const std::function<Status(HttpResponse&)>& accept, bool retry_too_large);
  Status HttpError(const HttpRequest& request, const HttpResponse& response);
  // `text` without the token last sent and the extra header values.
  std::string Redact(std::string_view text) const;
  Status Redact(const Status& status) const;

  HttpClient* http_;
  Clock* clock_;
  TokenProvider* tokens_;
  SyncClientOptions options_;
  ProtocolCodec codec_;
  RetryPolicy retry_;
  TransferStats stats_;
  Millis suggested_retry_delay_{0};
  std::optional<WireError> last_wire_error_;
  bool reply_too_large_ = false;
  std::string sent_token_;  // the bearer token of the latest attempt
};

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string UrlEncode(std::string_view s);

}  // namespace syncagent

#endif  // SYNCAGENT_NET_SYNC_CLIENT_H_
