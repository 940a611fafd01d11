#include "tools/fault_proxy/fault_proxy.h"

#include <httplib.h>

#include <charconv>
#include <set>
#include <utility>

#include "tools/faults/connection_context.h"
#include "tools/faults/fault_admin.h"
#include "tools/faults/http_json.h"

namespace syncagent::faults {
namespace {

// Where a request's Content-Encoding waits while httplib reads the body, so that httplib does not
// decompress it: the body is forwarded exactly as it came.
constexpr char kHeldContentEncoding[] = "X-Syncagent-Proxy-Held-Content-Encoding";
constexpr char kVia[] = "1.1 syncagent-fault-proxy";

bool IsHopByHop(const std::string& lower) {
  static const std::set<std::string> kHopByHop = {"connection",
                                                  "keep-alive",
                                                  "proxy-authenticate",
                                                  "proxy-authorization",
                                                  "proxy-connection",
                                                  "te",
                                                  "trailer",
                                                  "transfer-encoding",
                                                  "upgrade"};
  return kHopByHop.count(lower) > 0;
}

bool IsPseudoHeader(const std::string& lower) {  // what httplib adds to a server-side request
  return lower == "remote_addr" || lower == "remote_port" || lower == "local_addr" ||
         lower == "local_port";
}

// The header names a Connection header lists (they are hop-by-hop too).
std::set<std::string> ConnectionTokens(const httplib::Headers& headers) {
  std::set<std::string> tokens;
  auto [begin, end] = headers.equal_range("Connection");
  for (auto it = begin; it != end; ++it) {
    for (const std::string& item : SplitCommaList(it->second)) {
      const auto first = item.find_first_not_of(" \t");
      const auto last = item.find_last_not_of(" \t");
      if (first != std::string::npos)
        tokens.insert(LowerAscii(item.substr(first, last - first + 1)));
    }
  }
  return tokens;
}

// The headers that go on to the other side: end-to-end ones only, minus `also_dropped`.
httplib::Headers EndToEnd(const httplib::Headers& headers,
                          const std::set<std::string>& also_dropped) {
  const std::set<std::string> listed = ConnectionTokens(headers);
  httplib::Headers out;
  for (const auto& [name, value] : headers) {
    const std::string lower = LowerAscii(name);
    if (IsHopByHop(lower) || IsPseudoHeader(lower) || listed.count(lower) > 0 ||
        also_dropped.count(lower) > 0) {
      continue;
    }
    out.emplace(name, value);
  }
  return out;
}

httplib::Request UpstreamRequest(const httplib::Request& req, const UpstreamTarget& target) {
  httplib::Request up;
  up.method = req.method;
  up.path = target.base_path + req.target;
  // Host becomes the upstream's (httplib sets it); the length is the body's; "Expect" was
  // answered here.
  up.headers = EndToEnd(req.headers, {"host", "content-length", "expect"});
  // httplib would offer gzip itself; a client that asked for nothing gets nothing encoded.
  if (!up.has_header("Accept-Encoding")) up.headers.emplace("Accept-Encoding", "identity");
  up.headers.emplace("Via", kVia);
  up.body = req.body;
  return up;
}

std::optional<size_t> ContentLength(const httplib::Headers& headers) {
  auto it = headers.find("Content-Length");
  if (it == headers.end()) return std::nullopt;
  size_t length = 0;
  const std::string& text = it->second;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), length);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return length;
}

bool IsChunked(const httplib::Headers& headers) {
  auto it = headers.find("Transfer-Encoding");
  return it != headers.end() && LowerAscii(it->second).find("chunked") != std::string::npos;
}

// The body provider over a streamed upstream answer of known length: a short answer from the
// upstream ends the client's answer short too (the connection is then closed).
httplib::ContentProvider LengthProvider(std::shared_ptr<UpstreamExchange> exchange) {
  return [exchange](size_t, size_t, httplib::DataSink& sink) {
    std::string piece;
    if (!exchange->Read(&piece)) return false;
    return sink.write(piece.data(), piece.size());
  };
}

httplib::ContentProviderWithoutLength ChunkedProvider(std::shared_ptr<UpstreamExchange> exchange) {
  return [exchange](size_t, httplib::DataSink& sink) {
    std::string piece;
    if (exchange->Read(&piece)) return sink.write(piece.data(), piece.size());
    if (exchange->failed()) return false;
    sink.done();
    return true;
  };
}

void RenameHeader(const httplib::Request& req, const std::string& from, const std::string& to) {
  // The Request is httplib's own non-const object for this exchange; handlers get a const view.
  auto& headers = const_cast<httplib::Headers&>(req.headers);
  auto it = headers.find(from);
  if (it == headers.end()) return;
  std::string value = it->second;
  headers.erase(it);
  headers.emplace(to, std::move(value));
}

}  // namespace

FaultProxy::FaultProxy(FaultProxyOptions options, UpstreamTarget target)
    : options_(std::move(options)),
      pool_(std::move(target),
            UpstreamOptions{options_.upstream_ca_file, options_.upstream_connect_timeout,
                            options_.upstream_io_timeout, options_.stream_buffer_bytes}),
      gate_(&faults_, &log_, options_.error_style) {}

StatusOr<std::unique_ptr<FaultProxy>> FaultProxy::Start(FaultProxyOptions options) {
  SYNCAGENT_ASSIGN_OR_RETURN(UpstreamTarget target, ParseUpstreamUrl("upstream", options.upstream));
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return InvalidArgumentError("TLS needs both a certificate and a key file");
  }
  if (options.port < 0 || options.port > 65535) {
    return InvalidArgumentError("port must be in 0..65535");
  }
  if (options.max_body_bytes == 0 || options.stream_buffer_bytes == 0 ||
      options.worker_threads == 0 || options.request_timeout.count() <= 0 ||
      options.upstream_connect_timeout.count() <= 0 || options.upstream_io_timeout.count() <= 0) {
    return InvalidArgumentError("sizes, counts and timeouts must be > 0");
  }
  SSL_CTX* ssl_ctx = nullptr;
  if (!options.tls_cert_file.empty()) {
    SYNCAGENT_ASSIGN_OR_RETURN(
        ssl_ctx, FaultServer::CreateTlsContext(options.tls_cert_file, options.tls_key_file));
  }
  auto server = std::make_unique<FaultServer>(ssl_ctx);  // owns ssl_ctx from here
  std::unique_ptr<FaultProxy> proxy(new FaultProxy(std::move(options), std::move(target)));
  proxy->faults_.Replace(proxy->options_.faults);
  proxy->server_ = std::move(server);
  proxy->server_->Configure({.worker_threads = proxy->options_.worker_threads,
                             .request_timeout = proxy->options_.request_timeout,
                             .max_body_bytes = proxy->options_.max_body_bytes,
                             .error_style = proxy->options_.error_style});
  proxy->Route();
  SYNCAGENT_ASSIGN_OR_RETURN(proxy->port_, proxy->server_->StartOnLoopback(proxy->options_.port));
  return proxy;
}

FaultProxy::~FaultProxy() { Stop(); }

bool FaultProxy::tls() const { return server_ && server_->tls(); }

std::string FaultProxy::base_url() const {
  return std::string(tls() ? "https://" : "http://") + kLoopbackAddress + ":" +
         std::to_string(port_);
}

void FaultProxy::Stop() {
  if (server_) server_->Shutdown();
}

nlohmann::json FaultProxy::Stats() const {
  return {{"forwarded", forwarded_.load()},
          {"upstream_errors", upstream_errors_.load()},
          {"upstream_connections", pool_.clients_created()},
          {"peak_buffered_bytes", peak_buffered_.load()},
          {"requests", log_.total()}};
}

void FaultProxy::Route() {
  FaultServer& server = *server_;
  server.RouteEveryPath(
      [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); });
  // Runs before httplib reads the body.
  server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    RenameHeader(req, "Content-Encoding", kHeldContentEncoding);
    if (HasNoBodyFraming(req)) {
      Handle(req, res);
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server.set_expect_100_continue_handler(
      [this](const httplib::Request& req, httplib::Response& res) {
        if (options_.admin && IsAdminPath(req.path)) return 100;
        return gate_.BeforeBody(req, res, options_.max_body_bytes);
      });
  server.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    gate_.Complete(req, res, /*exempt=*/options_.admin && IsAdminPath(req.path));
  });
}

void FaultProxy::Handle(const httplib::Request& req, httplib::Response& res) {
  RenameHeader(req, kHeldContentEncoding, "Content-Encoding");  // the body has been read
  if (options_.admin && IsAdminPath(req.path)) {
    HandleAdmin(req, res);
    return;
  }
  // The answer's encoding is the upstream's: httplib must not compress it again.
  struct NoRecompression {
    const httplib::Request& req;
    ~NoRecompression() { const_cast<httplib::Headers&>(req.headers).erase("Accept-Encoding"); }
  } no_recompression{req};
  gate_.Serve(req, res, [&] { Forward(req, res); });
}

void FaultProxy::HandleAdmin(const httplib::Request& req, httplib::Response& res) {
  const ErrorStyle style = options_.error_style;
  if (HandleFaultAdmin(faults_, log_, style, req, res)) return;
  if (req.path == "/_admin/stats") {
    if (req.method != "GET") return SetMethodNotAllowed(res, style, "GET");
    return SetJson(res, 200, Stats());
  }
  SetErrorBody(res, style, 404, "not_found",
               "no such fault-proxy admin endpoint: " + req.path +
                   " (faults, requests, stats; the upstream's own /_admin is not reachable "
                   "while --admin is on)");
}

void FaultProxy::Forward(const httplib::Request& req, httplib::Response& res) {
  // The worker thread's connection: stop waiting on the upstream when the proxy stops or the
  // client has gone away.
  const ConnectionContext* context = ConnectionContext::Current();
  auto give_up = [context] {
    return context != nullptr && (context->server_stopping() || context->PeerClosed());
  };
  std::unique_ptr<UpstreamExchange> exchange = UpstreamExchange::Begin(
      &pool_, UpstreamRequest(req, pool_.target()), &peak_buffered_, give_up);
  Status head = exchange->WaitForHead();
  if (head.code() == StatusCode::kCancelled) {
    if (ConnectionContext* current = ConnectionContext::Current()) current->Abort();
    return;
  }
  if (!head.ok()) {
    upstream_errors_.fetch_add(1);
    if (options_.log)
      options_.log("fault-proxy: " + req.method + " " + req.path + ": " + head.message());
    SetErrorBody(res, options_.error_style, 502, "bad_gateway", head.message());
    return;
  }
  forwarded_.fetch_add(1);
  const httplib::Headers& headers = exchange->headers();
  res.status = exchange->status();
  res.headers = EndToEnd(headers, {"content-length", "content-type"});
  const std::string content_type =
      headers.count("Content-Type") ? headers.find("Content-Type")->second : "";
  const std::optional<size_t> length = ContentLength(headers);
  const bool chunked = IsChunked(headers);
  const bool no_body = req.method == "HEAD" || res.status == 204 || res.status == 304 ||
                       res.status < 200 || (!chunked && length && *length == 0);
  if (no_body) {
    if (!content_type.empty()) res.set_header("Content-Type", content_type);
    if (req.method == "HEAD" && length) res.set_header("Content-Length", std::to_string(*length));
    std::string rest;
    while (exchange->Read(&rest)) {
    }
    return;
  }
  std::shared_ptr<UpstreamExchange> shared = std::move(exchange);
  if (length && !chunked) {
    res.set_content_provider(*length, content_type, LengthProvider(shared));
  } else {  // chunked, or delimited by the upstream closing the connection
    res.set_chunked_content_provider(content_type, ChunkedProvider(shared));
  }
  if (content_type.empty()) res.headers.erase("Content-Type");
}

}  // namespace syncagent::faults
