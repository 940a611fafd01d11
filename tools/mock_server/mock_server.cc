#include "tools/mock_server/mock_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>

#include "tools/faults/connection_context.h"
#include "tools/faults/fault_admin.h"
#include "tools/mock_server/admin_handlers.h"
#include "tools/mock_server/http_util.h"
#include "tools/mock_server/protocol_handlers.h"

namespace syncagent::mock {

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
    SYNCAGENT_ASSIGN_OR_RETURN(ssl_ctx, faults::FaultServer::CreateTlsContext(
                                            options.tls_cert_file, options.tls_key_file));
  }
  auto server = std::make_unique<faults::FaultServer>(ssl_ctx);  // owns ssl_ctx from here
  SYNCAGENT_ASSIGN_OR_RETURN(std::unique_ptr<SyncState> state, SyncState::Open(options.data_file));

  std::unique_ptr<MockServer> mock(new MockServer(std::move(options), std::move(state)));
  MockServer* self = mock.get();
  self->faults_.Replace(self->options_.faults);
  self->protocol_ = std::make_unique<ProtocolHandlers>(self->state_.get(), self->options_.token,
                                                       self->options_.max_body_bytes);
  self->admin_ = std::make_unique<AdminHandlers>(self->state_.get(), &self->faults_, &self->log_,
                                                 [self] { return self->Reset(); });
  self->server_ = std::move(server);
  self->server_->Configure({.worker_threads = self->options_.worker_threads,
                            .request_timeout = self->options_.request_timeout,
                            .max_body_bytes = self->options_.max_body_bytes,
                            .error_style = faults::ErrorStyle::kSyncagent});
  self->Route();
  SYNCAGENT_ASSIGN_OR_RETURN(self->port_, self->server_->StartOnLoopback(self->options_.port));
  return mock;
}

void MockServer::Route() {
  faults::FaultServer& server = *server_;
  server.RouteEveryPath(
      [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); });
  // Runs before httplib reads the body.
  server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (RejectUnsupportedEncoding(req, res)) {  // httplib would answer 400
      if (auto* context = faults::ConnectionContext::Current()) context->CloseAfterResponse();
      return httplib::Server::HandlerResponse::Handled;
    }
    if (faults::HasNoBodyFraming(req)) {
      Handle(req, res);
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server.set_expect_100_continue_handler(
      [this](const httplib::Request& req, httplib::Response& res) {
        return ExpectContinue(req, res);
      });
  server.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    gate_.Complete(req, res, /*exempt=*/faults::IsAdminPath(req.path));
  });
}

MockServer::~MockServer() { Stop(); }

bool MockServer::tls() const { return server_ && server_->tls(); }

std::string MockServer::base_url() const {
  return std::string(tls() ? "https://" : "http://") + faults::kLoopbackAddress + ":" +
         std::to_string(port_);
}

void MockServer::Stop() {
  if (server_) server_->Shutdown();
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
      const bool gzip = faults::AcceptsGzip(req.get_header_value("Accept-Encoding"));
      headers.erase("Accept-Encoding");
      if (gzip) headers.emplace("Accept-Encoding", "gzip");
    }
  } narrow{req};
  if (faults::IsAdminPath(req.path)) {
    if (options_.admin) {
      admin_->Handle(req, res);
    } else {
      SetError(res, 404, "not_found", "admin endpoints are disabled (start with --admin)");
    }
    return;
  }
  gate_.Serve(req, res, [&] { protocol_->Handle(req, res); });
}

int MockServer::ExpectContinue(const httplib::Request& req, httplib::Response& res) {
  faults::ConnectionContext* context = faults::ConnectionContext::Current();
  if (faults::IsAdminPath(req.path) || !context) return 100;
  if (RejectUnsupportedEncoding(req, res)) {  // before the client uploads the body
    context->CloseAfterResponse();
    return res.status;
  }
  return gate_.BeforeBody(req, res, options_.max_body_bytes);
}

}  // namespace syncagent::mock
