// Happy paths: a full config, the defaults of a minimal one, the typed values and helpers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "config/config.h"
#include "tests/config/config_test_util.h"

namespace syncagent {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing_config::Minimal;
using testing_config::TestOptions;

// Any readable file will do as a CA file for parsing (its content is read by net/).
constexpr const char* kCaFile = SYNCAGENT_SOURCE_DIR "/CMakeLists.txt";

constexpr const char* kFullConfig = R"({
  "$schema": "./syncagent.schema.json",
  "server": {
    "base_url": "https://sync.example.com/api",
    "allow_insecure_http": false,
    "auth": {"type": "bearer", "token_env": "SYNC_TOKEN"},
    "tls": {
      "ca_file": "@CA_FILE@",
      "pinned_public_keys": ["sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="]
    },
    "timeouts": {"connect_ms": 5000, "request_ms": 60000},
    "headers": {"X-App-Version": "4.2.0", "X-Tenant": "acme"},
    "max_response_bytes": 1048576,
    "gzip_request_min_bytes": 0
  },
  "storage": {"path": "/data/sync.db", "synchronous": "full", "busy_timeout_ms": 250},
  "schedule": {
    "task_id": "com.example.sync",
    "minimum_interval_minutes": 60,
    "jitter_percent": 20,
    "time_budget_seconds": 28,
    "stop_on_terminate": true,
    "start_on_boot": false,
    "enable_headless": false,
    "constraints": {
      "network": "unmetered",
      "requires_charging": true,
      "requires_battery_not_low": true,
      "requires_storage_not_low": true,
      "requires_device_idle": false
    }
  },
  "retry": {
    "initial_delay_ms": 500,
    "multiplier": 1.5,
    "max_delay_ms": 30000,
    "jitter": "decorrelated",
    "max_attempts_per_cycle": 3,
    "honor_retry_after": true,
    "max_retry_after_ms": 120000
  },
  "sync": {
    "collections": ["notes", "tasks", "user.settings"],
    "push_batch_size": 50,
    "push_batch_bytes": 65536,
    "pull_page_size": 200,
    "skip_own_changes": false,
    "conflict": {
      "default": "last_writer_wins",
      "per_collection": {"notes": "merge", "user.settings": "client_wins"},
      "merge_tie": "newer"
    }
  },
  "logging": {"level": "debug"}
})";

// kFullConfig with an existing file as the CA file.
std::string FullConfig() {
  std::string text = kFullConfig;
  const std::string placeholder = "@CA_FILE@";
  text.replace(text.find(placeholder), placeholder.size(), kCaFile);
  return text;
}

TEST(ConfigParseTest, FullExampleParsesEveryKey) {
  StatusOr<AgentConfig> parsed =
      ParseConfig(FullConfig(), TestOptions({{"SYNC_TOKEN", "tok-123"}}));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const AgentConfig& c = *parsed;
  EXPECT_EQ(c.server.base_url, "https://sync.example.com/api");
  EXPECT_FALSE(c.server.allow_insecure_http);
  EXPECT_EQ(c.server.auth.type, AuthType::kBearer);
  EXPECT_EQ(c.server.auth.token.reveal(), "tok-123");
  EXPECT_EQ(c.server.auth.token_env, "SYNC_TOKEN");
  EXPECT_TRUE(c.server.auth.token_from_environment);
  EXPECT_EQ(c.server.tls.ca_file, kCaFile);
  EXPECT_THAT(c.server.tls.pinned_public_keys,
              ElementsAre("sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
  EXPECT_EQ(c.server.timeouts.connect_ms, 5000);
  EXPECT_EQ(c.server.timeouts.request_ms, 60000);
  EXPECT_EQ(c.server.headers, (StringMap{{"X-App-Version", "4.2.0"}, {"X-Tenant", "acme"}}));
  EXPECT_EQ(c.server.max_response_bytes, 1048576);
  EXPECT_EQ(c.server.gzip_request_min_bytes, 0);
  EXPECT_EQ(c.storage.path, "/data/sync.db");
  EXPECT_EQ(c.storage.synchronous, Synchronous::kFull);
  EXPECT_EQ(c.storage.busy_timeout_ms, 250);
  EXPECT_EQ(c.schedule.task_id, "com.example.sync");
  EXPECT_EQ(c.schedule.minimum_interval_minutes, 60);
  EXPECT_EQ(c.schedule.jitter_percent, 20);
  EXPECT_EQ(c.schedule.time_budget_seconds, 28);
  EXPECT_TRUE(c.schedule.stop_on_terminate);
  EXPECT_FALSE(c.schedule.start_on_boot);
  EXPECT_FALSE(c.schedule.enable_headless);
  EXPECT_EQ(c.schedule.constraints.network, NetworkType::kUnmetered);
  EXPECT_TRUE(c.schedule.constraints.requires_charging);
  EXPECT_TRUE(c.schedule.constraints.requires_battery_not_low);
  EXPECT_TRUE(c.schedule.constraints.requires_storage_not_low);
  EXPECT_FALSE(c.schedule.constraints.requires_device_idle);
  EXPECT_EQ(c.retry.initial_delay_ms, 500);
  EXPECT_DOUBLE_EQ(c.retry.multiplier, 1.5);
  EXPECT_EQ(c.retry.max_delay_ms, 30000);
  EXPECT_EQ(c.retry.jitter, JitterKind::kDecorrelated);
  EXPECT_EQ(c.retry.max_attempts_per_cycle, 3);
  EXPECT_TRUE(c.retry.honor_retry_after);
  EXPECT_EQ(c.retry.max_retry_after_ms, 120000);
  EXPECT_THAT(c.sync.collections, ElementsAre("notes", "tasks", "user.settings"));
  EXPECT_EQ(c.sync.push_batch_size, 50);
  EXPECT_EQ(c.sync.push_batch_bytes, 65536);
  EXPECT_EQ(c.sync.pull_page_size, 200);
  EXPECT_FALSE(c.sync.skip_own_changes);
  EXPECT_EQ(c.sync.conflict.default_policy, ConflictPolicy::kLastWriterWins);
  EXPECT_EQ(c.sync.conflict.merge_tie, MergeTie::kNewer);
  EXPECT_EQ(c.sync.conflict.PolicyFor("notes"), ConflictPolicy::kMerge);
  EXPECT_EQ(c.sync.conflict.PolicyFor("user.settings"), ConflictPolicy::kClientWins);
  EXPECT_EQ(c.sync.conflict.PolicyFor("tasks"), ConflictPolicy::kLastWriterWins);
  EXPECT_EQ(c.logging.level, LogLevel::kDebug);
}

TEST(ConfigParseTest, FullExampleHasNoErrorsAndOnlyExpectedWarnings) {
  ConfigOptions options = TestOptions({{"SYNC_TOKEN", "tok-123"}});
  options.target_platform = TargetPlatform::kIos;
  ConfigResult result = CheckConfig(FullConfig(), options);
  EXPECT_THAT(result.errors, IsEmpty());
  ASSERT_TRUE(result.config.has_value());
  EXPECT_THAT(result.warnings, IsEmpty());  // 28 s budget and 60 min interval suit iOS
}

TEST(ConfigParseTest, MinimalConfigGetsTheDefaults) {
  StatusOr<AgentConfig> parsed = ParseConfig(Minimal().dump(), TestOptions());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const AgentConfig& c = *parsed;
  EXPECT_EQ(c.server.auth.type, AuthType::kNone);
  EXPECT_TRUE(c.server.auth.token.empty());
  EXPECT_EQ(c.server.timeouts.connect_ms, 10000);
  EXPECT_EQ(c.server.timeouts.request_ms, 30000);
  EXPECT_EQ(c.server.max_response_bytes, 33554432);
  EXPECT_EQ(c.server.gzip_request_min_bytes, 4096);
  EXPECT_EQ(c.storage.synchronous, Synchronous::kNormal);
  EXPECT_EQ(c.storage.busy_timeout_ms, 5000);
  EXPECT_EQ(c.schedule.task_id, "syncagent.refresh");
  EXPECT_EQ(c.schedule.minimum_interval_minutes, 15);
  EXPECT_EQ(c.schedule.jitter_percent, 10);
  EXPECT_EQ(c.schedule.time_budget_seconds, 25);
  EXPECT_FALSE(c.schedule.stop_on_terminate);
  EXPECT_TRUE(c.schedule.start_on_boot);
  EXPECT_TRUE(c.schedule.enable_headless);
  EXPECT_EQ(c.schedule.constraints.network, NetworkType::kAny);
  EXPECT_EQ(c.retry.initial_delay_ms, 1000);
  EXPECT_DOUBLE_EQ(c.retry.multiplier, 2.0);
  EXPECT_EQ(c.retry.max_delay_ms, 60000);
  EXPECT_EQ(c.retry.jitter, JitterKind::kFull);
  EXPECT_EQ(c.retry.max_attempts_per_cycle, 5);
  EXPECT_TRUE(c.retry.honor_retry_after);
  EXPECT_EQ(c.retry.max_retry_after_ms, 300000);
  EXPECT_THAT(c.sync.collections, IsEmpty());
  EXPECT_EQ(c.sync.push_batch_size, 100);
  EXPECT_EQ(c.sync.push_batch_bytes, 1048576);
  EXPECT_EQ(c.sync.pull_page_size, 500);
  EXPECT_TRUE(c.sync.skip_own_changes);
  EXPECT_EQ(c.sync.conflict.default_policy, ConflictPolicy::kMerge);
  EXPECT_EQ(c.sync.conflict.merge_tie, MergeTie::kServer);
  EXPECT_EQ(c.logging.level, LogLevel::kInfo);
}

TEST(ConfigParseTest, IntegralNumberIsAcceptedForANumberKey) {
  StatusOr<AgentConfig> parsed =
      ParseConfig(testing_config::With("retry.multiplier", 3).dump(), TestOptions());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_DOUBLE_EQ(parsed->retry.multiplier, 3.0);
}

TEST(ConfigParseTest, LiteralTokenIsKeptAndMarkedAsLiteral) {
  auto doc = testing_config::With("server.auth", {{"type", "bearer"}, {"token", "abc.def-1"}});
  StatusOr<AgentConfig> parsed = ParseConfig(doc.dump(), TestOptions());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->server.auth.token.reveal(), "abc.def-1");
  EXPECT_FALSE(parsed->server.auth.token_from_environment);
}

TEST(ConfigParseTest, PolicyForFallsBackToDefault) {
  ConflictConfig conflict;
  conflict.default_policy = ConflictPolicy::kServerWins;
  conflict.per_collection.emplace("notes", ConflictPolicy::kManual);
  EXPECT_EQ(conflict.PolicyFor("notes"), ConflictPolicy::kManual);
  EXPECT_EQ(conflict.PolicyFor("other"), ConflictPolicy::kServerWins);
  EXPECT_EQ(conflict.PolicyFor(""), ConflictPolicy::kServerWins);
}

TEST(ConfigParseTest, SecretNeverPrintsItsValue) {
  Secret secret("hunter2");
  EXPECT_EQ(secret.reveal(), "hunter2");
  EXPECT_EQ(secret.ToString(), "***");
  std::ostringstream out;
  out << secret;
  EXPECT_EQ(out.str(), "***");
  EXPECT_EQ(::testing::PrintToString(secret), "***");
  Secret moved = std::move(secret);
  EXPECT_EQ(moved.reveal(), "hunter2");
  EXPECT_TRUE(Secret().empty());
  EXPECT_EQ(Secret().ToString(), "***");
}

TEST(ConfigParseTest, EnumNamesRoundTrip) {
  EXPECT_EQ(ToString(ConflictPolicy::kLastWriterWins), "last_writer_wins");
  EXPECT_EQ(ToString(NetworkType::kNotRoaming), "not_roaming");
  EXPECT_EQ(ToString(JitterKind::kDecorrelated), "decorrelated");
  EXPECT_EQ(ToString(LogLevel::kWarn), "warn");
  EXPECT_EQ(ToString(TargetPlatform::kIos), "ios");
  EXPECT_EQ(EnumFromName<MergeTie>("newer"), MergeTie::kNewer);
  EXPECT_EQ(EnumFromName<AuthType>("Bearer"), std::nullopt);
  EXPECT_THAT(EnumNames<Synchronous>(), ElementsAre("normal", "full"));
  EXPECT_THAT(EnumNames<ConflictPolicy>(),
              ElementsAre("server_wins", "client_wins", "last_writer_wins", "merge", "manual"));
}

TEST(ConfigParseTest, SchemaKeyIsAcceptedAtTopLevelOnly) {
  auto doc = testing_config::With("$schema", "https://example.com/syncagent.schema.json");
  EXPECT_THAT(testing_config::Errors(doc), IsEmpty());
  EXPECT_THAT(testing_config::Errors(testing_config::With("server.$schema", "x")),
              ElementsAre("server.$schema: unknown key"));
}

TEST(ConfigParseTest, ParseConfigErrorIsInvalidArgumentWithOneLinePerError) {
  StatusOr<AgentConfig> parsed = ParseConfig(
      testing_config::With("schedule.minimum_interval_minutes", 5).dump(), TestOptions());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().message(),
            "schedule.minimum_interval_minutes: expected an integer >= 15, got 5");
}

TEST(ConfigParseTest, RelativeStoragePathResolvesAgainstBaseDir) {
  ConfigOptions options = TestOptions();
  options.base_dir = "/srv/app/conf";
  StatusOr<AgentConfig> parsed =
      ParseConfig(testing_config::With("storage.path", "../data/sync.db").dump(), options);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->storage.path, "/srv/app/data/sync.db");

  // Without base_dir it stays as written; an absolute path is never changed.
  parsed = ParseConfig(testing_config::With("storage.path", "data/sync.db").dump(), TestOptions());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->storage.path, "data/sync.db");
  parsed = ParseConfig(Minimal().dump(), options);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->storage.path, "/var/lib/app/sync.db");
}

}  // namespace
}  // namespace syncagent
