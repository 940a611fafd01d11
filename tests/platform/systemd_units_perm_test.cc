// Security: the files and directories InstallSystemdUnits writes are never group/other-writable,
// whatever the umask (a writable unit directory or unit file lets another local user run code as
// the agent's user), and a symlink planted at the temp path is not followed.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "platform/command_runner.h"
#include "platform/systemd_units.h"

namespace syncagent {
namespace {

namespace fs = std::filesystem;

class UmaskGuard {
 public:
  explicit UmaskGuard(mode_t mask) : old_(::umask(mask)) {}
  ~UmaskGuard() { ::umask(old_); }

 private:
  mode_t old_;
};

mode_t ModeOf(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::lstat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class SystemdUnitsPermTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "syncagent-perm-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    SystemdOptions options;
    options.executable = "/usr/bin/syncagent";
    options.config_path = "/home/ada/.config/notes/syncagent.json";
    options.store_dir = (root_ / "share" / "notes" / "store").string();
    options.token_env = "NOTES_SYNC_TOKEN";
    auto units = GenerateSystemdUnits(options);
    ASSERT_TRUE(units.ok()) << units.status().ToString();
    units_ = *units;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  fs::path root_;
  SystemdUnits units_;
  CommandRunner ok_runner_ = [](const std::vector<std::string>&) { return Status::Ok(); };
};

TEST_F(SystemdUnitsPermTest, NothingWritableByOthersUnderUmaskZero) {
  const fs::path dir = root_ / "config" / "systemd" / "user";
  {
    UmaskGuard guard(0);  // the worst case: the umask masks nothing
    ASSERT_TRUE(InstallSystemdUnits(units_, dir.string(), ok_runner_).ok());
  }
  // Unit files: 0644 by design (systemd reads them; nobody else may write them).
  EXPECT_EQ(ModeOf(dir / units_.service_name), 0644u);
  EXPECT_EQ(ModeOf(dir / units_.timer_name), 0644u);
  EXPECT_FALSE(fs::exists(dir / (units_.service_name + ".tmp")));
  // Every directory the install created: 0755 for the unit path, 0700 for the store path.
  for (const fs::path& d : {root_ / "config", root_ / "config" / "systemd", dir}) {
    EXPECT_EQ(ModeOf(d), 0755u) << d;
  }
  for (const fs::path& d : {root_ / "share", root_ / "share" / "notes", root_ / "share" / "notes" / "store"}) {
    EXPECT_EQ(ModeOf(d), 0700u) << d;
  }
}

TEST_F(SystemdUnitsPermTest, ARestrictiveUmaskIsKept) {
  const fs::path dir = root_ / "units";
  {
    UmaskGuard guard(077);
    ASSERT_TRUE(InstallSystemdUnits(units_, dir.string(), ok_runner_).ok());
  }
  EXPECT_EQ(ModeOf(dir), 0700u);
  EXPECT_EQ(ModeOf(dir / units_.timer_name), 0644u);  // systemd reads it: 0644 by design
}

TEST_F(SystemdUnitsPermTest, APlantedSymlinkAtTheTempPathIsNotFollowed) {
  const fs::path dir = root_ / "units";
  fs::create_directories(dir);
  const fs::path victim = root_ / "victim";
  std::ofstream(victim) << "precious";
  fs::create_symlink(victim, dir / (units_.service_name + ".tmp"));
  ASSERT_TRUE(InstallSystemdUnits(units_, dir.string(), ok_runner_).ok());
  EXPECT_EQ(ReadText(victim), "precious");
  EXPECT_FALSE(fs::is_symlink(dir / units_.service_name));
  EXPECT_EQ(ReadText(dir / units_.service_name), units_.service_text);
}

}  // namespace
}  // namespace syncagent
