// Fault scenarios: which requests get which injected failure (docs/mock-server.md).
//
// A scenario is {"faults":[{"match":{...},"action":{...}}, ...]}. A rule matches requests by
// method and path (exact, or a prefix ending in '*'), then fires on the nth matching request and
// the `times`-1 following ones (or, with `probability`, at random from a seeded generator).
// The action says what the server does instead of (or on top of) answering normally.
//
// Thread safety: plain values and pure functions.
#ifndef SYNCAGENT_TOOLS_FAULTS_FAULT_SCENARIO_H_
#define SYNCAGENT_TOOLS_FAULTS_FAULT_SCENARIO_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "syncagent/status.h"

namespace syncagent::faults {

enum class FaultKind {
  kStatus,               // answer with a status code (+ Retry-After, body)
  kDelay,                // wait, then answer normally
  kCloseBeforeResponse,  // close the connection without sending a byte
  kResetMidBody,         // headers + part of the real body, then TCP RST
  kTruncatedBody,        // Content-Length N, fewer bytes, then FIN
  kMalformedJson,        // 200 with a body that is not JSON
  kOversizedBody,        // 200 with a huge, streamed body
  kWrongContentType,     // 200 text/html
  kHang,                 // send nothing until the client gives up or max_ms passes
  kDrip,                 // the real response, bytes_per_second slowly
};

struct FaultAction {
  FaultKind kind = FaultKind::kStatus;
  // kStatus
  int status = 503;
  std::string retry_after;                            // empty: no Retry-After header
  nlohmann::json body;                                // null: the standard error body for `status`
  nlohmann::json headers = nlohmann::json::object();  // extra response headers
  // kDelay
  int64_t delay_ms = 0;
  // kOversizedBody
  int64_t bytes = 64 << 20;
  // kHang
  int64_t max_ms = 60000;
  // kDrip
  int64_t bytes_per_second = 100;
  // Replacing kinds (status, close_before_response, malformed_json, oversized_body,
  // wrong_content_type, hang): process the request first (its effects happen), then replace the
  // response. Default false: the request is not processed at all.
  bool after_processing = false;
};

struct FaultMatch {
  std::string method;                 // empty: any method
  std::string path = "*";             // exact path, or a prefix ending in '*'
  int64_t nth = 1;                    // 1-based index of the first matching request that fires
  int64_t times = 1;                  // consecutive firings from nth; -1 = forever
  std::optional<double> probability;  // random mode: each matching request from nth fires with p
  uint64_t seed = 0;
};

struct FaultRule {
  FaultMatch match;
  FaultAction action;
};

// Parses {"faults":[...]}; the error names the JSON path of the offending member.
StatusOr<std::vector<FaultRule>> ParseFaultScenario(const nlohmann::json& scenario);
// Reads and parses a scenario file.
StatusOr<std::vector<FaultRule>> LoadFaultScenarioFile(const std::string& path);

nlohmann::json FaultRuleToJson(const FaultRule& rule);
std::string_view FaultKindName(FaultKind kind);
// True when `kind` replaces the response (and so honours after_processing).
bool IsReplacingFault(FaultKind kind);
// Exact match, or prefix match when `pattern` ends in '*' ("*" matches everything).
bool PathMatches(std::string_view pattern, std::string_view path);

}  // namespace syncagent::faults

#endif  // SYNCAGENT_TOOLS_FAULTS_FAULT_SCENARIO_H_
