// The fault engine's admin endpoints, served by the mock server and the fault proxy alike
// (docs/mock-server.md, "Admin endpoints"):
//   GET /_admin/faults                 the rules with their seen/fired counters
//   POST /_admin/faults[?mode=append]  replace (default) or extend the rules from a scenario
//   DELETE /_admin/faults              clear the rules
//   GET /_admin/requests               the request log
//   DELETE /_admin/requests            clear the request log
// A bad scenario is refused with 400 and the JSON path of the error.
//
// Thread safety: thread-safe (the injector and the log are).
#ifndef SYNCAGENT_TOOLS_FAULTS_FAULT_ADMIN_H_
#define SYNCAGENT_TOOLS_FAULTS_FAULT_ADMIN_H_

#include <httplib.h>

#include "tools/faults/fault_injector.h"
#include "tools/faults/http_json.h"
#include "tools/faults/request_log.h"

namespace syncagent::faults {

inline constexpr const char* kAdminPrefix = "/_admin";

// True for /_admin and everything under it.
bool IsAdminPath(const std::string& path);

// Answers req when its path is /_admin/faults or /_admin/requests and returns true; false for
// any other path (res untouched).
bool HandleFaultAdmin(FaultInjector& faults, RequestLog& log, ErrorStyle style,
                      const httplib::Request& req, httplib::Response& res);

// 405 with an Allow header naming the methods (`allowed`, e.g. "GET, POST").
void SetMethodNotAllowed(httplib::Response& res, ErrorStyle style, const char* allowed);

}  // namespace syncagent::faults

#endif  // SYNCAGENT_TOOLS_FAULTS_FAULT_ADMIN_H_
