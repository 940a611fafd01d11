#include "net/read_ahead.h"

#include <chrono>
#include <system_error>
#include <utility>

namespace syncagent {

struct ReadAhead::Running {
  std::string path;
  CancelToken cancel;
  std::future<std::optional<std::string>> done;
};

namespace {

HttpSessionOptions SingleAttempt(HttpSessionOptions options) {
  options.retry.max_attempts = 1;
  return options;
}

}  // namespace

ReadAhead::ReadAhead(HttpClient* http, Clock* clock, TokenProvider* tokens,
                     HttpSessionOptions options)
    : session_(http, clock, tokens, SingleAttempt(std::move(options))) {}

ReadAhead::~ReadAhead() { Drop(); }

void ReadAhead::Start(const std::string& path_and_query, std::optional<MonoTime> deadline) {
  if (running_ != nullptr && running_->path == path_and_query) return;
  Drop();
  auto running = std::make_unique<Running>();
  running->path = path_and_query;
  const CancelToken* cancel = &running->cancel;  // lives until the thread is collected
  try {
    running->done = std::async(std::launch::async, [this, path_and_query, deadline, cancel] {
      std::optional<std::string> body;
      const Status status = session_.Exchange(
          session_.NewRequest("GET", path_and_query), CallContext{deadline, cancel},
          [&body](HttpResponse& response) {
            if (response.status < 200 || response.status > 299) {
              return Status(StatusCode::kUnavailable, "not a 2xx answer", RetryClass::kTransient);
            }
            body = std::move(response.body);
            return Status::Ok();
          },
          /*retry_too_large=*/false);
      if (!status.ok()) body.reset();
      return body;
    });
  } catch (const std::system_error&) {
    return;  // no thread to be had: the caller makes the request when it needs it
  }
  running_ = std::move(running);
}

std::optional<std::string> ReadAhead::Take(std::string_view path_and_query,
                                           const CancelToken* cancel) {
  if (running_ == nullptr) return std::nullopt;
  if (running_->path != path_and_query) {
    Drop();
    return std::nullopt;
  }
  while (running_->done.wait_for(std::chrono::milliseconds(5)) != std::future_status::ready) {
    if (cancel != nullptr && cancel->IsCancelled()) {
      Drop();
      return std::nullopt;
    }
  }
  return Collect();
}

void ReadAhead::Drop() {
  if (running_ == nullptr) return;
  running_->cancel.Cancel("read-ahead dropped");
  Collect();
}

std::optional<std::string> ReadAhead::Collect() {
  std::optional<std::string> body = running_->done.get();
  running_.reset();
  collected_ = session_.stats();
  return body;
}

}  // namespace syncagent
