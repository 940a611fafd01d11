#include "tools/faults/fault_server.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "tools/faults/connection_context.h"
#include "tools/faults/connection_stream.h"

namespace syncagent::faults {
namespace {

std::string OpenSslError() {
  char buffer[256] = {};
  ERR_error_string_n(ERR_get_error(), buffer, sizeof(buffer));
  return buffer;
}

void SetSocketTimeouts(int fd, time_t seconds) {
  timeval tv{seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

}  // namespace

FaultServer::FaultServer(SSL_CTX* ssl_ctx) : ssl_ctx_(ssl_ctx) {}

FaultServer::~FaultServer() {
  Shutdown();
  if (ssl_ctx_) SSL_CTX_free(ssl_ctx_);
}

void FaultServer::Configure(const FaultServerConfig& config) {
  constexpr size_t kKeepAliveMaxRequests = 100;
  const size_t workers = config.worker_threads;
  new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  request_timeout_ = config.request_timeout;
  set_payload_max_length(config.max_body_bytes);
  set_keep_alive_max_count(kKeepAliveMaxRequests);
  // Responses go out as header and body writes; without TCP_NODELAY, Nagle holds the body back
  // until the client's delayed ACK (~40 ms on Linux), which would dominate every loopback request.
  set_tcp_nodelay(true);
  // httplib's default also sets SO_REUSEPORT, which would let two servers share a port.
  set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  const ErrorStyle style = config.error_style;
  set_error_handler(HandlerWithResponse([style](const httplib::Request&, httplib::Response& res) {
    // Only fill in answers httplib produced itself (413, 400, 415...): ours carry a body.
    if (!res.body.empty() || res.content_provider_) return HandlerResponse::Unhandled;
    // The request deadline cut the header block off: not a malformed request.
    const ConnectionContext* context = ConnectionContext::Current();
    if (context && context->request_timed_out()) {
      SetErrorBody(res, style, 408, DefaultErrorCode(408), "request not received in time");
      return HandlerResponse::Handled;
    }
    SetErrorBody(res, style, res.status, DefaultErrorCode(res.status),
                 "HTTP " + std::to_string(res.status) + " (answered by the HTTP layer)");
    return HandlerResponse::Handled;
  }));
  set_exception_handler(
      [style](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        SetErrorBody(res, style, 500, DefaultErrorCode(500), "unexpected exception in the server");
      });
}

void FaultServer::RouteEveryPath(const Handler& handler) {
  Get(".*", handler);  // HEAD too
  Post(".*", handler);
  Put(".*", handler);
  Patch(".*", handler);
  Delete(".*", handler);
  Options(".*", handler);
}

StatusOr<int> FaultServer::StartOnLoopback(int port) {
  const int bound = port == 0 ? bind_to_any_port(kLoopbackAddress)
                              : (bind_to_port(kLoopbackAddress, port) ? port : -1);
  if (bound <= 0) {
    return UnavailableError("cannot listen on " + std::string(kLoopbackAddress) + ":" +
                            std::to_string(port));
  }
  thread_ = std::thread([this] { listen_after_bind(); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!is_running()) {
    Shutdown();
    return InternalError("the server did not start listening");
  }
  return bound;
}

void FaultServer::Shutdown() {
  stopping_ = true;
  stop();
  if (thread_.joinable()) thread_.join();
}

StatusOr<SSL_CTX*> FaultServer::CreateTlsContext(const std::string& cert_file,
                                                 const std::string& key_file) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) return InternalError("SSL_CTX_new failed: " + OpenSslError());
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    SSL_CTX_free(ctx);
    return InvalidArgumentError("cannot load TLS certificate " + cert_file + ": " + OpenSslError());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    SSL_CTX_free(ctx);
    return InvalidArgumentError("cannot load TLS key " + key_file + ": " + OpenSslError());
  }
  return ctx;
}

bool FaultServer::WaitForRequest(const ConnectionStream& stream, int fd, SSL* ssl) const {
  if (stream.HasBuffered()) return true;  // pipelined: the next request is already read
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(keep_alive_timeout_sec_);
  while (svr_sock_ != INVALID_SOCKET && !stopping_) {
    if (ssl && SSL_pending(ssl) > 0) return true;
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, 50) > 0) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
  }
  return false;
}

SSL* FaultServer::Handshake(int fd) const {
  SSL* ssl = SSL_new(ssl_ctx_);
  if (!ssl || SSL_set_fd(ssl, fd) != 1) {
    if (ssl) SSL_free(ssl);
    return nullptr;
  }
  // Non-blocking, so that a client that never finishes its handshake cannot hold up stop().
  const int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(read_timeout_sec_);
  bool ok = false;
  while (!stopping_ && std::chrono::steady_clock::now() < deadline) {
    const int rc = SSL_accept(ssl);
    if (rc == 1) {
      ok = true;
      break;
    }
    const int error = SSL_get_error(ssl, rc);
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) break;
    pollfd pfd{fd, static_cast<short>(error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), 0};
    ::poll(&pfd, 1, 50);
  }
  ::fcntl(fd, F_SETFL, flags);
  ERR_clear_error();
  if (!ok) {
    SSL_free(ssl);
    return nullptr;
  }
  return ssl;
}

void FaultServer::WriteRequestTimeout(httplib::Stream& stream) const {
  const std::string body = R"({"error":{"code":"request_timeout","message":"request not received )"
                           R"(within )" +
                           std::to_string(request_timeout_.count()) + R"( ms"}})";
  const std::string response =
      "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  stream.write(response.data(), response.size());
}

bool FaultServer::process_and_close_socket(socket_t sock) {
  // A peer that went away must not kill the process: SSL_write cannot pass MSG_NOSIGNAL, so
  // SIGPIPE is blocked on worker threads (a blocked, thread-directed SIGPIPE turns into EPIPE).
  sigset_t sigpipe;
  sigemptyset(&sigpipe);
  sigaddset(&sigpipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &sigpipe, nullptr);
  SetSocketTimeouts(sock, read_timeout_sec_);
  SSL* ssl = nullptr;
  if (ssl_ctx_) {
    ssl = Handshake(sock);
    if (!ssl) {
      ::close(sock);
      return false;
    }
  }
  ConnectionContext context(sock, ssl, &stopping_);
  bool ok = true;
  {
    ConnectionContext::Scope scope(&context);
    ConnectionStream stream(&context, static_cast<int>(read_timeout_sec_ * 1000),
                            static_cast<int>(write_timeout_sec_ * 1000));
    // The keep-alive loop of httplib's process_server_socket_core.
    for (size_t left = keep_alive_max_count_; left > 0; --left) {
      if (!WaitForRequest(stream, sock, ssl)) break;
      context.StartRequest(std::chrono::steady_clock::now() + request_timeout_);
      const uint64_t written = context.bytes_written();
      bool connection_closed = false;
      ok = process_request(stream, /*close_connection=*/left == 1, connection_closed, nullptr);
      if (context.request_timed_out()) {
        // httplib answers an incomplete header block itself (408 via the error handler) but
        // drops an incomplete request line silently: answer that one here.
        if (context.bytes_written() == written) WriteRequestTimeout(stream);
        break;
      }
      if (!ok || connection_closed || context.aborted() || context.close_after_response()) break;
    }
  }
  if (context.reset()) {
    linger option{1, 0};
    ::setsockopt(sock, SOL_SOCKET, SO_LINGER, &option, sizeof(option));
  } else {
    if (ssl && !context.aborted()) SSL_shutdown(ssl);
    ::shutdown(sock, SHUT_RDWR);
  }
  if (ssl) SSL_free(ssl);
  ERR_clear_error();
  ::close(sock);
  // Discard a SIGPIPE left pending by a write to a vanished peer.
  const timespec no_wait{0, 0};
  while (sigtimedwait(&sigpipe, nullptr, &no_wait) > 0) {
  }
  return ok;
}

}  // namespace syncagent::faults
