#include "net/http_session.h"

#include "common/redact.h"
#include "net/error_classes.h"
#include "platform/cancel_token.h"

namespace syncagent {

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

std::string SanitizeForMessage(std::string_view s, size_t max_len) {
  std::string out;
  for (char c : s.substr(0, max_len)) out += (c >= 0x20 && c != 0x7f) ? c : ' ';
  if (s.size() > max_len) out += "...";
  return out;
}

HttpSession::HttpSession(HttpClient* http, Clock* clock, TokenProvider* tokens,
                         HttpSessionOptions options, uint64_t seed)
    : http_(http),
      clock_(clock),
      tokens_(tokens),
      options_(std::move(options)),
      retry_(options_.retry, seed) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/') {
    options_.base_url.pop_back();
  }
}

HttpRequest HttpSession::NewRequest(std::string method, std::string_view path_and_query) const {
  HttpRequest request;
  request.method = std::move(method);
  request.url = options_.base_url + std::string(path_and_query);
  request.headers = options_.headers;
  return request;
}

std::string HttpSession::Redact(std::string_view text) const {
  std::vector<std::string> secrets{sent_token_};
  for (const auto& [name, value] : options_.headers) secrets.push_back(value);
  return RedactSecrets(text, secrets);
}

Status HttpSession::Redact(const Status& status) const {
  if (status.ok()) return status;
  return Status(status.code(), Redact(status.message()), status.retry_class());
}

Status HttpSession::HttpError(const HttpRequest& request, const HttpResponse& response) {
  last_error_status_ = response.status;
  last_error_body_ = Redact(response.body);
  std::string message = request.method + " " + request.url + ": HTTP " +
                        std::to_string(response.status);
  if (options_.describe_error) {
    const std::string described = options_.describe_error(last_error_body_);
    if (!described.empty()) message += " " + described;
  }
  return Status(StatusCodeForHttpStatus(response.status), Redact(message),
                RetryClassForHttpStatus(response.status));
}

Status HttpSession::Exchange(HttpRequest request, const CallContext& context,
                             const std::function<Status(HttpResponse&)>& accept,
                             bool retry_too_large) {
  const size_t base_header_count = request.headers.size();
  bool refreshed_token = false;
  bool force_refresh = false;
  last_error_status_ = 0;
  last_error_body_.clear();
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
      // The transport's only kResourceExhausted: a reply over its size cap. A pull asking again
      // would get the same page, so the caller asks for less instead; a push's answer is a lost
      // answer, replayed like any other.
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

}  // namespace syncagent
