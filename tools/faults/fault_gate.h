// FaultGate: the per-request fault flow of a server built on FaultServer (the mock server and
// the fault proxy share it).
//
// For each request that is not exempt (the caller decides, e.g. its own /_admin/ endpoints), the
// gate opens a request-log entry, draws the request's fault from the injector (or takes the one
// drawn at "Expect: 100-continue" time) and answers through `process`, damaged, delayed or
// replaced as the fault says (ApplyFault). The server's logger then completes the entry with the
// bytes that really crossed the wire.
//
// Thread safety: thread-safe (the injector and the log are); per-request state lives in the
// calling worker thread's ConnectionContext.
#ifndef SYNCAGENT_TOOLS_FAULTS_FAULT_GATE_H_
#define SYNCAGENT_TOOLS_FAULTS_FAULT_GATE_H_

#include <httplib.h>

#include <cstddef>
#include <functional>

#include "tools/faults/fault_injector.h"
#include "tools/faults/http_json.h"
#include "tools/faults/request_log.h"

namespace syncagent::faults {

class FaultGate {
 public:
  FaultGate(FaultInjector* faults, RequestLog* log, ErrorStyle style)
      : faults_(faults), log_(log), style_(style) {}

  // Logs the request and answers it through `process` under its fault, if one fires.
  void Serve(const httplib::Request& req, httplib::Response& res,
             const std::function<void()>& process);

  // The "Expect: 100-continue" step, before the body is uploaded: a body declared larger than
  // `max_body_bytes` is refused with 413; otherwise the request's fault is drawn now, and a fault
  // that replaces the answer without processing answers at once, without reading the body (so
  // close_before_response really sends nothing). Returns the status httplib should send (100 to
  // go on).
  int BeforeBody(const httplib::Request& req, httplib::Response& res, size_t max_body_bytes);

  // The server's logger: completes the request's entry with the bytes read and written on the
  // wire. A request that never reached Serve() (httplib answered it itself) is logged here,
  // unless `exempt`.
  void Complete(const httplib::Request& req, const httplib::Response& res, bool exempt);

  ErrorStyle style() const { return style_; }

 private:
  FaultInjector* faults_;
  RequestLog* log_;
  ErrorStyle style_;
};

}  // namespace syncagent::faults

#endif  // SYNCAGENT_TOOLS_FAULTS_FAULT_GATE_H_
