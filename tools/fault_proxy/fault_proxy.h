// FaultProxy: an HTTP/1.1 reverse proxy on 127.0.0.1 that injects the fault engine's faults in
// front of any server (docs/fault-proxy.md).
//
// Every request is forwarded to the upstream as it came (method, target, body, headers with
// Authorization; hop-by-hop headers dropped, Host set to the upstream's) and the upstream's
// status, headers and body come back; gzip passes through untouched both ways. Answers are
// streamed through a bounded buffer, over kept-alive connections on both sides. Faults follow the
// mock server's scenario format and rules (tools/faults): `after_processing` forwards the request
// and receives the upstream's whole answer before the fault replaces it, so the client loses an
// answer the server has already acted on. An upstream that cannot be reached gets the client a
// 502 naming it. With `admin`, /_admin/faults, /_admin/requests and /_admin/stats are the
// proxy's own; without, /_admin/* is forwarded like any path.
//
// Thread safety: Start/Stop from one thread; the accessors are thread-safe while serving.
#ifndef SYNCAGENT_TOOLS_FAULT_PROXY_FAULT_PROXY_H_
#define SYNCAGENT_TOOLS_FAULT_PROXY_FAULT_PROXY_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "syncagent/status.h"
#include "tools/fault_proxy/upstream.h"
#include "tools/faults/fault_gate.h"
#include "tools/faults/fault_injector.h"
#include "tools/faults/fault_scenario.h"
#include "tools/faults/fault_server.h"
#include "tools/faults/request_log.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace syncagent::faults {

struct FaultProxyOptions {
  std::string upstream;           // http(s)://HOST:PORT[/BASE] (required)
  int port = 0;                   // 0 = an ephemeral port
  std::string tls_cert_file;      // PEM certificate (chain); with tls_key_file: serve HTTPS
  std::string tls_key_file;       // PEM private key
  std::string upstream_ca_file;   // PEM CA bundle to verify an https upstream ("" = system's)
  std::vector<FaultRule> faults;  // the initial fault scenario
  bool admin = false;             // serve the proxy's own /_admin/* endpoints
  ErrorStyle error_style = ErrorStyle::kSyncagent;  // body of injected statuses and of 502
  size_t max_body_bytes = 64 * 1024 * 1024;         // larger request bodies get 413
  size_t stream_buffer_bytes = 1 << 20;             // answer bytes held per request, at most
  std::chrono::milliseconds upstream_connect_timeout{5000};
  std::chrono::milliseconds upstream_io_timeout{60000};
  std::chrono::milliseconds request_timeout{10000};  // a client's request must arrive within it
  size_t worker_threads = 64;
  // Receives one line per noteworthy event (an unreachable upstream); may be empty.
  std::function<void(std::string_view line)> log;
};

class FaultProxy {
 public:
  // Validates the options, binds 127.0.0.1:port and starts serving on background threads.
  static StatusOr<std::unique_ptr<FaultProxy>> Start(FaultProxyOptions options);
  ~FaultProxy();  // Stop()s.
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const { return port_; }
  bool tls() const;
  // "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT".
  std::string base_url() const;
  const UpstreamTarget& upstream() const { return pool_.target(); }

  // Stops accepting, ends every connection and joins the threads. Idempotent.
  void Stop();

  FaultInjector& faults() { return faults_; }
  RequestLog& requests() { return log_; }
  // {"forwarded":n,"upstream_errors":n,"upstream_connections":n,"peak_buffered_bytes":n,
  //  "requests":n}, as GET /_admin/stats.
  nlohmann::json Stats() const;

 private:
  FaultProxy(FaultProxyOptions options, UpstreamTarget target);
  void Route();
  void Handle(const httplib::Request& req, httplib::Response& res);
  // Forwards req and streams the upstream's answer into res (or answers 502).
  void Forward(const httplib::Request& req, httplib::Response& res);
  void HandleAdmin(const httplib::Request& req, httplib::Response& res);

  FaultProxyOptions options_;
  UpstreamPool pool_;
  FaultInjector faults_;
  RequestLog log_;
  FaultGate gate_;
  std::unique_ptr<FaultServer> server_;
  int port_ = 0;
  std::atomic<int64_t> forwarded_{0};
  std::atomic<int64_t> upstream_errors_{0};
  std::atomic<size_t> peak_buffered_{0};
};

}  // namespace syncagent::faults

#endif  // SYNCAGENT_TOOLS_FAULT_PROXY_FAULT_PROXY_H_
