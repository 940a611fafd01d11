// `config check` (errors with JSON paths, lint warnings per platform, exit codes) and
// `schedule show|install|uninstall` (units in $XDG_CONFIG_HOME, systemctl faked or absent).
#include <sys/stat.h>

#include <filesystem>

#include "tests/cli/cli_test_support.h"

namespace syncagent::cli::testing {
namespace {
namespace fs = std::filesystem;

using CliConfigTest = CliTest;

TEST_F(CliConfigTest, ValidConfigIsOk) {
  const std::string config = WriteConfig();
  ProcResult r = Cli({"config", "check", config});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find(config + ": ok for any"), std::string::npos) << r.out;
  ProcResult global = Cli({"--config", config, "config", "check"});
  EXPECT_EQ(global.exit_code, 0) << global.Describe();
}

TEST_F(CliConfigTest, ErrorsWithJsonPathsExit2) {
  const std::string config = WriteConfig(
      "agent", {{"schedule", {{"minimum_interval_minutes", 5}}},
                {"server", {{"base_ulr", "x"}}},
                {"sync", {{"conflict", {{"default", "mrege"}}}}}});
  ProcResult r = Cli({"config", "check", config});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.out.find("error: " + config +
                       ": schedule.minimum_interval_minutes: expected an integer >= 15, got 5"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("server.base_ulr: unknown key; did you mean base_url?"), std::string::npos);
  EXPECT_NE(r.out.find("sync.conflict.default:"), std::string::npos);
  ASSERT_EQ(r.ErrLines().size(), 1u) << r.err;
  EXPECT_NE(r.err.find("3 errors"), std::string::npos) << r.err;
}

TEST_F(CliConfigTest, PlatformWarnings) {
  const std::string config = WriteConfig("agent", {{"schedule", {{"time_budget_seconds", 60}}}});
  ProcResult ios = Cli({"config", "check", "--platform", "ios", config});
  ASSERT_EQ(ios.exit_code, 0) << ios.Describe();
  EXPECT_NE(ios.out.find("warning: " + config + ": schedule.time_budget_seconds"),
            std::string::npos)
      << ios.out;
  EXPECT_NE(ios.out.find("warning: " + config + ": schedule.minimum_interval_minutes"),
            std::string::npos)
      << ios.out;
  ProcResult linux_check = Cli({"config", "check", "--platform", "linux", "--json", config});
  ASSERT_EQ(linux_check.exit_code, 0);
  json j = json::parse(linux_check.out);
  EXPECT_EQ(j["ok"], true);
  for (const auto& w : j["warnings"]) EXPECT_NE(w["path"], "schedule.time_budget_seconds");
  ProcResult bad = Cli({"config", "check", "--platform", "windows", config});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.ErrLines().size(), 1u) << bad.err;
}

TEST_F(CliConfigTest, MissingFile) {
  ProcResult r = Cli({"config", "check", dir_ + "/none.json"});
  EXPECT_EQ(r.exit_code, 2);
  ASSERT_EQ(r.ErrLines().size(), 1u);
  EXPECT_NE(r.err.find("none.json not found"), std::string::npos);
}

class CliScheduleTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    config_ = WriteConfig("agent", {{"schedule", {{"minimum_interval_minutes", 30}}}});
    xdg_ = dir_ + "/xdg";
    fake_bin_ = dir_ + "/bin";
    empty_bin_ = dir_ + "/empty-bin";
    fs::create_directories(fake_bin_);
    fs::create_directories(empty_bin_);
    log_ = dir_ + "/systemctl.log";
    WriteFile(fake_bin_ + "/systemctl", "#!/bin/sh\necho \"$*\" >> '" + log_ + "'\n", 0755);
  }
  EnvChanges Env(const std::string& path) {
    return {{"XDG_CONFIG_HOME", xdg_}, {"PATH", path}};
  }
  std::string unit_dir() const { return xdg_ + "/systemd/user"; }

  std::string config_, xdg_, fake_bin_, empty_bin_, log_;
};

TEST_F(CliScheduleTest, ShowPrintsBothUnits) {
  ProcResult r = Cli({"--config", config_, "schedule", "show"}, Env(fake_bin_ + ":/usr/bin:/bin"));
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("# " + unit_dir() + "/syncagent-syncagent.refresh.service"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("# " + unit_dir() + "/syncagent-syncagent.refresh.timer"), std::string::npos);
  EXPECT_NE(r.out.find("[Service]"), std::string::npos);
  EXPECT_NE(r.out.find("[Timer]"), std::string::npos);
  EXPECT_NE(r.out.find("ExecStart=" + CliBinary() + " --config " + config_ +
                       " run --periodic --task-id syncagent.refresh --budget-seconds 20"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("OnUnitActiveSec=30min"), std::string::npos);
  EXPECT_NE(r.out.find("OnCalendar=*:0/30"), std::string::npos);
  EXPECT_NE(r.out.find("PassEnvironment=" + std::string(kTokenEnv)), std::string::npos);
  EXPECT_NE(r.out.find("ReadWritePaths=" + dir_), std::string::npos);
  EXPECT_FALSE(fs::exists(unit_dir())) << "show writes nothing";
}

TEST_F(CliScheduleTest, InstallAndUninstallWithAFakeSystemctl) {
  ProcResult install =
      Cli({"--config", config_, "schedule", "install"}, Env(fake_bin_ + ":/usr/bin:/bin"));
  ASSERT_EQ(install.exit_code, 0) << install.Describe();
  const std::string timer = unit_dir() + "/syncagent-syncagent.refresh.timer";
  const std::string service = unit_dir() + "/syncagent-syncagent.refresh.service";
  ASSERT_TRUE(fs::exists(timer));
  ASSERT_TRUE(fs::exists(service));
  EXPECT_EQ(ReadFile(log_),
            "--user daemon-reload\n--user enable --now syncagent-syncagent.refresh.timer\n");
  ProcResult show = Cli({"--config", config_, "schedule", "show"}, Env(fake_bin_ + ":/usr/bin:/bin"));
  EXPECT_NE(show.out.find(ReadFile(timer)), std::string::npos) << "show = what install wrote";

  ProcResult status = Cli({"--config", config_, "status"}, Env(fake_bin_ + ":/usr/bin:/bin"));
  EXPECT_NE(status.out.find("systemd timer installed: " + timer), std::string::npos) << status.out;

  ProcResult uninstall =
      Cli({"--config", config_, "schedule", "uninstall"}, Env(fake_bin_ + ":/usr/bin:/bin"));
  ASSERT_EQ(uninstall.exit_code, 0) << uninstall.Describe();
  EXPECT_FALSE(fs::exists(timer));
  EXPECT_FALSE(fs::exists(service));
  EXPECT_EQ(ReadFile(log_),
            "--user daemon-reload\n--user enable --now syncagent-syncagent.refresh.timer\n"
            "--user disable --now syncagent-syncagent.refresh.timer\n--user daemon-reload\n");
}

TEST_F(CliScheduleTest, InstallWithoutSystemctlFailsInOneLine) {
  ProcResult r = Cli({"--config", config_, "schedule", "install"}, Env(empty_bin_));
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  ASSERT_EQ(r.ErrLines().size(), 1u) << r.err;
  EXPECT_NE(r.err.find("schedule install: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("systemctl"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace syncagent::cli::testing
