// Opening a store: file creation and modes, WAL, STRICT schema, migrations, refusal of newer
// schemas and of files that are not SQLite databases (left byte-for-byte untouched).
#include <sys/stat.h>

#include <random>

#include "storage/schema_migrations.h"
#include "tests/storage/store_test_util.h"

namespace syncagent {
namespace {

using testing::OpenStore;
using testing::Options;
using testing::RawQueryInt;
using testing::RawQueryText;
using testing::ReadFileBytes;
using testing::TempDir;
using testing::WriteFileBytes;

mode_t ModeOf(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return 07777;
  return st.st_mode & 07777;
}

TEST(StoreOpenTest, CreatesTheDatabaseAndItsWalFilesOwnerOnly) {
  TempDir dir;
  VirtualClock clock;
  const std::string path = dir.File("new.db");
  const mode_t old_umask = ::umask(0);  // the worst case: nothing masked
  auto store = OpenStore(Options(path, &clock));
  ::umask(old_umask);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->Put("notes", "n1", {{"a", 1}}));
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(ModeOf(path + "-wal"), 0600u);
  EXPECT_EQ(ModeOf(path + "-shm"), 0600u);
}

TEST(StoreOpenTest, TightensAnExistingFileAndItsWalFiles) {
  TempDir dir;
  VirtualClock clock;
  const std::string path = dir.File("loose.db");
  {
    auto store = OpenStore(Options(path, &clock));
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Put("notes", "n1", {{"a", 1}}));
    ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
    ASSERT_EQ(::chmod((path + "-wal").c_str(), 0666), 0);
    ASSERT_EQ(::chmod((path + "-shm").c_str(), 0664), 0);
    auto reopened = OpenStore(Options(path, &clock));  // while the first is still open
    ASSERT_NE(reopened, nullptr);
    EXPECT_EQ(ModeOf(path), 0600u);
    EXPECT_EQ(ModeOf(path + "-wal"), 0600u);
    EXPECT_EQ(ModeOf(path + "-shm"), 0600u);
  }
}

TEST(StoreOpenTest, UsesWalStrictTablesAndTheLatestSchemaVersion) {
  TempDir dir;
  VirtualClock clock;
  const std::string path = dir.File("s.db");
  auto store = OpenStore(Options(path, &clock));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(RawQueryText(path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(RawQueryInt(path, "PRAGMA user_version"), SchemaMigrator::LatestVersion());
  for (const char* table : {"documents", "outbox", "checkpoints", "conflicts", "dead_letters",
                            "runs", "leases", "meta"}) {
    EXPECT_EQ(RawQueryInt(path, std::string("SELECT strict FROM pragma_table_list WHERE name = '") +
                                    table + "'"),
              1)
        << table;
  }
  // STRICT really rejects a wrongly typed value.
  EXPECT_EQ(RawQueryInt(path, "SELECT count(*) FROM documents"), 0);
  EXPECT_EQ(RawQueryInt(path,
                        "INSERT INTO documents (collection, key, rev, hlc, updated_at) VALUES "
                        "('c', 'k', '1', 'h', 'not a number') RETURNING 1"),
            -1);
}

TEST(StoreOpenTest, ClientIdIsGeneratedOnceAndKept) {
  TempDir dir;
  VirtualClock clock;
  const std::string path = dir.File("id.db");
  std::string first;
  {
    auto store = OpenStore(Options(path, &clock));
    ASSERT_NE(store, nullptr);
    first = store->client_id();
  }
  EXPECT_EQ(first.size(), 34u);
  EXPECT_EQ(first.rfind("c-", 0), 0u);
  auto again = OpenStore(Options(path, &clock));
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->client_id(), first);
  TempDir other_dir;
  auto other = OpenStore(Options(other_dir.File("id.db"), &clock));
  ASSERT_NE(other, nullptr);
  EXPECT_NE(other->client_id(), first);
}

TEST(StoreOpenTest, MigratesAnEmptyVersionZeroDatabase) {
  TempDir dir;
  VirtualClock clock;
  const std::string path = dir.File("v0.db");
  ASSERT_EQ(RawQueryInt(path, "PRAGMA user_version"), -1);  // cannot open: does not exist
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE unrelated (x INTEGER)", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto store = OpenStore(Options(path, &clock));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(RawQueryInt(path, "PRAGMA user_version"), SchemaMigrator::LatestVersion());
  ASSERT_OK(store->Put("notes", "n1", {{"a", 1}}));
}

TEST(StoreOpenTest, RefusesANewerSchemaAndLeavesTheFileUntouched) {
  TempDir dir;
  VirtualClock clock;
  const std::string path = dir.File("future.db");
  {
    auto store = OpenStore(Options(path, &clock));
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Put("notes", "n1", {{"a", 1}}));
  }
  ASSERT_EQ(RawQueryInt(path, "PRAGMA wal_checkpoint(TRUNCATE)"), 0);
  const int newer = SchemaMigrator::LatestVersion() + 1;
  ASSERT_EQ(RawQueryInt(path, "PRAGMA user_version = " + std::to_string(newer) + ""), -1);
  ASSERT_EQ(RawQueryInt(path, "PRAGMA user_version"), newer);
  ASSERT_EQ(RawQueryInt(path, "PRAGMA wal_checkpoint(TRUNCATE)"), 0);
  const std::string before = ReadFileBytes(path);
  auto store = Store::Open(Options(path, &clock));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find(path), std::string::npos) << store.status().ToString();
  EXPECT_NE(store.status().message().find("newer"), std::string::npos);
  EXPECT_EQ(ReadFileBytes(path), before);
}

void ExpectRejectedAsNotSqlite(const std::string& path, const std::string& contents) {
  WriteFileBytes(path, contents);
  VirtualClock clock;
  auto store = Store::Open(Options(path, &clock));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(store.status().message().find(path), std::string::npos) << store.status().ToString();
  EXPECT_NE(store.status().message().find("not a SQLite database"), std::string::npos)
      << store.status().ToString();
  EXPECT_EQ(ReadFileBytes(path), contents);
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
}

TEST(StoreOpenTest, RejectsATextFileUntouched) {
  TempDir dir;
  ExpectRejectedAsNotSqlite(dir.File("notes.txt"), "these are my notes\nnot a database\n");
}

TEST(StoreOpenTest, RejectsRandomBytesUntouched) {
  TempDir dir;
  std::mt19937 rng(42);
  std::string bytes(8192, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  ExpectRejectedAsNotSqlite(dir.File("random.db"), bytes);
}

TEST(StoreOpenTest, RejectsADamagedDatabaseWithAValidHeaderUntouched) {
  TempDir dir;
  VirtualClock clock;
  const std::string path = dir.File("damaged.db");
  {
    auto store = OpenStore(Options(path, &clock));
    ASSERT_NE(store, nullptr);
  }
  std::string bytes = ReadFileBytes(path);
  ASSERT_GT(bytes.size(), 200u);
  ASSERT_TRUE(std::filesystem::remove(path + "-wal") || !std::filesystem::exists(path + "-wal"));
  std::filesystem::remove(path + "-shm");
  for (size_t i = 100; i < bytes.size(); ++i) bytes[i] = static_cast<char>(0xA5);  // schema page
  WriteFileBytes(path, bytes);
  auto store = Store::Open(Options(path, &clock));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss) << store.status().ToString();
  EXPECT_NE(store.status().message().find(path), std::string::npos);
  EXPECT_EQ(ReadFileBytes(path), bytes);
}

TEST(StoreOpenTest, RejectsMissingClockAndDirectories) {
  TempDir dir;
  VirtualClock clock;
  StoreOptions no_clock;
  no_clock.path = dir.File("x.db");
  EXPECT_EQ(Store::Open(no_clock).status().code(), StatusCode::kInvalidArgument);
  auto in_missing_dir = Store::Open(Options(dir.File("missing/x.db"), &clock));
  ASSERT_FALSE(in_missing_dir.ok());
  EXPECT_NE(in_missing_dir.status().message().find("missing/x.db"), std::string::npos);
  auto directory = Store::Open(Options(dir.path(), &clock));
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace syncagent
