// SqliteDb: one SQLite connection, its cache of prepared statements and the mapping from
// SQLite result codes to syncagent Status values.
//
// Every error a SqliteDb reports names the database path and carries SQLite's own message:
//   SQLITE_FULL                       -> kResourceExhausted (transient)
//   SQLITE_NOMEM                      -> kResourceExhausted
//   SQLITE_BUSY, SQLITE_LOCKED        -> kUnavailable (transient), "database is locked"
//   SQLITE_NOTADB, SQLITE_CORRUPT     -> kDataLoss ("not a SQLite database" / "malformed")
//   SQLITE_READONLY, SQLITE_PERM,
//   SQLITE_AUTH, SQLITE_CANTOPEN      -> kPermissionDenied (CANTOPEN without EACCES: kIoError)
//   SQLITE_IOERR                      -> kIoError (transient)
//   SQLITE_TOOBIG                     -> kInvalidArgument
//   anything else                     -> kInternal
// "transient" is the Status's retry class: a full disk or database size cap, an I/O error and a
// lock held elsewhere may clear by themselves (space freed, medium recovered, lock released), so
// a headless run that hits one asks to be retried later instead of failing
// (agent/headless_task.h).
//
// The connection is opened without SQLite's own mutex (SQLITE_OPEN_NOMUTEX): the owner (Store)
// serialises access.
//
// Thread safety: not thread-safe; one thread at a time (the Store's mutex guarantees it).
#ifndef SYNCAGENT_STORAGE_SQLITE_DB_H_
#define SYNCAGENT_STORAGE_SQLITE_DB_H_

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "storage/sqlite_statement.h"
#include "syncagent/status.h"

struct sqlite3;

namespace syncagent {

class SqliteDb {
 public:
  // Opens an existing file read-write (SQLite silently falls back to read-only when the file is
  // not writable: check IsReadOnly()). Never creates the file.
  static StatusOr<std::unique_ptr<SqliteDb>> Open(const std::string& path, int busy_timeout_ms);

  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();

  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

  // Runs one or more SQL statements that return no rows we need (not cached).
  Status Exec(const char* sql, std::string_view context);

  // Returns the cached statement for `sql`, preparing it on first use. The cache is keyed by
  // the pointer: pass string literals / constants only.
  // REQUIRES: `sql` outlives this SqliteDb and holds exactly one statement.
  StatusOr<Statement> Prepare(const char* sql);
  // Prepare for SQL built at run time (queries): cached by its text, at most
  // kMaxDynamicStatements of them (when full, every one is finalized and the cache starts over).
  // REQUIRES: no Statement returned by an earlier PrepareDynamic is still in use.
  StatusOr<Statement> PrepareDynamic(const std::string& sql);
  static constexpr size_t kMaxDynamicStatements = 64;

  // Runs `sql` (a single statement) and returns the first column of its first row as text.
  StatusOr<std::string> QueryText(const char* sql);
  // Same, as an integer.
  StatusOr<int64_t> QueryInt(const char* sql);

  // The rowid of the last row inserted on this connection.
  int64_t LastInsertRowId() const;

  // True when the main database was opened read-only (e.g. the file is not writable).
  bool IsReadOnly() const;
  // True while a transaction is open on this connection.
  bool InTransaction() const;

  // Maps a SQLite result code (plus the connection's last error message) to a Status naming the
  // path and `context`.
  Status ErrorStatus(int rc, std::string_view context) const;

 private:
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  std::string path_;
  std::unordered_map<const char*, struct sqlite3_stmt*> cache_;
  std::unordered_map<std::string, struct sqlite3_stmt*> dynamic_cache_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_SQLITE_DB_H_
