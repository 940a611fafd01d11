// Leases: single-flight across Store instances and across processes.
#include <sys/wait.h>
#include <unistd.h>

#include "tests/storage/store_test_util.h"

namespace syncagent {
namespace {

using testing::OpenStore;
using testing::Options;
using testing::StoreTest;

using LeaseTest = StoreTest;

TEST_F(LeaseTest, AcquireIsExclusiveUntilReleasedOrExpired) {
  auto got = store_->AcquireLease("sync", "run-1", std::chrono::seconds(30));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got);
  EXPECT_FALSE(*store_->AcquireLease("sync", "run-2", std::chrono::seconds(30)));
  EXPECT_TRUE(*store_->AcquireLease("other", "run-2", std::chrono::seconds(30)));
  EXPECT_TRUE(*store_->AcquireLease("sync", "run-1", std::chrono::seconds(30)));  // renew
  clock_.Advance(std::chrono::seconds(29));
  EXPECT_FALSE(*store_->AcquireLease("sync", "run-2", std::chrono::seconds(30)));  // renewed
  clock_.Advance(std::chrono::seconds(2));
  EXPECT_TRUE(*store_->AcquireLease("sync", "run-2", std::chrono::seconds(30)));  // expired
  EXPECT_EQ(store_->ReleaseLease("sync", "run-1").code(), StatusCode::kAborted);
  EXPECT_FALSE(*store_->AcquireLease("sync", "run-1", std::chrono::seconds(30)));
  ASSERT_OK(store_->ReleaseLease("sync", "run-2"));
  ASSERT_OK(store_->ReleaseLease("sync", "run-2"));  // idempotent
  EXPECT_TRUE(*store_->AcquireLease("sync", "run-1", std::chrono::seconds(30)));
  EXPECT_EQ(store_->AcquireLease("", "x", std::chrono::seconds(1)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AcquireLease("sync", "x", std::chrono::seconds(0)).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(LeaseTest, TwoStoresOnOneFileShareTheLease) {
  auto second = OpenStore(Options(path_, &clock_));
  ASSERT_NE(second, nullptr);
  EXPECT_TRUE(*store_->AcquireLease("sync", "a", std::chrono::minutes(1)));
  EXPECT_FALSE(*second->AcquireLease("sync", "b", std::chrono::minutes(1)));
  ASSERT_OK(store_->ReleaseLease("sync", "a"));
  EXPECT_TRUE(*second->AcquireLease("sync", "b", std::chrono::minutes(1)));
  EXPECT_FALSE(*store_->AcquireLease("sync", "a", std::chrono::minutes(1)));
}

// Child: open its own Store, try the lease, report through the exit code
// (0 = acquired, 1 = held elsewhere, 2 = error).
[[noreturn]] void TryLeaseInChild(const std::string& path, const std::string& owner,
                                  int start_fd) {
  if (start_fd >= 0) {
    char go;
    if (::read(start_fd, &go, 1) != 1) ::_exit(3);
  }
  RealClock clock;
  StoreOptions options = Options(path, &clock);
  options.busy_timeout_ms = 10000;
  auto store = Store::Open(options);
  if (!store.ok()) ::_exit(2);
  auto got = (*store)->AcquireLease("sync", owner, std::chrono::minutes(5));
  ::_exit(!got.ok() ? 2 : (*got ? 0 : 1));
}

int WaitExit(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

TEST_F(LeaseTest, AForkedProcessSeesTheLeaseHeld) {
  RealClock real;  // the child uses real time: hold the lease in real time too
  auto holder = OpenStore(Options(path_, &real));
  ASSERT_NE(holder, nullptr);
  ASSERT_TRUE(*holder->AcquireLease("sync", "parent", std::chrono::minutes(5)));
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) TryLeaseInChild(path_, "child", -1);
  EXPECT_EQ(WaitExit(pid), 1);
  ASSERT_OK(holder->ReleaseLease("sync", "parent"));
  pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) TryLeaseInChild(path_, "child", -1);
  EXPECT_EQ(WaitExit(pid), 0);
  EXPECT_FALSE(*holder->AcquireLease("sync", "parent", std::chrono::minutes(5)));
}

TEST_F(LeaseTest, ExactlyOneOfManyRacingProcessesWins) {
  int start[2];
  ASSERT_EQ(::pipe(start), 0);
  std::vector<pid_t> children;
  for (int i = 0; i < 6; ++i) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(start[1]);
      TryLeaseInChild(path_, "child-" + std::to_string(i), start[0]);
    }
    children.push_back(pid);
  }
  ::close(start[0]);
  const std::string go(children.size(), 'g');
  ASSERT_EQ(::write(start[1], go.data(), go.size()), static_cast<ssize_t>(go.size()));
  ::close(start[1]);
  int winners = 0;
  int losers = 0;
  for (pid_t pid : children) {
    const int code = WaitExit(pid);
    if (code == 0) ++winners;
    if (code == 1) ++losers;
  }
  EXPECT_EQ(winners, 1);
  EXPECT_EQ(losers, 5);
}

}  // namespace
}  // namespace syncagent
