// SchemaMigrator: the versioned schema of the store and its forward migrations.
//
// The schema version lives in SQLite's `PRAGMA user_version`. kMigrations is an ordered list; a
// database at version N gets migrations N+1..latest applied in one IMMEDIATE transaction, and
// user_version set to latest in the same transaction. A database whose user_version is newer
// than this build knows is refused with kFailedPrecondition before anything is written (a newer
// app wrote it; downgrading would corrupt it).
//
// All tables are STRICT. Migrations are append-only: never edit a released one.
//
// Thread safety: stateless; called by Store::Open under no lock (the Store is not shared yet).
#ifndef SYNCAGENT_STORAGE_SCHEMA_MIGRATIONS_H_
#define SYNCAGENT_STORAGE_SCHEMA_MIGRATIONS_H_

#include "storage/sqlite_db.h"
#include "syncagent/status.h"

namespace syncagent {

class SchemaMigrator {
 public:
  // The version this build creates and understands.
  static int LatestVersion();

  // Reads user_version without writing; kFailedPrecondition (naming the path and both versions)
  // when it is newer than LatestVersion(). Also forces SQLite to read the schema, so a damaged
  // file fails here with kDataLoss.
  static StatusOr<int> CheckVersion(SqliteDb& db);

  // Applies the missing migrations (no-op, and no write, when already current).
  static Status Migrate(SqliteDb& db);
  // Migrate, up to `version` only (a store as an older build left it; for tests).
  // REQUIRES: 1 <= version <= LatestVersion().
  static Status MigrateTo(SqliteDb& db, int version);
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_SCHEMA_MIGRATIONS_H_
