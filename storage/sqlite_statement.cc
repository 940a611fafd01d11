#include "storage/sqlite_statement.h"

#include <sqlite3.h>

#include "storage/sqlite_db.h"

namespace syncagent {

Statement::~Statement() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

void Statement::NoteBind(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Statement::BindInt(int index, int64_t value) {
  NoteBind(sqlite3_bind_int64(stmt_, index, value));
}

namespace {
// SQLite binds a null pointer as NULL; an empty view must stay an empty string.
const char* TextPointer(std::string_view value) { return value.data() ? value.data() : ""; }
}  // namespace

void Statement::BindText(int index, std::string_view value) {
  NoteBind(sqlite3_bind_text64(stmt_, index, TextPointer(value), value.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8));
}

void Statement::BindTextStatic(int index, std::string_view value) {
  NoteBind(
      sqlite3_bind_text64(stmt_, index, TextPointer(value), value.size(), SQLITE_STATIC,
                          SQLITE_UTF8));
}

void Statement::BindNull(int index) { NoteBind(sqlite3_bind_null(stmt_, index)); }

void Statement::BindOptionalInt(int index, const std::optional<int64_t>& value) {
  if (value) {
    BindInt(index, *value);
  } else {
    BindNull(index);
  }
}

void Statement::BindOptionalText(int index, const std::optional<std::string>& value) {
  if (value) {
    BindText(index, *value);
  } else {
    BindNull(index);
  }
}

void Statement::BindOptionalTextStatic(int index, const std::optional<std::string>& value) {
  if (value) {
    BindTextStatic(index, *value);
  } else {
    BindNull(index);
  }
}

void Statement::Bind(int index, const SqlValue& value) {
  if (const auto* i = std::get_if<int64_t>(&value)) return BindInt(index, *i);
  if (const auto* d = std::get_if<double>(&value)) {
    return NoteBind(sqlite3_bind_double(stmt_, index, *d));
  }
  if (const auto* text = std::get_if<std::string>(&value)) return BindText(index, *text);
  BindNull(index);
}

StatusOr<bool> Statement::Step() {
  if (bind_rc_ != SQLITE_OK) return db_->ErrorStatus(bind_rc_, "binding parameters");
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->ErrorStatus(rc, sqlite3_sql(stmt_));
}

Status Statement::Run() {
  SYNCAGENT_ASSIGN_OR_RETURN(bool row, Step());
  (void)row;
  return Status::Ok();
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string_view Statement::TextView(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(text),
                          static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<int64_t> Statement::OptionalInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

std::optional<std::string> Statement::OptionalText(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Text(column);
}

SqlValue Statement::Value(int column) const {
  switch (sqlite3_column_type(stmt_, column)) {
    case SQLITE_NULL: return SqlValue{};
    case SQLITE_INTEGER: return SqlValue{Int(column)};
    case SQLITE_FLOAT: return SqlValue{sqlite3_column_double(stmt_, column)};
    default: return SqlValue{Text(column)};
  }
}

int64_t Statement::Changes() const { return sqlite3_changes64(db_->handle()); }

}  // namespace syncagent
