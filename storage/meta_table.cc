#include "storage/meta_table.h"

namespace syncagent {

namespace {
constexpr char kGet[] = "SELECT value FROM meta WHERE name = ?1";
constexpr char kInsertIfMissing[] =
    "INSERT INTO meta (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING";
constexpr char kRaiseHlc[] = "UPDATE meta SET value = ?1 WHERE name = 'hlc' AND value < ?1";
}  // namespace

StatusOr<std::optional<std::string>> MetaTable::Get(std::string_view name) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kGet));
  stmt.BindTextStatic(1, name);
  SYNCAGENT_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return std::optional<std::string>();
  return std::optional<std::string>(stmt.Text(0));
}

Status MetaTable::InsertIfMissing(std::string_view name, std::string_view value) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kInsertIfMissing));
  stmt.BindTextStatic(1, name);
  stmt.BindTextStatic(2, value);
  return stmt.Run();
}

Status MetaTable::RaiseHlc(std::string_view stamp) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kRaiseHlc));
  stmt.BindTextStatic(1, stamp);
  return stmt.Run();
}

}  // namespace syncagent
