#include "config/config_options.h"

#include <cstdlib>

namespace syncagent {

std::optional<std::string> ProcessEnvironment(std::string_view name) {
  const std::string key(name);
  const char* value = std::getenv(key.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

}  // namespace syncagent
