// ConnectionContext: the state of one accepted connection, reachable from request handlers.
//
// cpp-httplib hands handlers a Request/Response but not the socket. FaultServer runs each
// connection on one worker thread and publishes its ConnectionContext in a thread_local for the
// connection's lifetime, so a fault handler can make the connection misbehave at the wire level:
// stop writing and close (FIN) or reset it (RST), or slow its writes down (drip). It also counts
// the bytes read and written, for the request log.
//
// Thread safety: owned by and used on the connection's worker thread only; the server-stopping
// flag it observes is atomic.
#ifndef SYNCAGENT_TOOLS_FAULTS_CONNECTION_CONTEXT_H_
#define SYNCAGENT_TOOLS_FAULTS_CONNECTION_CONTEXT_H_

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "tools/faults/fault_scenario.h"

namespace syncagent::faults {

class ConnectionContext {
 public:
  ConnectionContext(int fd, SSL* ssl, const std::atomic<bool>* server_stopping)
      : fd_(fd), ssl_(ssl), server_stopping_(server_stopping) {}
  ConnectionContext(const ConnectionContext&) = delete;
  ConnectionContext& operator=(const ConnectionContext&) = delete;

  // The context of the connection served by the calling thread, or null.
  static ConnectionContext* Current();

  // Publishes `context` as Current() for the lifetime of the scope.
  class Scope {
   public:
    explicit Scope(ConnectionContext* context);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
  };

  int fd() const { return fd_; }
  SSL* ssl() const { return ssl_; }

  // From now on nothing more is written; the connection is closed with a FIN.
  void Abort() { aborted_ = true; }
  // From now on nothing more is written; the connection is closed with a RST (SO_LINGER {1,0}).
  void AbortWithReset() {
    aborted_ = true;
    reset_ = true;
  }
  bool aborted() const { return aborted_; }
  bool reset() const { return reset_; }
  // Ends the connection after the current response (e.g. when a request body was never read).
  void CloseAfterResponse() { close_after_response_ = true; }
  bool close_after_response() const { return close_after_response_; }

  // Throttles the writes of the current response to `bytes_per_second` (0 = full speed).
  void SetDrip(int64_t bytes_per_second) { drip_bytes_per_second_ = bytes_per_second; }
  int64_t drip_bytes_per_second() const { return drip_bytes_per_second_; }

  bool server_stopping() const { return server_stopping_ && server_stopping_->load(); }
  // True when the peer has closed or reset its side.
  bool PeerClosed() const;
  // Sleeps `ms`, returning false early when the server stops or the peer goes away.
  bool SleepInterruptibly(int64_t ms) const;

  // The current request (line, headers, body) must be read by `deadline`; reads after it fail
  // (ConnectionStream) and mark the request timed out. Set when its first byte is there.
  void StartRequest(std::chrono::steady_clock::time_point deadline) {
    request_deadline_ = deadline;
    request_timed_out_ = false;
  }
  std::chrono::steady_clock::time_point request_deadline() const { return request_deadline_; }
  void MarkRequestTimedOut() { request_timed_out_ = true; }
  bool request_timed_out() const { return request_timed_out_; }

  void AddRead(uint64_t n) { bytes_read_ += n; }
  void AddWritten(uint64_t n) { bytes_written_ += n; }
  uint64_t bytes_written() const { return bytes_written_; }

  // Per-request annotations, set by the handler and consumed by the request logger.
  int64_t log_id = -1;
  std::string fault;
  // The fault decided early (at "Expect: 100-continue" time) for the current request, so it is
  // drawn once per request.
  bool fault_decided = false;
  std::optional<FaultAction> pending_fault;

  // Ends the current request: returns the bytes read/written since the previous call and clears
  // the per-request state (drip, annotations).
  void EndRequest(uint64_t* request_bytes, uint64_t* response_bytes);

 private:
  int fd_;
  SSL* ssl_;
  const std::atomic<bool>* server_stopping_;
  bool aborted_ = false;
  bool reset_ = false;
  bool close_after_response_ = false;
  int64_t drip_bytes_per_second_ = 0;
  std::chrono::steady_clock::time_point request_deadline_ =
      std::chrono::steady_clock::time_point::max();
  bool request_timed_out_ = false;
  uint64_t bytes_read_ = 0;
  uint64_t bytes_written_ = 0;
  uint64_t read_mark_ = 0;
  uint64_t written_mark_ = 0;
};

}  // namespace syncagent::faults

#endif  // SYNCAGENT_TOOLS_FAULTS_CONNECTION_CONTEXT_H_
