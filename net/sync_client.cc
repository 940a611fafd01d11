#include "net/sync_client.h"

#include "common/redact.h"
#include "net/error_classes.h"
#include "platform/cancel_token.h"

namespace syncagent {
namespace {

std::string Sanitize(std::string_view s, size_t max_len = 200) {
  std::string out;
  for (char c : s.substr(0, max_len)) out += (c >= 0x20 && c != 0x7f) ? c : ' ';
  if (s.size() > max_len) out += "...";
  return out;
}

}  // namespace

std::string UrlEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

SyncClient::SyncClient(HttpClient* http, Clock* clock, TokenProvider* tokens,
                       SyncClientOptions options, uint64_t seed)
    : http_(http),
      clock_(clock),
      tokens_(tokens),
      options_(std::move(options)),
      codec_(options_.limits),
      retry_(options_.retry, seed) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/') {
    options_.base_url.pop_back();
  }
}

std::string SyncClient::Redact(std::string_view text) const {
  std::vector<std::string> secrets{sent_token_};
  for (const auto& [name, value] : options_.headers) secrets.push_back(value);
  return RedactSecrets(text, secrets);
}

Status SyncClient::Redact(const Status& status) const {
  if (status.ok()) return status;
  return Status(status.code(), Redact(status.message()), status.retry_class());
}

Status SyncClient::HttpError(const HttpRequest& request, const HttpResponse& response) {
  last_wire_error_ = codec_.DecodeError(response.body);
  std::string message = request.method + " " + request.url + ": HTTP " +
                        std::to_string(response.status);
  if (last_wire_error_) {
    last_wire_error_->code = Redact(last_wire_error_->code);
    last_wire_error_->message = Redact(last_wire_error_->message);
    message += " " + Sanitize(last_wire_error_->code);
    if (!last_wire_error_->message.empty()) message += ": " + Sanitize(last_wire_error_->message);
  }
  return Status(StatusCodeForHttpStatus(response.status), Redact(message),
                RetryClassForHttpStatus(response.status));
}

Status SyncClient::Exchange(HttpRequest request, const CallContext& context,
                            const std::function<Status(HttpResponse&)>& accept,
                            bool retry_too_large) {
  const size_t base_header_count = request.headers.size();
  bool refreshed_token = false;
  bool force_refresh = false;
  last_wire_error_.reset();
  reply_too_large_ = false;
  suggested_retry_delay_ = Millis(0);
  RequestControl control{context.deadline, context.cancel};
  for (int attempt = 1;; ++attempt) {
    request.headers.resize(base_header_count);
    if (tokens_ != nullptr) {
      auto token = tokens_->GetToken(force_refresh);
      if (!token.ok()) return token.status().WithContext("bearer token");
      request.headers.emplace_back("Authorization", "Bearer " + *token);
      sent_token_ = *token;
    }
    force_refresh = false;

    const MonoTime started = clock_->Now();
    ++stats_.requests;
    if (attempt > 1) ++stats_.retries;
    StatusOr<HttpResponse> sent = http_->Send(request, control);
    Status error;
    std::optional<Millis> retry_after;
    if (!sent.ok()) {
      error = sent.status();
      if (error.code() == StatusCode::kCancelled) return error;
      // The transport's only kResourceExhausted: a reply over max_response_bytes. A pull asking
      // again would get the same page, so the puller asks for less instead; a push's answer is
      // a lost answer, replayed like any other (the pusher halves the batch if it persists).
      reply_too_large_ = error.code() == StatusCode::kResourceExhausted;
      if (reply_too_large_ && retry_too_large) error = error.WithRetryClass(RetryClass::kTransient);
    } else {
      HttpResponse& response = *sent;
      stats_.bytes_up += response.bytes_sent;
      stats_.bytes_down += response.bytes_received;
      if ((response.status >= 200 && response.status < 300) || response.status == 304) {
        error = Redact(accept(response));  // a decoding error may quote the reply
        if (error.ok()) {
          const auto rtt = std::chrono::duration_cast<Millis>(clock_->Now() - started);
          stats_.smoothed_rtt = stats_.smoothed_rtt.count() == 0
                                    ? rtt
                                    : Millis((stats_.smoothed_rtt.count() * 7 + rtt.count()) / 8);
          return error;
        }
      } else {
        error = HttpError(request, response);
        if (auto header = response.Header("retry-after")) {
          retry_after = ParseRetryAfter(*header, clock_->WallMs());
        }
        if (response.status == 401 && tokens_ != nullptr && !refreshed_token) {
          refreshed_token = true;
          force_refresh = true;
          --attempt;  // the refresh-and-retry does not count against the attempt budget
          continue;
        }
      }
    }
    RetryDecision decision =
        retry_.Decide(error, attempt, retry_after, clock_->Now(), context.deadline,
                      stats_.smoothed_rtt);
    suggested_retry_delay_ = decision.delay;
    switch (decision.kind) {
      case RetryDecision::Kind::kRetry:
        if (!clock_->SleepFor(decision.delay, context.cancel)) {
          return CancelledError(request.method + " " + request.url + ": cancelled during backoff (" +
                                (context.cancel ? context.cancel->reason() : "cancelled") + ")");
        }
        continue;
      case RetryDecision::Kind::kGiveUpForCycle:
        return error.WithContext("giving up for this cycle after " + std::to_string(attempt) +
                                 (attempt == 1 ? " attempt" : " attempts"));
      case RetryDecision::Kind::kGiveUpPermanent:
        return error;
    }
  }
}

StatusOr<PushResponse> SyncClient::Push(const PushRequest& request, const CallContext& context) {
  HttpRequest http;
  http.method = "POST";
  http.url = options_.base_url + "/v1/push";
  http.headers = options_.headers;
  http.headers.emplace_back("Content-Type", "application/json");
  http.headers.emplace_back("Accept", "application/json");
  http.headers.emplace_back("Idempotency-Key", request.batch_id);
  http.body = codec_.EncodePushRequest(request);
  std::optional<PushResponse> decoded;
  Status status = Exchange(std::move(http), context, [&](HttpResponse& response) -> Status {
    if (response.status != 200) {
      return Status(StatusCode::kDataLoss,
                    "push: unexpected HTTP " + std::to_string(response.status) + " (expected 200)",
                    RetryClass::kTransient);
    }
    auto result = codec_.DecodePushResponse(response.body, request);
    if (!result.ok()) return result.status();
    for (PushResult& r : result->results) {  // stored in the dead-letter queue
      r.code = Redact(r.code);
      r.message = Redact(r.message);
    }
    decoded = std::move(*result);
    return Status::Ok();
  }, /*retry_too_large=*/true);
  if (!status.ok()) return status;
  return std::move(*decoded);
}

StatusOr<PullPage> SyncClient::Pull(const PullRequest& request, const CallContext& context) {
  HttpRequest http;
  http.method = "GET";
  http.url = options_.base_url + "/v1/pull?limit=" + std::to_string(request.limit);
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
  http.headers = options_.headers;
  http.headers.emplace_back("Accept", "application/json");
  if (!request.if_none_match.empty()) http.headers.emplace_back("If-None-Match", request.if_none_match);
  std::optional<PullPage> decoded;
  Status status = Exchange(std::move(http), context, [&](HttpResponse& response) -> Status {
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
  if (!status.ok()) return status;
  return std::move(*decoded);
}

}  // namespace syncagent
