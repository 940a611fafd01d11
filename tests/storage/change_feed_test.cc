// The change feed (storage/change_feed.h): one row per document with its latest change, a seq
// per committed change, the source of each, and the document's sync state.
#include "storage/change_feed.h"

#include "tests/storage/store_test_util.h"

namespace syncagent {
namespace {

using nlohmann::json;
using testing::RawQueryInt;

class ChangeFeedTest : public testing::StoreTest {
 protected:
  std::vector<Change> Since(int64_t since, int limit = 100) {
    auto changes = store_->Changes(since, limit);
    EXPECT_TRUE(changes.ok()) << changes.status().ToString();
    return changes.ok() ? *changes : std::vector<Change>{};
  }
  Change Latest(const std::string& key) {
    for (const Change& c : Since(0)) {
      if (c.key == key) return c;
    }
    ADD_FAILURE() << "no change for " << key;
    return Change{};
  }
};

TEST_F(ChangeFeedTest, EachWriteTakesTheNextSeqAndKeepsOneRowPerDocument) {
  ASSERT_OK(store_->Put("notes", "a", {{"v", 1}}));
  ASSERT_OK(store_->Put("notes", "b", {{"v", 1}}));
  ASSERT_OK(store_->Patch("notes", "a", {{"v", 2}}));
  std::vector<Change> all = Since(0);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].key, "b");
  EXPECT_EQ(all[0].seq, 2);
  EXPECT_EQ(all[1].key, "a");
  EXPECT_EQ(all[1].seq, 3);
  EXPECT_EQ(all[1].source, ChangeSource::kLocal);
  EXPECT_EQ(all[1].sync_state, SyncState::kPending);
  EXPECT_EQ(RawQueryInt(path_, "SELECT count(*) FROM changes"), 2);
  EXPECT_EQ(Since(2).size(), 1u);
  EXPECT_EQ(Since(0, 1).size(), 1u);
  ASSERT_OK(store_->Delete("notes", "b"));
  EXPECT_TRUE(Latest("b").deleted);
  EXPECT_EQ(Latest("b").seq, 4);
  EXPECT_OK(store_->Verify());
}

TEST_F(ChangeFeedTest, PulledChangesAreRemoteAndAnAckMovesTheDocumentToSynced) {
  ASSERT_OK(store_->ApplyRemotePage({{"notes", "r", "3", false, {{"v", 3}}, "", ""}}, "c1").status());
  EXPECT_EQ(Latest("r").source, ChangeSource::kRemote);
  EXPECT_EQ(Latest("r").sync_state, SyncState::kSynced);
  ASSERT_OK(store_->Put("notes", "l", {{"v", 1}}));
  const int64_t before = Latest("l").seq;
  ASSERT_OK(store_->Ack({Peek().at(0).mutation_id, "1", ""}));
  EXPECT_GT(Latest("l").seq, before);
  EXPECT_EQ(Latest("l").sync_state, SyncState::kSynced);
}

TEST_F(ChangeFeedTest, ResolutionsAndDeadLettersAreChanges) {
  ASSERT_OK(store_->ApplyRemotePage({{"notes", "a", "1", false, {{"v", 1}}, "", ""}}, "c1").status());
  ASSERT_OK(store_->Patch("notes", "a", {{"mine", true}}));
  auto id = store_->RecordConflict(testing::PulledConflict("a", "3", {{"v", 3}}));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  ASSERT_OK(store_->ResolveConflict(*id, Resolution::TakeRemote()));
  EXPECT_EQ(Latest("a").source, ChangeSource::kResolution);
  EXPECT_EQ(Latest("a").sync_state, SyncState::kSynced);

  ASSERT_OK(store_->Put("notes", "d", {{"v", 1}}));
  const int64_t before = Latest("d").seq;
  ASSERT_OK(store_->DeadLetter(Peek().at(0).mutation_id, "forbidden", "no").status());
  EXPECT_GT(Latest("d").seq, before);
  EXPECT_EQ(Latest("d").sync_state, SyncState::kRejected);
}

TEST_F(ChangeFeedTest, ARolledBackWriteLeavesNoChange) {
  ASSERT_OK(store_->Put("notes", "a", {{"v", 1}}));
  const Status failed = store_->Write({WriteOp::Put("notes", "b", {{"v", 1}}),
                                       WriteOp::Patch("notes", "missing", {{"v", 1}})});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(Since(0).size(), 1u);
  EXPECT_EQ(Since(1).size(), 0u);
}

TEST_F(ChangeFeedTest, BadArgumentsAreRefused) {
  EXPECT_EQ(store_->Changes(-1, 10).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Changes(0, 0).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace syncagent
