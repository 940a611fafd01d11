// Helpers shared by the libFuzzer targets (fuzz/*.cc): splitting one input into several JSON
// documents, a bounded parse matching the codec's depth limit, and a loud property check.
#ifndef SYNCAGENT_FUZZ_FUZZ_UTIL_H_
#define SYNCAGENT_FUZZ_FUZZ_UTIL_H_

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/json_limits.h"

namespace syncagent::fuzz {

// Documents inside one fuzz input are separated by this line.
inline constexpr std::string_view kSeparator = "\n---\n";

inline std::vector<std::string_view> SplitInput(std::string_view input, size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    size_t at = input.find(kSeparator);
    if (at == std::string_view::npos) break;
    parts.push_back(input.substr(0, at));
    input.remove_prefix(at + kSeparator.size());
  }
  parts.push_back(input);
  return parts;
}

// Parses `text` as JSON nested at most 64 levels (the codec's default max_depth: deeper documents
// never reach the merge code from the server); nullopt when it is not.
inline std::optional<nlohmann::json> ParseBounded(std::string_view text) {
  if (syncagent::JsonTextDepth(text, 64) > 64) return std::nullopt;
  nlohmann::json v = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (v.is_discarded()) return std::nullopt;
  return v;
}

[[noreturn]] inline void PropertyViolated(const char* property, const std::string& detail) {
  std::fprintf(stderr, "PROPERTY VIOLATED: %s\n%s\n", property, detail.c_str());
  std::abort();
}

}  // namespace syncagent::fuzz

#endif  // SYNCAGENT_FUZZ_FUZZ_UTIL_H_
