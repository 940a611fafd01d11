#include "agent/cli/json_arg.h"

namespace syncagent::cli {
namespace {

std::string KindOf(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::string: return "a string";
    case nlohmann::json::value_t::boolean: return "a boolean";
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::object: return "an object";
    default: return "a number";
  }
}

}  // namespace

std::string Abbreviate(std::string_view text, size_t max) {
  std::string out;
  for (char c : text) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (out.size() > max) out = out.substr(0, max) + "...";
  return out;
}

StatusOr<nlohmann::json> ParseJsonObjectArg(std::string_view name, std::string_view text) {
  const std::string prefix = "argument " + std::string(name) + ": ";
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." -> from "parse error".
    if (const auto at = what.find("] "); at != std::string::npos) what = what.substr(at + 2);
    return InvalidArgumentError(prefix + "expected a JSON object, got invalid JSON \"" +
                                Abbreviate(text) + "\" (" + what + ")");
  }
  if (!value.is_object()) {
    return InvalidArgumentError(prefix + "expected a JSON object, got " + KindOf(value) + ": " +
                                Abbreviate(value.dump()));
  }
  return value;
}

}  // namespace syncagent::cli
