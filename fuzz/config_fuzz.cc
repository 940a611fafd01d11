// Fuzzes CheckConfig (config/config_loader.h) on arbitrary text, with an environment that holds a
// fixed value for every variable. Properties: no crash, no escaping exception, a result that is
// either valid with a config or invalid with at least one error, and the token from the
// environment never appears in an error or a warning when the text itself does not expand
// variables (server.auth.token_env is then the only way the secret gets in).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.h"
#include "fuzz/fuzz_util.h"

namespace {

constexpr std::string_view kSecret = "fuzzSecretToken0123456789abcdef";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  syncagent::ConfigOptions options;
  options.env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "UNSET") return std::nullopt;
    if (name == "EMPTY") return std::string();
    if (name == "URL") return std::string("https://sync.example.com/v1");
    return std::string(kSecret);
  };
  options.base_dir = "/var/lib/syncagent";
  options.target_platform = static_cast<syncagent::TargetPlatform>(size % 5);
  syncagent::ConfigResult result = syncagent::CheckConfig(text, options);
  if (result.ok() != result.config.has_value()) {
    syncagent::fuzz::PropertyViolated("config present exactly when there is no error",
                                      result.ErrorText());
  }
  const std::string errors = result.ErrorText();
  const std::string warnings = result.WarningText();
  if (text.find("${") == std::string_view::npos && text.find(kSecret) == std::string_view::npos) {
    if (errors.find(kSecret) != std::string::npos || warnings.find(kSecret) != std::string::npos) {
      syncagent::fuzz::PropertyViolated("the env token never appears in a message",
                                        errors + "\n" + warnings);
    }
  }
  return 0;
}
