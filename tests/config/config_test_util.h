// Helpers shared by the config tests: a fake environment, a minimal valid document, and shortcuts
// that run CheckConfig and return the formatted error lines.
#ifndef SYNCAGENT_TESTS_CONFIG_CONFIG_TEST_UTIL_H_
#define SYNCAGENT_TESTS_CONFIG_CONFIG_TEST_UTIL_H_

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace syncagent::testing_config {

// An environment made of the given variables only.
inline EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// Options with an empty fake environment (tests never depend on the real one).
inline ConfigOptions TestOptions(std::map<std::string, std::string> vars = {}) {
  ConfigOptions options;
  options.env = FakeEnv(std::move(vars));
  return options;
}

// The smallest valid config: the two required keys.
inline nlohmann::ordered_json Minimal() {
  return nlohmann::ordered_json::parse(
      R"({"server": {"base_url": "https://sync.example.com"},
          "storage": {"path": "/var/lib/app/sync.db"}})");
}

// Minimal() with the value at a dotted path (e.g. "schedule.jitter_percent") set.
inline nlohmann::ordered_json With(std::string_view dotted_path, nlohmann::ordered_json value,
                                   nlohmann::ordered_json doc = Minimal()) {
  std::string pointer = "/" + std::string(dotted_path);
  for (char& c : pointer) {
    if (c == '.') c = '/';
  }
  // "$schema" and similar keys have no '/' or '~' to escape.
  doc[nlohmann::ordered_json::json_pointer(pointer)] = std::move(value);
  return doc;
}

// Every error of CheckConfig(text), formatted "<path>: <message>".
inline std::vector<std::string> TextErrors(std::string_view text,
                                           const ConfigOptions& options = TestOptions()) {
  std::vector<std::string> lines;
  for (const ConfigIssue& issue : CheckConfig(text, options).errors) {
    lines.push_back(FormatIssue(issue));
  }
  return lines;
}
inline std::vector<std::string> Errors(const nlohmann::ordered_json& doc,
                                       const ConfigOptions& options = TestOptions()) {
  return TextErrors(doc.dump(), options);
}

// Every warning of CheckConfig(doc) for `platform`.
inline std::vector<std::string> Warnings(const nlohmann::ordered_json& doc,
                                         TargetPlatform platform = TargetPlatform::kAny,
                                         ConfigOptions options = TestOptions()) {
  options.target_platform = platform;
  ConfigResult result = CheckConfig(doc.dump(), options);
  std::vector<std::string> lines;
  for (const ConfigIssue& issue : result.errors) lines.push_back("ERROR " + FormatIssue(issue));
  for (const ConfigIssue& issue : result.warnings) lines.push_back(FormatIssue(issue));
  return lines;
}

}  // namespace syncagent::testing_config

#endif  // SYNCAGENT_TESTS_CONFIG_CONFIG_TEST_UTIL_H_
