#include "net/sync_client.h"

#include "common/redact.h"
#include "net/error_classes.h"
#include "platform/cancel_token.h"

namespace syncagent {
namespace {

HttpSessionOptions SessionOptions(const SyncClientOptions& options, const ProtocolCodec* codec) {
  HttpSessionOptions session;
  session.base_url = options.base_url;
  session.headers = options.headers;
  session.retry = options.retry;
  session.describe_error = [codec](std::string_view body) -> std::string {
    auto error = codec->DecodeError(body);
    if (!error) return {};
    std::string text = SanitizeForMessage(error->code);
    if (!error->message.empty()) text += ": " + SanitizeForMessage(error->message);
    return text;
  };
  return session;
}

}  // namespace

SyncClient::SyncClient(HttpClient* http, Clock* clock, TokenProvider* tokens,
                       SyncClientOptions options, uint64_t seed)
    : codec_(options.limits), session_(http, clock, tokens, SessionOptions(options, &codec_), seed) {}

void SyncClient::NoteFailure() {
  last_wire_error_.reset();
  if (session_.last_error_status() != 0) {
    last_wire_error_ = codec_.DecodeError(session_.last_error_body());  // already redacted
  }
}

StatusOr<PushResponse> SyncClient::Push(const PushRequest& request, const CallContext& context) {
  HttpRequest http = session_.NewRequest("POST", "/v1/push");
  http.headers.emplace_back("Content-Type", "application/json");
  http.headers.emplace_back("Accept", "application/json");
  http.headers.emplace_back("Idempotency-Key", request.batch_id);
  http.body = codec_.EncodePushRequest(request);
  std::optional<PushResponse> decoded;
  Status status = session_.Exchange(std::move(http), context, [&](HttpResponse& response) -> Status {
    if (response.status != 200) {
      return Status(StatusCode::kDataLoss,
                    "push: unexpected HTTP " + std::to_string(response.status) + " (expected 200)",
                    RetryClass::kTransient);
    }
    auto result = codec_.DecodePushResponse(response.body, request);
    if (!result.ok()) return result.status();
    for (PushResult& r : result->results) {  // stored in the dead-letter queue
      r.code = session_.Redact(r.code);
      r.message = session_.Redact(r.message);
    }
    decoded = std::move(*result);
    return Status::Ok();
  }, /*retry_too_large=*/true);
  last_wire_error_.reset();
  if (!status.ok()) {
    NoteFailure();
    return status;
  }
  return std::move(*decoded);
}

StatusOr<PullPage> SyncClient::Pull(const PullRequest& request, const CallContext& context) {
  HttpRequest http = session_.NewRequest("GET", "/v1/pull?limit=" + std::to_string(request.limit));
  if (!request.cursor.empty()) http.url += "&cursor=" + UrlEncode(request.cursor);
  if (!request.collections.empty()) {
    std::string joined;
    for (const std::string& c : request.collections) {
      if (!joined.empty()) joined += ',';
      joined += c;
    }
    http.url += "&collections=" + UrlEncode(joined);
  }
  if (!request.skip_origin.empty()) http.url += "&skip_origin=" + UrlEncode(request.skip_origin);
  if (request.max_bytes > 0) http.url += "&max_bytes=" + std::to_string(request.max_bytes);
  http.headers.emplace_back("Accept", "application/json");
  if (!request.if_none_match.empty()) http.headers.emplace_back("If-None-Match", request.if_none_match);
  std::optional<PullPage> decoded;
  Status status = session_.Exchange(std::move(http), context, [&](HttpResponse& response) -> Status {
    if (response.status == 304) {
      PullPage page;
      page.not_modified = true;
      page.cursor = request.cursor;
      page.etag = request.if_none_match;
      decoded = std::move(page);
      return Status::Ok();
    }
    if (response.status != 200) {
      return Status(StatusCode::kDataLoss,
                    "pull: unexpected HTTP " + std::to_string(response.status) + " (expected 200)",
                    RetryClass::kTransient);
    }
    auto page = codec_.DecodePullPageText(response.body);
    if (!page.ok()) return page.status();
    page->etag = response.Header("etag").value_or("");
    decoded = std::move(*page);
    return Status::Ok();
  }, /*retry_too_large=*/false);
  last_wire_error_.reset();
  if (!status.ok()) {
    NoteFailure();
    return status;
  }
  return std::move(*decoded);
}

}  // namespace syncagent
