// Store::Query (storage/query/query_runner.h): the Mango operators' semantics, CouchDB's
// collation of mixed types, sorting, skip, bookmarks and the rows' sync state.
#include "storage/query/query_runner.h"

#include "tests/storage/store_test_util.h"

namespace syncagent {
namespace {

using nlohmann::json;
using query::QueryResult;
using query::QuerySpec;

class QueryRunnerTest : public testing::StoreTest {
 protected:
  void PutAll(const json& docs) {
    for (const auto& [key, data] : docs.items()) ASSERT_OK(store_->Put("notes", key, data));
  }
  QuerySpec Spec(const json& query) {
    auto spec = query::ParseQuery(query);
    EXPECT_TRUE(spec.ok()) << spec.status().ToString();
    return spec.ok() ? std::move(*spec) : QuerySpec{};
  }
  QueryResult Run(const json& query) {
    auto result = store_->Query("notes", Spec(query));
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? std::move(*result) : QueryResult{};
  }
  // The keys a query returns, in order.
  std::vector<std::string> Keys(const json& query) {
    std::vector<std::string> keys;
    for (const query::QueryRow& row : Run(query).rows) keys.push_back(row.key);
    return keys;
  }
  using Strings = std::vector<std::string>;
};

// One document per JSON type (and a missing field), named by their order in the collation.
constexpr char kMixed[] = R"({
  "0null": {"v": null}, "1false": {"v": false}, "2true": {"v": true}, "3neg": {"v": -2},
  "4int": {"v": 3}, "5real": {"v": 3.5}, "6empty": {"v": ""}, "7str": {"v": "b"},
  "8arr": {"v": [1, 2]}, "9obj": {"v": {"x": 1}}, "none": {"w": 1}})";

TEST_F(QueryRunnerTest, MixedTypesSortInCouchDbCollation) {
  PutAll(json::parse(kMixed));
  EXPECT_EQ(Keys({{"sort", {"v"}}}), (Strings{"0null", "1false", "2true", "3neg", "4int", "5real",
                                              "6empty", "7str", "8arr", "9obj"}));
  EXPECT_EQ(Keys({{"sort", {{{"v", "desc"}}}}, {"limit", 3}}), (Strings{"9obj", "8arr", "7str"}));
}

TEST_F(QueryRunnerTest, RangeOperatorsCompareAcrossTypesByCollation) {
  PutAll(json::parse(kMixed));
  EXPECT_EQ(Keys({{"selector", {{"v", {{"$gt", 3}}}}}}),
            (Strings{"5real", "6empty", "7str", "8arr", "9obj"}));
  EXPECT_EQ(Keys({{"selector", {{"v", {{"$lte", false}}}}}}), (Strings{"0null", "1false"}));
  EXPECT_EQ(Keys({{"selector", {{"v", {{"$gte", 3}, {"$lt", ""}}}}}}), (Strings{"4int", "5real"}));
  EXPECT_EQ(Keys({{"selector", {{"v", {{"$gt", nullptr}}}}}, {"limit", 2}}),
            (Strings{"1false", "2true"}));
  EXPECT_EQ(Keys({{"selector", {{"v", {{"$gte", nullptr}}}}}, {"limit", 1}}), (Strings{"0null"}));
}

TEST_F(QueryRunnerTest, EqualityDistinguishesTypes) {
  PutAll(json::parse(kMixed));
  PutAll({{"one", {{"v", 1}}}, {"onereal", {{"v", 1.0}}}, {"onestr", {{"v", "1"}}}});
  EXPECT_EQ(Keys({{"selector", {{"v", 1}}}}), (Strings{"one", "onereal"}));
  EXPECT_EQ(Keys({{"selector", {{"v", true}}}}), (Strings{"2true"}));
  EXPECT_EQ(Keys({{"selector", {{"v", nullptr}}}}), (Strings{"0null"}));
  EXPECT_EQ(Keys({{"selector", {{"v", {{"$eq", {1, 2}}}}}}}), (Strings{"8arr"}));
  EXPECT_EQ(Keys({{"selector", {{"v", {{"$eq", {{"x", 1}}}}}}}}), (Strings{"9obj"}));
}

TEST_F(QueryRunnerTest, MissingFieldsMatchOnlyExistsFalseAndNegations) {
  PutAll({{"a", {{"n", 1}}}, {"b", {{"n", 2}}}, {"c", {{"m", 1}}}});
  EXPECT_EQ(Keys({{"selector", {{"n", {{"$ne", 1}}}}}}), (Strings{"b"}));
  EXPECT_EQ(Keys({{"selector", {{"n", {{"$nin", {1}}}}}}}), (Strings{"b"}));
  EXPECT_EQ(Keys({{"selector", {{"n", {{"$exists", false}}}}}}), (Strings{"c"}));
  EXPECT_EQ(Keys({{"selector", {{"$not", {{"n", 1}}}}}}), (Strings{"b", "c"}));
  EXPECT_EQ(Keys({{"selector", {{"$nor", {{{"n", 1}}, {{"n", 2}}}}}}}), (Strings{"c"}));
}

TEST_F(QueryRunnerTest, CombinatorsInAndNestedFields) {
  PutAll({{"a", {{"tag", "x"}, {"p", {{"q", 1}}}}},
          {"b", {{"tag", "y"}, {"p", {{"q", 2}}}}},
          {"c", {{"tag", "z"}, {"p", {{"q", 3}}}}}});
  EXPECT_EQ(Keys({{"selector", {{"tag", {{"$in", {"x", "z", 7}}}}}}}), (Strings{"a", "c"}));
  EXPECT_EQ(Keys({{"selector", {{"p.q", {{"$gte", 2}}}}}}), (Strings{"b", "c"}));
  EXPECT_EQ(Keys({{"selector", {{"p", {{"q", 2}}}}}}), (Strings{"b"}));
  EXPECT_EQ(Keys({{"selector", {{"$or", {{{"tag", "x"}}, {{"p.q", 3}}}}}}}), (Strings{"a", "c"}));
  EXPECT_EQ(Keys({{"selector", {{"$and", {{{"tag", {{"$ne", "x"}}}}, {{"p.q", {{"$lt", 3}}}}}}}}}),
            (Strings{"b"}));
  EXPECT_EQ(Keys({{"selector", {{"tag", {{"$in", json::array()}}}}}}), (Strings{}));
}

TEST_F(QueryRunnerTest, OnlyLiveDocumentsOfTheCollection) {
  PutAll({{"a", {{"n", 1}}}, {"b", {{"n", 1}}}});
  ASSERT_OK(store_->Put("tasks", "t", {{"n", 1}}));
  ASSERT_OK(store_->Delete("notes", "b"));
  EXPECT_EQ(Keys({{"selector", {{"n", 1}}}}), (Strings{"a"}));
}

TEST_F(QueryRunnerTest, SortsBySeveralFieldsAndBreaksTiesByKey) {
  PutAll({{"a", {{"d", true}, {"u", 2}}}, {"b", {{"d", false}, {"u", 9}}},
          {"c", {{"d", true}, {"u", 1}}}, {"e", {{"d", true}, {"u", 2}}}});
  EXPECT_EQ(Keys({{"sort", {"d", {{"u", "asc"}}}}}), (Strings{"b", "c", "a", "e"}));
  EXPECT_EQ(Keys({{"sort", {{{"d", "desc"}}, {{"u", "desc"}}}}}), (Strings{"e", "a", "c", "b"}));
  EXPECT_EQ(Keys({{"sort", {"d", {{"u", "desc"}}}}}), (Strings{"b", "e", "a", "c"}));
}

TEST_F(QueryRunnerTest, ResultRowsCarryDataRevAndSyncState) {
  ASSERT_OK(store_->ApplyRemotePage({{"notes", "r", "7", false, {{"n", 1}}, "", ""}}, "c1").status());
  PutAll({{"l", {{"n", 2}}}});
  QueryResult result = Run({{"sort", {"n"}}});
  ASSERT_EQ(result.rows.size(), 2u);
  EXPECT_EQ(result.rows[0].key, "r");
  EXPECT_EQ(result.rows[0].rev, "7");
  EXPECT_EQ(result.rows[0].data, json({{"n", 1}}));
  EXPECT_EQ(result.rows[0].sync_state, SyncState::kSynced);
  EXPECT_EQ(result.rows[1].rev, "");
  EXPECT_EQ(result.rows[1].sync_state, SyncState::kPending);
  EXPECT_TRUE(result.bookmark.empty());  // a short page: nothing follows
}

TEST_F(QueryRunnerTest, BookmarksPageThroughWithoutRepeatsOrGaps) {
  json docs = json::object();
  for (int i = 0; i < 23; ++i) {
    docs["k" + std::to_string(100 + i)] = {{"g", i % 3 == 0 ? json(nullptr) : json(i % 4)}};
  }
  PutAll(docs);
  for (const json& sort : {json::array({"g"}), json::array({{{"g", "desc"}}})}) {
    const std::vector<std::string> all = Keys({{"sort", sort}, {"limit", 100}});
    ASSERT_EQ(all.size(), 23u);
    std::vector<std::string> paged;
    json query = {{"sort", sort}, {"limit", 5}};
    for (int page = 0; page < 10; ++page) {
      QueryResult result = Run(query);
      for (const auto& row : result.rows) paged.push_back(row.key);
      if (result.bookmark.empty()) break;
      query["bookmark"] = result.bookmark;
    }
    EXPECT_EQ(paged, all) << sort;
  }
}

TEST_F(QueryRunnerTest, SkipAndLimit) {
  PutAll({{"a", {{"n", 1}}}, {"b", {{"n", 2}}}, {"c", {{"n", 3}}}, {"d", {{"n", 4}}}});
  EXPECT_EQ(Keys({{"sort", {"n"}}, {"skip", 1}, {"limit", 2}}), (Strings{"b", "c"}));
  QueryResult full = Run({{"limit", 2}});
  EXPECT_FALSE(full.bookmark.empty());
  EXPECT_EQ(Keys({{"limit", 1}, {"skip", 1}, {"bookmark", full.bookmark}}), (Strings{"d"}));
}

TEST_F(QueryRunnerTest, ABookmarkOfAnotherSortIsRefused) {
  PutAll({{"a", {{"n", 1}}}, {"b", {{"n", 2}}}});
  QueryResult first = Run({{"sort", {"n"}}, {"limit", 1}});
  ASSERT_FALSE(first.bookmark.empty());
  auto other = store_->Query("notes", Spec({{"bookmark", first.bookmark}}));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(QueryRunnerTest, BadArgumentsAreRefused) {
  QuerySpec spec;
  spec.limit = 0;
  EXPECT_EQ(store_->Query("notes", spec).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Query("", QuerySpec{}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace syncagent
