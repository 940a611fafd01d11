// Local writes: Put/Patch/Delete/Write, reads, validation and coalescing into the outbox.
#include <string>

#include "storage/json_merge_patch.h"
#include "storage/local_writer.h"
#include "tests/storage/store_test_util.h"

namespace syncagent {
namespace {

using nlohmann::json;
using testing::StoreTest;

using StoreWriteTest = StoreTest;

TEST_F(StoreWriteTest, PutCreatesADirtyDocumentAndOneCreateMutation) {
  ASSERT_OK(store_->Put("notes", "n1", {{"title", "hello"}}));
  Document doc = MustGet("notes", "n1");
  EXPECT_EQ(doc.data, json({{"title", "hello"}}));
  EXPECT_EQ(doc.rev, "");
  EXPECT_TRUE(doc.dirty);
  EXPECT_FALSE(doc.deleted);
  EXPECT_FALSE(doc.base_rev.has_value());
  EXPECT_TRUE(doc.base_data.is_null());
  EXPECT_EQ(doc.updated_at, clock_.WallMs());
  auto batch = Peek();
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].op, MutationOp::kPut);
  EXPECT_EQ(batch[0].collection, "notes");
  EXPECT_EQ(batch[0].key, "n1");
  EXPECT_FALSE(batch[0].base_rev.has_value());
  EXPECT_EQ(batch[0].data, json({{"title", "hello"}}));
  EXPECT_EQ(batch[0].mutation_id.size(), 36u);
  EXPECT_EQ(batch[0].mutation_id[14], '4');  // UUID v4
  EXPECT_EQ(batch[0].attempts, 0);
  EXPECT_OK(store_->Verify());
}

TEST_F(StoreWriteTest, GetOfAMissingDocumentIsEmpty) {
  auto doc = store_->Get("notes", "nothing");
  ASSERT_TRUE(doc.ok());
  EXPECT_FALSE(doc->has_value());
}

TEST_F(StoreWriteTest, ListIsOrderedByKeyPaginatedAndSkipsTombstones) {
  for (const char* key : {"d", "b", "a", "e", "c"}) ASSERT_OK(store_->Put("notes", key, {{"k", key}}));
  ASSERT_OK(store_->Put("other", "a", {{"x", 1}}));
  std::vector<std::string> ids;  // mark everything sent, so the delete leaves a tombstone
  for (const Mutation& m : Peek()) ids.push_back(m.mutation_id);
  ASSERT_OK(store_->MarkAttempted(ids).status());
  ASSERT_OK(store_->Delete("notes", "c"));
  ListOptions page;
  page.limit = 2;
  auto first = store_->List("notes", page);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].key, "a");
  EXPECT_EQ((*first)[1].key, "b");
  page.after_key = "b";
  auto second = store_->List("notes", page);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 2u);
  EXPECT_EQ((*second)[0].key, "d");  // "c" is deleted
  EXPECT_EQ((*second)[1].key, "e");
  page.after_key = "e";
  EXPECT_TRUE(store_->List("notes", page)->empty());
  ListOptions all;
  all.include_deleted = true;
  auto with_deleted = store_->List("notes", all);
  ASSERT_TRUE(with_deleted.ok());
  EXPECT_EQ(with_deleted->size(), 5u);
  EXPECT_TRUE((*with_deleted)[2].deleted);
  ListOptions bad;
  bad.limit = 0;
  EXPECT_EQ(store_->List("notes", bad).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(StoreWriteTest, PatchAppliesAnRfc7396MergePatch) {
  ASSERT_OK(store_->Put("notes", "n1", {{"a", 1}, {"b", {{"c", 2}, {"d", 3}}}}));
  ASSERT_OK(store_->Patch("notes", "n1", {{"a", nullptr}, {"b", {{"c", 5}}}, {"e", true}}));
  EXPECT_EQ(MustGet("notes", "n1").data, json({{"b", {{"c", 5}, {"d", 3}}}, {"e", true}}));
}

TEST_F(StoreWriteTest, DeleteLeavesATombstoneWhenTheServerKnowsTheDocument) {
  ASSERT_OK(store_->Put("notes", "n1", {{"a", 1}}));
  Mutation create = Peek().at(0);
  ASSERT_OK(store_->Ack({create.mutation_id, "1", ""}));
  ASSERT_OK(store_->Delete("notes", "n1"));
  auto live = store_->Get("notes", "n1");
  ASSERT_TRUE(live.ok());
  EXPECT_FALSE(live->has_value());
  Document tomb = MustGet("notes", "n1", /*include_deleted=*/true);
  EXPECT_TRUE(tomb.deleted);
  EXPECT_TRUE(tomb.data.is_null());
  EXPECT_TRUE(tomb.dirty);
  auto batch = Peek();
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].op, MutationOp::kDelete);
  EXPECT_EQ(batch[0].base_rev, "1");
  EXPECT_TRUE(batch[0].data.is_null());
}

TEST_F(StoreWriteTest, PatchOrDeleteOfMissingOrDeletedDocumentIsNotFound) {
  Status patch = store_->Patch("notes", "ghost", {{"a", 1}});
  EXPECT_EQ(patch.code(), StatusCode::kNotFound);
  EXPECT_NE(patch.message().find("notes/ghost"), std::string::npos) << patch.ToString();
  EXPECT_EQ(store_->Delete("notes", "ghost").code(), StatusCode::kNotFound);
  ASSERT_OK(store_->Put("notes", "n1", {{"a", 1}}));
  ASSERT_OK(store_->MarkAttempted({Peek()[0].mutation_id}).status());
  ASSERT_OK(store_->Delete("notes", "n1"));
  EXPECT_EQ(store_->Patch("notes", "n1", {{"a", 2}}).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Delete("notes", "n1").code(), StatusCode::kNotFound);
  EXPECT_EQ(OutboxCount(), 2);
}

TEST_F(StoreWriteTest, InvalidInputIsRejectedNamingItAndChangesNothing) {
  ASSERT_OK(store_->Put("notes", "keep", {{"a", 1}}));
  struct Case {
    std::string collection;
    std::string key;
    json data;
    std::string expect_in_message;
  };
  const std::string long_key(513, 'k');
  const std::vector<Case> cases = {
      {"", "k", {{"a", 1}}, "collection"},
      {std::string(65, 'c'), "k", {{"a", 1}}, "collection"},
      {"bad/name", "k", {{"a", 1}}, "bad/name"},
      {"sp ace", "k", {{"a", 1}}, "sp ace"},
      {"notes", "", {{"a", 1}}, "notes"},
      {"notes", long_key, {{"a", 1}}, "513 bytes"},
      {"notes", "tab\tkey", {{"a", 1}}, "control character"},
      {"notes", "bad\xff utf8", {{"a", 1}}, "UTF-8"},
      {"notes", "arr", json::array({1, 2}), "notes/arr"},
      {"notes", "str", "text", "notes/str"},
      {"notes", "nul", nullptr, "notes/nul"},
      {"notes", "badjson", {{"s", "\xff\xfe"}}, "notes/badjson"},
  };
  for (const Case& c : cases) {
    Status status = store_->Put(c.collection, c.key, c.data);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << c.collection << "/" << c.key;
    EXPECT_NE(status.message().find(c.expect_in_message), std::string::npos) << status.ToString();
  }
  EXPECT_EQ(store_->Patch("notes", "keep", json::array({1})).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MustGet("notes", "keep").data, json({{"a", 1}}));
  EXPECT_EQ(OutboxCount(), 1);
  EXPECT_EQ(testing::RawQueryInt(path_, "SELECT count(*) FROM documents"), 1);
  // Boundaries are accepted.
  EXPECT_OK(store_->Put(std::string(64, 'c'), std::string(512, 'k'), {{"a", 1}}));
  EXPECT_OK(store_->Put("A-z_0.9", "ключ/🙂 with spaces", {{"a", 1}}));
}

TEST_F(StoreWriteTest, BatchWriteIsAllOrNothing) {
  ASSERT_OK(store_->Put("notes", "existing", {{"v", 0}}));
  std::vector<WriteOp> ops = {WriteOp::Put("notes", "a", {{"v", 1}}),
                              WriteOp::Patch("notes", "existing", {{"v", 2}}),
                              WriteOp::Put("notes", "b", {{"v", 3}}),
                              WriteOp::Patch("notes", "missing", {{"v", 4}})};
  Status failed = store_->Write(ops);
  EXPECT_EQ(failed.code(), StatusCode::kNotFound);
  EXPECT_NE(failed.message().find("write #3"), std::string::npos) << failed.ToString();
  EXPECT_FALSE(store_->Get("notes", "a")->has_value());
  EXPECT_FALSE(store_->Get("notes", "b")->has_value());
  EXPECT_EQ(MustGet("notes", "existing").data, json({{"v", 0}}));
  EXPECT_EQ(OutboxCount(), 1);

  ops.pop_back();
  ASSERT_OK(store_->Write(ops));
  EXPECT_EQ(MustGet("notes", "a").data, json({{"v", 1}}));
  EXPECT_EQ(MustGet("notes", "existing").data, json({{"v", 2}}));
  EXPECT_EQ(OutboxCount(), 3);  // "existing" coalesced into its pending create
  EXPECT_OK(store_->Verify());
}

// --- Coalescing ---

TEST_F(StoreWriteTest, PutAfterPutFoldsIntoOneMutation) {
  ASSERT_OK(store_->Put("notes", "n1", {{"v", 1}}));
  const std::string id = Peek()[0].mutation_id;
  clock_.Advance(std::chrono::milliseconds(3));
  ASSERT_OK(store_->Put("notes", "n1", {{"v", 2}}));
  auto batch = Peek();
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].mutation_id, id);
  EXPECT_EQ(batch[0].op, MutationOp::kPut);
  EXPECT_EQ(batch[0].data, json({{"v", 2}}));
  EXPECT_EQ(batch[0].hlc, MustGet("notes", "n1").hlc);
}

TEST_F(StoreWriteTest, PatchAfterPutBecomesPutOfThePatchedData) {
  ASSERT_OK(store_->Put("notes", "n1", {{"a", 1}, {"b", 2}}));
  ASSERT_OK(store_->Patch("notes", "n1", {{"b", nullptr}, {"c", 3}}));
  auto batch = Peek();
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].op, MutationOp::kPut);
  EXPECT_EQ(batch[0].data, json({{"a", 1}, {"c", 3}}));
}

TEST_F(StoreWriteTest, PatchAfterPatchCombinesThePatches) {
  ASSERT_OK(store_->Put("notes", "n1", {{"a", 1}, {"o", {{"x", 1}, {"y", 2}}}}));
  ASSERT_OK(store_->Ack({Peek()[0].mutation_id, "1", ""}));
  ASSERT_OK(store_->Patch("notes", "n1", {{"a", 2}, {"o", {{"x", nullptr}}}}));
  ASSERT_OK(store_->Patch("notes", "n1", {{"b", 3}, {"o", {{"z", 9}}}, {"a", nullptr}}));
  auto batch = Peek();
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].op, MutationOp::kPatch);
  EXPECT_EQ(batch[0].base_rev, "1");
  const json combined = batch[0].data;
  EXPECT_EQ(combined, json({{"a", nullptr}, {"b", 3}, {"o", {{"x", nullptr}, {"z", 9}}}}));
  // Applying the combined patch to the base gives the local document.
  Document doc = MustGet("notes", "n1");
  json replay = doc.base_data;
  ApplyMergePatch(replay, combined);
  EXPECT_EQ(replay, doc.data);
}

TEST_F(StoreWriteTest, InexpressiblePatchCompositionFallsBackToPut) {
  ASSERT_OK(store_->Put("notes", "n1", {{"o", {{"x", 1}}}}));
  ASSERT_OK(store_->Ack({Peek()[0].mutation_id, "1", ""}));
  ASSERT_OK(store_->Patch("notes", "n1", {{"o", nullptr}}));
  ASSERT_OK(store_->Patch("notes", "n1", {{"o", {{"y", 2}}}}));
  auto batch = Peek();
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].op, MutationOp::kPut);
  EXPECT_EQ(batch[0].data, json({{"o", {{"y", 2}}}}));
  EXPECT_EQ(batch[0].base_rev, "1");
}

TEST(ComposePatchesTest, MatchesSequentialApplicationWhenExpressible) {
  const json target = {{"a", 1}, {"o", {{"x", 1}, {"y", {{"deep", true}}}}}, {"s", "t"}};
  const std::vector<std::pair<json, json>> pairs = {
      {{{"a", 2}}, {{"b", 3}}},
      {{{"o", {{"x", nullptr}}}}, {{"o", {{"y", {{"deep", false}}}}}}},
      {{{"s", nullptr}}, {{"s", "back"}}},
      {{{"a", {{"n", 1}}}}, {{"a", {{"m", 2}}}}},
      {{{"o", 5}}, {{"o", 6}}},
  };
  for (const auto& [first, second] : pairs) {
    auto composed = LocalWriter::ComposePatches(first, second);
    ASSERT_TRUE(composed.has_value()) << first << " then " << second;
    EXPECT_EQ(MergePatched(target, *composed), MergePatched(MergePatched(target, first), second))
        << first << " then " << second;
  }
  EXPECT_FALSE(LocalWriter::ComposePatches({{"o", nullptr}}, {{"o", {{"y", 1}}}}).has_value());
  EXPECT_FALSE(LocalWriter::ComposePatches({{"o", 1}}, {{"o", {{"y", 1}}}}).has_value());
}

TEST_F(StoreWriteTest, DeleteAfterAnUnsentCreateRemovesBoth) {
  ASSERT_OK(store_->Put("notes", "n1", {{"a", 1}}));
  ASSERT_OK(store_->Delete("notes", "n1"));
  EXPECT_EQ(OutboxCount(), 0);
  EXPECT_FALSE(store_->Get("notes", "n1", /*include_deleted=*/true)->has_value());
  EXPECT_OK(store_->Verify());
}

TEST_F(StoreWriteTest, DeleteAfterCreateOverAKnownTombstoneRestoresTheCleanTombstone) {
  ASSERT_OK(store_->Put("notes", "n1", {{"a", 1}}));
  ASSERT_OK(store_->Ack({Peek()[0].mutation_id, "1", ""}));
  ASSERT_OK(store_->Delete("notes", "n1"));
  ASSERT_OK(store_->Ack({Peek()[0].mutation_id, "2", ""}));
  ASSERT_OK(store_->Put("notes", "n1", {{"again", true}}));
  EXPECT_FALSE(Peek()[0].base_rev.has_value());  // create over a tombstone
  ASSERT_OK(store_->Delete("notes", "n1"));
  EXPECT_EQ(OutboxCount(), 0);
  Document tomb = MustGet("notes", "n1", true);
  EXPECT_TRUE(tomb.deleted);
  EXPECT_FALSE(tomb.dirty);
  EXPECT_EQ(tomb.rev, "2");
  EXPECT_OK(store_->Verify());
}

TEST_F(StoreWriteTest, DeleteAfterUpdateBecomesDelete) {
  ASSERT_OK(store_->Put("notes", "n1", {{"a", 1}}));
  ASSERT_OK(store_->Ack({Peek()[0].mutation_id, "4", ""}));
  ASSERT_OK(store_->Put("notes", "n1", {{"a", 2}}));
  ASSERT_OK(store_->Delete("notes", "n1"));
  auto batch = Peek();
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].op, MutationOp::kDelete);
  EXPECT_EQ(batch[0].base_rev, "4");
  ASSERT_OK(store_->Put("notes", "n1", {{"a", 3}}));  // put after delete -> put
  batch = Peek();
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].op, MutationOp::kPut);
  EXPECT_EQ(batch[0].base_rev, "4");
}

TEST_F(StoreWriteTest, AttemptedMutationsAreNeverAltered) {
  ASSERT_OK(store_->Put("notes", "n1", {{"v", 1}}));
  Mutation sent = Peek()[0];
  auto marked = store_->MarkAttempted({sent.mutation_id});
  ASSERT_TRUE(marked.ok());
  EXPECT_EQ(*marked, 1);
  ASSERT_OK(store_->Put("notes", "n1", {{"v", 2}}));
  ASSERT_OK(store_->Patch("notes", "n1", {{"w", 3}}));
  ASSERT_EQ(OutboxCount(), 2);
  auto first = store_->PeekBatch(10, 1 << 20);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 1u);  // one mutation per document per batch
  EXPECT_EQ((*first)[0].mutation_id, sent.mutation_id);
  EXPECT_EQ((*first)[0].data, json({{"v", 1}}));
  EXPECT_EQ((*first)[0].attempts, 1);
  // The in-flight create may reach the server: deleting now must still send a delete.
  ASSERT_OK(store_->Delete("notes", "n1"));
  EXPECT_EQ(OutboxCount(), 2);
  EXPECT_OK(store_->Verify());
}

}  // namespace
}  // namespace syncagent
