// Store::ForgetServer (server_reset.h), Store::AlignPullCollections (pull_scope.h) and the
// remote_skips of ApplyRemotePage (remote_skips.h).
#include "tests/storage/store_test_util.h"

namespace syncagent {
namespace {

using nlohmann::json;
using testing::RawQueryInt;
using testing::StoreTest;

using ServerResetTest = StoreTest;

RemoteChange Change(const std::string& key, int64_t version, json data) {
  RemoteChange c;
  c.collection = "notes";
  c.key = key;
  c.rev = version == 0 ? std::string() : std::to_string(version);
  c.data = std::move(data);
  return c;
}

class ServerResetStoreTest : public StoreTest {
 protected:
  // clean (v3), edited (v2 + a queued patch), gone (a synced tombstone), removed (v1 + a queued
  // delete), and the cursor.
  void SetUpDocuments() {
    ASSERT_OK(store_->ApplyRemotePage({Change("clean", 3, {{"v", 3}}),
                                       Change("edited", 2, {{"v", 2}}),
                                       Change("removed", 1, {{"v", 1}})},
                                      "cursor-1", "etag-1")
                  .status());
    RemoteChange gone = Change("gone", 4, nullptr);
    gone.deleted = true;
    gone.hlc = "000000000000005-00000000-y";
    ASSERT_OK(store_->ApplyRemotePage({gone}, "cursor-2").status());
    ASSERT_OK(store_->Patch("notes", "edited", {{"mine", true}}));
    ASSERT_OK(store_->Delete("notes", "removed"));
  }
};

TEST_F(ServerResetStoreTest, ReuploadQueuesOneCreatePerLiveDocumentAndKeepsLocalData) {
  SetUpDocuments();
  auto queued = store_->ForgetServer(ServerResetRule::kReupload);
  ASSERT_TRUE(queued.ok()) << queued.status().ToString();
  EXPECT_EQ(*queued, 3);  // clean, edited, removed
  auto batch = store_->PeekBatch(100, 1 << 20);
  ASSERT_TRUE(batch.ok());
  std::map<std::string, Mutation> by_key;
  for (const Mutation& m : *batch) by_key[m.key] = m;
  ASSERT_EQ(by_key.size(), 3u);
  EXPECT_EQ(by_key["clean"].op, MutationOp::kPut);
  EXPECT_EQ(by_key["clean"].data, json({{"v", 3}}));
  EXPECT_EQ(by_key["clean"].base_rev, "");  // only where the server never had it
  EXPECT_FALSE(by_key["edited"].base_rev.has_value());
  EXPECT_EQ(by_key["edited"].op, MutationOp::kPut);
  EXPECT_EQ(by_key["edited"].data, json({{"v", 2}, {"mine", true}}));
  EXPECT_EQ(by_key["removed"].op, MutationOp::kDelete);
  EXPECT_FALSE(by_key["removed"].base_rev.has_value());
  EXPECT_EQ(MustGet("notes", "clean").rev, "");
  // The synced delete stays, as one the server does not know of.
  EXPECT_EQ(MustGet("notes", "gone", /*include_deleted=*/true).rev, "");
  EXPECT_TRUE(MustGet("notes", "gone", /*include_deleted=*/true).deleted);
  EXPECT_FALSE(store_->GetCheckpoint(Store::kPullCheckpoint)->has_value());
  EXPECT_OK(store_->Verify());
}

TEST_F(ServerResetStoreTest, AdoptServerDropsEverythingAndKeepsTheLocalSidesAsConflicts) {
  SetUpDocuments();
  auto dropped = store_->ForgetServer(ServerResetRule::kAdoptServer);
  ASSERT_TRUE(dropped.ok()) << dropped.status().ToString();
  EXPECT_EQ(*dropped, 4);
  EXPECT_EQ(RawQueryInt(path_, "SELECT count(*) FROM documents"), 0);
  EXPECT_EQ(OutboxCount(), 0);
  auto conflicts = store_->ListConflicts(/*open_only=*/false);
  ASSERT_TRUE(conflicts.ok());
  std::map<std::string, json> kept;
  for (const Conflict& c : *conflicts) {
    EXPECT_EQ(c.status, ConflictStatus::kResolved);
    kept[c.key] = c.local_data;
  }
  // The synced tombstone had nothing to keep; the queued delete is kept as a deleted side.
  EXPECT_EQ(kept, (std::map<std::string, json>{{"clean", {{"v", 3}}},
                                               {"edited", {{"v", 2}, {"mine", true}}},
                                               {"removed", nullptr}}));
  EXPECT_FALSE(store_->GetCheckpoint(Store::kPullCheckpoint)->has_value());
  EXPECT_OK(store_->Verify());
}

TEST_F(ServerResetStoreTest, ADeleteTheServerDoesNotKnowOfBeatsAnOlderVersionOnly) {
  SetUpDocuments();
  ASSERT_TRUE(store_->ForgetServer(ServerResetRule::kReupload).ok());
  // A copy written before the delete (older stamp), re-uploaded by another device.
  RemoteChange older = Change("gone", 1, {{"v", 0}});
  older.hlc = "000000000000001-00000000-z";
  auto result = store_->ApplyRemotePage({older}, "c-new");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->requeued, 1);
  Document gone = MustGet("notes", "gone", true);
  EXPECT_TRUE(gone.deleted);
  EXPECT_TRUE(gone.dirty);
  EXPECT_EQ(gone.rev, "1");
  EXPECT_EQ(gone.base_rev, "1");
  EXPECT_OK(store_->Verify());
  // A version written after the delete (a later stamp) is taken.
  ASSERT_OK(store_->Put("notes", "late", {{"v", 1}}));
  ASSERT_OK(store_->Delete("notes", "late"));
  ASSERT_TRUE(store_->ForgetServer(ServerResetRule::kReupload).ok());
  RemoteChange newer = Change("late", 1, {{"v", 2}});
  newer.hlc = "999999999999999-00000000-z";
  ASSERT_OK(store_->ApplyRemotePage({newer}, "c-newer").status());
  EXPECT_EQ(MustGet("notes", "late").data, json({{"v", 2}}));
}

TEST_F(ServerResetTest, AWiderCollectionSetDropsTheCursorANarrowerOneKeepsIt) {
  auto aligned = store_->AlignPullCollections({"notes"});
  ASSERT_TRUE(aligned.ok());
  EXPECT_FALSE(*aligned);  // nothing stored yet: taken as the cursor's set
  ASSERT_OK(store_->ApplyRemotePage({}, "cursor-1").status());
  EXPECT_FALSE(*store_->AlignPullCollections({"notes"}));
  EXPECT_TRUE(store_->GetCheckpoint(Store::kPullCheckpoint)->has_value());
  EXPECT_TRUE(*store_->AlignPullCollections({"tasks", "notes"}));  // wider
  EXPECT_FALSE(store_->GetCheckpoint(Store::kPullCheckpoint)->has_value());
  ASSERT_OK(store_->ApplyRemotePage({}, "cursor-2").status());
  EXPECT_FALSE(*store_->AlignPullCollections({"tasks"}));  // narrower
  EXPECT_EQ((*store_->GetCheckpoint(Store::kPullCheckpoint))->value, "cursor-2");
  EXPECT_TRUE(*store_->AlignPullCollections({}));  // all collections: wider than a list
  ASSERT_OK(store_->ApplyRemotePage({}, "cursor-3").status());
  EXPECT_FALSE(*store_->AlignPullCollections({"x"}));  // narrower than all
  EXPECT_EQ((*store_->GetCheckpoint(Store::kPullCheckpoint))->value, "cursor-3");
}

TEST_F(ServerResetTest, AnUnusableChangeIsRecordedAndTheLocalDocumentLeftAlone) {
  ASSERT_OK(store_->ApplyRemotePage({Change("a", 1, {{"v", 1}})}, "c1").status());
  RemoteChange deep = Change("a", 2, nullptr);
  deep.unusable = "nested deeper than 32 levels";
  auto result = store_->ApplyRemotePage({deep, Change("b", 1, {{"v", 1}})}, "c2");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->unusable.size(), 1u);
  EXPECT_EQ(MustGet("notes", "a").data, json({{"v", 1}}));
  EXPECT_EQ(MustGet("notes", "a").rev, "1");
  EXPECT_EQ(MustGet("notes", "b").rev, "1");
  EXPECT_EQ((*store_->GetCheckpoint(Store::kPullCheckpoint))->value, "c2");
  auto skips = store_->ListRemoteSkips();
  ASSERT_TRUE(skips.ok());
  ASSERT_EQ(skips->size(), 1u);
  EXPECT_EQ((*skips)[0].rev, "2");
  EXPECT_EQ(store_->Stats()->remote_skips, 1);
  // A usable version clears it.
  ASSERT_OK(store_->ApplyRemotePage({Change("a", 3, {{"v", 3}})}, "c3").status());
  EXPECT_EQ(store_->Stats()->remote_skips, 0);
  EXPECT_EQ(MustGet("notes", "a").data, json({{"v", 3}}));
}

TEST_F(ServerResetTest, OnlySyncedCollectionsAreTakenForAPush) {
  StoreOptions options = testing::Options(dir_.File("synced.db"), &clock_);
  options.synced_collections = {"notes"};
  auto store = testing::OpenStore(options);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Put("private", "p", {{"v", 1}}));
  ASSERT_OK(store->Put("notes", "n", {{"v", 1}}));
  auto batch = store->TakeBatch(100, 1 << 20);
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->size(), 1u);
  EXPECT_EQ((*batch)[0].collection, "notes");
  auto stats = store->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->queue_depth, 1);
  EXPECT_EQ(stats->local_only, 1);
}

}  // namespace
}  // namespace syncagent
