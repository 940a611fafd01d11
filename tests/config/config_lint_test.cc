// LintConfig: each warning, the platforms it applies to, and a quiet default config.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "tests/config/config_test_util.h"

namespace syncagent {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing_config::Minimal;
using testing_config::TestOptions;
using testing_config::Warnings;
using testing_config::With;
using Json = nlohmann::ordered_json;

TEST(ConfigLintTest, DefaultConfigIsQuietExceptForIosIntervals) {
  EXPECT_THAT(Warnings(Minimal(), TargetPlatform::kAny), IsEmpty());
  EXPECT_THAT(Warnings(Minimal(), TargetPlatform::kAndroid), IsEmpty());
  EXPECT_THAT(Warnings(Minimal(), TargetPlatform::kLinux), IsEmpty());
  EXPECT_THAT(Warnings(Minimal(), TargetPlatform::kDesktop), IsEmpty());
  EXPECT_THAT(Warnings(Minimal(), TargetPlatform::kIos),
              ElementsAre("schedule.minimum_interval_minutes: iOS schedules app refresh from usage "
                          "patterns; an interval of 15 minutes is not honoured (expect hours "
                          "between runs)"));
}

TEST(ConfigLintTest, NoHeadlessAfterTermination) {
  Json doc = With("schedule.enable_headless", false);
  const std::string warning =
      "schedule.enable_headless: stop_on_terminate is false but enable_headless is false: on "
      "Android, sync events after the app is terminated have nowhere to run; set "
      "enable_headless to true";
  EXPECT_THAT(Warnings(doc, TargetPlatform::kAndroid), ElementsAre(warning));
  EXPECT_THAT(Warnings(doc, TargetPlatform::kAny), ElementsAre(warning));
  EXPECT_THAT(Warnings(doc, TargetPlatform::kLinux), IsEmpty());
  // Stopping on terminate makes headless irrelevant.
  doc["schedule"]["stop_on_terminate"] = true;
  EXPECT_THAT(Warnings(doc, TargetPlatform::kAndroid), IsEmpty());
}

TEST(ConfigLintTest, DeviceIdleOnPeriodicWork) {
  Json doc = With("schedule.constraints.requires_device_idle", true);
  EXPECT_THAT(Warnings(doc, TargetPlatform::kAndroid),
              ElementsAre("schedule.constraints.requires_device_idle: Android rarely lets "
                          "periodic work run when it requires an idle device; syncs may almost "
                          "never happen"));
  EXPECT_THAT(Warnings(doc, TargetPlatform::kDesktop), IsEmpty());
}

TEST(ConfigLintTest, IosLimits) {
  Json doc = With("schedule.time_budget_seconds", 45);
  doc["schedule"]["minimum_interval_minutes"] = 60;
  EXPECT_THAT(Warnings(doc, TargetPlatform::kIos),
              ElementsAre("schedule.time_budget_seconds: iOS gives a background app refresh "
                          "about 30 s; a budget of 45 s will be cut short by the OS (use 30 or "
                          "less)"));
  EXPECT_THAT(Warnings(doc, TargetPlatform::kAny), IsEmpty());
  EXPECT_THAT(Warnings(doc, TargetPlatform::kAndroid), IsEmpty());
  doc["schedule"]["time_budget_seconds"] = 30;
  EXPECT_THAT(Warnings(doc, TargetPlatform::kIos), IsEmpty());
}

TEST(ConfigLintTest, AndroidTenMinuteLimit) {
  // The key's own maximum is 600, so only a config built in code can exceed it.
  AgentConfig config;
  config.server.base_url = "https://sync.example.com";
  config.schedule.time_budget_seconds = 900;
  EXPECT_THAT(LintConfig(config, TargetPlatform::kAndroid),
              ElementsAre(ConfigIssue{"schedule.time_budget_seconds",
                                      "WorkManager stops work after 10 minutes; a budget of 900 s "
                                      "will be cut short"}));
  EXPECT_THAT(LintConfig(config, TargetPlatform::kLinux), IsEmpty());
  config.schedule.time_budget_seconds = 600;
  EXPECT_THAT(LintConfig(config, TargetPlatform::kAndroid), IsEmpty());
}

TEST(ConfigLintTest, InsecureHttpToANonLoopbackHost) {
  Json doc = With("server.allow_insecure_http", true);
  doc["server"]["base_url"] = "http://sync.example.com";
  EXPECT_THAT(Warnings(doc),
              ElementsAre("server.allow_insecure_http: true with the non-loopback host "
                          "sync.example.com: data and credentials may travel unencrypted; allow "
                          "http only for a local test server (localhost, 127.0.0.0/8, [::1])"));
  for (const char* local : {"http://localhost:8080", "http://127.0.0.1:9", "http://127.8.9.10",
                            "http://[::1]:8080/v1"}) {
    doc["server"]["base_url"] = local;
    EXPECT_THAT(Warnings(doc), IsEmpty()) << local;
  }
}

TEST(ConfigLintTest, LiteralTokenInTheConfig) {
  Json doc = With("server.auth", {{"type", "bearer"}, {"token", "abc"}});
  EXPECT_THAT(Warnings(doc),
              ElementsAre("server.auth.token: the bearer token is stored in plain text in the "
                          "config; use server.auth.token_env or \"${VAR}\" to read it from the "
                          "environment"));
  doc["server"]["auth"]["token"] = "${TOKEN}";
  EXPECT_THAT(Warnings(doc, TargetPlatform::kAny, TestOptions({{"TOKEN", "abc"}})), IsEmpty());
  doc = With("server.auth", {{"type", "bearer"}, {"token_env", "TOKEN"}});
  EXPECT_THAT(Warnings(doc, TargetPlatform::kAny, TestOptions({{"TOKEN", "abc"}})), IsEmpty());
}

TEST(ConfigLintTest, ThunderingHerdAndRetryAfter) {
  EXPECT_THAT(Warnings(With("schedule.jitter_percent", 0)),
              ElementsAre("schedule.jitter_percent: 0 makes every device of a fleet sync at the "
                          "same moment (thundering herd); keep some jitter, e.g. 10"));
  EXPECT_THAT(Warnings(With("retry.jitter", "none")),
              ElementsAre("retry.jitter: none makes clients that failed together retry together "
                          "(thundering herd); use full"));
  EXPECT_THAT(Warnings(With("retry.honor_retry_after", false)),
              ElementsAre("retry.honor_retry_after: false ignores the server's Retry-After, so an "
                          "overloaded server is retried sooner than it asked"));
}

TEST(ConfigLintTest, InvalidConfigHasNoWarnings) {
  Json doc = With("retry.jitter", "none");
  doc["schedule"] = {{"minimum_interval_minutes", 1}};
  ConfigResult result = CheckConfig(doc.dump(), TestOptions());
  EXPECT_EQ(result.errors.size(), 1u);
  EXPECT_THAT(result.warnings, IsEmpty());
  EXPECT_FALSE(result.config.has_value());
}

}  // namespace
}  // namespace syncagent
