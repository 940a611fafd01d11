// In-process tests of the CLI's helpers: redaction, one-line errors, JSON arguments, schedule
// mapping and formatting.
#include <pthread.h>

#include <cstdio>
#include <functional>

#include <gtest/gtest.h>

#include "agent/cli/console.h"
#include "agent/cli/json_arg.h"
#include "agent/cli/json_print.h"
#include "agent/cli/schedule_mapping.h"
#include "agent/cli/sync_progress.h"
#include "tests/common/small_stack.h"

namespace syncagent::cli {
namespace {

using ::syncagent::testing::OnSmallStack;

std::string ReadAll(std::FILE* f) {
  std::rewind(f);
  std::string s;
  char buffer[256];
  while (size_t n = std::fread(buffer, 1, sizeof(buffer), f)) s.append(buffer, n);
  return s;
}

TEST(CliConsoleTest, RedactsSecretsEverywhere) {
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  {
    Console console(out, err);
    console.SetLevel(LogLevel::kTrace);
    console.AddSecret("abc");  // too short to be redacted safely: ignored
    console.AddSecret("s3cr3t-token");
    console.Print("value s3cr3t-token and abc\n");
    console.Log(LogLevel::kTrace, "Bearer s3cr3t-tokens3cr3t-token");
    console.Error("run", "line one\nline two s3cr3t-token\n");
  }
  EXPECT_EQ(ReadAll(out), "value *** and abc\n");
  EXPECT_EQ(ReadAll(err),
            "syncagent: trace: Bearer ******\nsyncagent: run: line one; line two ***\n");
  std::fclose(out);
  std::fclose(err);
}

TEST(CliConsoleTest, LevelsFilter) {
  std::FILE* err = std::tmpfile();
  Console console(stdout, err);
  console.SetLevel(LogLevel::kWarn);
  console.Log(LogLevel::kInfo, "hidden");
  console.Log(LogLevel::kError, "shown");
  console.SetLevel(LogLevel::kOff);
  console.Log(LogLevel::kError, "hidden too");
  console.Error("cmd", "errors always show");
  EXPECT_EQ(ReadAll(err), "syncagent: error: shown\nsyncagent: cmd: errors always show\n");
  std::fclose(err);
}

TEST(CliJsonArgTest, ObjectsOnly) {
  EXPECT_TRUE(ParseJsonObjectArg("JSON", R"({"a":1})").ok());
  EXPECT_EQ(ParseJsonObjectArg("JSON", "[1]").status().message(),
            "argument JSON: expected a JSON object, got an array: [1]");
  EXPECT_EQ(ParseJsonObjectArg("JSON", "\"x\"").status().message(),
            "argument JSON: expected a JSON object, got a string: \"x\"");
  EXPECT_EQ(ParseJsonObjectArg("JSON", "null").status().message(),
            "argument JSON: expected a JSON object, got null: null");
  const std::string bad = ParseJsonObjectArg("JSON", "{oops").status().message();
  EXPECT_EQ(bad.rfind("argument JSON: expected a JSON object, got invalid JSON \"{oops\" (parse error", 0), 0u) << bad;
  EXPECT_EQ(bad.find('\n'), std::string::npos);
}

// Item 9 of issue 13: a number that does not fit in a double was an "internal error" (exit 1).
TEST(CliJsonArgTest, NumberOutOfRangeIsABadArgument) {
  StatusOr<nlohmann::json> parsed = ParseJsonObjectArg("JSON", R"({"n":1e400})");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().message(),
            "argument JSON: cannot be stored: number overflow parsing '1e400' (numbers must fit "
            "in a double)");
}

TEST(CliJsonArgTest, DepthIsCheckedBeforeParsing) {
  std::string at_limit;
  for (int i = 0; i < 31; ++i) at_limit += R"({"a":)";
  at_limit += "[]" + std::string(31, '}');
  EXPECT_TRUE(ParseJsonObjectArg("JSON", at_limit).ok());
  const std::string deep = R"({"a":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_EQ(ParseJsonObjectArg("JSON", deep).status().message(),
            "argument JSON: nested deeper than 32 levels (the document limit)");
}


TEST(CliJsonPrintTest, CompactJsonIsDumpWithoutRecursion) {
  const nlohmann::json mixed = nlohmann::json::parse(
      R"({"b":[1,2.5,"x\"y",null,true,{}],"a":{"c":[],"d":"\u00e9\n"},"e":-3})");
  EXPECT_EQ(CompactJson(mixed), mixed.dump());
  EXPECT_EQ(CompactJson(nlohmann::json(7)), "7");
  EXPECT_EQ(CompactJson(nlohmann::json::array()), "[]");

  // 200,000 levels on a 512 KiB stack: dump() would overflow it.
  const std::string deep = R"({"a":)" + std::string(200000, '[') + std::string(200000, ']') + "}";
  const nlohmann::json value = nlohmann::json::parse(deep);  // iterative
  std::string printed, pretty;
  OnSmallStack([&] {
    printed = CompactJson(value);
    pretty = PrintableJson(value);
  });
  EXPECT_EQ(printed, deep);
  EXPECT_EQ(pretty, deep) << "past the pretty depth: compact";
}

TEST(CliJsonPrintTest, PrettyUpToThePrettyDepth) {
  EXPECT_EQ(PrintableJson(nlohmann::json::parse(R"({"a":[1]})")), "{\n  \"a\": [\n    1\n  ]\n}");
  nlohmann::json at = nlohmann::json::object();
  for (int i = 1; i < kMaxPrettyDepth; ++i) at = nlohmann::json{{"a", std::move(at)}};
  EXPECT_NE(PrintableJson(at).find('\n'), std::string::npos);
  nlohmann::json past = nlohmann::json{{"a", std::move(at)}};
  EXPECT_EQ(PrintableJson(past), past.dump());
}

TEST(CliScheduleMappingTest, FromConfig) {
  AgentConfig config;
  config.schedule.minimum_interval_minutes = 60;
  config.schedule.jitter_percent = 5;
  config.schedule.time_budget_seconds = 40;
  config.schedule.constraints.network = NetworkType::kUnmetered;
  config.schedule.constraints.requires_charging = true;
  config.storage.path = "/var/lib/app/sync.db";
  config.server.auth.token_env = "APP_TOKEN";
  ScheduleOptions options = ToScheduleOptions(config.schedule);
  EXPECT_EQ(options.minimum_interval, std::chrono::minutes(60));
  EXPECT_EQ(options.time_budget, std::chrono::seconds(40));
  EXPECT_EQ(options.constraints.network, NetworkRequirement::kUnmetered);
  EXPECT_TRUE(options.constraints.requires_charging);
  SystemdOptions systemd = ToSystemdOptions(config, "/usr/bin/syncagent", "/etc/app/sync.json");
  EXPECT_EQ(systemd.store_dir, "/var/lib/app");
  EXPECT_EQ(systemd.config_path, "/etc/app/sync.json");
  EXPECT_EQ(systemd.token_env, "APP_TOKEN");
  EXPECT_EQ(systemd.jitter_percent, 5);
}

TEST(CliFormatTest, DurationsAndBytes) {
  EXPECT_EQ(FormatDuration(250), "250ms");
  EXPECT_EQ(FormatDuration(4000), "4s");
  EXPECT_EQ(FormatDuration(123000), "2m 3s");
  EXPECT_EQ(FormatDuration(3900000), "1h 5m");
  EXPECT_EQ(FormatBytes(100), "100 B");
  EXPECT_EQ(FormatBytes(2048), "2.0 KiB");
}

}  // namespace
}  // namespace syncagent::cli
