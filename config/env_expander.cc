#include "config/env_expander.h"

#include <cctype>

namespace syncagent::config_internal {
namespace {

bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

ExpandResult ExpandEnvironment(std::string_view text, const EnvLookup& env) {
  ExpandResult result;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '$' || i + 1 >= text.size()) {
      result.value += c;
      ++i;
      continue;
    }
    const char next = text[i + 1];
    if (next == '$') {
      result.value += '$';
      i += 2;
      continue;
    }
    if (next != '{') {
      result.value += c;
      ++i;
      continue;
    }
    const size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      result.error = "unterminated \"${\" (write \"$$\" for a literal \"$\")";
      return result;
    }
    const std::string_view name = text.substr(i + 2, close - (i + 2));
    bool valid = !name.empty() && IsNameStart(name[0]);
    for (char n : name) valid = valid && IsNameChar(n);
    if (!valid) {
      result.error =
          "\"${\" must be followed by a variable name ([A-Za-z_][A-Za-z0-9_]*) and \"}\" "
          "(write \"$$\" for a literal \"$\")";
      return result;
    }
    std::optional<std::string> value = env ? env(name) : std::nullopt;
    if (!value) {
      result.error = "environment variable " + std::string(name) + " is not set";
      return result;
    }
    result.value += *value;
    result.used_environment = true;
    i = close + 1;
  }
  return result;
}

}  // namespace syncagent::config_internal
