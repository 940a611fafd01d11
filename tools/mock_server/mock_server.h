// MockServer: an in-process syncagent/1 sync server for tests, demos and the CLI.
//
// Implements docs/protocol.md exactly (push with optimistic concurrency and exactly-once replay,
// compacted pull feed with cursors and ETags, bearer auth, gzip both ways, the error model), plus
// what a test needs to make a client's life hard: fault injection down to the TCP level, a request
// log, exactly-once statistics, documents written "by another client", and optional SQLite
// persistence so a restart keeps the state. It only ever listens on 127.0.0.1.
// See docs/mock-server.md for the admin endpoints and the fault scenario format.
//
// Thread safety: Start/Stop from one thread; every accessor is thread-safe and may be used while
// the server is serving requests.
#ifndef SYNCAGENT_TOOLS_MOCK_SERVER_MOCK_SERVER_H_
#define SYNCAGENT_TOOLS_MOCK_SERVER_MOCK_SERVER_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "syncagent/status.h"
#include "tools/faults/fault_gate.h"
#include "tools/faults/fault_injector.h"
#include "tools/faults/fault_scenario.h"
#include "tools/faults/fault_server.h"
#include "tools/faults/request_log.h"
#include "tools/mock_server/sync_state.h"

namespace httplib {
class Request;
struct Response;
}  // namespace httplib

namespace syncagent::mock {

class AdminHandlers;
class ProtocolHandlers;

inline constexpr size_t kDefaultMaxBodyBytes = 4 * 1024 * 1024;

struct MockServerOptions {
  int port = 0;                           // 0 = an ephemeral port (see MockServer::port())
  std::string tls_cert_file;              // PEM certificate (chain); with tls_key_file: serve HTTPS
  std::string tls_key_file;               // PEM private key
  std::string token;                      // when set, /v1/* require "Authorization: Bearer <token>"
  std::string data_file;                  // SQLite file for persistence; "" = in memory
  std::vector<faults::FaultRule> faults;  // the initial fault scenario
  bool admin = false;                     // serve /_admin/*
  size_t max_body_bytes = kDefaultMaxBodyBytes;  // larger request bodies get 413
  // A request's line, headers and body must arrive within this time of its first byte; a slower
  // (trickling) client gets 408 and is disconnected, so it cannot hold a worker thread.
  std::chrono::milliseconds request_timeout{10000};
  size_t worker_threads = 64;  // connections served at once; more wait for a free worker
};

class MockServer {
 public:
  // Binds 127.0.0.1:port and starts serving on background threads.
  static StatusOr<std::unique_ptr<MockServer>> Start(MockServerOptions options);
  ~MockServer();  // Stop()s.
  MockServer(const MockServer&) = delete;
  MockServer& operator=(const MockServer&) = delete;

  int port() const { return port_; }
  bool tls() const;
  // "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT" (no trailing slash).
  std::string base_url() const;

  // Stops accepting, ends every connection (including hanging and dripping ones) and joins the
  // server threads. Idempotent.
  void Stop();

  // In-process equivalents of the admin endpoints (usable whether or not admin is enabled).
  faults::FaultInjector& faults() { return faults_; }
  faults::RequestLog& requests() { return log_; }
  SyncState& state() { return *state_; }
  nlohmann::json Stats() const;  // as GET /_admin/stats
  std::vector<DocumentState> Documents() const { return state_->Documents(); }
  // As POST /_admin/reset: forgets documents, the feed, mutation ids, faults and the log.
  Status Reset();

 private:
  MockServer(MockServerOptions options, std::unique_ptr<SyncState> state);
  // Installs the handlers on server_.
  void Route();
  void Handle(const httplib::Request& req, httplib::Response& res);
  // "Expect: 100-continue": decides the request's fault before httplib sends "100 Continue".
  int ExpectContinue(const httplib::Request& req, httplib::Response& res);

  MockServerOptions options_;
  std::unique_ptr<SyncState> state_;
  faults::FaultInjector faults_;
  faults::RequestLog log_;
  faults::FaultGate gate_{&faults_, &log_, faults::ErrorStyle::kSyncagent};
  std::unique_ptr<ProtocolHandlers> protocol_;
  std::unique_ptr<AdminHandlers> admin_;
  std::unique_ptr<faults::FaultServer> server_;
  int port_ = 0;
};

}  // namespace syncagent::mock

#endif  // SYNCAGENT_TOOLS_MOCK_SERVER_MOCK_SERVER_H_
