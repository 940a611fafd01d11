#include "tools/mock_server/state_persistence.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/mock_server/mutation_parser.h"

namespace syncagent::mock {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
  collection TEXT NOT NULL, key TEXT NOT NULL, version INTEGER NOT NULL, deleted INTEGER NOT NULL,
  data TEXT NOT NULL, hlc TEXT NOT NULL, change_seq INTEGER NOT NULL,
  origin TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (collection, key));
CREATE TABLE IF NOT EXISTS mutations (
  mutation_id TEXT PRIMARY KEY, canonical TEXT NOT NULL, result TEXT NOT NULL,
  applied_count INTEGER NOT NULL, replay_count INTEGER NOT NULL);
)sql";

// A prepared statement that finalizes itself.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() { return stmt_; }
  void Bind(int index, const std::string& text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void Bind(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  std::string Text(int column) {
    const auto* text = sqlite3_column_text(stmt_, column);
    return text ? std::string(reinterpret_cast<const char*>(text),
                              static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
                : std::string();
  }
  int64_t Int(int column) { return sqlite3_column_int64(stmt_, column); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

}  // namespace

StatusOr<std::unique_ptr<StatePersistence>> StatePersistence::Open(const std::string& path) {
  // Create the file ourselves so it gets mode 0600 regardless of the umask.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot create data file " + path);
  ::fchmod(fd, 0600);
  ::close(fd);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string message = "cannot open data file " + path + ": " + sqlite3_errmsg(db);
    sqlite3_close(db);
    return IoError(std::move(message));
  }
  std::unique_ptr<StatePersistence> persistence(new StatePersistence(db, path));
  sqlite3_busy_timeout(db, 2000);
  SYNCAGENT_RETURN_IF_ERROR(persistence->Exec(kSchema));
  // Data files written before documents had an origin get the column (empty: no origin).
  bool has_origin = false;
  {
    Statement columns(db, "PRAGMA table_info(documents)");
    if (!columns.ok()) return persistence->Error("read the documents table's columns");
    while (sqlite3_step(columns.get()) == SQLITE_ROW) {
      if (columns.Text(1) == "origin") has_origin = true;
    }
  }
  if (!has_origin) {
    SYNCAGENT_RETURN_IF_ERROR(
        persistence->Exec("ALTER TABLE documents ADD COLUMN origin TEXT NOT NULL DEFAULT ''"));
  }
  return persistence;
}

StatePersistence::~StatePersistence() { sqlite3_close(db_); }

Status StatePersistence::Error(const char* what) const {
  return IoError(std::string(what) + " (" + path_ + "): " + sqlite3_errmsg(db_));
}

Status StatePersistence::Exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return Error(sql);
  return Status::Ok();
}

Status StatePersistence::Begin() { return Exec("BEGIN IMMEDIATE"); }
Status StatePersistence::Commit() { return Exec("COMMIT"); }
void StatePersistence::Rollback() { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

StatusOr<StatePersistence::Snapshot> StatePersistence::Load() {
  Snapshot snapshot;
  {
    Statement stmt(db_, "SELECT name, value FROM meta");
    if (!stmt.ok()) return Error("read meta");
    while (sqlite3_step(stmt.get()) == SQLITE_ROW) {
      const std::string name = stmt.Text(0);
      if (name == "epoch") snapshot.epoch = stmt.Text(1);
      if (name == "head") snapshot.head = std::stoll(stmt.Text(1));
    }
  }
  {
    Statement stmt(
        db_, "SELECT collection, key, version, deleted, data, hlc, change_seq, origin FROM documents");
    if (!stmt.ok()) return Error("read documents");
    while (sqlite3_step(stmt.get()) == SQLITE_ROW) {
      DocumentState doc;
      doc.collection = stmt.Text(0);
      doc.key = stmt.Text(1);
      doc.version = stmt.Int(2);
      doc.deleted = stmt.Int(3) != 0;
      doc.data = nlohmann::json::parse(stmt.Text(4), nullptr, /*allow_exceptions=*/false);
      doc.hlc = nlohmann::json::parse(stmt.Text(5), nullptr, false);
      doc.change_seq = stmt.Int(6);
      doc.origin = stmt.Text(7);
      if (doc.data.is_discarded() || doc.hlc.is_discarded()) {
        return DataLossError("corrupt document row in " + path_);
      }
      snapshot.documents.push_back(std::move(doc));
    }
  }
  {
    Statement stmt(db_,
                   "SELECT mutation_id, canonical, result, applied_count, replay_count "
                   "FROM mutations");
    if (!stmt.ok()) return Error("read mutations");
    while (sqlite3_step(stmt.get()) == SQLITE_ROW) {
      MutationRecord record;
      record.canonical = CurrentCanonical(stmt.Text(1));  // written before `force` went
      record.result = nlohmann::json::parse(stmt.Text(2), nullptr, false);
      record.applied_count = stmt.Int(3);
      record.replay_count = stmt.Int(4);
      if (record.result.is_discarded()) return DataLossError("corrupt mutation row in " + path_);
      snapshot.mutations.emplace_back(stmt.Text(0), std::move(record));
    }
  }
  return snapshot;
}

Status StatePersistence::SaveDocument(const DocumentState& doc) {
  Statement stmt(db_, "INSERT OR REPLACE INTO documents VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!stmt.ok()) return Error("prepare document");
  stmt.Bind(1, doc.collection);
  stmt.Bind(2, doc.key);
  stmt.Bind(3, doc.version);
  stmt.Bind(4, static_cast<int64_t>(doc.deleted ? 1 : 0));
  stmt.Bind(5, doc.data.dump());
  stmt.Bind(6, doc.hlc.dump());
  stmt.Bind(7, doc.change_seq);
  stmt.Bind(8, doc.origin);
  if (sqlite3_step(stmt.get()) != SQLITE_DONE) return Error("write document");
  return Status::Ok();
}

Status StatePersistence::SaveMutation(const std::string& mutation_id,
                                      const MutationRecord& record) {
  Statement stmt(db_, "INSERT OR REPLACE INTO mutations VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!stmt.ok()) return Error("prepare mutation");
  stmt.Bind(1, mutation_id);
  stmt.Bind(2, record.canonical);
  stmt.Bind(3, record.result.dump());
  stmt.Bind(4, record.applied_count);
  stmt.Bind(5, record.replay_count);
  if (sqlite3_step(stmt.get()) != SQLITE_DONE) return Error("write mutation");
  return Status::Ok();
}

Status StatePersistence::SaveMeta(const std::string& epoch, int64_t head) {
  Statement stmt(db_, "INSERT OR REPLACE INTO meta VALUES ('epoch', ?1), ('head', ?2)");
  if (!stmt.ok()) return Error("prepare meta");
  stmt.Bind(1, epoch);
  stmt.Bind(2, std::to_string(head));
  if (sqlite3_step(stmt.get()) != SQLITE_DONE) return Error("write meta");
  return Status::Ok();
}

Status StatePersistence::Clear() {
  return Exec("DELETE FROM documents; DELETE FROM mutations; DELETE FROM meta;");
}

}  // namespace syncagent::mock
