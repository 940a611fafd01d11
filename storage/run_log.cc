#include "storage/run_log.h"

#include <algorithm>

#include <nlohmann/json.hpp>

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
constexpr char kLastId[] = "SELECT COALESCE(MAX(id), 0) FROM runs";
constexpr char kCreateSlot[] = "INSERT OR IGNORE INTO meta (name, value) VALUES ('unlogged_run', ?1)";
constexpr char kWriteSlot[] = "UPDATE meta SET value = ?1 WHERE name = 'unlogged_run'";
constexpr char kReadSlot[] = "SELECT value FROM meta WHERE name = 'unlogged_run'";

RunResult ParseResult(std::string_view text) {
  if (text == "success") return RunResult::kSuccess;
  if (text == "retry") return RunResult::kRetry;
  if (text == "failure") return RunResult::kFailure;
  if (text == "skipped") return RunResult::kSkipped;
  return RunResult::kRunning;
}

// The slot's value: `record` as JSON, reason and error shortened until it fits, space-padded to
// exactly kUnloggedSlotBytes (so rewriting it never changes the row's size).
std::string SlotValue(nlohmann::json record) {
  constexpr size_t kSize = RunLog::kUnloggedSlotBytes;
  auto dump = [&] { return record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); };
  std::string text = dump();
  while (text.size() > kSize) {
    std::string& reason = record["reason"].get_ref<std::string&>();
    std::string& error = record["error"].get_ref<std::string&>();
    std::string& task = record["task_id"].get_ref<std::string&>();
    std::string& longest = reason.size() >= error.size() ? reason : error;
    std::string& cut = longest.size() >= task.size() ? longest : task;
    cut.resize(cut.size() / 2);  // a split UTF-8 sequence is replaced by dump()
    text = dump();
  }
  text.resize(kSize, ' ');
  return text;
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
  const int64_t id = ctx_.db->LastInsertRowId();
  // The fallback slot is created while the database still has room (a no-op once it exists).
  SYNCAGENT_ASSIGN_OR_RETURN(Statement slot, ctx_.db->Prepare(kCreateSlot));
  slot.BindText(1, std::string(kUnloggedSlotBytes, ' '));
  SYNCAGENT_RETURN_IF_ERROR(slot.Run());
  return id;
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

Status RunLog::NoteUnlogged(int64_t run_id, const RunStart& start, const RunFinish& finish) {
  if (finish.result == RunResult::kRunning) {
    return InvalidArgumentError("NoteUnlogged: result must not be \"running\"");
  }
  SYNCAGENT_ASSIGN_OR_RETURN(int64_t last_id, ctx_.db->QueryInt(kLastId));
  const int64_t now = ctx_.clock->WallMs();
  const std::string value = SlotValue({{"run_id", run_id},
                                       {"after_id", last_id},
                                       {"task_id", start.task_id},
                                       {"requested_at", start.requested_at},
                                       {"started_at", now},
                                       {"finished_at", now},
                                       {"budget_ms", start.budget_ms},
                                       {"result", RunResultName(finish.result)},
                                       {"reason", finish.reason},
                                       {"error", finish.error}});
  SYNCAGENT_ASSIGN_OR_RETURN(Statement write, ctx_.db->Prepare(kWriteSlot));
  write.BindTextStatic(1, value);
  SYNCAGENT_RETURN_IF_ERROR(write.Run());
  if (write.Changes() > 0) return Status::Ok();
  // No slot yet (no run was ever logged): creating it needs room, which may be missing.
  SYNCAGENT_ASSIGN_OR_RETURN(Statement create, ctx_.db->Prepare(kCreateSlot));
  create.BindTextStatic(1, value);
  return create.Run();
}

Status RunLog::MergeUnlogged(std::vector<RunRecord>& runs, int64_t limit) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement read, ctx_.db->Prepare(kReadSlot));
  SYNCAGENT_ASSIGN_OR_RETURN(bool has_slot, read.Step());
  if (!has_slot) return Status::Ok();
  const nlohmann::json slot =
      nlohmann::json::parse(read.TextView(0), nullptr, /*allow_exceptions=*/false);
  if (!slot.is_object()) return Status::Ok();  // blank (nothing noted) or unreadable
  // Type-checked reads (nlohmann's value() would throw on a mistyped member).
  auto integer = [&](const char* name, int64_t fallback) {
    auto it = slot.find(name);
    return it != slot.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
  };
  auto text = [&](const char* name) {
    auto it = slot.find(name);
    return it != slot.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  RunRecord r;
  r.id = integer("run_id", 0);
  r.task_id = text("task_id");
  r.requested_at = integer("requested_at", 0);
  r.started_at = integer("started_at", 0);
  r.finished_at = integer("finished_at", 0);
  r.budget_ms = integer("budget_ms", 0);
  r.result = ParseResult(text("result"));
  r.reason = text("reason");
  r.error = text("error");
  r.unlogged = true;
  if (r.id != 0) {  // Finish failed: the row still says "running"
    for (RunRecord& row : runs) {
      if (row.id != r.id || row.result != RunResult::kRunning) continue;
      row.finished_at = r.finished_at;
      row.result = r.result;
      row.reason = r.reason;
      row.error = r.error;
      row.unlogged = true;
    }
    return Status::Ok();
  }
  // Begin failed: news only while no run was logged after it.
  const int64_t newest = runs.empty() ? 0 : runs.front().id;
  if (integer("after_id", -1) != newest || limit <= 0) return Status::Ok();
  runs.insert(runs.begin(), std::move(r));
  if (static_cast<int64_t>(runs.size()) > limit) runs.pop_back();
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
  SYNCAGENT_RETURN_IF_ERROR(MergeUnlogged(out, limit));
  return out;
}

}  // namespace syncagent
