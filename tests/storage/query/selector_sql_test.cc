// SqlBuilder (storage/query/selector_sql.h): paths and values are parameters, never SQL text;
// the collation keys order mixed types as CouchDB does.
#include "storage/query/selector_sql.h"

#include <gtest/gtest.h>

namespace syncagent::query {
namespace {

using nlohmann::json;

TEST(SelectorSqlTest, PathsAndValuesAreBoundNeverSpliced) {
  const std::string evil = "x'); DROP TABLE documents; --";
  auto selector = ParseSelector({{"a'b c", evil}, {"n", {{"$in", {evil, 1}}}}});
  ASSERT_TRUE(selector.ok()) << selector.status().ToString();
  SqlBuilder builder(nullptr);
  const std::string sql = builder.Condition(*selector);
  EXPECT_EQ(sql.find("DROP"), std::string::npos) << sql;
  EXPECT_EQ(sql.find("a'b"), std::string::npos) << sql;
  EXPECT_EQ(sql.find("$."), std::string::npos) << sql;
  bool path_bound = false, value_bound = false;
  for (const SqlValue& value : builder.params()) {
    if (const auto* text = std::get_if<std::string>(&value)) {
      path_bound |= *text == "$.\"a'b c\"";
      value_bound |= *text == evil;
    }
  }
  EXPECT_TRUE(path_bound);
  EXPECT_TRUE(value_bound);
}

TEST(SelectorSqlTest, EachPathIsBoundOnce) {
  auto selector = ParseSelector({{"a", {{"$gt", 1}, {"$lt", 9}, {"$ne", 5}}}});
  ASSERT_TRUE(selector.ok());
  SqlBuilder builder(nullptr);
  builder.Condition(*selector);
  int paths = 0;
  for (const SqlValue& value : builder.params()) {
    if (const auto* text = std::get_if<std::string>(&value)) paths += *text == "$.\"a\"";
  }
  EXPECT_EQ(paths, 1);
}

TEST(SelectorSqlTest, EveryParameterHasItsPlaceholder) {
  // An empty $in matches nothing without reading its field (found by selector_fuzz: its path
  // was bound with no placeholder, which SQLite refuses when it is the last parameter).
  auto empty_in = ParseSelector({{"tag", {{"$in", json::array()}}}});
  ASSERT_TRUE(empty_in.ok());
  SqlBuilder builder(nullptr);
  EXPECT_EQ(builder.Condition(*empty_in), "0");
  EXPECT_TRUE(builder.params().empty());
  // An empty $nin still needs the field to exist: its path is bound and used.
  auto empty_nin = ParseSelector({{"tag", {{"$nin", json::array()}}}});
  ASSERT_TRUE(empty_nin.ok());
  SqlBuilder nin_builder(nullptr);
  const std::string sql = nin_builder.Condition(*empty_nin);
  ASSERT_EQ(nin_builder.params().size(), 1u);
  EXPECT_NE(sql.find("?1"), std::string::npos) << sql;
}

TEST(SelectorSqlTest, GeneratedColumnsReplaceTheExpressions) {
  const std::map<std::string, std::string> columns = {{"$.\"done\"", "qf_0123"}};
  SqlBuilder builder(&columns);
  const FieldKeySql key = builder.Field(FieldPath{{"done"}});
  EXPECT_EQ(key.rank, "d.qf_0123_r");
  EXPECT_EQ(key.value, "d.qf_0123_v");
  EXPECT_TRUE(builder.params().empty());
}

TEST(SelectorSqlTest, CollationRanksFollowCouchDb) {
  const json ordered = json::parse(R"([null, false, true, -1, 2.5, "", "a", [], {}])");
  for (size_t i = 1; i < ordered.size(); ++i) {
    EXPECT_LE(CollationKeyOf(ordered[i - 1]).rank, CollationKeyOf(ordered[i]).rank)
        << ordered[i - 1] << " vs " << ordered[i];
  }
  EXPECT_EQ(CollationKeyOf(json(-1)).rank, CollationKeyOf(json(2.5)).rank);
  EXPECT_EQ(CollationKeyOf(json::parse("18446744073709551615")).value,
            SqlValue{18446744073709551615.0});
  EXPECT_EQ(CollationKeyOf(json::parse("[1,{\"b\":2}]")).value, SqlValue{"[1,{\"b\":2}]"});
}

TEST(SelectorSqlTest, SqliteJsonPathQuotesEveryName) {
  EXPECT_EQ(SqliteJsonPath(FieldPath{{"a.b", "c d"}}), "$.\"a.b\".\"c d\"");
}

}  // namespace
}  // namespace syncagent::query
