// Conflicts: recording (one open per document) and the three resolutions.
#include "tests/storage/store_test_util.h"

namespace syncagent {
namespace {

using nlohmann::json;
using testing::StoreTest;

class ConflictsTest : public StoreTest {
 protected:
  // A synced document at version 1 with a pending local patch, and a push conflict against
  // remote version 3.
  int64_t MakePushConflict(json remote = {{"v", 3}, {"theirs", true}}, bool remote_deleted = false) {
    EXPECT_OK(store_->ApplyRemotePage({{"notes", "a", "1", false, {{"v", 1}}, "", ""}}, "c1").status());
    EXPECT_OK(store_->Patch("notes", "a", {{"mine", true}}));
    pending_ = Peek().at(0);
    EXPECT_OK(store_->MarkAttempted({pending_.mutation_id}).status());
    ConflictInput input;
    input.collection = "notes";
    input.key = "a";
    input.remote_rev = "3";
    input.remote_deleted = remote_deleted;
    input.remote_data = remote_deleted ? json(nullptr) : remote;
    input.remote_hlc = "000000000000001-00000000-server";
    input.origin = ConflictOrigin::kPush;
    input.mutation_id = pending_.mutation_id;
    auto id = store_->RecordConflict(input);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : -1;
  }
  Mutation pending_;
};

TEST_F(ConflictsTest, RecordKeepsLocalRemoteAndBaseSides) {
  const int64_t id = MakePushConflict();
  auto c = store_->GetConflict(id);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->collection, "notes");
  EXPECT_EQ(c->local_data, json({{"v", 1}, {"mine", true}}));
  EXPECT_FALSE(c->local_deleted);
  EXPECT_EQ(c->remote_rev, "3");
  EXPECT_EQ(c->remote_data, json({{"v", 3}, {"theirs", true}}));
  EXPECT_EQ(c->base_rev, "1");
  EXPECT_EQ(c->base_data, json({{"v", 1}}));
  EXPECT_EQ(c->origin, ConflictOrigin::kPush);
  EXPECT_EQ(c->mutation_id, pending_.mutation_id);
  EXPECT_EQ(c->created_at, clock_.WallMs());
  EXPECT_EQ(store_->Stats()->open_conflicts, 1);
}

TEST_F(ConflictsTest, ADecisionOnAStaleLocalSideIsRefusedAndTheLaterWriteSurvives) {
  const int64_t id = MakePushConflict();
  // The app writes while the conflict is open (its pushes are held back meanwhile).
  ASSERT_OK(store_->Patch("notes", "a", {{"late", true}}));
  const json merged_on_stale = {{"v", 3}, {"theirs", true}, {"mine", true}};
  Status stale = store_->ResolveConflict(id, Resolution::Replace(merged_on_stale));
  ASSERT_EQ(stale.code(), StatusCode::kAborted) << stale.ToString();
  EXPECT_NE(stale.message().find("written after the conflict was recorded"), std::string::npos)
      << stale.message();
  // Nothing changed: still open, the late write is in the document and the outbox.
  auto still = store_->GetConflict(id);
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->status, ConflictStatus::kOpen);
  EXPECT_EQ(MustGet("notes", "a").data["late"], true);
  // The same holds for taking the remote side and for a delete.
  EXPECT_EQ(store_->ResolveConflict(id, Resolution::TakeRemote()).code(), StatusCode::kAborted);
  EXPECT_EQ(store_->ResolveConflict(id, Resolution::Delete()).code(), StatusCode::kAborted);
  // Refreshed, the conflict shows the current local side, and a decision on it goes through.
  ASSERT_OK(store_->RefreshConflict(id));
  auto fresh = store_->GetConflict(id);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->local_data, json({{"v", 1}, {"mine", true}, {"late", true}}));
  EXPECT_EQ(fresh->remote_rev, "3");
  EXPECT_EQ(fresh->remote_data, json({{"v", 3}, {"theirs", true}}));
  EXPECT_EQ(fresh->mutation_id, pending_.mutation_id);
  const json merged = {{"v", 3}, {"theirs", true}, {"mine", true}, {"late", true}};
  ASSERT_OK(store_->ResolveConflict(id, Resolution::Replace(merged)));
  EXPECT_EQ(MustGet("notes", "a").data, merged);
}

TEST_F(ConflictsTest, KeepLocalIsNeverStaleItKeepsTheCurrentDocument) {
  const int64_t id = MakePushConflict();
  ASSERT_OK(store_->Patch("notes", "a", {{"late", true}}));
  ASSERT_OK(store_->ResolveConflict(id, Resolution::KeepLocal()));
  EXPECT_EQ(MustGet("notes", "a").data, json({{"v", 1}, {"mine", true}, {"late", true}}));
  std::vector<Mutation> queued = Peek();
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].data, json({{"v", 1}, {"mine", true}, {"late", true}}));
}

TEST_F(ConflictsTest, OnlyOneOpenConflictPerDocument) {
  const int64_t first = MakePushConflict();
  auto second = store_->ApplyRemotePage({{"notes", "a", "4", false, {{"v", 4}}, "", ""}}, "c2");
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->conflicts.size(), 1u);
  EXPECT_EQ(second->conflicts[0].id, first);
  auto all = store_->ListConflicts(/*open_only=*/false);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].remote_rev, "4");
  EXPECT_EQ((*all)[0].origin, ConflictOrigin::kPull);
}

TEST_F(ConflictsTest, RecordingForAMissingDocumentIsNotFound) {
  ConflictInput input;
  input.collection = "notes";
  input.key = "ghost";
  input.remote_rev = "1";
  input.remote_data = {{"v", 1}};
  EXPECT_EQ(store_->RecordConflict(input).status().code(), StatusCode::kNotFound);
  input.key = "";
  EXPECT_EQ(store_->RecordConflict(input).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ConflictsTest, TakeRemoteAdoptsTheServerDocumentAndDropsPendingWrites) {
  const int64_t id = MakePushConflict();
  ASSERT_OK(store_->ResolveConflict(id, Resolution::TakeRemote()));
  Document doc = MustGet("notes", "a");
  EXPECT_EQ(doc.data, json({{"v", 3}, {"theirs", true}}));
  EXPECT_EQ(doc.rev, "3");
  EXPECT_EQ(doc.base_rev, "3");
  EXPECT_EQ(doc.base_data, doc.data);
  EXPECT_FALSE(doc.dirty);
  EXPECT_EQ(OutboxCount(), 0);
  auto c = store_->GetConflict(id);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->status, ConflictStatus::kResolved);
  EXPECT_EQ(c->resolution, "take_remote");
  EXPECT_EQ(c->resolved_at, clock_.WallMs());
  EXPECT_TRUE(store_->ListConflicts()->empty());
  EXPECT_EQ(store_->ResolveConflict(id, Resolution::TakeRemote()).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->ResolveConflict(999, Resolution::TakeRemote()).code(), StatusCode::kNotFound);
  EXPECT_OK(store_->Verify());
}

TEST_F(ConflictsTest, TakeRemoteOfAVersionThatNeedsAWriteBackQueuesAPutOfIt) {
  // A protocol whose server keeps other versions beside "3" (StoreOptions::needs_write_back).
  store_.reset();
  StoreOptions options = testing::Options(path_, &clock_);
  options.needs_write_back = [](std::string_view rev) { return rev == "3"; };
  store_ = testing::OpenStore(options);
  ASSERT_NE(store_, nullptr);
  const int64_t id = MakePushConflict();
  ASSERT_OK(store_->ResolveConflict(id, Resolution::TakeRemote()));
  Document doc = MustGet("notes", "a");
  EXPECT_EQ(doc.data, json({{"v", 3}, {"theirs", true}}));
  EXPECT_EQ(doc.base_rev, "3");
  EXPECT_TRUE(doc.dirty);
  const std::vector<Mutation> queued = Peek();
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].op, MutationOp::kPut);
  EXPECT_EQ(queued[0].base_rev, "3");
  EXPECT_EQ(queued[0].data, doc.data);
  EXPECT_EQ(store_->GetConflict(id)->resolution, "take_remote");
  EXPECT_OK(store_->Verify());
}

TEST_F(ConflictsTest, TakeRemoteOfATombstoneDeletesLocally) {
  const int64_t id = MakePushConflict({}, /*remote_deleted=*/true);
  ASSERT_OK(store_->ResolveConflict(id, Resolution::TakeRemote()));
  Document doc = MustGet("notes", "a", true);
  EXPECT_TRUE(doc.deleted);
  EXPECT_FALSE(doc.dirty);
  EXPECT_EQ(doc.rev, "3");
  EXPECT_OK(store_->Verify());
}

TEST_F(ConflictsTest, KeepLocalReplacesPendingMutationsWithOneFreshPutOnTheRemoteVersion) {
  const int64_t id = MakePushConflict();
  ASSERT_OK(store_->Patch("notes", "a", {{"more", 1}}));  // a second pending mutation
  ASSERT_OK(store_->ResolveConflict(id, Resolution::KeepLocal()));
  Document doc = MustGet("notes", "a");
  EXPECT_EQ(doc.data, json({{"v", 1}, {"mine", true}, {"more", 1}}));
  EXPECT_EQ(doc.rev, "3");
  EXPECT_EQ(doc.base_rev, "3");
  EXPECT_EQ(doc.base_data, json({{"v", 3}, {"theirs", true}}));
  EXPECT_TRUE(doc.dirty);
  auto batch = Peek();
  ASSERT_EQ(batch.size(), 1u);
  // A new id: the server remembers the old one with its conflict answer.
  EXPECT_NE(batch[0].mutation_id, pending_.mutation_id);
  EXPECT_EQ(batch[0].op, MutationOp::kPut);
  EXPECT_EQ(batch[0].data, doc.data);  // the whole local document, not a rebased patch
  EXPECT_EQ(batch[0].base_rev, "3");
  EXPECT_EQ(OutboxCount(), 1);
  EXPECT_EQ(store_->GetConflict(id)->resolution, "keep_local");
  EXPECT_OK(store_->Verify());
}

TEST_F(ConflictsTest, KeepLocalWithNothingPendingEnqueuesAPutOfTheLocalState) {
  const int64_t id = MakePushConflict();
  ASSERT_OK(store_->DeadLetter(pending_.mutation_id, "gone", "dropped by test").status());
  ASSERT_EQ(OutboxCount(), 0);
  ASSERT_OK(store_->ResolveConflict(id, Resolution::KeepLocal()));
  auto batch = Peek();
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].op, MutationOp::kPut);
  EXPECT_EQ(batch[0].base_rev, "3");
  EXPECT_EQ(batch[0].data, json({{"v", 1}, {"mine", true}}));
  EXPECT_TRUE(MustGet("notes", "a").dirty);
  EXPECT_OK(store_->Verify());
}

TEST_F(ConflictsTest, ReplaceWritesTheMergedDocumentAsOnePutOnTheRemoteBase) {
  const int64_t id = MakePushConflict();
  ASSERT_OK(store_->Patch("notes", "a", {{"more", 1}}));  // a second pending mutation
  ASSERT_EQ(OutboxCount(), 2);
  EXPECT_EQ(store_->ResolveConflict(id, Resolution::Replace(json::array())).code(),
            StatusCode::kInvalidArgument);
  // Decided on the recorded local side, the merge would drop the second write: refused.
  EXPECT_EQ(store_->ResolveConflict(id, Resolution::Replace({{"v", 3}, {"theirs", true},
                                                             {"mine", true}}))
                .code(),
            StatusCode::kAborted);
  ASSERT_OK(store_->RefreshConflict(id));
  const json merged = {{"v", 3}, {"theirs", true}, {"mine", true}, {"more", 1}};
  ASSERT_OK(store_->ResolveConflict(id, Resolution::Replace(merged)));
  Document doc = MustGet("notes", "a");
  EXPECT_EQ(doc.data, merged);
  EXPECT_EQ(doc.base_rev, "3");
  EXPECT_EQ(doc.base_data, json({{"v", 3}, {"theirs", true}}));
  EXPECT_TRUE(doc.dirty);
  auto batch = Peek();
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(OutboxCount(), 1);
  EXPECT_EQ(batch[0].op, MutationOp::kPut);
  EXPECT_EQ(batch[0].data, merged);
  EXPECT_EQ(batch[0].base_rev, "3");
  EXPECT_NE(batch[0].mutation_id, pending_.mutation_id);
  EXPECT_EQ(store_->GetConflict(id)->resolution, "replace");
  EXPECT_OK(store_->Verify());
}

}  // namespace
}  // namespace syncagent
