#include "storage/checkpoint_table.h"

#include "platform/clock.h"
#include "storage/sqlite_db.h"

namespace syncagent {

namespace {
constexpr char kGet[] = "SELECT value, etag FROM checkpoints WHERE name = ?1";
constexpr char kSet[] =
    "INSERT INTO checkpoints (name, value, etag, updated_at) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (name) DO UPDATE SET value = excluded.value, etag = excluded.etag, "
    "updated_at = excluded.updated_at";
constexpr char kDelete[] = "DELETE FROM checkpoints WHERE name = ?1";
}  // namespace

Status CheckpointTable::Delete(std::string_view name) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, ctx_.db->Prepare(kDelete));
  stmt.BindTextStatic(1, name);
  return stmt.Run();
}

StatusOr<std::optional<Checkpoint>> CheckpointTable::Get(std::string_view name) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, ctx_.db->Prepare(kGet));
  stmt.BindTextStatic(1, name);
  SYNCAGENT_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return std::optional<Checkpoint>();
  return std::optional<Checkpoint>(Checkpoint{stmt.Text(0), stmt.Text(1)});
}

Status CheckpointTable::Set(std::string_view name, std::string_view value,
                            std::string_view etag) {
  if (name.empty()) return InvalidArgumentError("checkpoint name is empty");
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, ctx_.db->Prepare(kSet));
  stmt.BindTextStatic(1, name);
  stmt.BindTextStatic(2, value);
  stmt.BindTextStatic(3, etag);
  stmt.BindInt(4, ctx_.clock->WallMs());
  return stmt.Run();
}

}  // namespace syncagent
