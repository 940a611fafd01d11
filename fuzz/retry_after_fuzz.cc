// Fuzzes ParseRetryAfter and ParseHttpDate (net/retry_policy.h). Properties: no crash, no UB
// (signed overflow is caught by -fsanitize=undefined), a parsed delay is never negative, and a
// parsed HTTP-date is at or after the epoch (years before 1970 are refused).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "net/retry_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view value(reinterpret_cast<const char*>(data), size);
  // "Sun, 06 Nov 1994 08:49:37 GMT" as the current time, and the Unix epoch.
  for (int64_t now : {int64_t{784111777000}, int64_t{0}}) {
    auto delay = syncagent::ParseRetryAfter(value, now);
    if (delay && delay->count() < 0) {
      syncagent::fuzz::PropertyViolated("Retry-After is never negative", std::string(value));
    }
  }
  auto when = syncagent::ParseHttpDate(value);
  if (when && *when < 0) {
    syncagent::fuzz::PropertyViolated("an HTTP-date is not before 1970", std::string(value));
  }
  return 0;
}
