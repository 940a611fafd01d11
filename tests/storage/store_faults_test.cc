// Failure behaviour: read-only files, locks, disk full and SIGKILL mid-write.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <thread>

#include "tests/storage/store_test_util.h"

namespace syncagent {
namespace {

using nlohmann::json;
using testing::OpenStore;
using testing::Options;
using testing::RawQueryInt;
using testing::ReadFileBytes;
using testing::StoreTest;
using testing::TempDir;

constexpr uid_t kNobody = 65534;

int WaitExit(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

// Runs Store::Open(path) in a child that dropped to uid/gid nobody (the tests run as root, which
// ignores file modes). Exit codes: 0 = refused with kPermissionDenied naming the path,
// 10 + code = refused with another code, 5 = opened, 6 = could not drop privileges.
int OpenAsNobody(const std::string& path) {
  pid_t pid = ::fork();
  if (pid < 0) return -2;
  if (pid == 0) {
    if (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0 || ::geteuid() != kNobody) ::_exit(6);
    VirtualClock clock;
    auto store = Store::Open(Options(path, &clock));
    if (store.ok()) ::_exit(5);
    if (store.status().message().find(path) == std::string::npos) ::_exit(7);
    if (store.status().code() != StatusCode::kPermissionDenied) {
      ::_exit(10 + static_cast<int>(store.status().code()));
    }
    ::_exit(0);
  }
  return WaitExit(pid);
}

class ReadOnlyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch to uid nobody";
    ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);  // nobody may enter but not write
  }
  TempDir dir_;
  VirtualClock clock_;
};

TEST_F(ReadOnlyTest, AReadOnlyDatabaseFileIsRefusedUntouched) {
  const std::string path = dir_.File("ro.db");
  {
    auto store = OpenStore(Options(path, &clock_));
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Put("notes", "a", {{"v", 1}}));
  }
  ASSERT_FALSE(std::filesystem::exists(path + "-wal"));
  // Owned by nobody, mode 0400: nobody can read it but not write it.
  ASSERT_EQ(::chown(path.c_str(), kNobody, kNobody), 0);
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  const std::string before = ReadFileBytes(path);
  EXPECT_EQ(OpenAsNobody(path), 0);
  EXPECT_EQ(ReadFileBytes(path), before);
}

TEST_F(ReadOnlyTest, AWritableFileInAReadOnlyDirectoryIsRefused) {
  const std::string path = dir_.File("rodir.db");
  {
    auto store = OpenStore(Options(path, &clock_));
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Put("notes", "a", {{"v", 1}}));
  }
  ASSERT_EQ(::chown(path.c_str(), kNobody, kNobody), 0);  // file writable, directory is not
  const std::string before = ReadFileBytes(path);
  const int code = OpenAsNobody(path);
  EXPECT_TRUE(code == 0 || code == 10 + static_cast<int>(StatusCode::kIoError)) << code;
  EXPECT_EQ(ReadFileBytes(path), before);
}

TEST_F(ReadOnlyTest, ANewDatabaseInAReadOnlyDirectoryIsRefused) {
  EXPECT_EQ(OpenAsNobody(dir_.File("new.db")), 0);
  EXPECT_FALSE(std::filesystem::exists(dir_.File("new.db")));
}

TEST_F(ReadOnlyTest, AFileThatCannotBeMadeOwnerOnlyIsRefused) {
  const std::string path = dir_.File("shared.db");
  {
    auto store = OpenStore(Options(path, &clock_));
    ASSERT_NE(store, nullptr);
  }
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);  // root's file, world-readable
  EXPECT_EQ(OpenAsNobody(path), 0);
}

using LockTest = StoreTest;

TEST_F(LockTest, AWriteLockHeldElsewhereFailsClearlyWithoutPartialWrite) {
  ASSERT_OK(store_->Put("notes", "before", {{"v", 1}}));
  StoreOptions options = Options(path_, &clock_);
  options.busy_timeout_ms = 100;
  auto impatient = OpenStore(options);
  ASSERT_NE(impatient, nullptr);
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  Status status = impatient->Write({WriteOp::Put("notes", "a", {{"v", 1}}),
                                    WriteOp::Put("notes", "b", {{"v", 2}})});
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(status.retry_class(), RetryClass::kTransient);
  EXPECT_NE(status.message().find("database is locked"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find(path_), std::string::npos) << status.ToString();
  EXPECT_EQ(impatient->Put("notes", "c", {{"v", 3}}).code(), StatusCode::kUnavailable);
  EXPECT_EQ(impatient->AcquireLease("sync", "x", std::chrono::seconds(1)).status().code(),
            StatusCode::kUnavailable);
  ASSERT_EQ(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  EXPECT_FALSE(impatient->Get("notes", "a")->has_value());
  EXPECT_FALSE(impatient->Get("notes", "c")->has_value());
  EXPECT_EQ(OutboxCount(), 1);
  EXPECT_OK(impatient->Put("notes", "a", {{"v", 1}}));  // works once the lock is gone
  EXPECT_OK(impatient->Verify());
}

TEST(LockOpenTest, OpeningANewDatabaseLockedElsewhereFailsClearly) {
  TempDir dir;
  VirtualClock clock;
  const std::string path = dir.File("locked.db");
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE; CREATE TABLE t (x INTEGER);", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  StoreOptions options = Options(path, &clock);
  options.busy_timeout_ms = 50;
  auto store = Store::Open(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(store.status().message().find("database is locked"), std::string::npos);
  EXPECT_NE(store.status().message().find(path), std::string::npos);
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  EXPECT_NE(OpenStore(Options(path, &clock)), nullptr);
}

class DiskFullTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    store_.reset();
    StoreOptions options = Options(path_, &clock_);
    options.max_size_bytes = 256 * 1024;  // the schema takes ~50 KiB
    store_ = OpenStore(options);
    ASSERT_NE(store_, nullptr);
  }
  int64_t Docs() { return RawQueryInt(path_, "SELECT count(*) FROM documents"); }
};

TEST_F(DiskFullTest, AFullDatabaseRollsBackTheFailedWriteCompletely) {
  const std::string blob(3000, 'x');
  Status failure;
  int written = 0;
  for (int i = 0; i < 1000 && failure.ok(); ++i) {
    const int64_t docs = Docs();
    const int64_t outbox = OutboxCount();
    failure = store_->Put("notes", "n" + std::to_string(i), {{"blob", blob}, {"i", i}});
    if (failure.ok()) {
      ++written;
      continue;
    }
    EXPECT_EQ(Docs(), docs);
    EXPECT_EQ(OutboxCount(), outbox);
    EXPECT_FALSE(store_->Get("notes", "n" + std::to_string(i))->has_value());
  }
  ASSERT_FALSE(failure.ok()) << "the size cap was never reached";
  EXPECT_EQ(failure.code(), StatusCode::kResourceExhausted) << failure.ToString();
  EXPECT_EQ(failure.retry_class(), RetryClass::kTransient) << failure.ToString();
  EXPECT_NE(failure.message().find(path_), std::string::npos) << failure.ToString();
  EXPECT_GT(written, 10);
  EXPECT_EQ(Docs(), written);
  EXPECT_EQ(OutboxCount(), written);
  EXPECT_OK(store_->Verify());
  // A big batch fails as a whole, and updates of existing documents roll back too.
  std::vector<WriteOp> batch;
  for (int i = 0; i < 20; ++i) batch.push_back(WriteOp::Put("notes", "n" + std::to_string(i), {{"blob", blob + blob}}));
  EXPECT_EQ(store_->Write(batch).code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(store_->Get("notes", "n0")->value().data["i"], 0);
  EXPECT_EQ(Docs(), written);
  EXPECT_OK(store_->Verify());
  // Reads keep working at the cap, and lifting the cap makes writes succeed again.
  EXPECT_TRUE(store_->Stats().ok());
  store_.reset();
  store_ = OpenStore(Options(path_, &clock_));
  ASSERT_NE(store_, nullptr);
  EXPECT_OK(store_->Write(batch));
  EXPECT_OK(store_->Verify());
}

// Fills the capped database with documents, then logs runs until the run log needs a page the
// cap refuses; returns that failure (OK if it never came).
Status FillUntilTheRunLogIsFull(Store& store, Clock& clock) {
  const std::string blob(3000, 'x');
  for (int i = 0; i < 1000; ++i) {
    if (!store.Put("notes", "n" + std::to_string(i), {{"blob", blob}}).ok()) break;
  }
  for (int i = 0; i < 100000; ++i) {
    auto id = store.BeginRun({"fill", clock.WallMs(), 1000, ""});
    if (!id.ok()) return id.status();
    if (Status s = store.FinishRun(*id, {RunResult::kSuccess, "", 0, 0, 0, ""}); !s.ok()) return s;
  }
  return Status::Ok();
}

TEST_F(DiskFullTest, ARunTheFullLogCannotTakeIsKeptInTheFallbackSlotAndListed) {
  const Status full = FillUntilTheRunLogIsFull(*store_, clock_);
  ASSERT_EQ(full.code(), StatusCode::kResourceExhausted) << full.ToString();
  EXPECT_EQ(full.retry_class(), RetryClass::kTransient);
  const int64_t logged = RawQueryInt(path_, "SELECT count(*) FROM runs");
  auto before = store_->ListRuns(1);
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->size(), 1u);
  EXPECT_FALSE(before->front().unlogged);
  // The attempt that could not begin: a long error is shortened, the slot keeps its size, and
  // rewriting it in place works at the cap.
  clock_.Advance(std::chrono::seconds(7));
  const RunStart start{"syncagent.refresh", clock_.WallMs() - 10, 30000, "cli"};
  const std::string error = "run log: " + full.message() + std::string(5000, '!');
  ASSERT_OK(store_->NoteUnloggedRun(0, start, {RunResult::kRetry, "store full", 0, 0, 0, error}));
  ASSERT_OK(store_->NoteUnloggedRun(0, start, {RunResult::kRetry, "store full", 0, 0, 0, error}));
  auto runs = store_->ListRuns(2);
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  ASSERT_EQ(runs->size(), 2u);
  const RunRecord& r = runs->front();
  EXPECT_TRUE(r.unlogged);
  EXPECT_EQ(r.id, 0);
  EXPECT_EQ(r.task_id, "syncagent.refresh");
  EXPECT_EQ(r.result, RunResult::kRetry);
  EXPECT_EQ(r.started_at, clock_.WallMs());
  EXPECT_EQ(r.reason, "store full");
  EXPECT_EQ(r.error.rfind("run log: " + path_, 0), 0u) << r.error;
  EXPECT_LT(r.error.size(), RunLog::kUnloggedSlotBytes);
  EXPECT_EQ((*runs)[1].id, before->front().id);
  EXPECT_EQ(RawQueryInt(path_, "SELECT count(*) FROM runs"), logged);
  EXPECT_OK(store_->Verify());

  // Once a run is logged again, the slot is old news.
  store_.reset();
  store_ = OpenStore(Options(path_, &clock_));  // no cap
  ASSERT_NE(store_, nullptr);
  EXPECT_TRUE(store_->ListRuns(1)->front().unlogged);
  auto id = store_->BeginRun(start);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  runs = store_->ListRuns(5);
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ(runs->front().id, *id);
  EXPECT_EQ(runs->front().result, RunResult::kRunning);
  for (const RunRecord& run : *runs) EXPECT_FALSE(run.unlogged);
  // A run whose finish could not be recorded shows the noted outcome instead of "running".
  ASSERT_OK(store_->NoteUnloggedRun(*id, start, {RunResult::kFailure, "", 0, 0, 0, "disk I/O error"}));
  runs = store_->ListRuns(5);
  EXPECT_EQ(runs->front().id, *id);
  EXPECT_EQ(runs->front().result, RunResult::kFailure);
  EXPECT_EQ(runs->front().error, "disk I/O error");
  EXPECT_TRUE(runs->front().unlogged);
  EXPECT_EQ(store_->NoteUnloggedRun(*id, start, RunFinish{RunResult::kRunning, "", 0, 0, 0, ""}).code(),
            StatusCode::kInvalidArgument);
}

// The crash child: writes forever in a random mix until it is killed.
[[noreturn]] void WriteUntilKilled(const std::string& path, unsigned seed) {
  VirtualClock clock;
  auto opened = Store::Open(Options(path, &clock));
  if (!opened.ok()) ::_exit(2);
  std::unique_ptr<Store> store = std::move(opened).value();
  std::mt19937 rng(seed);
  for (int i = 0;; ++i) {
    const std::string key = "k" + std::to_string(rng() % 40);
    Status status;
    switch (rng() % 7) {
      case 0:
      case 1: status = store->Put("notes", key, {{"i", i}, {"pad", std::string(rng() % 500, 'p')}}); break;
      case 2: status = store->Patch("notes", key, {{"p", i}}); break;
      case 3: status = store->Delete("notes", key); break;
      case 4: {
        std::vector<WriteOp> ops;
        for (int j = 0; j < 10; ++j) ops.push_back(WriteOp::Put("notes", "b" + std::to_string(rng() % 40), {{"j", j}}));
        status = store->Write(ops);
        break;
      }
      case 5: {
        auto batch = store->PeekBatch(5, 1 << 20);
        if (!batch.ok()) ::_exit(3);
        std::vector<std::string> ids;
        for (const Mutation& m : *batch) ids.push_back(m.mutation_id);
        status = store->MarkAttempted(ids).status();
        break;
      }
      default: {
        auto batch = store->PeekBatch(3, 1 << 20);
        if (!batch.ok()) ::_exit(3);
        std::vector<AckInfo> acks;
        for (const Mutation& m : *batch) acks.push_back({m.mutation_id, std::to_string(i + 1), ""});
        status = store->AckBatch(acks).status();
        break;
      }
    }
    if (!status.ok() && status.code() != StatusCode::kNotFound) ::_exit(4);
  }
}

TEST(CrashSafetyTest, SigkillMidWriteLeavesAConsistentStore) {
  TempDir dir;
  const std::string path = dir.File("crash.db");
  std::mt19937 rng(std::random_device{}());
  for (int iteration = 0; iteration < 20; ++iteration) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) WriteUntilKilled(path, static_cast<unsigned>(iteration * 7919 + 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 60));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer exited early with code "
                                     << (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    VirtualClock clock;
    auto store = OpenStore(Options(path, &clock));
    ASSERT_NE(store, nullptr) << "iteration " << iteration;
    ASSERT_OK(store->Verify());
    // Spelled out as well: dirty documents <-> outbox rows.
    EXPECT_EQ(RawQueryInt(path, "SELECT count(*) FROM documents d WHERE dirty = 1 AND NOT EXISTS "
                                "(SELECT 1 FROM outbox o WHERE o.collection = d.collection AND "
                                "o.key = d.key)"),
              0);
    EXPECT_EQ(RawQueryInt(path, "SELECT count(*) FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM "
                                "documents d WHERE d.collection = o.collection AND d.key = o.key "
                                "AND d.dirty = 1)"),
              0);
  }
  EXPECT_GT(RawQueryInt(path, "SELECT count(*) FROM documents"), 0);
}

}  // namespace
}  // namespace syncagent
