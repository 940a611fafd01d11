// Regression (found by fuzz/config_fuzz with a deep input): a config of nested brackets used
// memory quadratic in its depth (an ~800 KB file got the CLI OOM-killed) and overflowed the stack
// at ~20 000 levels. Documents nested deeper than kMaxJsonDepth are now refused with a position.
#include <gtest/gtest.h>

#include <string>

#include "config/config.h"
#include "config/json_reader.h"

namespace syncagent {
namespace {

std::string Nested(int depth, char open, char close, const std::string& inner) {
  return std::string(static_cast<size_t>(depth), open) + inner + std::string(static_cast<size_t>(depth), close);
}

TEST(ConfigLimitsTest, DeeplyNestedDocumentIsRefusedQuickly) {
  const std::string text = "{\"server\": " + Nested(400000, '[', ']', "") + "}";
  ConfigResult result = CheckConfig(text);
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].path, "");
  // The object is level 1; the first '[' (column 12) level 2, so the one opening level 33 is the
  // 32nd, at column 12 + 31.
  EXPECT_EQ(result.errors[0].message,
            "line 1, column " + std::to_string(11 + config_internal::kMaxJsonDepth) +
                ": nested deeper than " + std::to_string(config_internal::kMaxJsonDepth) + " levels");
}

TEST(ConfigLimitsTest, DeepObjectsAndBracketsInStringsCount) {
  std::string deep_objects;
  for (int i = 0; i < 100; ++i) deep_objects += "{\"a\":";
  deep_objects += "1" + std::string(100, '}');
  EXPECT_FALSE(CheckConfig(deep_objects).ok());
  // Brackets inside strings (with escaped quotes) do not count.
  const std::string in_string =
      R"({"server":{"base_url":"https://sync.example.com","headers":{"X-A":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"[[[["}},)"
      R"("storage":{"path":"/tmp/s.db"}})";
  ConfigResult ok = CheckConfig(in_string);
  for (const ConfigIssue& e : ok.errors) {
    EXPECT_EQ(e.message.find("nested deeper"), std::string::npos) << e.message;
  }
  // The limit leaves room: 32 levels are still read (and then rejected for what they are).
  const std::string at_limit = "{\"x\": " + Nested(31, '[', ']', "") + "}";
  ConfigResult limit = CheckConfig(at_limit);
  ASSERT_FALSE(limit.ok());
  for (const ConfigIssue& e : limit.errors) {
    EXPECT_EQ(e.message.find("nested deeper"), std::string::npos) << e.message;
  }
}

}  // namespace
}  // namespace syncagent
