// The fault kinds of the fault matrices (tests/agent/fault_matrix_test.cc against the mock
// server, tests/agent/couchdb_fault_matrix_test.cc against PouchDB Server): one spec per kind of
// tools/faults, with what it does to a request and the least Retry-After it implies.
//
// Thread safety: plain values and pure functions.
#ifndef SYNCAGENT_TESTS_AGENT_FAULT_SPECS_H_
#define SYNCAGENT_TESTS_AGENT_FAULT_SPECS_H_

#include <time.h>

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "platform/clock.h"
#include "tools/faults/fault_scenario.h"

namespace syncagent::testing {

// What a fault does to a request: make it fail (transient), or only slow it down.
enum class FaultEffect { kFails, kSlowsDown };

struct FaultSpec {
  const char* name;
  faults::FaultAction action;
  FaultEffect effect;
  bool http_date_retry_after = false;  // 429: Retry-After as an HTTP-date, set at install time
  Millis min_retry_after{0};           // persistent: the report's retry_after is at least this
};

inline faults::FaultAction FaultOfKind(faults::FaultKind kind) {
  faults::FaultAction action;
  action.kind = kind;
  return action;
}

// Every fault kind (status three ways, close before and after processing). The timing ones
// assume a device with a 1 s request timeout and a 1 MiB response cap.
inline std::vector<FaultSpec> FaultSpecs() {
  using faults::FaultKind;
  std::vector<FaultSpec> specs;
  faults::FaultAction a = FaultOfKind(FaultKind::kStatus);
  a.status = 503;
  a.retry_after = "1";
  specs.push_back({"status_503_retry_after", a, FaultEffect::kFails, false, Millis(1000)});
  a = FaultOfKind(FaultKind::kStatus);
  a.status = 500;
  specs.push_back({"status_500", a, FaultEffect::kFails});
  a = FaultOfKind(FaultKind::kStatus);
  a.status = 429;
  // The date lies 1000 s ahead: every wait is the client's cap (max_retry_after, 300 s).
  specs.push_back({"status_429_http_date", a, FaultEffect::kFails, true, Millis(200000)});
  a = FaultOfKind(FaultKind::kDelay);
  a.delay_ms = 150;
  specs.push_back({"delay", a, FaultEffect::kSlowsDown});
  specs.push_back(
      {"close_before_response", FaultOfKind(FaultKind::kCloseBeforeResponse), FaultEffect::kFails});
  a = FaultOfKind(FaultKind::kCloseBeforeResponse);
  a.after_processing = true;
  specs.push_back({"close_after_processing", a, FaultEffect::kFails});
  specs.push_back({"reset_mid_body", FaultOfKind(FaultKind::kResetMidBody), FaultEffect::kFails});
  specs.push_back({"truncated_body", FaultOfKind(FaultKind::kTruncatedBody), FaultEffect::kFails});
  specs.push_back({"malformed_json", FaultOfKind(FaultKind::kMalformedJson), FaultEffect::kFails});
  a = FaultOfKind(FaultKind::kOversizedBody);
  a.bytes = 3 << 20;  // the device caps responses at 1 MiB
  specs.push_back({"oversized_body", a, FaultEffect::kFails});
  specs.push_back(
      {"wrong_content_type", FaultOfKind(FaultKind::kWrongContentType), FaultEffect::kFails});
  a = FaultOfKind(FaultKind::kHang);
  a.max_ms = 5000;  // the device gives up after its 1 s request timeout
  specs.push_back({"hang", a, FaultEffect::kFails});
  a = FaultOfKind(FaultKind::kDrip);
  a.bytes_per_second = 8000;
  specs.push_back({"drip", a, FaultEffect::kSlowsDown});
  return specs;
}

// RFC 9110 IMF-fixdate of `wall_ms`.
inline std::string HttpDate(int64_t wall_ms) {
  const time_t seconds = static_cast<time_t>(wall_ms / 1000);
  tm parts{};
  gmtime_r(&seconds, &parts);
  char text[64];
  std::strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &parts);
  return text;
}

}  // namespace syncagent::testing

#endif  // SYNCAGENT_TESTS_AGENT_FAULT_SPECS_H_
