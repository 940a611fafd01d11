#include "tools/faults/fault_executor.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "tools/faults/connection_context.h"
#include "tools/faults/http_json.h"

namespace syncagent::faults {
namespace {

// Sleeps up to `ms`; gives up early when the server stops or the peer leaves.
void Wait(int64_t ms) {
  if (ConnectionContext* context = ConnectionContext::Current()) {
    static_cast<void>(context->SleepInterruptibly(ms));
  } else {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }
}

void AbortConnection(bool reset) {
  ConnectionContext* context = ConnectionContext::Current();
  if (!context) return;
  if (reset) {
    context->AbortWithReset();
  } else {
    context->Abort();
  }
}

// Runs a streamed body (a content provider) to its end, discarding it: the fault proxy's
// provider receives the upstream's answer, which `after_processing` must wait for.
void DrainStreamedBody(httplib::Response& res) {
  if (!res.content_provider_) return;
  const size_t length = res.content_length_;  // 0: chunked, until done()
  size_t offset = 0;
  bool done = false;
  httplib::DataSink sink;
  sink.write = [&offset](const char*, size_t size) {
    offset += size;
    return true;
  };
  sink.done = [&done] { done = true; };
  sink.is_writable = [] { return true; };
  while (!done && (length == 0 || offset < length)) {
    const size_t before = offset;
    if (!res.content_provider_(offset, length == 0 ? 0 : length - offset, sink)) return;
    if (offset == before && !done) return;  // a provider that makes no progress
  }
}

// Forgets whatever the normal processing put into `res` (status line version is kept), after
// letting a streamed answer run to its end.
void ClearResponse(httplib::Response& res) {
  DrainStreamedBody(res);
  const std::string version = res.version;
  res = httplib::Response();
  res.version = version;
}

void StatusResponse(const FaultAction& action, ErrorStyle style, httplib::Response& res) {
  ClearResponse(res);
  if (!action.body.is_null()) {
    SetJson(res, action.status, action.body);
  } else if (action.status >= 400) {
    SetErrorBody(res, style, action.status, DefaultErrorCode(action.status),
                 "injected fault: HTTP " + std::to_string(action.status));
  } else {
    res.status = action.status;
  }
  if (!action.retry_after.empty()) res.set_header("Retry-After", action.retry_after);
  for (const auto& [name, value] : action.headers.items()) {
    res.headers.erase(name);
    res.set_header(name, value.get<std::string>());
  }
}

// Lets the partial body leave before the connection goes away (a RST discards unsent bytes).
void AbortAfterFlush(bool reset) {
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  AbortConnection(reset);
}

// A streamed body (a content provider, e.g. the fault proxy's upstream answer): passes on the
// first half of its declared length, or of its first piece when the length is unknown (chunked),
// then cuts.
void CutStreamedBody(httplib::Response& res, bool reset) {
  struct Cut {
    size_t keep = 0;
    bool keep_known = false;
    size_t sent = 0;
  };
  auto cut = std::make_shared<Cut>();
  if (res.content_length_ > 0) {
    cut->keep = res.content_length_ / 2;
    cut->keep_known = true;
  }
  res.content_provider_ = [inner = std::move(res.content_provider_), cut, reset](
                              size_t offset, size_t length, httplib::DataSink& sink) {
    if (cut->keep_known && cut->sent >= cut->keep) {
      AbortAfterFlush(reset);
      return false;
    }
    httplib::DataSink limited;
    limited.is_writable = sink.is_writable;
    limited.done = [] {};  // the end of the body is never announced
    limited.write = [&](const char* data, size_t size) {
      if (!cut->keep_known) {
        cut->keep = size / 2;
        cut->keep_known = true;
      }
      const size_t allowed = std::min(size, cut->keep - std::min(cut->keep, cut->sent));
      if (allowed > 0 && !sink.write(data, allowed)) return false;
      cut->sent += allowed;
      return allowed == size;
    };
    const bool more = inner(offset, length, limited);
    if (cut->keep_known && cut->sent >= cut->keep) {
      AbortAfterFlush(reset);
      return false;
    }
    return more;
  };
}

// Sends the headers and the first half of the real body, then closes (FIN) or resets (RST).
void CutBody(httplib::Response& res, bool reset) {
  if (res.content_provider_) return CutStreamedBody(res, reset);
  if (res.body.empty()) {
    AbortConnection(reset);  // nothing to cut: no byte at all
    return;
  }
  auto body = std::make_shared<std::string>(std::move(res.body));
  const std::string content_type = res.get_header_value("Content-Type");
  res.body.clear();
  res.headers.erase("Content-Type");
  const size_t keep = body->size() / 2;
  res.set_content_provider(
      body->size(), content_type,
      [body, keep, reset](size_t offset, size_t /*length*/, httplib::DataSink& sink) {
        if (offset < keep) return sink.write(body->data() + offset, keep - offset);
        AbortAfterFlush(reset);
        return false;
      });
}

// A syntactically valid JSON object of exactly `bytes` bytes: {"padding":"xxx...x"}.
void OversizedBody(int64_t bytes, httplib::Response& res) {
  ClearResponse(res);
  res.status = 200;
  const size_t total = static_cast<size_t>(bytes);
  res.set_content_provider(total, kJsonContentType,
                           [total](size_t offset, size_t length, httplib::DataSink& sink) {
                             static constexpr std::string_view kPrefix = "{\"padding\":\"";
                             static constexpr std::string_view kSuffix = "\"}";
                             ConnectionContext* context = ConnectionContext::Current();
                             if (context && context->server_stopping()) return false;
                             std::string chunk(std::min<size_t>(length, 64 * 1024), 'x');
                             for (size_t i = 0; i < chunk.size(); ++i) {
                               const size_t position = offset + i;
                               if (position < kPrefix.size()) chunk[i] = kPrefix[position];
                               if (position >= total - kSuffix.size())
                                 chunk[i] = kSuffix[position - (total - 2)];
                             }
                             return sink.write(chunk.data(), chunk.size());
                           });
}

}  // namespace

void ApplyFault(const FaultAction& action, ErrorStyle style, httplib::Response& res,
                const std::function<void()>& process) {
  if (IsReplacingFault(action.kind) && action.after_processing) process();
  switch (action.kind) {
    case FaultKind::kStatus:
      StatusResponse(action, style, res);
      return;
    case FaultKind::kDelay:
      Wait(action.delay_ms);
      process();
      return;
    case FaultKind::kCloseBeforeResponse:
      AbortConnection(/*reset=*/false);
      return;
    case FaultKind::kResetMidBody:
      process();
      CutBody(res, /*reset=*/true);
      return;
    case FaultKind::kTruncatedBody:
      process();
      CutBody(res, /*reset=*/false);
      return;
    case FaultKind::kMalformedJson:
      ClearResponse(res);
      res.status = 200;
      res.set_content("{\"results\": [{\"mutation_id\": \"<<this is not json", kJsonContentType);
      return;
    case FaultKind::kOversizedBody:
      OversizedBody(action.bytes, res);
      return;
    case FaultKind::kWrongContentType:
      ClearResponse(res);
      res.status = 200;
      res.set_content(
          "<!DOCTYPE html><html><head><title>Sign in</title></head>"
          "<body><h1>Captive portal</h1><p>Please sign in to use this network.</p></body></html>",
          "text/html; charset=utf-8");
      return;
    case FaultKind::kHang:
      Wait(action.max_ms);
      AbortConnection(/*reset=*/false);
      return;
    case FaultKind::kDrip:
      process();
      if (ConnectionContext* context = ConnectionContext::Current()) {
        context->SetDrip(action.bytes_per_second);
      }
      return;
  }
}

}  // namespace syncagent::faults
