#include "storage/schema_migrations.h"

#include <string>

#include "storage/transaction.h"

namespace syncagent {

namespace {

struct Migration {
  int version;
  const char* sql;
};

// Version 1: the initial schema.
constexpr char kSchemaV1[] = R"sql(
-- client_id (text), hlc (text: the last stamp issued or observed), seq (integer: the outbox
-- high-water mark). One small page, rewritten by every write transaction.
CREATE TABLE meta (
  name  TEXT PRIMARY KEY,
  value ANY NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO meta (name, value) VALUES ('hlc', ''), ('seq', 0);

CREATE TABLE documents (
  collection   TEXT NOT NULL,
  key          TEXT NOT NULL,
  version      INTEGER NOT NULL DEFAULT 0,
  deleted      INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  data         TEXT,
  dirty        INTEGER NOT NULL DEFAULT 0 CHECK (dirty IN (0, 1)),
  base_version INTEGER,
  base_data    TEXT,
  hlc          TEXT NOT NULL,
  updated_at   INTEGER NOT NULL,
  -- the document's outbox seqs, ascending, comma-separated ('' = none; dirty = 1 otherwise).
  -- Kept here instead of an outbox index on (collection, key): one page less per write.
  pending_seqs TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (collection, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE outbox (
  seq          INTEGER PRIMARY KEY,  -- from meta 'seq' (SeqAllocator): never reused
  mutation_id  TEXT NOT NULL,
  collection   TEXT NOT NULL,
  key          TEXT NOT NULL,
  op           TEXT NOT NULL CHECK (op IN ('put', 'patch', 'delete')),
  base_version INTEGER,
  data         TEXT,
  hlc          TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  last_error   TEXT,
  force        INTEGER NOT NULL DEFAULT 0 CHECK (force IN (0, 1))
) STRICT;
-- Lookups by mutation_id (MarkAttempted, Ack, DeadLetter) concern mutations in flight. Indexing
-- only those keeps random UUIDs out of the append path (a full index on random keys would touch
-- a random page per write).
CREATE UNIQUE INDEX outbox_in_flight ON outbox (mutation_id) WHERE attempts > 0;

CREATE TABLE checkpoints (
  name       TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  etag       TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE conflicts (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  collection     TEXT NOT NULL,
  key            TEXT NOT NULL,
  local_data     TEXT,
  local_deleted  INTEGER NOT NULL,
  local_hlc      TEXT NOT NULL,
  remote_version INTEGER NOT NULL,
  remote_deleted INTEGER NOT NULL,
  remote_data    TEXT,
  remote_hlc     TEXT NOT NULL,
  base_version   INTEGER,
  base_data      TEXT,
  origin         TEXT NOT NULL CHECK (origin IN ('push', 'pull')),
  mutation_id    TEXT,
  status         TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
  resolution     TEXT NOT NULL DEFAULT '',
  created_at     INTEGER NOT NULL,
  resolved_at    INTEGER
) STRICT;
CREATE UNIQUE INDEX conflicts_one_open ON conflicts (collection, key) WHERE status = 'open';

CREATE TABLE dead_letters (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  seq          INTEGER NOT NULL,
  mutation_id  TEXT NOT NULL,
  collection   TEXT NOT NULL,
  key          TEXT NOT NULL,
  op           TEXT NOT NULL,
  base_version INTEGER,
  data         TEXT,
  hlc          TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  attempts     INTEGER NOT NULL,
  last_error   TEXT,
  force        INTEGER NOT NULL,
  code         TEXT NOT NULL,
  message      TEXT NOT NULL,
  dead_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE runs (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id      TEXT NOT NULL,
  requested_at INTEGER NOT NULL,
  started_at   INTEGER NOT NULL,
  finished_at  INTEGER,
  budget_ms    INTEGER NOT NULL,
  constraints  TEXT NOT NULL,
  result       TEXT NOT NULL
               CHECK (result IN ('success', 'retry', 'failure', 'skipped', 'running')),
  reason       TEXT NOT NULL DEFAULT '',
  pushed       INTEGER NOT NULL DEFAULT 0,
  pulled       INTEGER NOT NULL DEFAULT 0,
  conflicts    INTEGER NOT NULL DEFAULT 0,
  error        TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE leases (
  name        TEXT PRIMARY KEY,
  owner       TEXT NOT NULL,
  acquired_at INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
)sql";

// Version 2: remote versions the client could not take (docs/protocol.md §2.3), one row per
// document (its latest such version); the row goes when a usable version arrives.
constexpr char kSchemaV2[] = R"sql(
CREATE TABLE remote_skips (
  collection TEXT NOT NULL,
  key        TEXT NOT NULL,
  version    INTEGER NOT NULL,
  reason     TEXT NOT NULL,
  skipped_at INTEGER NOT NULL,
  PRIMARY KEY (collection, key)
) STRICT, WITHOUT ROWID;
)sql";

// Version 3: server revisions become opaque text (storage/revision.h), so a protocol whose
// revisions are not integers (CouchDB's "3-<hash>") fits. Integer versions are written in
// decimal; version 0 ("the server has none") becomes "" and base version 0 ("only if the
// server never had it") becomes "" too, while a null base stays null (a create).
constexpr char kSchemaV3[] = R"sql(
ALTER TABLE documents ADD COLUMN rev TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN base_rev TEXT;
UPDATE documents SET
  rev = CASE WHEN version = 0 THEN '' ELSE CAST(version AS TEXT) END,
  base_rev = CASE WHEN base_version IS NULL THEN NULL WHEN base_version = 0 THEN ''
                  ELSE CAST(base_version AS TEXT) END;
ALTER TABLE documents DROP COLUMN version;
ALTER TABLE documents DROP COLUMN base_version;

ALTER TABLE outbox ADD COLUMN base_rev TEXT;
UPDATE outbox SET base_rev = CASE WHEN base_version IS NULL THEN NULL WHEN base_version = 0
                                  THEN '' ELSE CAST(base_version AS TEXT) END;
ALTER TABLE outbox DROP COLUMN base_version;

ALTER TABLE dead_letters ADD COLUMN base_rev TEXT;
UPDATE dead_letters SET base_rev = CASE WHEN base_version IS NULL THEN NULL WHEN base_version = 0
                                        THEN '' ELSE CAST(base_version AS TEXT) END;
ALTER TABLE dead_letters DROP COLUMN base_version;

ALTER TABLE conflicts ADD COLUMN remote_rev TEXT NOT NULL DEFAULT '';
ALTER TABLE conflicts ADD COLUMN base_rev TEXT;
UPDATE conflicts SET
  remote_rev = CASE WHEN remote_version = 0 THEN '' ELSE CAST(remote_version AS TEXT) END,
  base_rev = CASE WHEN base_version IS NULL THEN NULL WHEN base_version = 0 THEN ''
                  ELSE CAST(base_version AS TEXT) END;
ALTER TABLE conflicts DROP COLUMN remote_version;
ALTER TABLE conflicts DROP COLUMN base_version;

ALTER TABLE remote_skips ADD COLUMN rev TEXT NOT NULL DEFAULT '';
UPDATE remote_skips SET rev = CASE WHEN version = 0 THEN '' ELSE CAST(version AS TEXT) END;
ALTER TABLE remote_skips DROP COLUMN version;
)sql";

// Version 4: the outbox's and the dead letters' `force` flag goes: nothing ever set it, and the
// protocol has no unconditional overwrite (docs/protocol.md §3.1). Every row stays.
constexpr char kSchemaV4[] = R"sql(
ALTER TABLE outbox DROP COLUMN force;
ALTER TABLE dead_letters DROP COLUMN force;
)sql";

// Version 5: a document's sync state (storage/sync_state.h) asks whether it has a dead letter;
// the index answers that with one descent per document instead of a scan of the dead letters.
constexpr char kSchemaV5[] = R"sql(
CREATE INDEX dead_letters_document ON dead_letters (collection, key);
)sql";

// Version 6: the change feed (storage/change_feed.h). Each document row carries its latest
// change's local sequence number and source (0 local, 1 remote, 2 resolution); the index on the
// seq is built by the feed's first read, not here. A document whose row is removed keeps its
// last change in erased_changes. Existing documents get seqs in the order of their last local
// change, as "remote" when the server has their revision and nothing is queued, else "local";
// meta 'change_seq' is the high-water mark.
constexpr char kSchemaV6[] = R"sql(
ALTER TABLE documents ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN change_source INTEGER NOT NULL DEFAULT 0;
UPDATE documents SET change_seq = n.seq, change_source = n.source
  FROM (SELECT collection, key,
               row_number() OVER (ORDER BY updated_at, collection, key) AS seq,
               CASE WHEN rev != '' AND dirty = 0 THEN 1 ELSE 0 END AS source
        FROM documents) AS n
  WHERE documents.collection = n.collection AND documents.key = n.key;
CREATE TABLE erased_changes (
  collection TEXT NOT NULL,
  key        TEXT NOT NULL,
  seq        INTEGER NOT NULL,
  source     INTEGER NOT NULL,
  PRIMARY KEY (collection, key)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX erased_changes_seq ON erased_changes (seq);
INSERT INTO meta (name, value)
  VALUES ('change_seq', (SELECT coalesce(max(change_seq), 0) FROM documents));
)sql";

constexpr Migration kMigrations[] = {
    {1, kSchemaV1},
    {2, kSchemaV2},
    {3, kSchemaV3},
    {4, kSchemaV4},
    {5, kSchemaV5},
    {6, kSchemaV6},
};

constexpr char kReadUserVersion[] = "PRAGMA user_version";
constexpr char kProbeSchema[] = "SELECT count(*) FROM sqlite_schema";

}  // namespace

int SchemaMigrator::LatestVersion() {
  return kMigrations[std::size(kMigrations) - 1].version;
}

StatusOr<int> SchemaMigrator::CheckVersion(SqliteDb& db) {
  SYNCAGENT_ASSIGN_OR_RETURN(int64_t objects, db.QueryInt(kProbeSchema));
  (void)objects;
  SYNCAGENT_ASSIGN_OR_RETURN(int64_t version, db.QueryInt(kReadUserVersion));
  if (version > LatestVersion() || version < 0) {
    return FailedPreconditionError(
        db.path() + ": database schema version " + std::to_string(version) +
        " is newer than this build supports (" + std::to_string(LatestVersion()) +
        "); it was written by a newer syncagent and was left untouched");
  }
  return static_cast<int>(version);
}

Status SchemaMigrator::Migrate(SqliteDb& db) { return MigrateTo(db, LatestVersion()); }

Status SchemaMigrator::MigrateTo(SqliteDb& db, int version) {
  SYNCAGENT_CHECK(version >= 1 && version <= LatestVersion());
  SYNCAGENT_ASSIGN_OR_RETURN(int current, CheckVersion(db));
  if (current >= version) return Status::Ok();
  Transaction txn(db);
  SYNCAGENT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  // Another process may have migrated while we waited for the lock.
  SYNCAGENT_ASSIGN_OR_RETURN(current, CheckVersion(db));
  if (current >= version) return Status::Ok();
  for (const Migration& migration : kMigrations) {
    if (migration.version <= current || migration.version > version) continue;
    SYNCAGENT_RETURN_IF_ERROR(db.Exec(
        migration.sql, "migrating the schema to version " + std::to_string(migration.version)));
  }
  const std::string set_version = "PRAGMA user_version = " + std::to_string(version);
  SYNCAGENT_RETURN_IF_ERROR(db.Exec(set_version.c_str(), "setting the schema version"));
  return txn.Commit();
}

}  // namespace syncagent
