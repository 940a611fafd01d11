#include "storage/run_log.h"

#include "platform/clock.h"
#include "storage/sqlite_db.h"

namespace syncagent {

namespace {

constexpr char kBegin[] =
    "INSERT INTO runs (task_id, requested_at, started_at, budget_ms, constraints, result) "
    "VALUES (?1, ?2, ?3, ?4, ?5, 'running')";
constexpr char kFinish[] =
    "UPDATE runs SET finished_at = ?2, result = ?3, reason = ?4, pushed = ?5, pulled = ?6, "
    "conflicts = ?7, error = ?8 WHERE id = ?1";
constexpr char kList[] =
    "SELECT id, task_id, requested_at, started_at, finished_at, budget_ms, constraints, result, "
    "reason, pushed, pulled, conflicts, error FROM runs ORDER BY id DESC LIMIT ?1";

RunResult ParseResult(std::string_view text) {
  if (text == "success") return RunResult::kSuccess;
  if (text == "retry") return RunResult::kRetry;
  if (text == "failure") return RunResult::kFailure;
  if (text == "skipped") return RunResult::kSkipped;
  return RunResult::kRunning;
}

}  // namespace

StatusOr<int64_t> RunLog::Begin(const RunStart& start) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, ctx_.db->Prepare(kBegin));
  stmt.BindTextStatic(1, start.task_id);
  stmt.BindInt(2, start.requested_at);
  stmt.BindInt(3, ctx_.clock->WallMs());
  stmt.BindInt(4, start.budget_ms);
  stmt.BindTextStatic(5, start.constraints);
  SYNCAGENT_RETURN_IF_ERROR(stmt.Run());
  return ctx_.db->LastInsertRowId();
}

Status RunLog::Finish(int64_t id, const RunFinish& finish) {
  if (finish.result == RunResult::kRunning) {
    return InvalidArgumentError("FinishRun " + std::to_string(id) +
                                ": result must not be \"running\"");
  }
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, ctx_.db->Prepare(kFinish));
  stmt.BindInt(1, id);
  stmt.BindInt(2, ctx_.clock->WallMs());
  stmt.BindTextStatic(3, RunResultName(finish.result));
  stmt.BindTextStatic(4, finish.reason);
  stmt.BindInt(5, finish.pushed);
  stmt.BindInt(6, finish.pulled);
  stmt.BindInt(7, finish.conflicts);
  stmt.BindTextStatic(8, finish.error);
  SYNCAGENT_RETURN_IF_ERROR(stmt.Run());
  if (stmt.Changes() == 0) return NotFoundError("run " + std::to_string(id) + " does not exist");
  return Status::Ok();
}

StatusOr<std::vector<RunRecord>> RunLog::List(int64_t limit) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, ctx_.db->Prepare(kList));
  stmt.BindInt(1, limit);
  std::vector<RunRecord> out;
  while (true) {
    SYNCAGENT_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    RunRecord r;
    r.id = stmt.Int(0);
    r.task_id = stmt.Text(1);
    r.requested_at = stmt.Int(2);
    r.started_at = stmt.Int(3);
    r.finished_at = stmt.OptionalInt(4);
    r.budget_ms = stmt.Int(5);
    r.constraints = stmt.Text(6);
    r.result = ParseResult(stmt.TextView(7));
    r.reason = stmt.Text(8);
    r.pushed = stmt.Int(9);
    r.pulled = stmt.Int(10);
    r.conflicts = stmt.Int(11);
    r.error = stmt.Text(12);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace syncagent
