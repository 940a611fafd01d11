// The run log, checkpoints and Stats().
#include "tests/storage/store_test_util.h"

namespace syncagent {
namespace {

using testing::StoreTest;

using RunsTest = StoreTest;

TEST_F(RunsTest, BeginFinishAndListNewestFirst) {
  RunStart start{"task-1", clock_.WallMs() - 500, 30000, "network=any"};
  auto id = store_->BeginRun(start);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto runs = store_->ListRuns();
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].result, RunResult::kRunning);
  EXPECT_EQ((*runs)[0].started_at, clock_.WallMs());
  EXPECT_FALSE((*runs)[0].finished_at.has_value());
  clock_.Advance(std::chrono::seconds(4));
  ASSERT_OK(store_->FinishRun(*id, {RunResult::kRetry, "deadline", 10, 20, 1, "HTTP 503"}));
  auto second = store_->BeginRun({"task-2", clock_.WallMs(), 1000, ""});
  ASSERT_TRUE(second.ok());
  ASSERT_OK(store_->FinishRun(*second, {RunResult::kSkipped, "no network", 0, 0, 0, ""}));
  runs = store_->ListRuns(10);
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].task_id, "task-2");
  const RunRecord& first = (*runs)[1];
  EXPECT_EQ(first.task_id, "task-1");
  EXPECT_EQ(first.requested_at, start.requested_at);
  EXPECT_EQ(first.budget_ms, 30000);
  EXPECT_EQ(first.constraints, "network=any");
  EXPECT_EQ(first.result, RunResult::kRetry);
  EXPECT_EQ(first.reason, "deadline");
  EXPECT_EQ(first.pushed, 10);
  EXPECT_EQ(first.pulled, 20);
  EXPECT_EQ(first.conflicts, 1);
  EXPECT_EQ(first.error, "HTTP 503");
  EXPECT_EQ(first.finished_at, first.started_at + 4000);
  EXPECT_EQ(store_->ListRuns(1)->size(), 1u);
  EXPECT_EQ(store_->FinishRun(12345, RunFinish{}).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->FinishRun(*id, RunFinish{RunResult::kRunning, "", 0, 0, 0, ""}).code(), StatusCode::kInvalidArgument);
}

TEST_F(RunsTest, CheckpointsRoundTripAndOverwrite) {
  EXPECT_FALSE(store_->GetCheckpoint("pull")->has_value());
  ASSERT_OK(store_->SetCheckpoint("pull", "cursor-1", "\"e1\""));
  ASSERT_OK(store_->SetCheckpoint("pull", "cursor-2"));
  auto cp = store_->GetCheckpoint("pull");
  ASSERT_TRUE(cp.ok() && cp->has_value());
  EXPECT_EQ((*cp)->value, "cursor-2");
  EXPECT_EQ((*cp)->etag, "");
  EXPECT_EQ(store_->SetCheckpoint("", "x").code(), StatusCode::kInvalidArgument);
  Reopen();
  EXPECT_EQ((*store_->GetCheckpoint("pull"))->value, "cursor-2");
}

TEST_F(RunsTest, StatsReportQueueConflictsDeadLettersAndLastRun) {
  auto empty = store_->Stats();
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->queue_depth, 0);
  EXPECT_FALSE(empty->oldest_pending_age_ms.has_value());
  EXPECT_FALSE(empty->last_run.has_value());
  EXPECT_EQ(empty->documents, 0);

  ASSERT_OK(store_->Put("notes", "a", {{"v", 1}}));
  clock_.Advance(std::chrono::seconds(10));
  ASSERT_OK(store_->Put("notes", "b", {{"v", 1}}));
  ASSERT_OK(store_->Put("notes", "c", {{"v", 1}}));
  clock_.Advance(std::chrono::seconds(5));
  auto id = store_->BeginRun({"t", clock_.WallMs(), 100, ""});
  ASSERT_TRUE(id.ok());
  auto batch = Peek();
  ASSERT_OK(store_->DeadLetter(batch[2].mutation_id, "bad", "bad").status());
  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->queue_depth, 2);
  EXPECT_EQ(stats->oldest_pending_age_ms, 15000);
  EXPECT_EQ(stats->dead_letters, 1);
  EXPECT_EQ(stats->open_conflicts, 0);
  EXPECT_EQ(stats->documents, 3);
  ASSERT_TRUE(stats->last_run.has_value());
  EXPECT_EQ(stats->last_run->id, *id);
}

}  // namespace
}  // namespace syncagent
