// Helpers shared by the storage tests: a temp directory, opening stores on a VirtualClock, raw
// SQLite queries that bypass the Store, and Status assertions.
#ifndef SYNCAGENT_TESTS_STORAGE_STORE_TEST_UTIL_H_
#define SYNCAGENT_TESTS_STORAGE_STORE_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "platform/clock.h"
#include "storage/store.h"

#define ASSERT_OK(expr)                                         \
  do {                                                          \
    const ::syncagent::Status assert_ok_status_ = (expr);       \
    ASSERT_TRUE(assert_ok_status_.ok()) << assert_ok_status_.ToString(); \
  } while (0)
#define EXPECT_OK(expr)                                         \
  do {                                                          \
    const ::syncagent::Status expect_ok_status_ = (expr);       \
    EXPECT_TRUE(expect_ok_status_.ok()) << expect_ok_status_.ToString(); \
  } while (0)

namespace syncagent::testing {

// A fresh directory under $TMPDIR (mkdtemp), removed with its contents at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "syncagent-store-XXXXXX").string();
    char* made = ::mkdtemp(templ.data());
    if (made == nullptr) std::abort();
    path_ = made;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline StoreOptions Options(const std::string& path, Clock* clock) {
  StoreOptions options;
  options.path = path;
  options.clock = clock;
  options.busy_timeout_ms = 2000;
  return options;
}

inline std::unique_ptr<Store> OpenStore(const StoreOptions& options) {
  auto store = Store::Open(options);
  if (!store.ok()) {
    ADD_FAILURE() << "Store::Open failed: " << store.status().ToString();
    return nullptr;
  }
  return std::move(store).value();
}

inline std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline void WriteFileBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// Runs a one-value query on a separate raw connection (returns -1 on any error).
inline int64_t RawQueryInt(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  int64_t result = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 2000);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      result = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return result;
}

inline std::string RawQueryText(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string result = "<error>";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      result = text ? reinterpret_cast<const char*>(text) : "<null>";
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return result;
}

// A conflict of notes/<key> with a pulled version `remote_rev` holding `remote_data`.
inline ConflictInput PulledConflict(const std::string& key, const std::string& remote_rev,
                                    nlohmann::json remote_data) {
  ConflictInput input;
  input.collection = "notes";
  input.key = key;
  input.remote_rev = remote_rev;
  input.remote_data = std::move(remote_data);
  input.remote_hlc = "000000000000001-00000000-server";
  input.origin = ConflictOrigin::kPull;
  return input;
}

// A fixture with one store on a VirtualClock in a temp dir.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("store.db");
    store_ = OpenStore(Options(path_, &clock_));
    ASSERT_NE(store_, nullptr);
  }
  void Reopen() {
    store_.reset();
    store_ = OpenStore(Options(path_, &clock_));
    ASSERT_NE(store_, nullptr);
  }
  int64_t OutboxCount() { return RawQueryInt(path_, "SELECT count(*) FROM outbox"); }
  Document MustGet(const std::string& collection, const std::string& key,
                   bool include_deleted = false) {
    auto doc = store_->Get(collection, key, include_deleted);
    EXPECT_TRUE(doc.ok()) << doc.status().ToString();
    if (!doc.ok() || !doc->has_value()) {
      ADD_FAILURE() << "document " << collection << "/" << key << " not found";
      return Document{};
    }
    return **doc;
  }
  std::vector<Mutation> Peek(int max_count = 1000, int64_t max_bytes = 1 << 30) {
    auto batch = store_->PeekBatch(max_count, max_bytes);
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    return batch.ok() ? *batch : std::vector<Mutation>{};
  }

  TempDir dir_;
  VirtualClock clock_;
  std::string path_;
  std::unique_ptr<Store> store_;
};

}  // namespace syncagent::testing

#endif  // SYNCAGENT_TESTS_STORAGE_STORE_TEST_UTIL_H_
