// `syncagent config check [FILE] [--platform android|ios|linux|desktop] [--json]`: every error
// (with its JSON path), then the lint warnings for the platform. Exit 2 when there are errors,
// 0 otherwise (warnings do not fail the check).
#include <filesystem>
#include <memory>

#include "agent/cli/command_host.h"
#include "agent/cli/exit_codes.h"

namespace syncagent::cli {
namespace {

struct CheckFlags {
  std::string file;
  std::string platform = "any";
  bool json = false;
};

std::optional<TargetPlatform> ParsePlatform(std::string_view name) {
  for (TargetPlatform p : {TargetPlatform::kAny, TargetPlatform::kAndroid, TargetPlatform::kIos,
                           TargetPlatform::kLinux, TargetPlatform::kDesktop}) {
    if (ToString(p) == name) return p;
  }
  return std::nullopt;
}

nlohmann::json IssuesJson(const std::vector<ConfigIssue>& issues) {
  nlohmann::json array = nlohmann::json::array();
  for (const ConfigIssue& issue : issues) {
    array.push_back({{"path", issue.path}, {"message", issue.message}});
  }
  return array;
}

int Check(CliContext& ctx, const CheckFlags& flags) {
  const std::string path = flags.file.empty() ? ctx.ResolveConfigPath() : flags.file;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return ctx.Fail(kExitUsage, "config file " + path + " not found");
  }
  ConfigOptions options;
  options.target_platform = ParsePlatform(flags.platform).value_or(TargetPlatform::kAny);
  ConfigResult result = CheckConfigFile(path, options);
  if (result.config) {
    for (const std::string& secret : SecretValues(result.config->server)) {
      ctx.console().AddSecret(secret);
    }
  }
  if (flags.json) {
    ctx.console().PrintLine(nlohmann::json{{"file", path},
                                           {"platform", flags.platform},
                                           {"ok", result.ok()},
                                           {"errors", IssuesJson(result.errors)},
                                           {"warnings", IssuesJson(result.warnings)}}
                                .dump(2));
  } else {
    std::string out;
    for (const ConfigIssue& e : result.errors) out += "error: " + FormatIssue(e, path) + "\n";
    for (const ConfigIssue& w : result.warnings) out += "warning: " + FormatIssue(w, path) + "\n";
    if (result.ok()) {
      out += path + ": ok for " + flags.platform + " (" + std::to_string(result.warnings.size()) +
             " warning" + (result.warnings.size() == 1 ? "" : "s") + ")\n";
    }
    ctx.console().Print(out);
  }
  if (!result.ok()) {
    return ctx.Fail(kExitUsage, path + ": " + std::to_string(result.errors.size()) + " error" +
                                    (result.errors.size() == 1 ? "" : "s"));
  }
  return kExitOk;
}

}  // namespace

void RegisterConfigCommand(CLI::App& app, CommandHost& host) {
  CLI::App* config = app.add_subcommand("config", "Work with the configuration file.");
  config->require_subcommand(1);
  auto flags = std::make_shared<CheckFlags>();
  CLI::App* check = config->add_subcommand(
      "check", "Validate a config: errors with their JSON paths, then lint warnings for the "
               "platform. Exit 2 on errors.");
  check->add_option("FILE", flags->file, "config file (default: --config, $SYNCAGENT_CONFIG, "
                                         "./syncagent.json)");
  check->add_option("--platform", flags->platform, "target platform for the lint warnings")
      ->check(CLI::IsMember({"any", "android", "ios", "linux", "desktop"}));
  check->add_flag("--json", flags->json, "print the result as JSON");
  host.Bind(check, "config check", [&host, flags] { return Check(*host.ctx, *flags); });
}

}  // namespace syncagent::cli
