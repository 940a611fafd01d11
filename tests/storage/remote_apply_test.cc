// ApplyRemotePage: pulled changes and their cursor in one transaction.
#include "storage/hybrid_logical_clock.h"
#include "tests/storage/store_test_util.h"

namespace syncagent {
namespace {

using nlohmann::json;
using testing::StoreTest;

using RemoteApplyTest = StoreTest;

RemoteChange Change(const std::string& key, int64_t version, json data, bool deleted = false,
                    std::string hlc = "") {
  return {"notes", key, version == 0 ? std::string() : std::to_string(version), deleted, deleted ? json(nullptr) : std::move(data),
          std::move(hlc), ""};
}

TEST_F(RemoteApplyTest, StoresNewDocumentsTombstonesAndTheCursor) {
  auto result = store_->ApplyRemotePage(
      {Change("a", 1, {{"v", 1}}), Change("b", 4, nullptr, /*deleted=*/true)}, "cursor-1",
      "\"etag-1\"");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->applied, 2);
  EXPECT_EQ(result->skipped, 0);
  EXPECT_TRUE(result->conflicts.empty());
  Document a = MustGet("notes", "a");
  EXPECT_EQ(a.rev, "1");
  EXPECT_EQ(a.base_rev, "1");
  EXPECT_EQ(a.data, json({{"v", 1}}));
  EXPECT_EQ(a.base_data, a.data);
  EXPECT_FALSE(a.dirty);
  Document b = MustGet("notes", "b", true);
  EXPECT_TRUE(b.deleted);
  EXPECT_EQ(b.rev, "4");
  EXPECT_TRUE(b.data.is_null());
  EXPECT_FALSE(b.base_rev.has_value());
  auto cp = store_->GetCheckpoint(Store::kPullCheckpoint);
  ASSERT_TRUE(cp.ok());
  ASSERT_TRUE(cp->has_value());
  EXPECT_EQ((*cp)->value, "cursor-1");
  EXPECT_EQ((*cp)->etag, "\"etag-1\"");
  EXPECT_EQ(OutboxCount(), 0);
}

TEST_F(RemoteApplyTest, OverwritesCleanDocumentsAndSkipsStaleChanges) {
  ASSERT_OK(store_->ApplyRemotePage({Change("a", 3, {{"v", 3}})}, "c1").status());
  auto result = store_->ApplyRemotePage(
      {Change("a", 2, {{"v", 2}}), Change("a", 3, {{"v", 33}}), Change("a", 5, {{"v", 5}})}, "c2");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->skipped, 2);
  EXPECT_EQ(result->applied, 1);
  EXPECT_EQ(MustGet("notes", "a").data, json({{"v", 5}}));
  EXPECT_EQ(MustGet("notes", "a").rev, "5");
  auto deleted = store_->ApplyRemotePage({Change("a", 6, nullptr, true)}, "c3");
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(store_->Get("notes", "a")->has_value());
  EXPECT_EQ((*store_->GetCheckpoint("pull"))->value, "c3");
}

TEST_F(RemoteApplyTest, DirtyDocumentsAreNotOverwrittenButConflicted) {
  ASSERT_OK(store_->ApplyRemotePage({Change("a", 1, {{"v", 1}})}, "c1").status());
  ASSERT_OK(store_->Patch("notes", "a", {{"mine", true}}));
  const std::string remote_hlc = HlcStamp{clock_.WallMs() + 500, 0, "server"}.ToString();
  auto result =
      store_->ApplyRemotePage({Change("a", 2, {{"v", 2}}, false, remote_hlc)}, "c2");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->applied, 0);
  ASSERT_EQ(result->conflicts.size(), 1u);
  EXPECT_EQ(result->conflicts[0].key, "a");
  Document a = MustGet("notes", "a");
  EXPECT_EQ(a.data, json({{"v", 1}, {"mine", true}}));
  EXPECT_EQ(a.rev, "1");
  EXPECT_TRUE(a.dirty);
  auto conflict = store_->GetConflict(result->conflicts[0].id);
  ASSERT_TRUE(conflict.ok());
  EXPECT_EQ(conflict->origin, ConflictOrigin::kPull);
  EXPECT_EQ(conflict->status, ConflictStatus::kOpen);
  EXPECT_EQ(conflict->local_data, a.data);
  EXPECT_EQ(conflict->remote_rev, "2");
  EXPECT_EQ(conflict->remote_data, json({{"v", 2}}));
  EXPECT_EQ(conflict->remote_hlc, remote_hlc);
  EXPECT_EQ(conflict->base_rev, "1");
  EXPECT_EQ(conflict->base_data, json({{"v", 1}}));
  EXPECT_FALSE(conflict->mutation_id.has_value());
  EXPECT_EQ((*store_->GetCheckpoint("pull"))->value, "c2");
  // The remote stamp was observed: the next local stamp is after it.
  ASSERT_OK(store_->Put("notes", "z", {{"v", 1}}));
  EXPECT_GT(MustGet("notes", "z").hlc, remote_hlc.substr(0, 24));
}

TEST_F(RemoteApplyTest, AnInvalidChangeRollsBackThePageAndTheCursor) {
  ASSERT_OK(store_->ApplyRemotePage({Change("a", 1, {{"v", 1}})}, "c1").status());
  std::vector<RemoteChange> page = {Change("a", 2, {{"v", 2}}), Change("b", 1, {{"v", 1}}),
                                    Change("c", 1, json::array({1}))};
  auto result = store_->ApplyRemotePage(page, "c2");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("remote change #2"), std::string::npos)
      << result.status().ToString();
  EXPECT_EQ(MustGet("notes", "a").rev, "1");
  EXPECT_FALSE(store_->Get("notes", "b")->has_value());
  EXPECT_EQ((*store_->GetCheckpoint("pull"))->value, "c1");
  page[2].collection = "bad collection";
  EXPECT_EQ(store_->ApplyRemotePage(page, "c2").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(RemoteApplyTest, DocumentsGivenAsTextAreStoredAsIsAndConflictLikeDom) {
  RemoteChange text = Change("t", 2, nullptr);
  text.data_text = R"({"b":[1,2],"a":"x"})";  // key order kept: stored as given
  ASSERT_TRUE(store_->ApplyRemotePage({text}, "c1").ok());
  Document t = MustGet("notes", "t");
  EXPECT_EQ(t.data, json({{"a", "x"}, {"b", {1, 2}}}));
  EXPECT_EQ(t.base_data, t.data);
  EXPECT_EQ(t.rev, "2");
  // A local edit, then a newer text version: a conflict, the local edit kept.
  ASSERT_TRUE(store_->Patch("notes", "t", {{"mine", true}}).ok());
  RemoteChange newer = Change("t", 3, nullptr);
  newer.data_text = R"({"theirs":true})";
  auto conflicted = store_->ApplyRemotePage({newer}, "c2");
  ASSERT_TRUE(conflicted.ok()) << conflicted.status().ToString();
  EXPECT_EQ(conflicted->conflicts.size(), 1u);
  EXPECT_EQ(MustGet("notes", "t").data["mine"], true);
  // An older text version is skipped.
  RemoteChange older = Change("t", 1, nullptr);
  older.data_text = R"({"old":true})";
  auto skipped = store_->ApplyRemotePage({older}, "c3");
  ASSERT_TRUE(skipped.ok());
  EXPECT_EQ(skipped->skipped, 1);
  // Text that is not an object is refused, and the page with it.
  RemoteChange bad = Change("u", 1, nullptr);
  bad.data_text = "[1]";
  auto refused = store_->ApplyRemotePage({Change("v", 1, {{"ok", 1}}), bad}, "c4");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("remote change #1"), std::string::npos)
      << refused.status().message();
  EXPECT_FALSE(store_->Get("notes", "v").ok() && store_->Get("notes", "v")->has_value());
}

TEST_F(RemoteApplyTest, CustomCheckpointNamesAreIndependent) {
  ASSERT_OK(store_->ApplyRemotePage({}, "x", "", "pull.notes").status());
  ASSERT_OK(store_->ApplyRemotePage({}, "y", "", "pull.tasks").status());
  EXPECT_EQ((*store_->GetCheckpoint("pull.notes"))->value, "x");
  EXPECT_EQ((*store_->GetCheckpoint("pull.tasks"))->value, "y");
  EXPECT_FALSE(store_->GetCheckpoint("pull")->has_value());
}

// A protocol whose pulls carry each document's current version (StoreOptions::pulled_is_current,
// as CouchDB's `_changes`): a clean copy takes any other revision, even one ordered older.
class CurrentVersionsApplyTest : public StoreTest {
 protected:
  void Open(bool pulled_is_current) {
    StoreOptions options = testing::Options(dir_.File("current.db"), &clock_);
    options.pulled_is_current = pulled_is_current;
    store_ = testing::OpenStore(options);
    ASSERT_NE(store_, nullptr);
  }
};

TEST_F(CurrentVersionsApplyTest, ACleanTombstoneTakesALiveVersionOfALowerGeneration) {
  ASSERT_NO_FATAL_FAILURE(Open(/*pulled_is_current=*/true));
  ASSERT_OK(store_->ApplyRemotePage({Change("k", 4, nullptr, /*deleted=*/true)}, "c1").status());
  auto result = store_->ApplyRemotePage({Change("k", 1, {{"v", "live"}})}, "c2");
  ASSERT_OK(result.status());
  EXPECT_EQ(result->applied, 1);
  const Document doc = MustGet("notes", "k");
  EXPECT_EQ(doc.rev, "1");
  EXPECT_EQ(doc.data, json({{"v", "live"}}));
  // The same revision again is nothing new.
  auto again = store_->ApplyRemotePage({Change("k", 1, {{"v", "live"}})}, "c3");
  ASSERT_OK(again.status());
  EXPECT_EQ(again->skipped, 1);
}

TEST_F(CurrentVersionsApplyTest, ADirtyDocumentIsNotOverwritten) {
  ASSERT_NO_FATAL_FAILURE(Open(/*pulled_is_current=*/true));
  ASSERT_OK(store_->ApplyRemotePage({Change("k", 4, {{"v", 4}})}, "c1").status());
  ASSERT_OK(store_->Put("notes", "k", {{"v", "mine"}}));
  auto result = store_->ApplyRemotePage({Change("k", 1, {{"v", "theirs"}})}, "c2");
  ASSERT_OK(result.status());
  EXPECT_EQ(result->applied, 0);
  EXPECT_EQ(MustGet("notes", "k").data, json({{"v", "mine"}}));
}

TEST_F(CurrentVersionsApplyTest, WithoutTheRuleAnOlderVersionIsSkipped) {
  ASSERT_NO_FATAL_FAILURE(Open(/*pulled_is_current=*/false));
  ASSERT_OK(store_->ApplyRemotePage({Change("k", 4, nullptr, /*deleted=*/true)}, "c1").status());
  auto result = store_->ApplyRemotePage({Change("k", 1, {{"v", "live"}})}, "c2");
  ASSERT_OK(result.status());
  EXPECT_EQ(result->skipped, 1);
  EXPECT_TRUE(MustGet("notes", "k", /*include_deleted=*/true).deleted);
}

// A protocol whose server keeps several versions of a document (as CouchDB's leaves): a token
// "2-c|2-a" goes on version 2-c and supersedes 2-a; tokens are ordered by the version they go on,
// and a token that supersedes others needs a write to be taken.
class ContestedApplyTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreOptions options = testing::Options(dir_.File("contested.db"), &clock_);
    options.compare_revisions = [](std::string_view local, std::string_view remote) {
      return CompareGenerations(local.substr(0, local.find('|')),
                                remote.substr(0, remote.find('|')));
    };
    options.needs_write_back = [](std::string_view rev) {
      return rev.find('|') != std::string_view::npos;
    };
    store_ = testing::OpenStore(options);
    ASSERT_NE(store_, nullptr);
  }

  // The server's versions 2-c (the winner, {"v": "c"}) and 2-a ({"v": "a"}).
  static RemoteChange Contested() {
    RemoteChange change{"notes", "k", "2-c|2-a", false, {{"v", "c"}}, "", ""};
    change.rivals.push_back({"notes", "k", "2-a|2-c", false, {{"v", "a"}}, "", ""});
    change.ancestor_rev = "1-x";
    change.ancestor_data = {{"v", 0}};
    return change;
  }

  Conflict OnlyConflict(const StatusOr<RemoteApplyResult>& result) {
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (!result.ok() || result->conflicts.size() != 1) {
      ADD_FAILURE() << "expected one conflict";
      return Conflict{};
    }
    auto conflict = store_->GetConflict(result->conflicts[0].id);
    EXPECT_TRUE(conflict.ok());
    return conflict.ok() ? *conflict : Conflict{};
  }
};

TEST_F(ContestedApplyTest, ACleanDocumentAtALosingVersionConflictsWithTheWinner) {
  ASSERT_OK(store_->ApplyRemotePage({{"notes", "k", "2-a", false, {{"v", "a"}}, "", ""}}, "c1")
                .status());
  const Conflict conflict = OnlyConflict(store_->ApplyRemotePage({Contested()}, "c2"));
  EXPECT_EQ(conflict.local_data, json({{"v", "a"}}));
  EXPECT_EQ(conflict.remote_rev, "2-c|2-a");
  EXPECT_EQ(conflict.remote_data, json({{"v", "c"}}));
  EXPECT_EQ(conflict.base_rev, "1-x");  // the versions' common ancestor
  EXPECT_EQ(conflict.base_data, json({{"v", 0}}));
  EXPECT_EQ(MustGet("notes", "k").rev, "2-a");  // the document is left as it is
}

TEST_F(ContestedApplyTest, VersionsWithNoCommonAncestorGiveAConflictWithoutABase) {
  // Two roots (the same key created on two devices): the local one is no base for the other.
  ASSERT_OK(store_->ApplyRemotePage({{"notes", "k", "2-a", false, {{"v", "a"}}, "", ""}}, "c1")
                .status());
  RemoteChange change = Contested();
  change.ancestor_rev.clear();
  change.ancestor_data = nullptr;
  const Conflict conflict = OnlyConflict(store_->ApplyRemotePage({change}, "c2"));
  EXPECT_EQ(conflict.local_data, json({{"v", "a"}}));
  EXPECT_EQ(conflict.remote_data, json({{"v", "c"}}));
  EXPECT_FALSE(conflict.base_rev.has_value());
  EXPECT_TRUE(conflict.base_data.is_null());
}

TEST_F(ContestedApplyTest, ACleanDocumentAtTheWinnerConflictsWithTheBestRival) {
  ASSERT_OK(store_->ApplyRemotePage({{"notes", "k", "2-c", false, {{"v", "c"}}, "", ""}}, "c1")
                .status());
  const Conflict conflict = OnlyConflict(store_->ApplyRemotePage({Contested()}, "c2"));
  EXPECT_EQ(conflict.local_data, json({{"v", "c"}}));
  EXPECT_EQ(conflict.remote_rev, "2-a|2-c");
  EXPECT_EQ(conflict.remote_data, json({{"v", "a"}}));
}

TEST_F(ContestedApplyTest, WithoutAVersionOfItsOwnTheNextBestBecomesTheLocalSide) {
  const Conflict conflict = OnlyConflict(store_->ApplyRemotePage({Contested()}, "c1"));
  EXPECT_EQ(conflict.local_data, json({{"v", "a"}}));
  EXPECT_EQ(conflict.remote_rev, "2-c|2-a");
  const Document doc = MustGet("notes", "k");
  EXPECT_EQ(doc.rev, "2-a|2-c");
  EXPECT_FALSE(doc.dirty);
  EXPECT_EQ((*store_->GetCheckpoint("pull"))->value, "c1");
}

TEST_F(ContestedApplyTest, ADirtyDocumentConflictsWithTheWinner) {
  ASSERT_OK(store_->ApplyRemotePage({{"notes", "k", "1-o", false, {{"v", "old"}}, "", ""}}, "c1")
                .status());
  ASSERT_OK(store_->Put("notes", "k", {{"v", "mine"}}));
  const Conflict conflict = OnlyConflict(store_->ApplyRemotePage({Contested()}, "c2"));
  EXPECT_EQ(conflict.local_data, json({{"v", "mine"}}));
  EXPECT_EQ(conflict.remote_rev, "2-c|2-a");
  EXPECT_EQ(conflict.base_rev, "1-o");  // the local edit keeps its own base
  EXPECT_EQ(conflict.base_data, json({{"v", "old"}}));
}

TEST_F(ContestedApplyTest, TakingTheRemoteSideQueuesItsWriteAndThatStateIsThenSettled) {
  ASSERT_OK(store_->ApplyRemotePage({{"notes", "k", "2-a", false, {{"v", "a"}}, "", ""}}, "c1")
                .status());
  const Conflict conflict = OnlyConflict(store_->ApplyRemotePage({Contested()}, "c2"));
  ASSERT_OK(store_->ResolveConflict(conflict.id, Resolution::TakeRemote()));
  const std::vector<Mutation> queued = Peek();
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].op, MutationOp::kPut);
  EXPECT_EQ(queued[0].base_rev, "2-c|2-a");
  EXPECT_EQ(queued[0].data, json({{"v", "c"}}));
  EXPECT_EQ(MustGet("notes", "k").data, json({{"v", "c"}}));
  // The same state pulled again (a page replayed) is what the queued write settles.
  auto again = store_->ApplyRemotePage({Contested()}, "c3");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->conflicts.empty());
  EXPECT_EQ(again->skipped, 1);
  EXPECT_EQ(Peek().size(), 1u);
}

}  // namespace
}  // namespace syncagent
