// Per-document sync state (storage/sync_state.h): pending while a change is queued or on the
// wire, synced once acknowledged, conflict while a conflict is open, rejected while a dead letter
// exists; the same in Get and List.
#include "storage/sync_state.h"

#include "tests/storage/store_test_util.h"

namespace syncagent {
namespace {

using nlohmann::json;
using testing::StoreTest;

class SyncStateTest : public StoreTest {
 protected:
  SyncState StateOf(const std::string& key) { return MustGet("notes", key).sync_state; }
  SyncState ListedStateOf(const std::string& key) {
    auto listed = store_->List("notes");
    EXPECT_TRUE(listed.ok()) << listed.status().ToString();
    if (!listed.ok()) return SyncState::kSynced;
    for (const Document& d : *listed) {
      if (d.key == key) return d.sync_state;
    }
    ADD_FAILURE() << "notes/" << key << " not listed";
    return SyncState::kSynced;
  }
};

TEST_F(SyncStateTest, NamesAreTheDocumentedOnes) {
  EXPECT_EQ(SyncStateName(SyncState::kSynced), "synced");
  EXPECT_EQ(SyncStateName(SyncState::kPending), "pending");
  EXPECT_EQ(SyncStateName(SyncState::kConflict), "conflict");
  EXPECT_EQ(SyncStateName(SyncState::kRejected), "rejected");
}

TEST_F(SyncStateTest, PendingWhileQueuedAndOnTheWireSyncedOnceAcknowledged) {
  ASSERT_OK(store_->Put("notes", "a", {{"v", 1}}));
  EXPECT_EQ(StateOf("a"), SyncState::kPending);
  auto batch = store_->TakeBatch(10, 1 << 20);
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->size(), 1u);
  EXPECT_EQ(StateOf("a"), SyncState::kPending);  // on the wire
  ASSERT_OK(store_->Ack({batch->front().mutation_id, "1", ""}));
  EXPECT_EQ(StateOf("a"), SyncState::kSynced);
  EXPECT_EQ(ListedStateOf("a"), SyncState::kSynced);
}

TEST_F(SyncStateTest, PulledDocumentsAreSynced) {
  ASSERT_OK(store_->ApplyRemotePage({{"notes", "r", "4", false, {{"v", 4}}, "", ""}}, "c1").status());
  EXPECT_EQ(StateOf("r"), SyncState::kSynced);
  EXPECT_EQ(ListedStateOf("r"), SyncState::kSynced);
}

TEST_F(SyncStateTest, RejectedWhileADeadLetterExistsEvenWithANewerQueuedChange) {
  ASSERT_OK(store_->Put("notes", "a", {{"v", 1}}));
  const Mutation m = Peek().at(0);
  auto letter = store_->DeadLetter(m.mutation_id, "invalid_document", "no");
  ASSERT_TRUE(letter.ok()) << letter.status().ToString();
  EXPECT_EQ(StateOf("a"), SyncState::kRejected);
  ASSERT_OK(store_->Patch("notes", "a", {{"v", 2}}));
  EXPECT_EQ(StateOf("a"), SyncState::kRejected);
  EXPECT_EQ(ListedStateOf("a"), SyncState::kRejected);
  ASSERT_OK(store_->DropDeadLetter(*letter));
  EXPECT_EQ(StateOf("a"), SyncState::kPending);
}

TEST_F(SyncStateTest, ConflictWhileOpenThenWhatTheResolutionLeaves) {
  ASSERT_OK(store_->ApplyRemotePage({{"notes", "a", "1", false, {{"v", 1}}, "", ""}}, "c1").status());
  ASSERT_OK(store_->Patch("notes", "a", {{"mine", true}}));
  auto id = store_->RecordConflict(testing::PulledConflict("a", "3", {{"v", 3}}));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(StateOf("a"), SyncState::kConflict);
  EXPECT_EQ(ListedStateOf("a"), SyncState::kConflict);
  ASSERT_OK(store_->ResolveConflict(*id, Resolution::KeepLocal()));
  EXPECT_EQ(StateOf("a"), SyncState::kPending);  // the kept side is queued for the server
}

TEST_F(SyncStateTest, AMissingDocumentReadsAsSynced) {
  auto db = SqliteDb::Open(path_, 1000);
  ASSERT_TRUE(db.ok());
  auto state = LoadSyncState(**db, "notes", "nope");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(*state, SyncState::kSynced);
}

}  // namespace
}  // namespace syncagent
