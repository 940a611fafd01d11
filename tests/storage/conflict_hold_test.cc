// Open conflicts hold a document's mutations back from PeekBatch, and the Delete resolution.
#include <gtest/gtest.h>

#include "storage/store.h"
#include "tests/storage/store_test_util.h"

namespace syncagent {
namespace {

using nlohmann::json;
using testing::StoreTest;

class ConflictHoldTest : public StoreTest {
 protected:
  // Document notes/a synced at version 1, then edited locally; a pull at version 2 conflicts.
  int64_t PullConflict(bool remote_deleted = false) {
    EXPECT_TRUE(store_->ApplyRemotePage({{"notes", "a", "1", false, {{"v", 1}}, "", ""}}, "c1").ok());
    EXPECT_TRUE(store_->Patch("notes", "a", {{"mine", true}}).ok());
    RemoteChange change{"notes", "a", "2", remote_deleted,
                        remote_deleted ? json(nullptr) : json({{"v", 2}}), "", ""};
    auto applied = store_->ApplyRemotePage({change}, "c2");
    EXPECT_TRUE(applied.ok()) << applied.status().ToString();
    EXPECT_EQ(applied->conflicts.size(), 1u);
    return applied->conflicts.empty() ? -1 : applied->conflicts[0].id;
  }
};

TEST_F(ConflictHoldTest, OpenConflictHoldsBackOnlyThatDocument) {
  const int64_t id = PullConflict();
  ASSERT_TRUE(store_->Put("notes", "b", {{"other", 1}}).ok());
  std::vector<Mutation> batch = Peek();
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].key, "b");  // notes/a is held back while its conflict is open
  ASSERT_TRUE(store_->ResolveConflict(id, Resolution::KeepLocal()).ok());
  batch = Peek();
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0].key, "b");
  EXPECT_EQ(batch[1].key, "a");  // released once resolved, as a fresh put on the remote version
  EXPECT_EQ(batch[1].base_rev, "2");
}

TEST_F(ConflictHoldTest, DeleteResolutionQueuesADeleteOnTopOfTheRemoteVersion) {
  const int64_t id = PullConflict();
  ASSERT_TRUE(store_->ResolveConflict(id, Resolution::Delete()).ok());
  auto doc = store_->Get("notes", "a", /*include_deleted=*/true);
  ASSERT_TRUE(doc.ok() && doc->has_value());
  EXPECT_TRUE((*doc)->deleted);
  EXPECT_TRUE((*doc)->dirty);
  std::vector<Mutation> batch = Peek();
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].op, MutationOp::kDelete);
  EXPECT_EQ(batch[0].base_rev, "2");
  auto conflict = store_->GetConflict(id);
  ASSERT_TRUE(conflict.ok());
  EXPECT_EQ(conflict->resolution, "delete");
  EXPECT_TRUE(store_->Verify().ok());
}

TEST_F(ConflictHoldTest, DeleteResolutionAgainstARemoteTombstoneQueuesNothing) {
  const int64_t id = PullConflict(/*remote_deleted=*/true);
  ASSERT_TRUE(store_->ResolveConflict(id, Resolution::Delete()).ok());
  auto doc = store_->Get("notes", "a", /*include_deleted=*/true);
  ASSERT_TRUE(doc.ok() && doc->has_value());
  EXPECT_TRUE((*doc)->deleted);
  EXPECT_FALSE((*doc)->dirty);
  EXPECT_TRUE(Peek().empty());
  EXPECT_EQ(OutboxCount(), 0);
  EXPECT_TRUE(store_->Verify().ok());
}

}  // namespace
}  // namespace syncagent
