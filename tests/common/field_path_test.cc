// ParseFieldPath (common/field_path.h): Mango's dotted field names.
#include "common/field_path.h"

#include <gtest/gtest.h>

namespace syncagent {
namespace {

TEST(FieldPathTest, DotsSeparateNamesAndAnEscapedDotIsPartOfOne) {
  auto path = ParseFieldPath("a\\.b.c", "selector");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path->segments, (std::vector<std::string>{"a.b", "c"}));
  EXPECT_EQ(path->Dotted(), "a\\.b.c");
}

TEST(FieldPathTest, ErrorsNameWhereAndWhy) {
  EXPECT_EQ(ParseFieldPath("a..b", "sort[0]").status().message(),
            "sort[0]: field name \"a..b\" has an empty part");
  EXPECT_EQ(ParseFieldPath("", "x").status().message(), "x: field name \"\" has an empty part");
  EXPECT_NE(ParseFieldPath("a\\b", "x").status().message().find("backslash"), std::string::npos);
  std::string deep = "a";
  for (int i = 0; i < kMaxFieldDepth; ++i) deep += ".a";
  EXPECT_EQ(ParseFieldPath(deep, "x").status().message(), "x: field path deeper than 32 names");
}

}  // namespace
}  // namespace syncagent
