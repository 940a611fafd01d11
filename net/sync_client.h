// SyncClient: the syncagent/1 wire calls (docs/protocol.md) — push a batch, pull a page — over an
// HttpSession (net/http_session.h: retry loop, bearer auth with one refresh on 401, transfer
// accounting, deadline and cancel). The engine does not use it directly: SyncagentRemote
// (net/syncagent_remote.h) adapts it to the Remote interface.
//
// Malformed or truncated 200 replies count as transient failures and are retried: a push is
// idempotent through its mutation ids, a pull through its cursor.
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
// (the session's redaction) in every error message it returns, in last_wire_error() and in the
// code and message of a rejected push result, so a server that echoes the token in an error body cannot
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

#include "net/http_session.h"
#include "net/protocol_codec.h"

namespace syncagent {

struct SyncClientOptions {
  std::string base_url;  // e.g. "https://sync.example.com" (a trailing slash is ignored)
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers on every request
  RetryOptions retry;
  CodecLimits limits;
};

class SyncClient {
 public:
  // `http`, `clock` and `tokens` (may be null: no auth) must outlive the client.
  SyncClient(HttpClient* http, Clock* clock, TokenProvider* tokens, SyncClientOptions options,
             uint64_t seed = std::random_device{}());
  SyncClient(const SyncClient&) = delete;  // the session refers to codec_
  SyncClient& operator=(const SyncClient&) = delete;

  StatusOr<PushResponse> Push(const PushRequest& request, const CallContext& context);
  StatusOr<PullPage> Pull(const PullRequest& request, const CallContext& context);

  const TransferStats& stats() const { return session_.stats(); }
  // After a failed call: the wait the server (Retry-After) or the backoff suggested.
  Millis suggested_retry_delay() const { return session_.suggested_retry_delay(); }
  // After a failed call: the server's error body, if it sent one.
  const std::optional<WireError>& last_wire_error() const { return last_wire_error_; }
  // After a failed call: the reply was larger than max_response_bytes (it was not read). For a
  // push that is a lost answer (the server may have applied it); for a pull, a page too large.
  bool last_reply_too_large() const { return session_.last_reply_too_large(); }
  const ProtocolCodec& codec() const { return codec_; }

 private:
  // Records the server's error body of a failed call, decoded.
  void NoteFailure();

  ProtocolCodec codec_;
  HttpSession session_;
  std::optional<WireError> last_wire_error_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_NET_SYNC_CLIENT_H_
