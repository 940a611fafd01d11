// Statement: a borrowed handle on one cached, prepared SQLite statement.
//
// SqliteDb owns the sqlite3_stmt objects (prepared once, reused for the life of the connection);
// a Statement is the short-lived view a caller binds and steps. Its destructor resets the
// statement and clears its bindings, so a cached statement is always clean for the next user,
// whatever path the caller returned by. Bind errors are remembered and reported by Step().
//
// Thread safety: none. A Statement belongs to the thread that holds the owning Store's lock.
#ifndef SYNCAGENT_STORAGE_SQLITE_STATEMENT_H_
#define SYNCAGENT_STORAGE_SQLITE_STATEMENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "syncagent/status.h"

struct sqlite3_stmt;

namespace syncagent {

class SqliteDb;

// One SQL value: NULL, an integer, a real or text (what queries bind and read back).
using SqlValue = std::variant<std::monostate, int64_t, double, std::string>;

class Statement {
 public:
  // REQUIRES: db and stmt outlive this object.
  Statement(const SqliteDb* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept
      : db_(other.db_), stmt_(other.stmt_), bind_rc_(other.bind_rc_) {
    other.stmt_ = nullptr;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  // Parameters are 1-based, as in SQLite. Text is copied by SQLite (SQLITE_TRANSIENT) unless
  // BindTextStatic is used, whose text must stay valid until the statement is reset.
  void BindInt(int index, int64_t value);
  void BindText(int index, std::string_view value);
  void BindTextStatic(int index, std::string_view value);
  void BindNull(int index);
  void BindOptionalInt(int index, const std::optional<int64_t>& value);
  void BindOptionalText(int index, const std::optional<std::string>& value);
  // BindTextStatic or BindNull.
  void BindOptionalTextStatic(int index, const std::optional<std::string>& value);
  // Binds by the value's type (text copied).
  void Bind(int index, const SqlValue& value);

  // Steps once: true when a row is available, false when the statement is done.
  StatusOr<bool> Step();
  // Steps a statement that returns no rows (INSERT/UPDATE/DELETE) to completion.
  Status Run();

  // Column accessors (0-based) for the current row.
  bool IsNull(int column) const;
  int64_t Int(int column) const;
  std::string_view TextView(int column) const;  // valid until the next Step/reset
  std::string Text(int column) const { return std::string(TextView(column)); }
  std::optional<int64_t> OptionalInt(int column) const;
  std::optional<std::string> OptionalText(int column) const;
  // The column as stored: NULL, integer, real or text (a blob reads as text).
  SqlValue Value(int column) const;

  // Rows changed by the last Run()/Step() of this connection.
  int64_t Changes() const;

 private:
  void NoteBind(int rc);

  const SqliteDb* db_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = 0;  // first failing bind result code (SQLITE_OK = 0)
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_SQLITE_STATEMENT_H_
