#include "agent/cli/json_print.h"

namespace syncagent::cli {
namespace {

constexpr auto kReplace = nlohmann::json::error_handler_t::replace;

}  // namespace

std::string PrintableJson(const nlohmann::json& value) {
  if (JsonValueDepth(value, kMaxPrettyDepth) > kMaxPrettyDepth) return CompactJson(value);
  return value.dump(2, ' ', false, kReplace);
}

}  // namespace syncagent::cli
