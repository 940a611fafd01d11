// FaultServer: an httplib::Server that owns the connection loop, so faults can reach the wire.
//
// It overrides httplib's (private, virtual) process_and_close_socket: each accepted socket is
// served on one worker thread through a ConnectionStream, optionally after a TLS handshake with
// our own SSL_CTX (this replaces httplib::SSLServer), with the connection's ConnectionContext
// published to handlers. After the last request the socket is closed the way the handlers asked:
// TLS close_notify + FIN normally, FIN without close_notify when aborted, RST when reset.
// BeginShutdown() makes every hang, delay and drip give up promptly so stop() never waits on them.
// A request (line, headers and body) must arrive within the request timeout from its first byte:
// a client that trickles it is answered 408 and disconnected, so it cannot hold a worker thread.
//
// Thread safety: as httplib::Server (configure, then listen on one thread, stop from another).
#ifndef SYNCAGENT_TOOLS_MOCK_SERVER_FAULT_SERVER_H_
#define SYNCAGENT_TOOLS_MOCK_SERVER_FAULT_SERVER_H_

#include <httplib.h>
#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <string>

#include "syncagent/status.h"

namespace syncagent::mock {

class FaultServer final : public httplib::Server {
 public:
  // `ssl_ctx` (owned; may be null for plain HTTP).
  explicit FaultServer(SSL_CTX* ssl_ctx);
  ~FaultServer() override;

  // A TLS 1.2+ server context for the PEM certificate chain and key files.
  static StatusOr<SSL_CTX*> CreateTlsContext(const std::string& cert_file,
                                             const std::string& key_file);

  bool tls() const { return ssl_ctx_ != nullptr; }
  // REQUIRES: before listening; timeout > 0.
  void set_request_timeout(std::chrono::milliseconds timeout) { request_timeout_ = timeout; }
  void BeginShutdown() { stopping_ = true; }

 private:
  bool process_and_close_socket(socket_t sock) override;
  // The server side of a TLS handshake on `fd`; null on failure, timeout or shutdown.
  SSL* Handshake(int fd) const;
  // Writes a complete 408 answer (JSON error body, "Connection: close").
  void WriteRequestTimeout(httplib::Stream& stream) const;
  // Waits for the next request on a kept-alive connection; false on timeout or shutdown.
  bool WaitForRequest(int fd, SSL* ssl) const;

  SSL_CTX* ssl_ctx_;
  std::chrono::milliseconds request_timeout_{10000};
  std::atomic<bool> stopping_{false};
};

}  // namespace syncagent::mock

#endif  // SYNCAGENT_TOOLS_MOCK_SERVER_FAULT_SERVER_H_
