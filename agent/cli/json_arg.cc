#include "agent/cli/json_arg.h"

#include "common/json_limits.h"

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

// "[json.exception.parse_error.101] parse error at line 1, column 2: ..." -> from "parse error".
std::string WithoutId(std::string what) {
  if (const auto at = what.find("] "); at != std::string::npos) what = what.substr(at + 2);
  return what;
}

}  // namespace

std::string Abbreviate(std::string_view text, size_t max) {
  std::string out;
  for (char c : text) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (out.size() > max) out = out.substr(0, max) + "...";
  return out;
}

StatusOr<nlohmann::json> ParseJsonObjectArg(std::string_view name, std::string_view text) {
  return ParseJsonArg(name, text, nlohmann::json::value_t::object);
}

StatusOr<nlohmann::json> ParseJsonArg(std::string_view name, std::string_view text,
                                      nlohmann::json::value_t want) {
  const std::string expected = want == nlohmann::json::value_t::object ? "a JSON object"
                                                                      : "a JSON array";
  const std::string prefix = "argument " + std::string(name) + ": ";
  // Checked on the text first: the parser is iterative, but dumping or copying a deep value is not.
  if (JsonTextDepth(text, kMaxDocumentDepth) > kMaxDocumentDepth) {
    return InvalidArgumentError(prefix + "nested deeper than " +
                                std::to_string(kMaxDocumentDepth) + " levels (the document limit)");
  }
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return InvalidArgumentError(prefix + "expected " + expected + ", got invalid JSON \"" +
                                Abbreviate(text) + "\" (" + WithoutId(e.what()) + ")");
  } catch (const nlohmann::json::exception& e) {
    // out_of_range.406: a number too large for a double (1e400).
    return InvalidArgumentError(prefix + "cannot be stored: " + WithoutId(e.what()) +
                                " (numbers must fit in a double)");
  }
  if (value.type() != want) {
    return InvalidArgumentError(prefix + "expected " + expected + ", got " + KindOf(value) + ": " +
                                Abbreviate(value.dump()));
  }
  return value;
}

}  // namespace syncagent::cli
