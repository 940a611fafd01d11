#include "common/json_text.h"

#include <gtest/gtest.h>

#include <string>

namespace syncagent {
namespace {

TEST(CompactJsonTest, SameTextAsDump) {
  const nlohmann::json mixed = nlohmann::json::parse(
      R"({"b":[1,2.5,"x\"y",null,true,{},[]],"a":{"c":[],"d":"\u00e9\n\u0001"},"e":-3,"":0})");
  EXPECT_EQ(CompactJson(mixed), mixed.dump());
  EXPECT_EQ(CompactJson(nlohmann::json("s")), "\"s\"");
  EXPECT_EQ(CompactJson(nlohmann::json::object()), "{}");
  // Invalid UTF-8 is replaced, never thrown.
  EXPECT_EQ(CompactJson(nlohmann::json{{"k", std::string("a\xff")}}), "{\"k\":\"a\xEF\xBF\xBD\"}");
}

TEST(CompactJsonTest, AnyDepth) {
  const std::string deep = R"({"a":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_EQ(CompactJson(nlohmann::json::parse(deep)), deep);
}

}  // namespace
}  // namespace syncagent
