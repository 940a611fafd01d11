// Error messages: exact texts for the documented cases, and table-driven type and range errors
// over every key of the descriptor table.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/key_table.h"
#include "tests/config/config_test_util.h"

namespace syncagent {
namespace {

using config_internal::ConfigKeys;
using config_internal::KeyDescriptor;
using config_internal::KeyType;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;
using testing_config::Errors;
using testing_config::Minimal;
using testing_config::TextErrors;
using testing_config::With;
using Json = nlohmann::ordered_json;

TEST(ConfigErrorsTest, IntervalBelowMinimum) {
  EXPECT_THAT(Errors(With("schedule.minimum_interval_minutes", 5)),
              ElementsAre("schedule.minimum_interval_minutes: expected an integer >= 15, got 5"));
}

TEST(ConfigErrorsTest, IntegerGivenAsStringOrFloat) {
  EXPECT_THAT(Errors(With("schedule.minimum_interval_minutes", "15")),
              ElementsAre("schedule.minimum_interval_minutes: expected an integer >= 15, got a "
                          "string \"15\""));
  EXPECT_THAT(
      Errors(With("schedule.minimum_interval_minutes", 15.5)),
      ElementsAre("schedule.minimum_interval_minutes: expected an integer >= 15, got 15.5"));
  EXPECT_THAT(
      Errors(With("server.timeouts.connect_ms", 0)),
      ElementsAre("server.timeouts.connect_ms: expected an integer from 1 to 600000, got 0"));
  EXPECT_THAT(Errors(With("sync.pull_page_size", nullptr)),
              ElementsAre("sync.pull_page_size: expected an integer from 1 to 10000, got null"));
  EXPECT_THAT(Errors(With("sync.pull_page_size", 18446744073709551615ull)),
              ElementsAre("sync.pull_page_size: expected an integer from 1 to 10000, got "
                          "18446744073709551615"));
}

TEST(ConfigErrorsTest, BooleanMustBeAJsonBoolean) {
  EXPECT_THAT(Errors(With("schedule.start_on_boot", "true")),
              ElementsAre("schedule.start_on_boot: expected a boolean, got a string \"true\""));
  EXPECT_THAT(Errors(With("retry.honor_retry_after", 1)),
              ElementsAre("retry.honor_retry_after: expected a boolean, got 1"));
  EXPECT_THAT(Errors(With("sync.skip_own_changes", nullptr)),
              ElementsAre("sync.skip_own_changes: expected a boolean, got null"));
}

TEST(ConfigErrorsTest, NumberBelowMinimum) {
  EXPECT_THAT(Errors(With("retry.multiplier", 0.5)),
              ElementsAre("retry.multiplier: expected a number >= 1, got 0.5"));
  EXPECT_THAT(Errors(With("retry.multiplier", "2")),
              ElementsAre("retry.multiplier: expected a number >= 1, got a string \"2\""));
}

TEST(ConfigErrorsTest, EnumListsAllowedValuesAndSuggests) {
  EXPECT_THAT(Errors(With("sync.conflict.default", "mrege")),
              ElementsAre("sync.conflict.default: expected one of server_wins, client_wins, "
                          "last_writer_wins, merge, manual; got \"mrege\"; did you mean merge?"));
  EXPECT_THAT(Errors(With("logging.level", "verbose")),
              ElementsAre("logging.level: expected one of trace, debug, info, warn, error, off; "
                          "got \"verbose\""));
  EXPECT_THAT(Errors(With("storage.synchronous", "FULL")),
              ElementsAre("storage.synchronous: expected one of normal, full; got \"FULL\"; did "
                          "you mean full?"));
  EXPECT_THAT(Errors(With("retry.jitter", 3)),
              ElementsAre("retry.jitter: expected one of full, equal, decorrelated, none; got 3"));
}

TEST(ConfigErrorsTest, UnknownKeyWithSuggestion) {
  Json doc = Minimal();
  doc["server"]["base_ulr"] = "https://x.example.com";
  EXPECT_THAT(Errors(doc), ElementsAre("server.base_ulr: unknown key; did you mean base_url?"));
  EXPECT_THAT(Errors(With("schedule.jiter_percent", 5)),
              ElementsAre("schedule.jiter_percent: unknown key; did you mean jitter_percent?"));
  EXPECT_THAT(Errors(With("sheduler", Json::object())),
              ElementsAre("sheduler: unknown key; did you mean schedule?"));
}

TEST(ConfigErrorsTest, UnknownKeyWithoutSuggestion) {
  EXPECT_THAT(Errors(With("server.completely_different", 1)),
              ElementsAre("server.completely_different: unknown key"));
  EXPECT_THAT(Errors(With("zzz", 1)), ElementsAre("zzz: unknown key"));
  // A dotted name at the top level is not the nested key.
  Json doc = Minimal();
  doc["server.base_url"] = "https://a.example.com";
  EXPECT_THAT(Errors(doc), ElementsAre("[\"server.base_url\"]: unknown key"));
}

TEST(ConfigErrorsTest, DuplicateKeysNameTheirPath) {
  const char* text = R"({
    "server": {"base_url": "https://a.example.com", "base_url": "https://b.example.com"},
    "storage": {"path": "/x.db"},
    "sync": {"collections": ["a"], "conflict": {"per_collection": {"a": "merge", "a": "manual"}}},
    "storage": {"path": "/y.db"}
  })";
  EXPECT_THAT(TextErrors(text),
              ElementsAre("server.base_url: duplicate key (each key may appear once in an object)",
                          "sync.conflict.per_collection.a: duplicate key (each key may appear once "
                          "in an object)",
                          "storage: duplicate key (each key may appear once in an object)"));
}

TEST(ConfigErrorsTest, DuplicateKeyInsideArrayItemObject) {
  EXPECT_THAT(TextErrors(R"({"a": [1, {"b": 1, "b": 2}]})"),
              ElementsAre("a[1].b: duplicate key (each key may appear once in an object)",
                          "a: unknown key", "server.base_url: required key is missing",
                          "storage.path: required key is missing"));
}

TEST(ConfigErrorsTest, ParseErrorGivesLineAndColumn) {
  const char* text = "{\n  \"server\": {\n    \"base_url\": tru\n  }\n}";
  std::vector<std::string> errors = TextErrors(text);
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_THAT(errors[0],
              StartsWith("line 3, column 20: syntax error while parsing value - invalid literal"));
  EXPECT_THAT(errors[0], Not(HasSubstr("json.exception")));

  errors = TextErrors("{\"server\": {}, }");
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_THAT(errors[0], StartsWith("line 1, column 16: syntax error while parsing object key"));

  errors = TextErrors("");
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_THAT(errors[0], StartsWith("line 1, column 1: "));

  errors = TextErrors("{\"a\": 1,\n\"b\": [1, 2");
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_THAT(errors[0], StartsWith("line 2, column 11: "));
}

TEST(ConfigErrorsTest, ParseErrorDoesNotQuoteTheInput) {
  std::vector<std::string> errors = TextErrors(R"({"server": {"auth": {"token": "s3cr3t-value)");
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_THAT(errors[0], Not(HasSubstr("s3cr3t")));
  EXPECT_THAT(errors[0], Not(HasSubstr("last read")));
}

TEST(ConfigErrorsTest, RootMustBeAnObject) {
  EXPECT_THAT(TextErrors("[1, 2]"), ElementsAre("(root): expected an object, got an array"));
  EXPECT_THAT(TextErrors("\"text\""),
              ElementsAre("(root): expected an object, got a string \"text\""));
  EXPECT_THAT(TextErrors("null"), ElementsAre("(root): expected an object, got null"));
}

TEST(ConfigErrorsTest, RequiredKeysMissing) {
  EXPECT_THAT(TextErrors("{}"), ElementsAre("server.base_url: required key is missing",
                                            "storage.path: required key is missing"));
  // A section of the wrong type reports the type only, not its missing keys.
  Json doc = Minimal();
  doc["server"] = "https://sync.example.com";
  EXPECT_THAT(Errors(doc),
              ElementsAre("server: expected an object, got a string \"https://sync.example.com\""));
}

TEST(ConfigErrorsTest, EveryErrorIsCollectedInOnePass) {
  const char* text = R"({
    "server": {"base_ulr": "https://x", "timeouts": {"connect_ms": -1}},
    "storage": {"path": "/a.db", "synchronous": "fast"},
    "schedule": {"minimum_interval_minutes": 5, "start_on_boot": "yes"},
    "retry": {"initial_delay_ms": 5000, "max_delay_ms": 1000},
    "logging": {"level": "loud"}
  })";
  StatusOr<AgentConfig> parsed = ParseConfig(text, testing_config::TestOptions());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(),
            "server.base_ulr: unknown key; did you mean base_url?\n"
            "server.timeouts.connect_ms: expected an integer from 1 to 600000, got -1\n"
            "storage.synchronous: expected one of normal, full; got \"fast\"\n"
            "schedule.minimum_interval_minutes: expected an integer >= 15, got 5\n"
            "schedule.start_on_boot: expected a boolean, got a string \"yes\"\n"
            "logging.level: expected one of trace, debug, info, warn, error, off; got \"loud\"\n"
            "server.base_url: required key is missing\n"
            "retry.max_delay_ms: expected an integer >= retry.initial_delay_ms (5000), got 1000");
}

TEST(ConfigErrorsTest, MaxDelayBelowInitialDelay) {
  EXPECT_THAT(Errors(With("retry.initial_delay_ms", 100000)),
              ElementsAre("retry.max_delay_ms: expected an integer >= retry.initial_delay_ms "
                          "(100000), got 60000 (the default)"));
  Json doc = With("retry.initial_delay_ms", 2000);
  doc["retry"]["max_delay_ms"] = 2000;
  EXPECT_THAT(Errors(doc), IsEmpty());
  // No cross-field message when one side is itself invalid.
  doc["retry"]["initial_delay_ms"] = "2000";
  EXPECT_THAT(Errors(doc), SizeIs(1));
}

// A value of the wrong JSON type for each kind of key.
Json WrongTypeFor(const KeyDescriptor& key) {
  switch (key.type) {
    case KeyType::kObject:
    case KeyType::kStringMap:
    case KeyType::kEnumMap:
      return Json::array({1});
    case KeyType::kStringArray:
    case KeyType::kIndexList:
      return "not-an-array";
    case KeyType::kString:
    case KeyType::kEnum:
    case KeyType::kBoolean:
    case KeyType::kInteger:
    case KeyType::kNumber:
      return Json::object({{"x", 1}});
  }
  return nullptr;
}

TEST(ConfigErrorsTest, EveryKeyRejectsTheWrongType) {
  for (const KeyDescriptor& key : ConfigKeys()) {
    SCOPED_TRACE(key.path);
    std::vector<std::string> errors = Errors(With(key.path, WrongTypeFor(key)));
    ASSERT_THAT(errors, SizeIs(1));
    EXPECT_THAT(errors[0], StartsWith(key.path + ": expected "));
    const bool container = key.type == KeyType::kObject || key.type == KeyType::kStringMap ||
                           key.type == KeyType::kEnumMap;
    const bool array = key.type == KeyType::kStringArray || key.type == KeyType::kIndexList;
    EXPECT_THAT(errors[0], HasSubstr(container ? "got an array"
                                     : array   ? "got a string"
                                               : "got an object"));
  }
}

TEST(ConfigErrorsTest, EveryIntegerKeyRejectsValuesOutOfRange) {
  int checked = 0;
  for (const KeyDescriptor& key : ConfigKeys()) {
    if (key.type != KeyType::kInteger) continue;
    SCOPED_TRACE(key.path);
    ASSERT_TRUE(key.minimum.has_value()) << "every integer key has a lower bound";
    const int64_t below = *key.minimum - 1;
    EXPECT_THAT(Errors(With(key.path, below)),
                ElementsAre(StartsWith(key.path + ": expected an integer ")))
        << below;
    EXPECT_THAT(Errors(With(key.path, below)),
                ElementsAre(testing::EndsWith(", got " + std::to_string(below))));
    if (key.maximum) {
      const int64_t above = *key.maximum + 1;
      EXPECT_THAT(
          Errors(With(key.path, above)),
          ElementsAre(key.path + ": expected an integer from " + std::to_string(*key.minimum) +
                      " to " + std::to_string(*key.maximum) + ", got " + std::to_string(above)));
      // Both bounds are allowed.
      EXPECT_THAT(Errors(With(key.path, *key.maximum)), IsEmpty());
    }
    if (key.path != "retry.max_delay_ms") {  // below the default initial_delay_ms
      EXPECT_THAT(Errors(With(key.path, *key.minimum)), IsEmpty());
    }
    ++checked;
  }
  EXPECT_EQ(checked, 17);
}

TEST(ConfigErrorsTest, EveryEnumKeyRejectsAnUnknownValue) {
  for (const KeyDescriptor& key : ConfigKeys()) {
    if (key.type != KeyType::kEnum) continue;
    SCOPED_TRACE(key.path);
    std::string expected_list;
    for (const std::string& value : key.enum_values) {
      expected_list += (expected_list.empty() ? "" : ", ") + value;
      // bearer needs a token; basic the couchdb protocol, a username and a password; couchdb
      // the collections listed.
      if (key.path == "server.auth.type" && value != "none") continue;
      if (key.path == "server.protocol" && value == "couchdb") continue;
      EXPECT_THAT(Errors(With(key.path, value)), IsEmpty()) << value;
    }
    EXPECT_THAT(Errors(With(key.path, "??")),
                ElementsAre(key.path + ": expected one of " + expected_list + "; got \"??\""));
  }
}

}  // namespace
}  // namespace syncagent
