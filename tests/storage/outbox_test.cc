// The outbox as the sync engine sees it: PeekBatch, MarkAttempted, Ack, AckBatch, dead letters.
#include <set>

#include "tests/storage/store_test_util.h"

namespace syncagent {
namespace {

using nlohmann::json;
using testing::StoreTest;

using OutboxTest = StoreTest;

TEST_F(OutboxTest, PeekBatchIsOldestFirstAndMarksNothing) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(store_->Put("notes", "n" + std::to_string(i), {{"i", i}}));
    clock_.Advance(std::chrono::milliseconds(1));
  }
  auto batch = Peek(3);
  ASSERT_EQ(batch.size(), 3u);
  for (size_t i = 0; i < batch.size(); ++i) {
    EXPECT_EQ(batch[i].key, "n" + std::to_string(i));
    if (i > 0) {
      EXPECT_GT(batch[i].seq, batch[i - 1].seq);
    }
  }
  EXPECT_EQ(Peek(3)[0].mutation_id, batch[0].mutation_id);
  EXPECT_EQ(Peek(3)[0].attempts, 0);
}

TEST_F(OutboxTest, TakeBatchMarksWhatItTakesSoLaterWritesQueueSeparately) {
  ASSERT_OK(store_->Put("notes", "a", {{"v", 1}}));
  auto taken = store_->TakeBatch(10, 1 << 20);
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  ASSERT_EQ(taken->size(), 1u);
  const Mutation sent = (*taken)[0];
  // A write after the batch was taken must not fold into the mutation being sent: it would
  // change the payload behind an id the server may already have applied.
  ASSERT_OK(store_->Patch("notes", "a", {{"late", true}}));
  auto all = store_->TakeBatch(10, 1 << 20);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);  // one mutation per document per batch: the sent one again
  EXPECT_EQ((*all)[0].mutation_id, sent.mutation_id);
  EXPECT_EQ((*all)[0].data, json({{"v", 1}}));
  EXPECT_GE((*all)[0].attempts, 1);
  ASSERT_OK(store_->Ack({sent.mutation_id, "1", "h1"}));
  auto rest = Peek(10);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_NE(rest[0].mutation_id, sent.mutation_id);
  EXPECT_EQ(rest[0].data, json({{"late", true}}));
  // An empty outbox gives an empty batch.
  ASSERT_OK(store_->Ack({rest[0].mutation_id, "2", "h2"}));
  auto none = store_->TakeBatch(10, 1 << 20);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(OutboxTest, EachTakeCountsOneAttemptOfEveryMutationItTakes) {
  ASSERT_OK(store_->Put("notes", "a", {{"v", 1}}));
  ASSERT_OK(store_->Put("notes", "b", {{"v", 1}}));
  ASSERT_OK(store_->MarkAttempted({Peek(1)[0].mutation_id}, "lost").status());  // a: 1 before
  ASSERT_TRUE(store_->TakeBatch(10, 1 << 20).ok());
  auto again = store_->TakeBatch(10, 1 << 20);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 2u);
  EXPECT_EQ((*again)[0].attempts, 2);  // as read, before this take
  EXPECT_EQ((*again)[1].attempts, 1);
  const auto head = Peek(10);
  EXPECT_EQ(head[0].attempts, 3);
  EXPECT_EQ(head[1].attempts, 2);
}

TEST_F(OutboxTest, ABatchCarriesTheRevisionTheStoreLastKnewForEachDocument) {
  ASSERT_OK(store_->ApplyRemotePage({{"notes", "gone", "3", true, nullptr, "", ""}}, "c1")
                .status());
  ASSERT_OK(store_->Put("notes", "gone", {{"v", "again"}}));  // a create after the tombstone
  ASSERT_OK(store_->Put("notes", "new", {{"v", 1}}));         // never seen by the server
  auto taken = store_->TakeBatch(10, 1 << 20);
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  ASSERT_EQ(taken->size(), 2u);
  EXPECT_FALSE((*taken)[0].base_rev.has_value());
  EXPECT_EQ((*taken)[0].document_rev, "3");
  EXPECT_EQ((*taken)[1].document_rev, "");
}

TEST_F(OutboxTest, TakeBatchAfterSkipsTheBatchOnTheWireAndStopsAtItsDocuments) {
  ASSERT_OK(store_->Put("notes", "a", {{"v", 1}}));
  ASSERT_OK(store_->Put("notes", "b", {{"v", 1}}));
  auto on_wire = store_->TakeBatch(10, 1 << 20);
  ASSERT_TRUE(on_wire.ok());
  ASSERT_EQ(on_wire->size(), 2u);
  // Written while a and b are on the wire: c and d are independent of them, the second "a" is
  // not (its base version comes from the answer to the first), and e comes after it.
  ASSERT_OK(store_->Put("notes", "c", {{"v", 1}}));
  ASSERT_OK(store_->Put("notes", "d", {{"v", 1}}));
  ASSERT_OK(store_->Patch("notes", "a", {{"v", 2}}));
  ASSERT_OK(store_->Put("notes", "e", {{"v", 1}}));

  auto next = store_->TakeBatchAfter(10, 1 << 20, on_wire->back().seq, *on_wire);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  ASSERT_EQ(next->size(), 2u);
  EXPECT_EQ((*next)[0].key, "c");
  EXPECT_EQ((*next)[1].key, "d");
  // Taken means marked as attempted, as with TakeBatch (the head of the queue is a, b, c, d).
  auto head = Peek(10);
  ASSERT_EQ(head.size(), 4u);
  EXPECT_EQ(head[2].key, "c");
  EXPECT_GE(head[2].attempts, 1);
  EXPECT_GE(head[3].attempts, 1);

  // Once the first batch is answered, the second "a" is rebased and comes next, then e.
  ASSERT_OK(store_->Ack({(*on_wire)[0].mutation_id, "1", "h1"}));
  ASSERT_OK(store_->Ack({(*on_wire)[1].mutation_id, "1", "h2"}));
  ASSERT_OK(store_->Ack({(*next)[0].mutation_id, "1", "h3"}));
  ASSERT_OK(store_->Ack({(*next)[1].mutation_id, "1", "h4"}));
  auto rest = store_->TakeBatch(10, 1 << 20);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 2u);
  EXPECT_EQ((*rest)[0].key, "a");
  EXPECT_EQ((*rest)[0].base_rev, "1");
  EXPECT_EQ((*rest)[1].key, "e");

  // Nothing after the last seq: an empty batch.
  auto none = store_->TakeBatchAfter(10, 1 << 20, rest->back().seq, *rest);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(OutboxTest, PeekBatchRespectsMaxBytesButReturnsAtLeastOne) {
  const std::string big(10000, 'x');
  for (int i = 0; i < 4; ++i) ASSERT_OK(store_->Put("notes", "n" + std::to_string(i), {{"b", big}}));
  EXPECT_EQ(Peek(100, 100).size(), 1u);        // one over-sized mutation still goes
  EXPECT_EQ(Peek(100, 25000).size(), 2u);      // two fit, the third would exceed
  EXPECT_EQ(Peek(100, 1 << 20).size(), 4u);
  EXPECT_EQ(store_->PeekBatch(0, 100).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(OutboxTest, PeekBatchStopsAtTheSecondMutationOfADocument) {
  ASSERT_OK(store_->Put("notes", "a", {{"v", 1}}));
  ASSERT_OK(store_->MarkAttempted({Peek()[0].mutation_id}).status());
  ASSERT_OK(store_->Put("notes", "b", {{"v", 1}}));
  ASSERT_OK(store_->Put("notes", "a", {{"v", 2}}));  // second mutation of "a"
  ASSERT_OK(store_->Put("notes", "c", {{"v", 1}}));
  auto batch = Peek();
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0].key, "a");
  EXPECT_EQ(batch[1].key, "b");
}

TEST_F(OutboxTest, MarkAttemptedCountsAndRecordsTheLastError) {
  ASSERT_OK(store_->Put("notes", "a", {{"v", 1}}));
  const std::string id = Peek()[0].mutation_id;
  auto known = store_->MarkAttempted({id, "unknown-id"}, "timeout");
  ASSERT_TRUE(known.ok());
  EXPECT_EQ(*known, 1);
  ASSERT_OK(store_->MarkAttempted({id}).status());
  Mutation m = Peek()[0];
  EXPECT_EQ(m.attempts, 2);
  EXPECT_EQ(m.last_error, "");
  ASSERT_OK(store_->MarkAttempted({id}, "HTTP 503").status());
  EXPECT_EQ(Peek()[0].last_error, "HTTP 503");
}

TEST_F(OutboxTest, AckMakesTheDocumentCleanAtTheServerVersion) {
  ASSERT_OK(store_->Put("notes", "a", {{"v", 1}}));
  Mutation m = Peek()[0];
  ASSERT_OK(store_->Ack({m.mutation_id, "7", ""}));
  Document doc = MustGet("notes", "a");
  EXPECT_EQ(doc.rev, "7");
  EXPECT_EQ(doc.base_rev, "7");
  EXPECT_EQ(doc.base_data, json({{"v", 1}}));
  EXPECT_FALSE(doc.dirty);
  EXPECT_EQ(OutboxCount(), 0);
  // Replaying the ack is harmless.
  Status replay = store_->Ack({m.mutation_id, "7", ""});
  EXPECT_EQ(replay.code(), StatusCode::kNotFound);
  EXPECT_EQ(MustGet("notes", "a").rev, "7");
  EXPECT_OK(store_->Verify());
}

TEST_F(OutboxTest, AckRebasesLaterMutationsOfTheDocument) {
  ASSERT_OK(store_->Put("notes", "a", {{"v", 1}}));
  Mutation first = Peek()[0];
  ASSERT_OK(store_->MarkAttempted({first.mutation_id}).status());
  ASSERT_OK(store_->Patch("notes", "a", {{"w", 2}}));
  ASSERT_OK(store_->Ack({first.mutation_id, "3", ""}));
  Document doc = MustGet("notes", "a");
  EXPECT_TRUE(doc.dirty);
  EXPECT_EQ(doc.rev, "3");
  EXPECT_EQ(doc.base_rev, "3");
  EXPECT_EQ(doc.base_data, json({{"v", 1}}));  // the server's body, not the local one
  EXPECT_EQ(doc.data, json({{"v", 1}, {"w", 2}}));
  auto batch = Peek();
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].op, MutationOp::kPatch);
  EXPECT_EQ(batch[0].base_rev, "3");
  ASSERT_OK(store_->Ack({batch[0].mutation_id, "4", ""}));
  doc = MustGet("notes", "a");
  EXPECT_FALSE(doc.dirty);
  EXPECT_EQ(doc.base_data, doc.data);
  EXPECT_OK(store_->Verify());
}

TEST_F(OutboxTest, AckOfADeleteLeavesATombstoneWithANullBase) {
  ASSERT_OK(store_->Put("notes", "a", {{"v", 1}}));
  ASSERT_OK(store_->Ack({Peek()[0].mutation_id, "1", ""}));
  ASSERT_OK(store_->Delete("notes", "a"));
  ASSERT_OK(store_->Ack({Peek()[0].mutation_id, "2", ""}));
  Document doc = MustGet("notes", "a", true);
  EXPECT_TRUE(doc.deleted);
  EXPECT_FALSE(doc.dirty);
  EXPECT_EQ(doc.rev, "2");
  EXPECT_FALSE(doc.base_rev.has_value());
}

TEST_F(OutboxTest, AckBatchAppliesSeveralAndSkipsUnknownIds) {
  ASSERT_OK(store_->Write({WriteOp::Put("notes", "a", {{"v", 1}}),
                           WriteOp::Put("notes", "b", {{"v", 1}})}));
  auto batch = Peek();
  ASSERT_EQ(batch.size(), 2u);
  auto acked = store_->AckBatch({{batch[0].mutation_id, "1", ""},
                                 {"not-a-mutation", "5", ""},
                                 {batch[1].mutation_id, "2", ""}});
  ASSERT_TRUE(acked.ok()) << acked.status().ToString();
  EXPECT_EQ(*acked, 2);
  EXPECT_EQ(MustGet("notes", "b").rev, "2");
  EXPECT_EQ(OutboxCount(), 0);
}

TEST_F(OutboxTest, SeqKeepsIncreasingAfterTheNewestIsAcked) {
  ASSERT_OK(store_->Put("notes", "a", {{"v", 1}}));
  Mutation first = Peek()[0];
  ASSERT_OK(store_->Ack({first.mutation_id, "1", ""}));
  ASSERT_OK(store_->Put("notes", "b", {{"v", 1}}));
  EXPECT_GT(Peek()[0].seq, first.seq);
  Reopen();
  ASSERT_OK(store_->Ack({Peek()[0].mutation_id, "1", ""}));
  ASSERT_OK(store_->Put("notes", "c", {{"v", 1}}));
  EXPECT_GT(Peek()[0].seq, first.seq + 1);
}

TEST_F(OutboxTest, MutationIdsAreUniqueUuids) {
  std::set<std::string> ids;
  std::vector<WriteOp> ops;
  for (int i = 0; i < 500; ++i) ops.push_back(WriteOp::Put("notes", std::to_string(i), {{"i", i}}));
  ASSERT_OK(store_->Write(ops));
  for (const Mutation& m : Peek(1000)) {
    EXPECT_EQ(m.mutation_id.size(), 36u);
    EXPECT_TRUE(m.mutation_id[19] == '8' || m.mutation_id[19] == '9' ||
                m.mutation_id[19] == 'a' || m.mutation_id[19] == 'b');
    ids.insert(m.mutation_id);
  }
  EXPECT_EQ(ids.size(), 500u);
}

TEST_F(OutboxTest, DeadLetterMovesTheMutationWithAllItsFields) {
  ASSERT_OK(store_->Put("notes", "a", {{"v", 1}}));
  Mutation m = Peek()[0];
  ASSERT_OK(store_->MarkAttempted({m.mutation_id}, "first try").status());
  clock_.Advance(std::chrono::seconds(2));
  auto id = store_->DeadLetter(m.mutation_id, "invalid_document", "field v must be a string");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(OutboxCount(), 0);
  EXPECT_FALSE(MustGet("notes", "a").dirty);
  auto letters = store_->ListDeadLetters();
  ASSERT_TRUE(letters.ok());
  ASSERT_EQ(letters->size(), 1u);
  const DeadLetter& dl = (*letters)[0];
  EXPECT_EQ(dl.id, *id);
  EXPECT_EQ(dl.code, "invalid_document");
  EXPECT_EQ(dl.message, "field v must be a string");
  EXPECT_EQ(dl.dead_at, clock_.WallMs());
  EXPECT_EQ(dl.mutation.mutation_id, m.mutation_id);
  EXPECT_EQ(dl.mutation.seq, m.seq);
  EXPECT_EQ(dl.mutation.data, m.data);
  EXPECT_EQ(dl.mutation.attempts, 1);
  EXPECT_EQ(dl.mutation.last_error, "first try");
  EXPECT_EQ(store_->DeadLetter(m.mutation_id, "x", "y").status().code(), StatusCode::kNotFound);
  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->dead_letters, 1);
  EXPECT_OK(store_->Verify());
}

TEST_F(OutboxTest, RetryReenqueuesADeadLetterAsANewRebasedMutation) {
  ASSERT_OK(store_->Put("notes", "a", {{"v", 1}}));
  ASSERT_OK(store_->Ack({Peek()[0].mutation_id, "5", ""}));
  ASSERT_OK(store_->Patch("notes", "a", {{"w", 1}}));
  Mutation rejected = Peek()[0];
  auto dl = store_->DeadLetter(rejected.mutation_id, "rejected", "nope");
  ASSERT_TRUE(dl.ok());
  auto retried = store_->RetryDeadLetter(*dl);
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_NE(retried->mutation_id, rejected.mutation_id);
  EXPECT_GT(retried->seq, rejected.seq);
  EXPECT_EQ(retried->op, MutationOp::kPatch);
  EXPECT_EQ(retried->data, rejected.data);
  EXPECT_EQ(retried->base_rev, "5");
  EXPECT_EQ(retried->attempts, 0);
  EXPECT_TRUE(MustGet("notes", "a").dirty);
  EXPECT_TRUE(store_->ListDeadLetters()->empty());
  EXPECT_EQ(store_->RetryDeadLetter(*dl).status().code(), StatusCode::kNotFound);
  EXPECT_OK(store_->Verify());
}

TEST_F(OutboxTest, RetryIsRefusedWhenNewerWritesArePending) {
  ASSERT_OK(store_->Put("notes", "a", {{"v", 1}}));
  Mutation m = Peek()[0];
  ASSERT_OK(store_->MarkAttempted({m.mutation_id}).status());
  ASSERT_OK(store_->Put("notes", "a", {{"v", 2}}));
  auto dl = store_->DeadLetter(m.mutation_id, "rejected", "nope");
  ASSERT_TRUE(dl.ok());
  EXPECT_TRUE(MustGet("notes", "a").dirty);  // the newer put is still queued
  EXPECT_EQ(store_->RetryDeadLetter(*dl).status().code(), StatusCode::kFailedPrecondition);
  ASSERT_OK(store_->DropDeadLetter(*dl));
  EXPECT_EQ(store_->DropDeadLetter(*dl).code(), StatusCode::kNotFound);
  EXPECT_OK(store_->Verify());
}

}  // namespace
}  // namespace syncagent
