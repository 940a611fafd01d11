// Query indexes (storage/query/index_sync.h): created and dropped with the declared list, used by
// a matching selector and sort (EXPLAIN QUERY PLAN), and invisible in the results.
#include "storage/query/index_sync.h"

#include "tests/storage/store_test_util.h"

namespace syncagent {
namespace {

using nlohmann::json;
using testing::OpenStore;
using testing::Options;
using testing::RawQueryInt;

class IndexSyncTest : public testing::StoreTest {
 protected:
  void OpenWith(std::vector<QueryIndex> indexes) {
    store_.reset();
    StoreOptions options = Options(path_, &clock_);
    options.indexes = std::move(indexes);
    store_ = OpenStore(options);
    ASSERT_NE(store_, nullptr);
  }
  int64_t QueryIndexes() {
    return RawQueryInt(path_, "SELECT count(*) FROM sqlite_schema WHERE name GLOB 'qidx_*'");
  }
  int64_t IndexColumns() {
    return RawQueryInt(path_,
                       "SELECT count(*) FROM pragma_table_xinfo('documents') WHERE name GLOB 'qf_*'");
  }
  query::QuerySpec Spec(const json& j) {
    auto spec = query::ParseQuery(j);
    EXPECT_TRUE(spec.ok()) << spec.status().ToString();
    return spec.ok() ? std::move(*spec) : query::QuerySpec{};
  }
  std::string Plan(const json& j) {
    auto plan = store_->ExplainQuery("notes", Spec(j));
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    return plan.ok() ? *plan : "";
  }
  std::vector<std::string> Keys(const json& j) {
    auto result = store_->Query("notes", Spec(j));
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    std::vector<std::string> keys;
    if (result.ok()) {
      for (const auto& row : result->rows) keys.push_back(row.key);
    }
    return keys;
  }
  void PutNotes(int n) {
    std::vector<WriteOp> ops;
    for (int i = 0; i < n; ++i) {
      ops.push_back(WriteOp::Put("notes", "n" + std::to_string(1000 + i),
                                 {{"done", i % 3 == 0}, {"updated", (i * 7919) % 1000}}));
      ops.push_back(WriteOp::Put("tasks", "t" + std::to_string(i), {{"done", false}}));
    }
    ASSERT_OK(store_->Write(ops));
  }
};

const QueryIndex kDoneUpdated{"notes", {"done", "updated"}};

TEST_F(IndexSyncTest, AMatchingSelectorAndSortUseTheIndex) {
  OpenWith({kDoneUpdated});
  PutNotes(200);
  const json query = {{"selector", {{"done", false}, {"updated", {{"$gt", 100}}}}},
                      {"sort", {"done", "updated"}},
                      {"limit", 20}};
  const std::string plan = Plan(query);
  EXPECT_NE(plan.find("USING INDEX qidx_"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;  // the index gives the order
  const std::string desc = Plan({{"selector", {{"done", true}}},
                                 {"sort", {{{"done", "desc"}}, {{"updated", "desc"}}}}});
  EXPECT_NE(desc.find("USING INDEX qidx_"), std::string::npos) << desc;
  EXPECT_EQ(desc.find("TEMP B-TREE"), std::string::npos) << desc;
  // Without the index the same query scans the collection and sorts.
  OpenWith({});
  const std::string scan = Plan(query);
  EXPECT_EQ(scan.find("qidx_"), std::string::npos) << scan;
  EXPECT_NE(scan.find("TEMP B-TREE"), std::string::npos) << scan;
}

TEST_F(IndexSyncTest, ResultsAreTheSameWithAndWithoutTheIndex) {
  PutNotes(120);
  const std::vector<json> queries = {
      {{"selector", {{"done", false}, {"updated", {{"$gte", 500}}}}}, {"sort", {"done", "updated"}}},
      {{"selector", {{"updated", {{"$lt", 300}}}}}, {"sort", {{{"updated", "desc"}}}}, {"limit", 7}},
      {{"selector", {{"$or", {{{"done", true}}, {{"updated", 0}}}}}}, {"limit", 100}}};
  std::vector<std::vector<std::string>> without;
  for (const json& q : queries) without.push_back(Keys(q));
  OpenWith({kDoneUpdated, {"notes", {"updated"}}});
  for (size_t i = 0; i < queries.size(); ++i) EXPECT_EQ(Keys(queries[i]), without[i]) << queries[i];
  EXPECT_FALSE(without[0].empty());
  EXPECT_OK(store_->Verify());
}

TEST_F(IndexSyncTest, IndexesFollowTheDeclaredList) {
  OpenWith({kDoneUpdated});
  EXPECT_EQ(QueryIndexes(), 1);
  EXPECT_EQ(IndexColumns(), 4);  // rank and value of done and of updated
  OpenWith({{"notes", {"updated"}}, {"tasks", {"owner.name"}}});
  EXPECT_EQ(QueryIndexes(), 2);
  EXPECT_EQ(IndexColumns(), 4);  // updated, owner.name; done's columns went
  OpenWith({});
  EXPECT_EQ(QueryIndexes(), 0);
  EXPECT_EQ(IndexColumns(), 0);
  EXPECT_OK(store_->Verify());
}

TEST_F(IndexSyncTest, AnUnchangedListOpensWithoutChangingTheSchema) {
  OpenWith({kDoneUpdated});
  const int64_t version = RawQueryInt(path_, "PRAGMA schema_version");
  OpenWith({kDoneUpdated});
  EXPECT_EQ(RawQueryInt(path_, "PRAGMA schema_version"), version);
}

TEST_F(IndexSyncTest, AFieldNameWithAQuoteIsAQuotedLiteral) {
  OpenWith({{"notes", {"it's"}}});
  ASSERT_OK(store_->Put("notes", "a", {{"it's", 2}}));
  ASSERT_OK(store_->Put("notes", "b", {{"it's", 1}}));
  EXPECT_EQ(Keys({{"selector", {{"it's", {{"$gt", 0}}}}}, {"sort", {"it's"}}}),
            (std::vector<std::string>{"b", "a"}));
}

TEST_F(IndexSyncTest, ABadDeclarationFailsTheOpen) {
  store_.reset();
  StoreOptions options = Options(path_, &clock_);
  options.indexes = {{"notes", {"a..b"}}};
  auto opened = Store::Open(options);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(opened.status().message(), "indexes[0].fields[0]: field name \"a..b\" has an empty part");
}

}  // namespace
}  // namespace syncagent
