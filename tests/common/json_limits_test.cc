#include "common/json_limits.h"

#include <string>

#include <gtest/gtest.h>

namespace syncagent {
namespace {

std::string Nested(int depth) {
  // {"d":[[...]]}: the object is level 1, each bracket one more.
  return "{\"d\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
}

TEST(JsonLimitsTest, TextDepthCountsBracketsOutsideStrings) {
  EXPECT_EQ(JsonTextDepth("1", 100), 0);
  EXPECT_EQ(JsonTextDepth("{}", 100), 1);
  EXPECT_EQ(JsonTextDepth(R"({"a":[{"b":"[[[{{{\"["}]})", 100), 3);
  EXPECT_EQ(JsonTextDepth(Nested(62), 100), 62);
}

TEST(JsonLimitsTest, TextDepthStopsPastTheLimit) {
  // Stops at the first level past `stop_at`: the answer is over the limit, not the full depth.
  EXPECT_EQ(JsonTextDepth(Nested(70000), 64), 65);
}

TEST(JsonLimitsTest, DeepestOpeningNamesTheOffendingBracket) {
  EXPECT_EQ(JsonDeepestOpening("[[1],[[2]]]", 2), 6u);
  EXPECT_EQ(JsonDeepestOpening("[[1],[[2]]]", 3), std::string_view::npos);
}

TEST(JsonLimitsTest, ValueDepthIsIterativeAndStopsPastTheLimit) {
  EXPECT_EQ(JsonValueDepth(nlohmann::json(5), 10), 0);
  EXPECT_EQ(JsonValueDepth(nlohmann::json::parse(R"({"a":[1,{"b":{}}],"c":[]})"), 10), 4);
  // 200,000 levels: parsed iteratively by nlohmann; the depth walk must not recurse either.
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  auto value = nlohmann::json::parse(deep);
  EXPECT_EQ(JsonValueDepth(value, kMaxDocumentDepth), kMaxDocumentDepth + 1);
}

TEST(JsonLimitsTest, DocumentProblemsNameTheLimit) {
  EXPECT_EQ(DocumentTextProblem(Nested(kMaxDocumentDepth)), "");
  EXPECT_EQ(DocumentTextProblem(Nested(kMaxDocumentDepth + 1)), "nested deeper than 32 levels");
  EXPECT_EQ(DocumentDepthProblem(nlohmann::json::parse(Nested(kMaxDocumentDepth))), "");
  EXPECT_EQ(DocumentDepthProblem(nlohmann::json::parse(Nested(kMaxDocumentDepth + 1))),
            "nested deeper than 32 levels");
  const std::string big = "{\"a\":\"" + std::string(kMaxDocumentBytes, 'x') + "\"}";
  EXPECT_EQ(DocumentTextProblem(big), std::to_string(big.size()) +
                                          " bytes, over the limit of 8388608 bytes");
}

}  // namespace
}  // namespace syncagent
