#include "tools/faults/fault_gate.h"

#include <optional>
#include <string>

#include "tools/faults/connection_context.h"
#include "tools/faults/fault_executor.h"

namespace syncagent::faults {

void FaultGate::Serve(const httplib::Request& req, httplib::Response& res,
                      const std::function<void()>& process) {
  ConnectionContext* context = ConnectionContext::Current();
  const int64_t id =
      log_->Begin(req.method, req.path, QueryOf(req.target), RedactedHeaders(req.headers));
  if (context) context->log_id = id;
  std::optional<FaultAction> action = context && context->fault_decided
                                          ? context->pending_fault
                                          : faults_->Next(req.method, req.path);
  if (action) {
    if (context) context->fault = FaultKindName(action->kind);
    ApplyFault(*action, style_, res, process);
  } else {
    process();
  }
  // Visible as soon as the client has its answer; Complete() adds the bytes after the write.
  log_->SetStatus(id, context && context->aborted() ? 0 : res.status);
}

int FaultGate::BeforeBody(const httplib::Request& req, httplib::Response& res,
                          size_t max_body_bytes) {
  ConnectionContext* context = ConnectionContext::Current();
  if (!context) return 100;
  // A declared body over the limit is refused before the client uploads it (no fault is drawn,
  // as for a 413 answered without "Expect").
  const uint64_t declared = req.get_header_value<uint64_t>("Content-Length");
  if (declared > max_body_bytes) {
    SetErrorBody(res, style_, 413, DefaultErrorCode(413),
                 "request body exceeds " + std::to_string(max_body_bytes) + " bytes");
    context->CloseAfterResponse();
    return 413;
  }
  context->fault_decided = true;
  context->pending_fault = faults_->Next(req.method, req.path);
  const std::optional<FaultAction>& action = context->pending_fault;
  if (!action || !IsReplacingFault(action->kind) || action->after_processing) return 100;
  context->fault = FaultKindName(action->kind);
  ApplyFault(*action, style_, res, [] {});
  context->CloseAfterResponse();
  if (context->aborted()) return 500;  // any final status: the write fails, nothing is sent
  return res.status == 100 || res.status == 417 ? 500 : res.status;
}

void FaultGate::Complete(const httplib::Request& req, const httplib::Response& res, bool exempt) {
  ConnectionContext* context = ConnectionContext::Current();
  RequestLogEntry outcome;
  int64_t id = -1;
  if (context) {
    id = context->log_id;
    outcome.fault = context->fault;
    context->EndRequest(&outcome.request_bytes, &outcome.response_bytes);
  }
  if (id < 0 && exempt) return;
  outcome.status = context && context->aborted() && outcome.response_bytes == 0 ? 0 : res.status;
  if (id < 0) {
    outcome.method = req.method;
    outcome.path = req.path;
    outcome.query = QueryOf(req.target);
    outcome.headers = RedactedHeaders(req.headers);
  }
  log_->Finish(id, outcome);
}

}  // namespace syncagent::faults
