#include "storage/sqlite_db.h"

#include <sqlite3.h>

#include <cerrno>
#include <cstring>

namespace syncagent {

StatusOr<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, int busy_timeout_ms) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw, path));
  if (rc != SQLITE_OK) {
    if (raw == nullptr) return ResourceExhaustedError(path + ": cannot allocate a SQLite handle");
    return db->ErrorStatus(rc, "opening the database");
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  return db;
}

SqliteDb::~SqliteDb() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  for (auto& [sql, stmt] : dynamic_cache_) sqlite3_finalize(stmt);
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Status SqliteDb::Exec(const char* sql, std::string_view context) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error);
  sqlite3_free(error);
  if (rc != SQLITE_OK) return ErrorStatus(rc, context);
  return Status::Ok();
}

StatusOr<Statement> SqliteDb::Prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return Statement(this, it->second);
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return ErrorStatus(rc, std::string("preparing: ") + sql);
  SYNCAGENT_CHECK(stmt != nullptr);
  cache_.emplace(sql, stmt);
  return Statement(this, stmt);
}

StatusOr<Statement> SqliteDb::PrepareDynamic(const std::string& sql) {
  auto it = dynamic_cache_.find(sql);
  if (it != dynamic_cache_.end()) return Statement(this, it->second);
  if (dynamic_cache_.size() >= kMaxDynamicStatements) {
    for (auto& [text, stmt] : dynamic_cache_) sqlite3_finalize(stmt);
    dynamic_cache_.clear();
  }
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return ErrorStatus(rc, "preparing: " + sql.substr(0, 200));
  SYNCAGENT_CHECK(stmt != nullptr);
  dynamic_cache_.emplace(sql, stmt);
  return Statement(this, stmt);
}

StatusOr<std::string> SqliteDb::QueryText(const char* sql) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, Prepare(sql));
  SYNCAGENT_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return NotFoundError(path_ + ": no result for: " + sql);
  return stmt.Text(0);
}

StatusOr<int64_t> SqliteDb::QueryInt(const char* sql) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, Prepare(sql));
  SYNCAGENT_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return NotFoundError(path_ + ": no result for: " + sql);
  return stmt.Int(0);
}

int64_t SqliteDb::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

bool SqliteDb::IsReadOnly() const { return sqlite3_db_readonly(db_, "main") == 1; }

bool SqliteDb::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

Status SqliteDb::ErrorStatus(int rc, std::string_view context) const {
  const int primary = rc & 0xff;
  std::string message = path_;
  message += ": ";
  if (db_ != nullptr && (sqlite3_extended_errcode(db_) == rc || sqlite3_errcode(db_) == rc)) {
    message += sqlite3_errmsg(db_);
  } else {
    message += sqlite3_errstr(rc);
  }
  switch (primary) {
    case SQLITE_NOTADB: message += " (not a SQLite database)"; break;
    case SQLITE_CORRUPT: message += " (database disk image is malformed)"; break;
    case SQLITE_FULL: message += " (disk or database size limit full)"; break;
    default: break;
  }
  message += " [";
  message += sqlite3_errstr(rc);
  message += ", code ";
  message += std::to_string(rc);
  message += "] while ";
  message += context;
  switch (primary) {
    // A full disk (or size cap) and an I/O failure are conditions to retry later, not a verdict
    // on the data: space may be freed, a flaky medium may recover (see the header).
    case SQLITE_FULL:
      return ResourceExhaustedError(std::move(message)).WithRetryClass(RetryClass::kTransient);
    case SQLITE_NOMEM: return ResourceExhaustedError(std::move(message));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      if (message.find("database is locked") == std::string::npos) {
        message = "database is locked: " + message;
      }
      return UnavailableError(std::move(message));
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT: return DataLossError(std::move(message));
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH: return PermissionDeniedError(std::move(message));
    case SQLITE_CANTOPEN: {
      const int sys = db_ != nullptr ? sqlite3_system_errno(db_) : 0;
      if (sys == EACCES || sys == EPERM || sys == EROFS) {
        return PermissionDeniedError(message + ": " + std::strerror(sys));
      }
      return IoError(std::move(message));
    }
    case SQLITE_IOERR: return IoError(std::move(message)).WithRetryClass(RetryClass::kTransient);
    case SQLITE_TOOBIG: return InvalidArgumentError(std::move(message));
    default: return InternalError(std::move(message));
  }
}

}  // namespace syncagent
