// ParseQuery / ParseSort (storage/query/query_spec.h): the JSON form and its errors.
#include "storage/query/query_spec.h"

#include <gtest/gtest.h>

namespace syncagent::query {
namespace {

using nlohmann::json;

std::string QueryErrorOf(const json& j) {
  auto parsed = ParseQuery(j);
  EXPECT_FALSE(parsed.ok()) << j.dump();
  return parsed.ok() ? "" : parsed.status().message();
}

TEST(QuerySpecTest, EveryMemberIsOptional) {
  auto spec = ParseQuery(json::object());
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->limit, kDefaultQueryLimit);
  EXPECT_EQ(spec->skip, 0);
  EXPECT_TRUE(spec->sort.empty());
  EXPECT_TRUE(spec->bookmark.empty());
}

TEST(QuerySpecTest, ReadsEveryMember) {
  auto spec = ParseQuery(json::parse(
      R"({"selector":{"done":false},"sort":["a",{"b.c":"desc"}],"limit":3,"skip":2,"bookmark":"ab"})"));
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  ASSERT_EQ(spec->sort.size(), 2u);
  EXPECT_FALSE(spec->sort[0].descending);
  EXPECT_EQ(spec->sort[1].field.Dotted(), "b.c");
  EXPECT_TRUE(spec->sort[1].descending);
  EXPECT_EQ(spec->limit, 3);
  EXPECT_EQ(spec->skip, 2);
  EXPECT_EQ(spec->bookmark, "ab");
  EXPECT_NE(std::get_if<FieldCompare>(&spec->selector.node), nullptr);
}

TEST(QuerySpecTest, ErrorsNameTheJsonPath) {
  EXPECT_EQ(QueryErrorOf({{"limit", 0}}), "query.limit: expected an integer 1..10000, got 0");
  EXPECT_EQ(QueryErrorOf({{"limit", 1.5}}), "query.limit: expected an integer 1..10000, got number");
  EXPECT_EQ(QueryErrorOf({{"skip", -1}}), "query.skip: expected an integer 0.., got -1");
  EXPECT_EQ(QueryErrorOf({{"sort", {{{"a", "up"}}}}}), "query.sort[0].a: expected \"asc\" or \"desc\"");
  EXPECT_EQ(QueryErrorOf({{"sort", "a"}}), "query.sort: expected an array of fields, got string");
  EXPECT_EQ(QueryErrorOf({{"selector", {{"a", {{"$bad", 1}}}}}}),
            "query.selector.a.$bad: unknown operator $bad");
  EXPECT_EQ(QueryErrorOf({{"fields", {"a"}}}),
            "query.fields: unknown member (expected selector, sort, limit, skip or bookmark)");
  EXPECT_EQ(QueryErrorOf(json::array()), "query: expected an object, got array");
}

}  // namespace
}  // namespace syncagent::query
