#include "storage/change_feed.h"

#include "storage/sync_state.h"

namespace syncagent {

namespace {

constexpr char kRecord[] =
    "INSERT INTO changes (collection, key, seq, deleted, source) VALUES "
    "(?1, ?2, (SELECT coalesce(max(seq), 0) + 1 FROM changes), ?3, ?4) "
    "ON CONFLICT (collection, key) DO UPDATE SET seq = excluded.seq, deleted = excluded.deleted, "
    "source = excluded.source";
constexpr char kList[] =
    "SELECT c.seq, c.collection, c.key, c.deleted, c.source, " SYNCAGENT_SYNC_STATE_SQL
    " FROM changes c LEFT JOIN documents d ON d.collection = c.collection AND d.key = c.key "
    "WHERE c.seq > ?1 ORDER BY c.seq LIMIT ?2";

ChangeSource SourceFromName(std::string_view name) {
  if (name == "remote") return ChangeSource::kRemote;
  if (name == "resolution") return ChangeSource::kResolution;
  return ChangeSource::kLocal;
}

}  // namespace

std::string_view ChangeSourceName(ChangeSource source) {
  switch (source) {
    case ChangeSource::kLocal: return "local";
    case ChangeSource::kRemote: return "remote";
    case ChangeSource::kResolution: return "resolution";
  }
  return "local";
}

Status ChangeFeed::Record(std::string_view collection, std::string_view key, bool deleted) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kRecord));
  stmt.BindTextStatic(1, collection);
  stmt.BindTextStatic(2, key);
  stmt.BindInt(3, deleted ? 1 : 0);
  stmt.BindTextStatic(4, ChangeSourceName(source_));
  return stmt.Run();
}

StatusOr<std::vector<Change>> ChangeFeed::List(int64_t since, int limit) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(kList));
  stmt.BindInt(1, since);
  stmt.BindInt(2, limit);
  std::vector<Change> changes;
  while (true) {
    SYNCAGENT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    Change change;
    change.seq = stmt.Int(0);
    change.collection = stmt.Text(1);
    change.key = stmt.Text(2);
    change.deleted = stmt.Int(3) != 0;
    change.source = SourceFromName(stmt.TextView(4));
    change.sync_state = SyncStateFromColumn(stmt.Int(5));
    changes.push_back(std::move(change));
  }
  return changes;
}

}  // namespace syncagent
