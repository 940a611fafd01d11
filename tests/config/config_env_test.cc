// ${VAR} expansion, server.auth.token_env, and the rule that no secret reaches a message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/env_expander.h"
#include "tests/config/config_test_util.h"

namespace syncagent {
namespace {

using config_internal::ExpandEnvironment;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;
using testing_config::Errors;
using testing_config::FakeEnv;
using testing_config::Minimal;
using testing_config::TestOptions;
using testing_config::With;
using Json = nlohmann::ordered_json;

TEST(EnvExpanderTest, Rules) {
  EnvLookup env = FakeEnv({{"HOST", "sync.example.com"}, {"EMPTY", ""}, {"_X1", "v"}});
  auto expand = [&env](std::string_view text) { return ExpandEnvironment(text, env); };
  EXPECT_EQ(expand("https://${HOST}/v1").value, "https://sync.example.com/v1");
  EXPECT_TRUE(expand("https://${HOST}/v1").used_environment);
  EXPECT_EQ(expand("a${EMPTY}b").value, "ab");
  EXPECT_EQ(expand("${_X1}${_X1}").value, "vv");
  EXPECT_EQ(expand("cost: $$5").value, "cost: $5");
  EXPECT_FALSE(expand("cost: $$5").used_environment);
  EXPECT_EQ(expand("$${HOST}").value, "${HOST}");
  EXPECT_EQ(expand("pa$word$").value, "pa$word$");
  EXPECT_EQ(*expand("${MISSING}").error, "environment variable MISSING is not set");
  EXPECT_EQ(*expand("abc${HOST").error, "unterminated \"${\" (write \"$$\" for a literal \"$\")");
  EXPECT_TRUE(expand("${}").error.has_value());
  EXPECT_TRUE(expand("${1ABC}").error.has_value());
  EXPECT_TRUE(expand("${A-B}").error.has_value());
}

TEST(ConfigEnvTest, ExpandsStringValuesEverywhere) {
  Json doc = Minimal();
  doc["server"]["base_url"] = "https://${HOST}:${PORT}/api";
  doc["storage"]["path"] = "${DATA}/sync.db";
  doc["server"]["headers"] = {{"X-Tenant", "${TENANT}"}};
  doc["sync"] = {{"collections", {"${COLL}"}}};
  doc["logging"] = {{"level", "${LEVEL}"}};
  StatusOr<AgentConfig> parsed = ParseConfig(doc.dump(), TestOptions({{"HOST", "h.example.com"},
                                                                      {"PORT", "8443"},
                                                                      {"DATA", "/data"},
                                                                      {"TENANT", "acme"},
                                                                      {"COLL", "notes"},
                                                                      {"LEVEL", "warn"}}));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->server.base_url, "https://h.example.com:8443/api");
  EXPECT_EQ(parsed->storage.path, "/data/sync.db");
  EXPECT_EQ(parsed->server.headers.at("X-Tenant"), "acme");
  EXPECT_THAT(parsed->sync.collections, ElementsAre("notes"));
  EXPECT_EQ(parsed->logging.level, LogLevel::kWarn);
}

TEST(ConfigEnvTest, DollarDollarIsALiteralDollar) {
  StatusOr<AgentConfig> parsed =
      ParseConfig(With("storage.path", "/data/$$HOME/sync.db").dump(), TestOptions());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->storage.path, "/data/$HOME/sync.db");
}

TEST(ConfigEnvTest, MissingVariableNamesTheVariable) {
  Json doc = With("server.auth", {{"type", "bearer"}, {"token", "${SYNC_TOKEN}"}});
  EXPECT_THAT(Errors(doc),
              ElementsAre("server.auth.token: environment variable SYNC_TOKEN is not set"));
  EXPECT_THAT(Errors(With("storage.path", "${DATA_DIR}/x.db")),
              ElementsAre("storage.path: environment variable DATA_DIR is not set"));
}

TEST(ConfigEnvTest, UnterminatedReferenceIsAnError) {
  EXPECT_THAT(Errors(With("storage.path", "${DATA_DIR/x.db")),
              ElementsAre("storage.path: unterminated \"${\" (write \"$$\" for a literal \"$\")"));
}

TEST(ConfigEnvTest, ExpandedValueIsShownByItsReference) {
  EXPECT_THAT(Errors(With("logging.level", "${LEVEL}"), TestOptions({{"LEVEL", "loud"}})),
              ElementsAre("logging.level: expected one of trace, debug, info, warn, error, off; "
                          "got a value expanded from \"${LEVEL}\""));
  EXPECT_THAT(Errors(With("storage.path", "${EMPTY}"), TestOptions({{"EMPTY", ""}})),
              ElementsAre("storage.path: expected a non-empty string, got an empty value after "
                          "expansion"));
}

TEST(ConfigEnvTest, TokenEnvReadsTheVariable) {
  Json doc = With("server.auth", {{"type", "bearer"}, {"token_env", "SYNC_TOKEN"}});
  StatusOr<AgentConfig> parsed = ParseConfig(doc.dump(), TestOptions({{"SYNC_TOKEN", "t0k"}}));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->server.auth.token.reveal(), "t0k");
  EXPECT_TRUE(parsed->server.auth.token_from_environment);

  EXPECT_THAT(Errors(doc),
              ElementsAre("server.auth.token_env: environment variable SYNC_TOKEN is not set"));
  EXPECT_THAT(Errors(doc, TestOptions({{"SYNC_TOKEN", ""}})),
              ElementsAre("server.auth.token_env: environment variable SYNC_TOKEN is empty"));
  EXPECT_THAT(Errors(With("server.auth.token_env", "1BAD", doc)),
              ElementsAre("server.auth.token_env: expected an environment variable name "
                          "([A-Za-z_][A-Za-z0-9_]*), got \"1BAD\""));
}

TEST(ConfigEnvTest, TokenFromReferenceCountsAsEnvironment) {
  Json doc = With("server.auth", {{"type", "bearer"}, {"token", "${SYNC_TOKEN}"}});
  StatusOr<AgentConfig> parsed = ParseConfig(doc.dump(), TestOptions({{"SYNC_TOKEN", "abc"}}));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->server.auth.token.reveal(), "abc");
  EXPECT_TRUE(parsed->server.auth.token_from_environment);
}

TEST(ConfigEnvTest, BearerNeedsExactlyOneTokenSource) {
  EXPECT_THAT(Errors(With("server.auth.type", "bearer")),
              ElementsAre("server.auth: type \"bearer\" needs exactly one of token and token_env; "
                          "neither is set"));
  Json both =
      With("server.auth", {{"type", "bearer"}, {"token", "abc"}, {"token_env", "SYNC_TOKEN"}});
  EXPECT_THAT(Errors(both, TestOptions({{"SYNC_TOKEN", "x"}})),
              ElementsAre("server.auth: type \"bearer\" needs exactly one of token and token_env; "
                          "both are set"));
  EXPECT_THAT(Errors(With("server.auth.token", "abc")),
              ElementsAre("server.auth.token: only used when server.auth.type is \"bearer\"; got "
                          "type \"none\""));
}

// Every message (errors and warnings) produced for `doc`, one per line.
std::string AllMessages(const Json& doc, const ConfigOptions& options) {
  std::string out;
  for (TargetPlatform platform :
       {TargetPlatform::kAny, TargetPlatform::kAndroid, TargetPlatform::kIos}) {
    ConfigOptions with_platform = options;
    with_platform.target_platform = platform;
    ConfigResult result = CheckConfig(doc.dump(), with_platform);
    out += result.ErrorText() + "\n" + result.WarningText() + "\n";
    StatusOr<AgentConfig> parsed = ParseConfig(doc.dump(), options);
    out += parsed.status().ToString() + "\n";
  }
  return out;
}

TEST(ConfigEnvTest, SecretsNeverAppearInMessages) {
  const std::string secret = "Sup3rS3cretT0ken";
  struct Case {
    const char* name;
    Json auth;
  };
  const Case cases[] = {
      {"literal token with a space", {{"type", "bearer"}, {"token", secret + " x"}}},
      {"literal token with a newline", {{"type", "bearer"}, {"token", secret + "\n"}}},
      {"token but type none", {{"type", "none"}, {"token", secret}}},
      {"token of the wrong type", {{"type", "bearer"}, {"token", {secret}}}},
      {"token next to an unknown key", {{"type", "bearer"}, {"token", secret}, {"tokn", secret}}},
      {"unknown key holding the token", {{"type", "bearer"}, {"toekn", secret}}},
      {"both sources", {{"type", "bearer"}, {"token", secret}, {"token_env", "ENV_TOKEN"}}},
      {"env token with a space", {{"type", "bearer"}, {"token_env", "BAD_TOKEN"}}},
      {"expanded token with a space", {{"type", "bearer"}, {"token", "${BAD_TOKEN}"}}},
      {"valid literal token (lint)", {{"type", "bearer"}, {"token", secret}}},
      {"unterminated reference in token", {{"type", "bearer"}, {"token", secret + "${X"}}},
  };
  const ConfigOptions options =
      TestOptions({{"ENV_TOKEN", secret}, {"BAD_TOKEN", secret + " bad"}});
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Json doc = With("server.auth", c.auth);
    doc["server"]["headers"] = {{"X-Api-Key", secret + "\r\n"}};
    doc["server"]["allow_insecure_http"] = true;
    doc["server"]["base_url"] = "http://sync.example.com";
    const std::string messages = AllMessages(doc, options);
    EXPECT_THAT(messages, Not(testing::HasSubstr("Sup3r"))) << messages;
    EXPECT_THAT(messages, testing::HasSubstr("server."));  // something was reported
  }
}

TEST(ConfigEnvTest, TokenErrorsAreReportedWithoutTheValue) {
  EXPECT_THAT(Errors(With("server.auth", {{"type", "bearer"}, {"token", "a b"}})),
              ElementsAre("server.auth.token: the token must be printable ASCII without spaces "
                          "(it is sent in an HTTP header)"));
  EXPECT_THAT(Errors(With("server.auth", {{"type", "bearer"}, {"token", 12345}})),
              ElementsAre("server.auth.token: expected a string, got an integer"));
  EXPECT_THAT(Errors(With("server.auth", {{"type", "bearer"}, {"token", ""}})),
              ElementsAre("server.auth.token: expected a non-empty string"));
  Json doc = With("server.auth", {{"type", "bearer"}, {"token_env", "T"}});
  EXPECT_THAT(Errors(doc, TestOptions({{"T", "a b"}})),
              ElementsAre("server.auth.token_env: environment variable T does not hold a usable "
                          "token: the token must be printable ASCII without spaces (it is sent in "
                          "an HTTP header)"));
}

}  // namespace
}  // namespace syncagent
