#include "tools/mock_server/mock_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>

#include "tools/mock_server/admin_handlers.h"
#include "tools/mock_server/connection_context.h"
#include "tools/mock_server/fault_executor.h"
#include "tools/mock_server/fault_server.h"
#include "tools/mock_server/http_util.h"
#include "tools/mock_server/protocol_handlers.h"

namespace syncagent::mock {
namespace {

constexpr size_t kKeepAliveMaxRequests = 100;

bool IsAdminPath(const std::string& path) { return path.rfind("/_admin", 0) == 0; }

}  // namespace

MockServer::MockServer(MockServerOptions options, std::unique_ptr<SyncState> state)
    : options_(std::move(options)), state_(std::move(state)) {}

StatusOr<std::unique_ptr<MockServer>> MockServer::Start(MockServerOptions options) {
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return InvalidArgumentError("TLS needs both a certificate and a key file");
  }
  if (options.port < 0 || options.port > 65535) {
    return InvalidArgumentError("port must be in 0..65535");
  }
  if (options.max_body_bytes == 0) return InvalidArgumentError("max_body_bytes must be > 0");
  if (options.request_timeout.count() <= 0) {
    return InvalidArgumentError("request_timeout must be > 0 ms");
  }
  if (options.worker_threads == 0) return InvalidArgumentError("worker_threads must be > 0");
  SSL_CTX* ssl_ctx = nullptr;
  if (!options.tls_cert_file.empty()) {
    SYNCAGENT_ASSIGN_OR_RETURN(
        ssl_ctx, FaultServer::CreateTlsContext(options.tls_cert_file, options.tls_key_file));
  }
  auto server_or = std::make_unique<FaultServer>(ssl_ctx);  // owns ssl_ctx from here
  SYNCAGENT_ASSIGN_OR_RETURN(std::unique_ptr<SyncState> state, SyncState::Open(options.data_file));

  std::unique_ptr<MockServer> mock(new MockServer(std::move(options), std::move(state)));
  MockServer* self = mock.get();
  self->faults_.Replace(self->options_.faults);
  self->protocol_ = std::make_unique<ProtocolHandlers>(self->state_.get(), self->options_.token,
                                                       self->options_.max_body_bytes);
  self->admin_ = std::make_unique<AdminHandlers>(self->state_.get(), &self->faults_, &self->log_,
                                                 [self] { return self->Reset(); });
  self->server_ = std::move(server_or);

  FaultServer& server = *self->server_;
  const size_t workers = self->options_.worker_threads;
  server.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  server.set_request_timeout(self->options_.request_timeout);
  server.set_payload_max_length(self->options_.max_body_bytes);
  server.set_keep_alive_max_count(kKeepAliveMaxRequests);
  // Responses go out as header and body writes; without TCP_NODELAY, Nagle holds the body back
  // until the client's delayed ACK (~40 ms on Linux), which would dominate every loopback request.
  server.set_tcp_nodelay(true);
  // httplib's default also sets SO_REUSEPORT, which would let two servers share a port.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  auto handler = [self](const httplib::Request& req, httplib::Response& res) {
    self->Handle(req, res);
  };
  server.Get(".*", handler);
  server.Post(".*", handler);
  server.Put(".*", handler);
  server.Patch(".*", handler);
  server.Delete(".*", handler);
  server.Options(".*", handler);
  server.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        // Only fill in answers httplib produced itself (413, 400, 415...): ours carry a body.
        if (!res.body.empty() || res.content_provider_) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        // The request deadline cut the header block off (FaultServer): not a malformed request.
        const ConnectionContext* context = ConnectionContext::Current();
        if (context && context->request_timed_out()) {
          SetError(res, 408, "request_timeout", "request not received in time");
          return httplib::Server::HandlerResponse::Handled;
        }
        SetError(res, res.status, DefaultErrorCode(res.status),
                 "HTTP " + std::to_string(res.status) + " (answered by the HTTP layer)");
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        SetError(res, 500, "internal", "unexpected exception in the mock server");
      });
  // Runs before httplib reads the body.
  server.set_pre_routing_handler([self](const httplib::Request& req, httplib::Response& res) {
    if (RejectUnsupportedEncoding(req, res)) {  // httplib would answer 400
      if (ConnectionContext* context = ConnectionContext::Current()) context->CloseAfterResponse();
      return httplib::Server::HandlerResponse::Handled;
    }
    // No Content-Length and not chunked: the request has no body (RFC 9112 section 6.3), but
    // httplib would read one until the connection closes or times out (then 400).
    const bool may_have_body = req.method == "POST" || req.method == "PUT" ||
                               req.method == "PATCH" || req.method == "DELETE";
    if (may_have_body && !req.has_header("Content-Length") &&
        !req.has_header("Transfer-Encoding")) {
      self->Handle(req, res);
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server.set_expect_100_continue_handler(
      [self](const httplib::Request& req, httplib::Response& res) {
        return self->ExpectContinue(req, res);
      });
  server.set_logger(
      [self](const httplib::Request& req, const httplib::Response& res) { self->Log(req, res); });

  const int requested = self->options_.port;
  const int port = requested == 0
                       ? server.bind_to_any_port(kMockServerBindAddress)
                       : (server.bind_to_port(kMockServerBindAddress, requested) ? requested : -1);
  if (port <= 0) {
    return UnavailableError("cannot listen on " + std::string(kMockServerBindAddress) + ":" +
                            std::to_string(requested));
  }
  self->port_ = port;
  self->thread_ = std::thread([&server] { server.listen_after_bind(); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server.is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!server.is_running()) {
    self->Stop();
    return InternalError("the mock server did not start");
  }
  return mock;
}

MockServer::~MockServer() { Stop(); }

bool MockServer::tls() const { return server_ && server_->tls(); }

std::string MockServer::base_url() const {
  return std::string(tls() ? "https://" : "http://") + kMockServerBindAddress + ":" +
         std::to_string(port_);
}

void MockServer::Stop() {
  if (!server_) return;
  server_->BeginShutdown();
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

nlohmann::json MockServer::Stats() const { return StatsToJson(state_->GetStats(), log_.total()); }

Status MockServer::Reset() {
  faults_.Clear();
  log_.Clear();
  return state_->Reset();
}

void MockServer::Handle(const httplib::Request& req, httplib::Response& res) {
  // syncagent/1 defines gzip only: httplib would pick brotli when offered, so the request's
  // Accept-Encoding is narrowed to "gzip" (or nothing) once it has been logged. The Request is
  // httplib's non-const local for this exchange; the handler only receives a const view of it.
  struct NarrowAcceptEncoding {
    const httplib::Request& req;
    ~NarrowAcceptEncoding() {
      auto& headers = const_cast<httplib::Request&>(req).headers;
      const bool gzip = AcceptsGzip(req.get_header_value("Accept-Encoding"));
      headers.erase("Accept-Encoding");
      if (gzip) headers.emplace("Accept-Encoding", "gzip");
    }
  } narrow{req};
  if (IsAdminPath(req.path)) {
    if (options_.admin) {
      admin_->Handle(req, res);
    } else {
      SetError(res, 404, "not_found", "admin endpoints are disabled (start with --admin)");
    }
    return;
  }
  ConnectionContext* context = ConnectionContext::Current();
  const int64_t id =
      log_.Begin(req.method, req.path, QueryOf(req.target), RedactedHeaders(req.headers));
  if (context) context->log_id = id;
  auto process = [&] { protocol_->Handle(req, res); };
  std::optional<FaultAction> action = context && context->fault_decided
                                          ? context->pending_fault
                                          : faults_.Next(req.method, req.path);
  if (action) {
    if (context) context->fault = FaultKindName(action->kind);
    ApplyFault(*action, req, res, process);
  } else {
    process();
  }
  // Visible as soon as the client has its answer; Log() completes the entry after the write.
  log_.SetStatus(id, context && context->aborted() ? 0 : res.status);
}

int MockServer::ExpectContinue(const httplib::Request& req, httplib::Response& res) {
  ConnectionContext* context = ConnectionContext::Current();
  if (IsAdminPath(req.path) || !context) return 100;
  // A declared body over the limit is refused before the client uploads it (no fault is drawn,
  // as for a 413 answered without "Expect").
  if (RejectUnsupportedEncoding(req, res)) {  // before the client uploads the body
    context->CloseAfterResponse();
    return res.status;
  }
  const uint64_t declared = req.get_header_value<uint64_t>("Content-Length");
  if (declared > options_.max_body_bytes) {
    SetError(res, 413, "payload_too_large",
             "request body exceeds " + std::to_string(options_.max_body_bytes) + " bytes");
    context->CloseAfterResponse();
    return 413;
  }
  context->fault_decided = true;
  context->pending_fault = faults_.Next(req.method, req.path);
  const std::optional<FaultAction>& action = context->pending_fault;
  if (!action || !IsReplacingFault(action->kind) || action->after_processing) return 100;
  // A fault that replaces the answer without processing: answer now, before "100 Continue" and
  // without reading the body (so close_before_response really sends nothing), then close.
  context->fault = FaultKindName(action->kind);
  ApplyFault(*action, req, res, [] {});
  context->CloseAfterResponse();
  if (context->aborted()) return 500;  // any final status: the write fails, nothing is sent
  return res.status == 100 || res.status == 417 ? 500 : res.status;
}

void MockServer::Log(const httplib::Request& req, const httplib::Response& res) {
  ConnectionContext* context = ConnectionContext::Current();
  RequestLogEntry outcome;
  int64_t id = -1;
  if (context) {
    id = context->log_id;
    outcome.fault = context->fault;
    context->EndRequest(&outcome.request_bytes, &outcome.response_bytes);
  }
  if (id < 0 && IsAdminPath(req.path)) return;
  outcome.status = context && context->aborted() && outcome.response_bytes == 0 ? 0 : res.status;
  if (id < 0) {
    outcome.method = req.method;
    outcome.path = req.path;
    outcome.query = QueryOf(req.target);
    outcome.headers = RedactedHeaders(req.headers);
  }
  log_.Finish(id, outcome);
}

}  // namespace syncagent::mock
