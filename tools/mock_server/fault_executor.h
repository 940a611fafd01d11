// ApplyFault: carries out one injected fault for one request (docs/mock-server.md).
//
// `process` answers the request normally (for push: applies the mutations). Whether it runs
// depends on the kind: delay, reset_mid_body, truncated_body and drip always process the request
// and then damage or slow the real response; the replacing kinds (status, close_before_response,
// malformed_json, oversized_body, wrong_content_type, hang) do not process it unless the action
// says after_processing: true. Wire-level effects go through the ConnectionContext of the
// calling thread (FaultServer).
//
// Thread safety: call on the connection's worker thread (inside a handler).
#ifndef SYNCAGENT_TOOLS_MOCK_SERVER_FAULT_EXECUTOR_H_
#define SYNCAGENT_TOOLS_MOCK_SERVER_FAULT_EXECUTOR_H_

#include <httplib.h>

#include <functional>

#include "tools/mock_server/fault_scenario.h"

namespace syncagent::mock {

void ApplyFault(const FaultAction& action, const httplib::Request& req, httplib::Response& res,
                const std::function<void()>& process);

}  // namespace syncagent::mock

#endif  // SYNCAGENT_TOOLS_MOCK_SERVER_FAULT_EXECUTOR_H_
