// `syncagent simulate ios|android [--days N] [--offline HH:MM-HH:MM]... [--charging HH:MM-HH:MM]...
// [--force-quit-at DAY:HH:MM] [--seed N] [--json] [--svg FILE] [--server URL]`: the config's
// schedule run through the simulated iOS or Android scheduler on a virtual clock
// (tools/simulators/sim_report.h has the device and work model; no network is used, unless
// --server makes each run a real sync against a mock server: simulate_server.h). Prints each
// wake-up and a summary (plain or --json) and may write the timeline as an SVG picture.
//
// The command only turns flags into a SimulationSpec, loads the config and prints: every bad flag
// is reported as one line naming the flag and its value, exit 2, before the config is read; an
// SVG that cannot be written is exit 2 too, and nothing is printed on stdout then.
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>

#include "agent/cli/command_host.h"
#include "agent/cli/exit_codes.h"
#include "agent/cli/schedule_mapping.h"
#include "agent/cli/simulate_server.h"
#include "tools/simulators/sim_report.h"
#include "tools/simulators/sim_report_format.h"
#include "tools/simulators/sim_svg.h"

namespace syncagent::cli {
namespace {

struct SimulateFlags {
  std::string platform;
  std::string days = "7";
  std::vector<std::string> offline;
  std::vector<std::string> charging;
  std::string force_quit_at;
  std::string seed = "1";
  bool json = false;
  std::string svg;
  std::string server;
};

template <typename Int>
bool ParseInt(const std::string& text, Int* value) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *value);
  return ec == std::errc() && ptr == end && !text.empty();
}

Status FlagError(const std::string& flag, const Status& status) {
  return InvalidArgumentError(flag + ": " + status.message());
}

Status ParseWindows(const std::string& flag, const std::vector<std::string>& texts,
                    std::vector<DailyWindow>* out) {
  for (const std::string& text : texts) {
    auto window = ParseDailyWindow(text);
    if (!window.ok()) return FlagError(flag, window.status());
    out->push_back(*window);
  }
  return Status::Ok();
}

// The spec the flags ask for (the schedule comes from the config later). The error message
// starts with the flag's name and quotes its value.
StatusOr<SimulationSpec> SpecFromFlags(const SimulateFlags& flags) {
  SimulationSpec spec;
  auto platform = ParseSimPlatform(flags.platform);
  if (!platform.ok()) return platform.status();
  spec.platform = *platform;
  if (!ParseInt(flags.days, &spec.days) || spec.days < kMinSimDays || spec.days > kMaxSimDays) {
    return InvalidArgumentError("--days: \"" + flags.days + "\" is not a whole number in " +
                                std::to_string(kMinSimDays) + ".." + std::to_string(kMaxSimDays));
  }
  if (!ParseInt(flags.seed, &spec.seed)) {
    return InvalidArgumentError("--seed: \"" + flags.seed + "\" is not a non-negative integer");
  }
  SYNCAGENT_RETURN_IF_ERROR(ParseWindows("--offline", flags.offline, &spec.offline));
  SYNCAGENT_RETURN_IF_ERROR(ParseWindows("--charging", flags.charging, &spec.charging));
  if (!flags.force_quit_at.empty()) {
    auto at = ParseDayTime(flags.force_quit_at);
    if (!at.ok()) return FlagError("--force-quit-at", at.status());
    if (*at >= std::chrono::hours(24) * spec.days) {
      return InvalidArgumentError("--force-quit-at: \"" + flags.force_quit_at +
                                  "\" is after the last simulated day (--days " + flags.days + ")");
    }
    spec.force_quit_at = *at;
  }
  if (!flags.server.empty()) SYNCAGENT_RETURN_IF_ERROR(CheckServerUrl(flags.server));
  return spec;
}

// Writes `text` to `path`; the error names --svg and the path.
Status WriteSvg(const std::string& path, const std::string& text) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    return InvalidArgumentError("--svg: cannot write \"" + path + "\": " + std::strerror(errno));
  }
  const bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  const int write_errno = errno;
  if (std::fclose(file) != 0 || !written) {
    return InvalidArgumentError("--svg: cannot write \"" + path +
                                "\": " + std::strerror(written ? errno : write_errno));
  }
  return Status::Ok();
}

int Simulate(CliContext& ctx, const SimulateFlags& flags) {
  auto spec = SpecFromFlags(flags);
  if (!spec.ok()) return ctx.Fail(kExitUsage, spec.status().message());
  auto loaded = ctx.LoadConfig();
  if (auto* exit = std::get_if<ExitCode>(&loaded)) return exit->code;
  const AgentConfig& config = std::get<AgentConfig>(loaded);
  spec->schedule = ToScheduleOptions(config.schedule);
  if (!flags.server.empty()) spec->make_body = ServerBodyFactory(config, flags.server);

  auto report = RunSimulation(*spec);
  if (!report.ok()) {
    const bool usage = report.status().code() == StatusCode::kInvalidArgument;
    return ctx.Fail(usage ? kExitUsage : kExitFailure, report.status().message());
  }
  if (!flags.svg.empty()) {
    Status written = WriteSvg(flags.svg, RenderSimTimelineSvg(*report));
    if (!written.ok()) return ctx.Fail(kExitUsage, written.message());
  }
  if (flags.json) {
    ctx.console().PrintLine(SimReportToJson(*report).dump(2));
  } else {
    ctx.console().Print(FormatSimReportText(*report));
  }
  return kExitOk;
}

}  // namespace

void RegisterSimulateCommand(CLI::App& app, CommandHost& host) {
  auto flags = std::make_shared<SimulateFlags>();
  CLI::App* sub = app.add_subcommand(
      "simulate",
      "Run the config's schedule through the simulated iOS or Android scheduler on a virtual "
      "clock (no network) and print every wake-up and a summary (docs/platforms.md).");
  sub->add_option("platform", flags->platform, "ios or android")->required();
  sub->add_option("--days", flags->days, "days to simulate, 1..60 (default 7)")->option_text("N");
  sub->add_option("--offline", flags->offline, "offline every day in this window (repeatable)")
      ->option_text("HH:MM-HH:MM")
      ->allow_extra_args(false);
  sub->add_option("--charging", flags->charging, "charging every day in this window (repeatable)")
      ->option_text("HH:MM-HH:MM")
      ->allow_extra_args(false);
  sub->add_option("--force-quit-at", flags->force_quit_at,
                  "the user swipes the app away then (iOS: no more runs; Android: headless)")
      ->option_text("DAY:HH:MM");
  sub->add_option("--seed", flags->seed, "seed of the OS delays and the work model (default 1)")
      ->option_text("N");
  sub->add_flag("--json", flags->json, "print {\"runs\":[...],\"summary\":{...}}");
  sub->add_option("--svg", flags->svg, "also write the timeline picture to FILE")
      ->option_text("FILE");
  sub->add_option("--server", flags->server,
                  "sync for real against this (mock) server instead of the work model, with a "
                  "temporary store")
      ->option_text("URL");
  host.Bind(sub, "simulate", [&host, flags] { return Simulate(*host.ctx, *flags); });
}

}  // namespace syncagent::cli
