#include "storage/remote_skips.h"

#include "storage/sqlite_db.h"

namespace syncagent {
namespace {

constexpr char kRecord[] =
    "INSERT INTO remote_skips (collection, key, rev, reason, skipped_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (collection, key) DO UPDATE SET "
    "rev = excluded.rev, reason = excluded.reason, skipped_at = excluded.skipped_at";
constexpr char kClear[] = "DELETE FROM remote_skips WHERE collection = ?1 AND key = ?2";
constexpr char kCount[] = "SELECT count(*) FROM remote_skips";
constexpr char kList[] =
    "SELECT collection, key, rev, reason, skipped_at FROM remote_skips "
    "ORDER BY skipped_at, collection, key LIMIT ?1";

}  // namespace

Status RemoteSkips::Record(const RemoteSkip& skip) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, ctx_.db->Prepare(kRecord));
  stmt.BindTextStatic(1, skip.collection);
  stmt.BindTextStatic(2, skip.key);
  stmt.BindTextStatic(3, skip.rev);
  stmt.BindTextStatic(4, skip.reason);
  stmt.BindInt(5, skip.skipped_at);
  return stmt.Run();
}

Status RemoteSkips::Clear(std::string_view collection, std::string_view key) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, ctx_.db->Prepare(kClear));
  stmt.BindTextStatic(1, collection);
  stmt.BindTextStatic(2, key);
  return stmt.Run();
}

StatusOr<int64_t> RemoteSkips::Count() { return ctx_.db->QueryInt(kCount); }

StatusOr<std::vector<RemoteSkip>> RemoteSkips::List(int64_t limit) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, ctx_.db->Prepare(kList));
  stmt.BindInt(1, limit);
  std::vector<RemoteSkip> out;
  for (;;) {
    SYNCAGENT_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    out.push_back(
        RemoteSkip{stmt.Text(0), stmt.Text(1), stmt.Text(2), stmt.Text(3), stmt.Int(4)});
  }
  return out;
}

}  // namespace syncagent
