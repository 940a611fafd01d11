// The change feed (storage/change_feed.h): one row per document with its latest change, a seq
// per committed change, the source of each, and the document's sync state.
#include "storage/change_feed.h"

#include "tests/storage/store_test_util.h"

namespace syncagent {
namespace {

using nlohmann::json;
using testing::RawQueryInt;
using testing::RawQueryText;

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
  // The seq lives on the document's row: nothing else is written per change.
  EXPECT_EQ(RawQueryInt(path_, "SELECT change_seq FROM documents WHERE key = 'a'"), 3);
  EXPECT_EQ(RawQueryInt(path_, "SELECT count(*) FROM erased_changes"), 0);
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

// A create cancelled before it left the device removes the document's row; the feed still tells
// of the delete, until the document is written again (then its row is its one entry again).
TEST_F(ChangeFeedTest, AnErasedDocumentStaysInTheFeedUntilItIsWrittenAgain) {
  ASSERT_OK(store_->Put("notes", "gone", {{"v", 1}}));
  ASSERT_OK(store_->Put("notes", "kept", {{"v", 1}}));
  ASSERT_OK(store_->Delete("notes", "gone"));
  EXPECT_EQ(RawQueryInt(path_, "SELECT count(*) FROM documents WHERE key = 'gone'"), 0);
  Change gone = Latest("gone");
  EXPECT_TRUE(gone.deleted);
  EXPECT_EQ(gone.seq, 3);
  EXPECT_EQ(gone.sync_state, SyncState::kSynced);  // nothing left to send
  EXPECT_EQ(Since(2).size(), 1u);
  EXPECT_OK(store_->Verify());

  ASSERT_OK(store_->Put("notes", "gone", {{"v", 2}}));
  std::vector<Change> all = Since(0);
  ASSERT_EQ(all.size(), 2u);  // one entry per document: the erased one is shadowed
  EXPECT_EQ(all[1].key, "gone");
  EXPECT_EQ(all[1].seq, 4);
  EXPECT_FALSE(all[1].deleted);
  EXPECT_OK(store_->Verify());
  // The next erase drops the shadowed entry before keeping the new one.
  ASSERT_OK(store_->Put("notes", "other", {{"v", 1}}));
  ASSERT_OK(store_->Delete("notes", "other"));
  EXPECT_EQ(RawQueryInt(path_, "SELECT count(*) FROM erased_changes"), 1);
  EXPECT_EQ(Latest("other").seq, 6);
}

TEST_F(ChangeFeedTest, VerifyFindsASeqAboveTheHighWaterMarkAndAStaleErasedEntry) {
  ASSERT_OK(store_->Put("notes", "a", {{"v", 1}}));
  ASSERT_EQ(RawQueryInt(path_, "UPDATE documents SET change_seq = 99 RETURNING 1"), 1);
  Status broken = store_->Verify();
  EXPECT_EQ(broken.code(), StatusCode::kInternal);
  EXPECT_NE(broken.message().find("change seq high-water"), std::string::npos) << broken.ToString();
  ASSERT_EQ(RawQueryInt(path_, "UPDATE documents SET change_seq = 1 RETURNING 1"), 1);
  ASSERT_EQ(RawQueryInt(path_, "INSERT INTO erased_changes VALUES ('notes', 'a', 1, 0) "
                               "RETURNING 1"),
            1);
  broken = store_->Verify();
  EXPECT_EQ(broken.code(), StatusCode::kInternal);
  EXPECT_NE(broken.message().find("seq"), std::string::npos) << broken.ToString();
}

constexpr char kFeedIndexCount[] =
    "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'documents_change_seq'";

// Two documents sharing a seq break an invariant; until the feed is read nothing else refuses
// one (its UNIQUE index is built by the first read), and then the build refuses it.
TEST_F(ChangeFeedTest, VerifyAndTheFirstReadFindTwoDocumentsSharingASeq) {
  ASSERT_OK(store_->Put("notes", "a", {{"v", 1}}));
  ASSERT_OK(store_->Put("notes", "b", {{"v", 1}}));
  ASSERT_EQ(RawQueryInt(path_, "UPDATE documents SET change_seq = 1 WHERE key = 'b' RETURNING 1"),
            1);
  const Status broken = store_->Verify();
  EXPECT_EQ(broken.code(), StatusCode::kInternal);
  EXPECT_NE(broken.message().find("a change seq belongs to one document"), std::string::npos)
      << broken.ToString();
  auto read = store_->Changes(0, 10);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("UNIQUE"), std::string::npos) << read.status().ToString();
  EXPECT_EQ(RawQueryInt(path_, kFeedIndexCount), 0);
}

// A store whose feed is never read has no index on the seqs (its writes and pulls do not
// maintain one); the first read builds it over the existing rows, and later writes keep it up.
TEST_F(ChangeFeedTest, TheFirstReadBuildsTheIndexAndLaterWritesAreListedThroughIt) {
  ASSERT_OK(store_->Put("notes", "a", {{"v", 1}}));
  ASSERT_OK(store_->ApplyRemotePage({{"notes", "r", "1", false, {{"v", 1}}, "", ""}}, "c1").status());
  EXPECT_EQ(RawQueryInt(path_, kFeedIndexCount), 0);
  std::vector<Change> all = Since(0);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].key, "a");
  EXPECT_EQ(all[1].key, "r");
  EXPECT_EQ(RawQueryInt(path_, kFeedIndexCount), 1);
  EXPECT_EQ(RawQueryText(path_, "SELECT sql FROM sqlite_schema WHERE name = "
                                "'documents_change_seq'"),
            "CREATE UNIQUE INDEX documents_change_seq ON documents (change_seq)");
  ASSERT_OK(store_->Patch("notes", "a", {{"v", 2}}));
  ASSERT_OK(store_->Put("notes", "b", {{"v", 1}}));
  all = Since(2);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].key, "a");
  EXPECT_EQ(all[0].seq, 3);
  EXPECT_EQ(all[1].key, "b");
  EXPECT_EQ(all[1].seq, 4);
  // The index holds every document.
  EXPECT_EQ(RawQueryInt(path_, "SELECT count(*) FROM documents INDEXED BY documents_change_seq "
                               "WHERE change_seq > 0"),
            3);
  Reopen();  // another connection finds the index and keeps it
  EXPECT_EQ(Since(3).size(), 1u);
  EXPECT_EQ(RawQueryInt(path_, kFeedIndexCount), 1);
  EXPECT_OK(store_->Verify());
}

// The first read needs the write lock to build the index; held elsewhere past the busy timeout,
// the read is answered all the same (by a scan) and a later read builds the index.
TEST_F(ChangeFeedTest, TheFirstReadAnswersWithoutTheIndexWhileTheWriteLockIsHeldElsewhere) {
  ASSERT_OK(store_->Put("notes", "a", {{"v", 1}}));
  ASSERT_OK(store_->Put("notes", "b", {{"v", 1}}));
  StoreOptions options = testing::Options(path_, &clock_);
  options.busy_timeout_ms = 50;
  std::unique_ptr<Store> impatient = testing::OpenStore(options);
  ASSERT_NE(impatient, nullptr);
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto read = impatient->Changes(1, 10);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ(read->at(0).key, "b");
  EXPECT_EQ(RawQueryInt(path_, kFeedIndexCount), 0);
  ASSERT_EQ(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  read = impatient->Changes(0, 10);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->size(), 2u);
  EXPECT_EQ(RawQueryInt(path_, kFeedIndexCount), 1);
  EXPECT_OK(impatient->Verify());
}

// The commit observer hears of each committed transaction's keys, once each, after the commit;
// of a rolled-back one, nothing.
TEST(ChangeFeedObserverTest, TheObserverGetsEachCommittedTransactionsKeysOnce) {
  testing::TempDir dir;
  VirtualClock clock;
  std::vector<std::vector<DocumentKey>> commits;
  StoreOptions options = testing::Options(dir.File("o.db"), &clock);
  options.on_commit = [&](std::vector<DocumentKey> keys) { commits.push_back(std::move(keys)); };
  std::unique_ptr<Store> store = testing::OpenStore(options);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Write({WriteOp::Put("notes", "b", {{"v", 1}}),
                          WriteOp::Put("notes", "a", {{"v", 1}}),
                          WriteOp::Patch("notes", "b", {{"v", 2}})}));
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0], (std::vector<DocumentKey>{{"notes", "a"}, {"notes", "b"}}));
  ASSERT_FALSE(store->Write({WriteOp::Put("notes", "c", {{"v", 1}}),
                             WriteOp::Patch("notes", "missing", {{"v", 1}})})
                   .ok());
  ASSERT_OK(store->SetCheckpoint("x", "1"));  // no document: nothing to tell
  EXPECT_EQ(commits.size(), 1u);
  auto queued = store->PeekBatch(10, 1 << 20);
  ASSERT_TRUE(queued.ok() && !queued->empty());
  ASSERT_OK(store->Ack({queued->at(0).mutation_id, "1", ""}));
  ASSERT_EQ(commits.size(), 2u);  // an ack changes the document's sync state
}

TEST_F(ChangeFeedTest, BadArgumentsAreRefused) {
  EXPECT_EQ(store_->Changes(-1, 10).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Changes(0, 0).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace syncagent
