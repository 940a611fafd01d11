// ApplyFault: carries out one injected fault for one request (docs/mock-server.md).
//
// `process` answers the request normally (the mock server: for push, applies the mutations; the
// fault proxy: forwards it and receives the upstream's answer). Whether it runs
// depends on the kind: delay, reset_mid_body, truncated_body and drip always process the request
// and then damage or slow the real response (an in-memory body or a streamed one); the replacing
// kinds (status, close_before_response, malformed_json, oversized_body, wrong_content_type, hang)
// do not process it unless the action says after_processing: true. Wire-level effects go through
// the ConnectionContext of the calling thread (FaultServer).
//
// Thread safety: call on the connection's worker thread (inside a handler).
#ifndef SYNCAGENT_TOOLS_FAULTS_FAULT_EXECUTOR_H_
#define SYNCAGENT_TOOLS_FAULTS_FAULT_EXECUTOR_H_

#include <httplib.h>

#include <functional>

#include "tools/faults/fault_scenario.h"
#include "tools/faults/http_json.h"

namespace syncagent::faults {

// `style` shapes the error body of a status fault that has no body of its own.
void ApplyFault(const FaultAction& action, ErrorStyle style, httplib::Response& res,
                const std::function<void()>& process);

}  // namespace syncagent::faults

#endif  // SYNCAGENT_TOOLS_FAULTS_FAULT_EXECUTOR_H_
