// FaultServer: an httplib::Server that owns the connection loop, so faults can reach the wire.
//
// It overrides httplib's (private, virtual) process_and_close_socket: each accepted socket is
// served on one worker thread through a ConnectionStream, optionally after a TLS handshake with
// our own SSL_CTX (this replaces httplib::SSLServer), with the connection's ConnectionContext
// published to handlers. After the last request the socket is closed the way the handlers asked:
// TLS close_notify + FIN normally, FIN without close_notify when aborted, RST when reset.
// Shutdown() makes every hang, delay and drip give up promptly so stopping never waits on them.
// A request (line, headers and body) must arrive within the request timeout from its first byte:
// a client that trickles it is answered 408 and disconnected, so it cannot hold a worker thread.
//
// Configure() and StartOnLoopback() hold what the mock server and the fault proxy set up alike.
//
// Thread safety: as httplib::Server: configure, then StartOnLoopback() (which serves on a thread
// of its own), and Shutdown() from any one thread.
#ifndef SYNCAGENT_TOOLS_FAULTS_FAULT_SERVER_H_
#define SYNCAGENT_TOOLS_FAULTS_FAULT_SERVER_H_

#include <httplib.h>
#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <thread>

#include "syncagent/status.h"
#include "tools/faults/http_json.h"

namespace syncagent::faults {

class ConnectionStream;

inline constexpr const char* kLoopbackAddress = "127.0.0.1";

struct FaultServerConfig {
  size_t worker_threads = 64;  // connections served at once; more wait for a free worker
  // A request's line, headers and body must arrive within this time of its first byte.
  std::chrono::milliseconds request_timeout{10000};
  size_t max_body_bytes = 4 * 1024 * 1024;          // larger request bodies get 413
  ErrorStyle error_style = ErrorStyle::kSyncagent;  // for the answers httplib makes itself
};

class FaultServer final : public httplib::Server {
 public:
  // `ssl_ctx` (owned; may be null for plain HTTP).
  explicit FaultServer(SSL_CTX* ssl_ctx);
  ~FaultServer() override;  // Shutdown()s.

  // A TLS 1.2+ server context for the PEM certificate chain and key files.
  static StatusOr<SSL_CTX*> CreateTlsContext(const std::string& cert_file,
                                             const std::string& key_file);

  bool tls() const { return ssl_ctx_ != nullptr; }

  // The settings shared by every server on the fault engine: the worker pool, the request
  // timeout, the body cap, keep-alive, TCP_NODELAY, no SO_REUSEPORT, and error bodies in
  // `config.error_style` for what httplib answers itself (400, 413, 408) or an exception.
  // REQUIRES: before StartOnLoopback(); every number > 0.
  void Configure(const FaultServerConfig& config);

  // Sends every request (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS; any path) to `handler`.
  void RouteEveryPath(const Handler& handler);

  // Binds 127.0.0.1:port (0 = an ephemeral port) and serves on a background thread. Returns the
  // port.
  StatusOr<int> StartOnLoopback(int port);

  // Stops accepting, ends every connection (hangs, delays and drips give up promptly) and joins
  // the serving thread. Idempotent.
  void Shutdown();

 private:
  bool process_and_close_socket(socket_t sock) override;
  // The server side of a TLS handshake on `fd`; null on failure, timeout or shutdown.
  SSL* Handshake(int fd) const;
  // Writes a complete 408 answer (JSON error body, "Connection: close").
  void WriteRequestTimeout(httplib::Stream& stream) const;
  // Waits for the next request on a kept-alive connection; false on timeout or shutdown.
  bool WaitForRequest(const ConnectionStream& stream, int fd, SSL* ssl) const;

  SSL_CTX* ssl_ctx_;
  std::chrono::milliseconds request_timeout_{10000};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace syncagent::faults

#endif  // SYNCAGENT_TOOLS_FAULTS_FAULT_SERVER_H_
