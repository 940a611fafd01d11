#include "storage/revision.h"

#include <gtest/gtest.h>

#include "tests/storage/store_test_util.h"

namespace syncagent {
namespace {

TEST(RevisionTest, GenerationsOrderNumbersAndCouchStyleTokens) {
  EXPECT_EQ(CompareGenerations("3", "3"), RevisionOrder::kSame);
  EXPECT_EQ(CompareGenerations("2", "10"), RevisionOrder::kRemoteNewer);  // not text order
  EXPECT_EQ(CompareGenerations("10", "9"), RevisionOrder::kLocalNewer);
  EXPECT_EQ(CompareGenerations("2-abc", "3-def"), RevisionOrder::kRemoteNewer);
  EXPECT_EQ(CompareGenerations("3-abc", "3-def"), RevisionOrder::kDiverged);
  EXPECT_EQ(CompareGenerations("3-abc", "3-abc"), RevisionOrder::kSame);
}

TEST(RevisionTest, TokensWithoutAGenerationAreComparableOnlyToThemselves) {
  EXPECT_EQ(CompareGenerations("etag-x", "etag-x"), RevisionOrder::kSame);
  EXPECT_EQ(CompareGenerations("etag-x", "etag-y"), RevisionOrder::kDiverged);
  EXPECT_EQ(CompareGenerations("2", "x2"), RevisionOrder::kDiverged);
  EXPECT_EQ(CompareGenerations("-1", "2"), RevisionOrder::kDiverged);
  EXPECT_EQ(CompareGenerations("2x", "3"), RevisionOrder::kDiverged);
}

TEST(RevisionTest, TheEmptyRevisionIsOlderThanAnyAndTheComparatorIsAsked) {
  EXPECT_EQ(OrderRevisions(nullptr, "", ""), RevisionOrder::kSame);
  EXPECT_EQ(OrderRevisions(nullptr, "", "1"), RevisionOrder::kRemoteNewer);
  EXPECT_EQ(OrderRevisions(nullptr, "1", ""), RevisionOrder::kLocalNewer);
  EXPECT_EQ(OrderRevisions(nullptr, "1", "2"), RevisionOrder::kRemoteNewer);
  int asked = 0;
  RevisionComparator reversed = [&](std::string_view, std::string_view) {
    ++asked;
    return RevisionOrder::kLocalNewer;
  };
  EXPECT_EQ(OrderRevisions(reversed, "1", "2"), RevisionOrder::kLocalNewer);
  EXPECT_EQ(OrderRevisions(reversed, "", "2"), RevisionOrder::kRemoteNewer);
  EXPECT_EQ(asked, 1);
}

// The store orders revisions only through its comparator: with tokens that carry no generation,
// a protocol's own order decides what a pull and an acknowledgement may overwrite.
TEST(RevisionTest, TheStoreAppliesAndSkipsByTheProtocolsOrder) {
  testing::TempDir dir;
  VirtualClock clock;
  StoreOptions options = testing::Options(dir.File("rev.db"), &clock);
  // "tok-a" < "tok-b" < "tok-c", by the last letter.
  options.compare_revisions = [](std::string_view local, std::string_view remote) {
    if (local == remote) return RevisionOrder::kSame;
    return local.back() < remote.back() ? RevisionOrder::kRemoteNewer : RevisionOrder::kLocalNewer;
  };
  auto store = testing::OpenStore(options);
  ASSERT_NE(store, nullptr);
  auto pull = [&](const std::string& rev, int v) {
    RemoteChange change;
    change.collection = "notes";
    change.key = "n";
    change.rev = rev;
    change.data = {{"v", v}};
    return store->ApplyRemotePage({change}, "cursor-" + rev);
  };
  ASSERT_TRUE(pull("tok-b", 2).ok());
  auto older = pull("tok-a", 1);
  ASSERT_TRUE(older.ok());
  EXPECT_EQ(older->skipped, 1);  // SQL fast path declined, then the row compared in C++
  auto newer = pull("tok-c", 3);
  ASSERT_TRUE(newer.ok());
  EXPECT_EQ(newer->applied, 1);
  auto doc = store->Get("notes", "n");
  ASSERT_TRUE(doc.ok() && doc->has_value());
  EXPECT_EQ((*doc)->rev, "tok-c");
  EXPECT_EQ((*doc)->data, nlohmann::json({{"v", 3}}));

  // An acknowledgement older than the stored revision removes the mutation, keeps the revision.
  ASSERT_TRUE(store->Patch("notes", "n", {{"w", 1}}).ok());
  auto batch = store->PeekBatch(10, 1 << 20);
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->size(), 1u);
  EXPECT_EQ((*batch)[0].base_rev, "tok-c");
  ASSERT_TRUE(store->Ack({(*batch)[0].mutation_id, "tok-a", ""}).ok());
  doc = store->Get("notes", "n");
  ASSERT_TRUE(doc.ok() && doc->has_value());
  EXPECT_EQ((*doc)->rev, "tok-c");
  EXPECT_FALSE((*doc)->dirty);
  EXPECT_TRUE(store->Verify().ok());
}

// A CouchDB put after a delete starts a new revision root ("1-x"), of a lower generation than the
// tombstone the document names ("2-b"): its acknowledgement is still the document's revision,
// and a write queued meanwhile is rebased onto it (else that write would be a conflict with the
// device's own write).
TEST(RevisionTest, APutOnNoServerVersionTakesItsAnswerWhateverItsGeneration) {
  testing::TempDir dir;
  VirtualClock clock;
  auto store = testing::OpenStore(testing::Options(dir.File("root.db"), &clock));
  ASSERT_NE(store, nullptr);
  auto push_one = [&](const std::string& rev) {
    auto batch = store->TakeBatch(1, 1 << 20);
    ASSERT_TRUE(batch.ok());
    ASSERT_EQ(batch->size(), 1u);
    ASSERT_TRUE(store->Ack({(*batch)[0].mutation_id, rev, ""}).ok());
  };
  ASSERT_TRUE(store->Put("notes", "n", {{"v", 1}}).ok());
  push_one("1-a");
  ASSERT_TRUE(store->Delete("notes", "n").ok());
  push_one("2-b");
  ASSERT_TRUE(store->Put("notes", "n", {{"v", 2}}).ok());
  auto put = store->TakeBatch(1, 1 << 20);  // on the wire: the patch below is queued after it
  ASSERT_TRUE(put.ok());
  ASSERT_EQ(put->size(), 1u);
  EXPECT_FALSE((*put)[0].base_rev.has_value());
  ASSERT_TRUE(store->Patch("notes", "n", {{"w", 1}}).ok());
  ASSERT_TRUE(store->Ack({(*put)[0].mutation_id, "1-x", ""}).ok());
  auto doc = store->Get("notes", "n");
  ASSERT_TRUE(doc.ok() && doc->has_value());
  EXPECT_EQ((*doc)->rev, "1-x");
  auto patch = store->PeekBatch(10, 1 << 20);
  ASSERT_TRUE(patch.ok());
  ASSERT_EQ(patch->size(), 1u);
  EXPECT_EQ((*patch)[0].base_rev, "1-x");
  EXPECT_TRUE(store->Verify().ok());
}

}  // namespace
}  // namespace syncagent
