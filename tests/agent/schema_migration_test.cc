// A store written by schema version 2 (integer versions; tests/fixtures/schema_v2/README.md)
// opens with this build: the forward migration turns every version into a text revision and
// keeps every document, queued write, conflict, dead letter and remote skip; the device then
// syncs with the server that wrote those versions. A store of schema version 3 (the fixture
// migrated that far) loses only the `force` columns on the way to version 4.
#include <gtest/gtest.h>

#include <filesystem>

#include "storage/schema_migrations.h"
#include "storage/sqlite_db.h"
#include "tests/agent/engine_harness.h"

namespace syncagent {
namespace {

using nlohmann::json;
using testing::Device;
using testing::DeviceOptions;
using testing::ScopedTempDir;

class SchemaMigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::filesystem::path fixtures =
        std::filesystem::path(SYNCAGENT_SOURCE_DIR) / "tests/fixtures/schema_v2";
    device_db_ = dir_.path() + "/device.db";
    server_db_ = dir_.path() + "/server.db";
    std::filesystem::copy_file(fixtures / "device.db", device_db_);
    std::filesystem::copy_file(fixtures / "server.db", server_db_);
    std::filesystem::permissions(device_db_, std::filesystem::perms::owner_read |
                                                 std::filesystem::perms::owner_write);
    std::filesystem::permissions(server_db_, std::filesystem::perms::owner_read |
                                                 std::filesystem::perms::owner_write);
  }

  // The device store, opened (and so migrated) by this build; fails the test when it cannot.
  std::unique_ptr<Store> OpenStore() {
    StoreOptions options;
    options.path = device_db_;
    options.clock = &clock_;
    auto opened = Store::Open(options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(*opened) : nullptr;
  }

  int64_t SchemaVersion() {
    auto db = SqliteDb::Open(device_db_, 1000);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) return -1;
    auto version = (*db)->QueryInt("PRAGMA user_version");
    return version.ok() ? *version : -1;
  }

  ScopedTempDir dir_;
  std::string device_db_, server_db_;
  VirtualClock clock_;
};

// Whether the device store's `table` has a column `column`.
bool HasColumn(const std::string& path, const std::string& table, const std::string& column) {
  auto db = SqliteDb::Open(path, 1000);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return false;
  auto count = (*db)->QueryInt(
      ("SELECT count(*) FROM pragma_table_info('" + table + "') WHERE name = '" + column + "'")
          .c_str());
  EXPECT_TRUE(count.ok()) << count.status().ToString();
  return count.ok() && *count == 1;
}

void ExpectEveryRowKept(Store& store);

TEST_F(SchemaMigrationTest, KeepsEverythingAsTextRevisions) {
  ASSERT_EQ(SchemaVersion(), 2);
  {
    std::unique_ptr<Store> store = OpenStore();
    ASSERT_NE(store, nullptr);
    ExpectEveryRowKept(*store);
  }
  EXPECT_EQ(SchemaVersion(), SchemaMigrator::LatestVersion());
}

// A store as schema version 3 left it (the v2 fixture migrated that far: what the previous
// release wrote) opens with this build: version 4 drops the outbox's and the dead letters'
// `force` columns and keeps every row.
TEST_F(SchemaMigrationTest, AVersion3StoreKeepsItsRowsWithoutTheForceColumns) {
  {
    auto db = SqliteDb::Open(device_db_, 1000);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE(SchemaMigrator::MigrateTo(**db, 3).ok());
  }
  ASSERT_EQ(SchemaVersion(), 3);
  ASSERT_TRUE(HasColumn(device_db_, "outbox", "force"));
  ASSERT_TRUE(HasColumn(device_db_, "dead_letters", "force"));
  {
    std::unique_ptr<Store> store = OpenStore();
    ASSERT_NE(store, nullptr);
    ExpectEveryRowKept(*store);
  }
  EXPECT_EQ(SchemaVersion(), SchemaMigrator::LatestVersion());
  EXPECT_FALSE(HasColumn(device_db_, "outbox", "force"));
  EXPECT_FALSE(HasColumn(device_db_, "dead_letters", "force"));
}

// Whether the device store has an index named `name`.
bool HasIndex(const std::string& path, const std::string& name) {
  auto db = SqliteDb::Open(path, 1000);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return false;
  auto count = (*db)->QueryInt(("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND "
                                "name = '" + name + "'").c_str());
  return count.ok() && *count == 1;
}

// A store as schema version 4 left it opens with this build: version 5 indexes the dead letters
// by document (for the documents' sync state) and keeps every row.
TEST_F(SchemaMigrationTest, AVersion4StoreGainsTheDeadLetterIndexAndKeepsItsRows) {
  {
    auto db = SqliteDb::Open(device_db_, 1000);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE(SchemaMigrator::MigrateTo(**db, 4).ok());
  }
  ASSERT_EQ(SchemaVersion(), 4);
  ASSERT_FALSE(HasIndex(device_db_, "dead_letters_document"));
  {
    std::unique_ptr<Store> store = OpenStore();
    ASSERT_NE(store, nullptr);
    ExpectEveryRowKept(*store);
  }
  EXPECT_EQ(SchemaVersion(), SchemaMigrator::LatestVersion());
  EXPECT_TRUE(HasIndex(device_db_, "dead_letters_document"));
}

// A store as schema version 5 left it opens with this build: version 6 adds the change feed with
// one row per existing document (tombstones included), in the order of their last change.
TEST_F(SchemaMigrationTest, AVersion5StoreGetsAChangeFeedOfItsDocuments) {
  {
    auto db = SqliteDb::Open(device_db_, 1000);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE(SchemaMigrator::MigrateTo(**db, 5).ok());
  }
  ASSERT_EQ(SchemaVersion(), 5);
  std::unique_ptr<Store> store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(SchemaVersion(), 6);
  ExpectEveryRowKept(*store);
  auto changes = store->Changes(0, 100);
  ASSERT_TRUE(changes.ok()) << changes.status().ToString();
  ASSERT_EQ(changes->size(), 5u);  // a, b, c, d, e
  for (size_t i = 0; i < changes->size(); ++i) {
    EXPECT_EQ((*changes)[i].seq, static_cast<int64_t>(i) + 1);
    if ((*changes)[i].key == "b") {
      EXPECT_TRUE((*changes)[i].deleted);
      EXPECT_EQ((*changes)[i].source, ChangeSource::kRemote);  // the server's tombstone
    }
    if ((*changes)[i].key == "a") {
      EXPECT_EQ((*changes)[i].sync_state, SyncState::kConflict);
    }
  }
  ASSERT_TRUE(store->Put("notes", "z", {{"new", true}}).ok());
  auto after = store->Changes(5, 10);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].seq, 6);
}

// The fixture's rows (tests/fixtures/schema_v2/README.md) as this build reads them.
void ExpectEveryRowKept(Store& store) {
  EXPECT_TRUE(store.Verify().ok()) << store.Verify().ToString();

  auto doc = [&](const std::string& key) {
    auto got = store.Get("notes", key, /*include_deleted=*/true);
    EXPECT_TRUE(got.ok() && got->has_value()) << key;
    return got.ok() && got->has_value() ? **got : Document{};
  };
  const Document a = doc("a");
  EXPECT_EQ(a.rev, "1");
  EXPECT_EQ(a.base_rev, "1");
  EXPECT_TRUE(a.dirty);
  EXPECT_EQ(a.data, json({{"title", "a"}, {"n", 1}, {"mine", true}}));
  EXPECT_EQ(a.base_data, json({{"title", "a"}, {"n", 1}}));
  EXPECT_EQ(a.sync_state, SyncState::kConflict);  // its open conflict outranks its queued patch
  const Document b = doc("b");
  EXPECT_TRUE(b.deleted);
  EXPECT_EQ(b.rev, "2");
  EXPECT_FALSE(b.base_rev.has_value());
  EXPECT_EQ(doc("c").rev, "1");
  EXPECT_EQ(doc("c").sync_state, SyncState::kPending);
  const Document d = doc("d");
  EXPECT_EQ(d.rev, "");  // version 0: the server never had it
  EXPECT_FALSE(d.base_rev.has_value());
  EXPECT_TRUE(doc("e").deleted);

  // Queued writes, in order (notes/a's patch is held by its open conflict).
  auto queued = store.PeekBatch(100, 1 << 20);
  ASSERT_TRUE(queued.ok()) << queued.status().ToString();
  ASSERT_EQ(queued->size(), 3u);
  EXPECT_EQ((*queued)[0].key, "d");
  EXPECT_FALSE((*queued)[0].base_rev.has_value());  // a create
  EXPECT_EQ((*queued)[1].key, "c");
  EXPECT_EQ((*queued)[1].op, MutationOp::kPatch);
  EXPECT_EQ((*queued)[1].base_rev, "1");
  EXPECT_EQ((*queued)[2].key, "e");
  EXPECT_EQ((*queued)[2].op, MutationOp::kDelete);
  EXPECT_EQ((*queued)[2].base_rev, "1");

  auto conflicts = store.ListConflicts();
  ASSERT_TRUE(conflicts.ok());
  ASSERT_EQ(conflicts->size(), 1u);
  EXPECT_EQ((*conflicts)[0].key, "a");
  EXPECT_EQ((*conflicts)[0].remote_rev, "2");
  EXPECT_EQ((*conflicts)[0].base_rev, "1");
  EXPECT_EQ((*conflicts)[0].remote_data, json({{"title", "a"}, {"n", 3}}));

  auto dead = store.ListDeadLetters();
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].mutation.key, "f");
  EXPECT_EQ((*dead)[0].mutation.base_rev, "1");
  EXPECT_EQ((*dead)[0].code, "forbidden");

  auto skips = store.ListRemoteSkips();
  ASSERT_TRUE(skips.ok());
  ASSERT_EQ(skips->size(), 1u);
  EXPECT_EQ((*skips)[0].key, "g");
  EXPECT_EQ((*skips)[0].rev, "2");
}

TEST_F(SchemaMigrationTest, SyncsAfterwardsWithTheServerThatWroteTheVersions) {
  mock::MockServerOptions server_options;
  server_options.data_file = server_db_;
  auto server = mock::MockServer::Start(server_options);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  DeviceOptions options;
  options.policy = ResolutionPolicy::kManual;
  Device device(device_db_, (*server)->base_url(), &clock_, options);
  ASSERT_TRUE(device.ok());

  CycleReport report = device.Sync();
  EXPECT_EQ(report.outcome, CycleOutcome::kDone) << report.ToJson().dump();
  EXPECT_FALSE(report.server_reset) << "the server still knows the migrated cursor and versions";
  std::map<std::string, json> on_server = testing::ServerLive(**server, "notes");
  EXPECT_EQ(on_server["c"], json({{"title", "c"}, {"more", 1}}));
  EXPECT_EQ(on_server["d"], json({{"title", "d"}}));
  EXPECT_EQ(on_server.count("e"), 0u);
  EXPECT_EQ(on_server["a"], json({{"title", "a"}, {"n", 3}}));  // the conflict is still open

  // The app settles the conflict: its edit goes out on the server's revision.
  auto conflicts = device.store().ListConflicts();
  ASSERT_TRUE(conflicts.ok());
  ASSERT_EQ(conflicts->size(), 1u);
  ASSERT_TRUE(device.store()
                  .ResolveConflict((*conflicts)[0].id,
                                   Resolution::Replace({{"title", "a"}, {"n", 3}, {"mine", true}}))
                  .ok());
  report = device.Sync();
  EXPECT_EQ(report.outcome, CycleOutcome::kDone) << report.ToJson().dump();
  EXPECT_EQ(testing::ServerLive(**server, "notes")["a"],
            json({{"title", "a"}, {"n", 3}, {"mine", true}}));
  EXPECT_EQ(device.Live("notes"), testing::ServerLive(**server, "notes"));
  auto a = device.store().Get("notes", "a");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->rev, "3");
  EXPECT_TRUE(device.store().Verify().ok());
}

}  // namespace
}  // namespace syncagent
