#include "storage/sync_state.h"

namespace syncagent {

namespace {

static_assert(static_cast<int>(SyncState::kSynced) == 0 &&
                  static_cast<int>(SyncState::kPending) == 1 &&
                  static_cast<int>(SyncState::kConflict) == 2 &&
                  static_cast<int>(SyncState::kRejected) == 3,
              "SYNCAGENT_SYNC_STATE_SQL yields these values");

constexpr char kLoadSyncState[] = "SELECT " SYNCAGENT_SYNC_STATE_SQL
                                  " FROM documents d WHERE d.collection = ?1 AND d.key = ?2";

constexpr char kAnyConflictOrDeadLetter[] =
    "SELECT EXISTS (SELECT 1 FROM conflicts WHERE status = 'open') OR "
    "EXISTS (SELECT 1 FROM dead_letters)";

}  // namespace

StatusOr<bool> AnyConflictOrDeadLetter(SqliteDb& db) {
  SYNCAGENT_ASSIGN_OR_RETURN(int64_t any, db.QueryInt(kAnyConflictOrDeadLetter));
  return any != 0;
}

SyncState SyncStateFromColumn(int64_t value) {
  switch (value) {
    case 1: return SyncState::kPending;
    case 2: return SyncState::kConflict;
    case 3: return SyncState::kRejected;
    default: return SyncState::kSynced;
  }
}

StatusOr<SyncState> LoadSyncState(SqliteDb& db, std::string_view collection,
                                  std::string_view key) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(kLoadSyncState));
  stmt.BindTextStatic(1, collection);
  stmt.BindTextStatic(2, key);
  SYNCAGENT_ASSIGN_OR_RETURN(bool found, stmt.Step());
  return found ? SyncStateFromColumn(stmt.Int(0)) : SyncState::kSynced;
}

}  // namespace syncagent
