#include "platform/systemd_units.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "platform/command_runner.h"

namespace syncagent {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "syncagent-units-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

SystemdOptions Typical() {
  SystemdOptions options;
  options.executable = "/usr/bin/syncagent";
  options.config_path = "/home/ada/.config/notes/syncagent.json";
  options.store_dir = "/home/ada/.local/share/notes";
  options.token_env = "NOTES_SYNC_TOKEN";
  return options;
}

TEST(SystemdUnitsTest, GeneratesTheServiceUnit) {
  auto units = GenerateSystemdUnits(Typical());
  ASSERT_TRUE(units.ok()) << units.status().ToString();
  EXPECT_EQ(units->service_name, "syncagent-syncagent.refresh.service");
  EXPECT_EQ(units->timer_name, "syncagent-syncagent.refresh.timer");
  const std::string& text = units->service_text;
  for (const char* line : {
           "[Service]\n",
           "Type=oneshot\n",
           "ExecStart=/usr/bin/syncagent --config /home/ada/.config/notes/syncagent.json run "
           "--periodic --task-id syncagent.refresh --budget-seconds 25\n",
           "TimeoutStartSec=40s\n",
           "PassEnvironment=NOTES_SYNC_TOKEN\n",
           "NoNewPrivileges=yes\n",
           "PrivateTmp=yes\n",
           "ProtectSystem=strict\n",
           "ReadWritePaths=/home/ada/.local/share/notes\n",
           "UMask=0077\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << "missing: " << line << "in:\n" << text;
  }
  EXPECT_EQ(text.find("[Install]"), std::string::npos);  // the timer starts it
}

TEST(SystemdUnitsTest, GeneratesTheTimerUnit) {
  auto units = GenerateSystemdUnits(Typical());
  ASSERT_TRUE(units.ok());
  const std::string& text = units->timer_text;
  for (const char* line : {
           "[Timer]\n",
           "OnBootSec=2min\n",
           "OnUnitActiveSec=15min\n",
           "OnCalendar=*:0/15\n",
           "Persistent=true\n",
           "RandomizedDelaySec=90s\n",
           "AccuracySec=1min\n",
           "Unit=syncagent-syncagent.refresh.service\n",
           "[Install]\nWantedBy=timers.target\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << "missing: " << line << "in:\n" << text;
  }
}

TEST(SystemdUnitsTest, NeverWritesATokenValue) {
  SystemdOptions options = Typical();
  options.token_env = "";
  auto units = GenerateSystemdUnits(options);
  ASSERT_TRUE(units.ok());
  EXPECT_EQ(units->service_text.find("PassEnvironment"), std::string::npos);
  EXPECT_EQ(units->service_text.find("Environment="), std::string::npos);
  options.token_env = "secret-value with spaces";
  EXPECT_EQ(GenerateSystemdUnits(options).status().code(), StatusCode::kInvalidArgument);
}

TEST(SystemdUnitsTest, EscapesPathsAndArguments) {
  EXPECT_EQ(SystemdQuoteExecArg("/usr/bin/syncagent"), "/usr/bin/syncagent");
  EXPECT_EQ(SystemdQuoteExecArg("/opt/My Apps/sync agent"), "\"/opt/My Apps/sync agent\"");
  EXPECT_EQ(SystemdQuoteExecArg("/a/100%/b"), "/a/100%%/b");
  EXPECT_EQ(SystemdQuoteExecArg("/a/$HOME/b"), "/a/$$HOME/b");
  EXPECT_EQ(SystemdQuoteExecArg("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
  EXPECT_EQ(SystemdQuoteExecArg(""), "\"\"");
  EXPECT_EQ(SystemdQuotePath("/data/my store"), "\"/data/my store\"");
  EXPECT_EQ(SystemdQuotePath("/data/$x%"), "/data/$x%%");

  SystemdOptions options = Typical();
  options.executable = "/opt/Notes App/bin/syncagent";
  options.config_path = "/home/ada/My Notes/sync 100%.json";
  options.store_dir = "/home/ada/My Notes/store";
  auto units = GenerateSystemdUnits(options);
  ASSERT_TRUE(units.ok());
  EXPECT_NE(units->service_text.find("ExecStart=\"/opt/Notes App/bin/syncagent\" --config "
                                     "\"/home/ada/My Notes/sync 100%%.json\" run"),
            std::string::npos)
      << units->service_text;
  EXPECT_NE(units->service_text.find("ReadWritePaths=\"/home/ada/My Notes/store\"\n"),
            std::string::npos);
}

TEST(SystemdUnitsTest, EscapesUnitNames) {
  EXPECT_EQ(SystemdEscapeUnitName("syncagent.refresh"), "syncagent.refresh");
  EXPECT_EQ(SystemdEscapeUnitName("my task/1"), "my\\x20task\\x2f1");
  EXPECT_EQ(SystemdEscapeUnitName(".hidden"), "\\x2ehidden");
  SystemdOptions options = Typical();
  options.task_id = "notes sync";
  auto units = GenerateSystemdUnits(options);
  ASSERT_TRUE(units.ok());
  EXPECT_EQ(units->timer_name, "syncagent-notes\\x20sync.timer");
  EXPECT_NE(units->service_text.find("--task-id \"notes sync\""), std::string::npos);
}

TEST(SystemdUnitsTest, CalendarMatchesOrCoarsensTheInterval) {
  EXPECT_EQ(SystemdCalendarFor(1min), "minutely");
  EXPECT_EQ(SystemdCalendarFor(15min), "*:0/15");
  EXPECT_EQ(SystemdCalendarFor(20min), "*:0/20");
  EXPECT_EQ(SystemdCalendarFor(25min), "*:0/30");
  EXPECT_EQ(SystemdCalendarFor(60min), "hourly");
  EXPECT_EQ(SystemdCalendarFor(90min), "0/2:00");
  EXPECT_EQ(SystemdCalendarFor(6h), "0/6:00");
  EXPECT_EQ(SystemdCalendarFor(24h), "daily");
  EXPECT_EQ(SystemdCalendarFor(48h), "weekly");
  EXPECT_EQ(SystemdCalendarFor(24h * 30), "monthly");
  EXPECT_EQ(SystemdTimeSpan(90s), "90s");
  EXPECT_EQ(SystemdTimeSpan(2h), "2h");
  EXPECT_EQ(SystemdTimeSpan(0ms), "0s");
}

TEST(SystemdUnitsTest, RejectsBadOptions) {
  SystemdOptions options = Typical();
  options.config_path = "relative/config.json";
  Status status = GenerateSystemdUnits(options).status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("config_path"), std::string::npos);
  options = Typical();
  options.store_dir = "/tmp/evil\nExecStartPre=/bin/rm";
  EXPECT_EQ(GenerateSystemdUnits(options).status().code(), StatusCode::kInvalidArgument);
  options = Typical();
  options.interval = 30s;
  EXPECT_EQ(GenerateSystemdUnits(options).status().code(), StatusCode::kInvalidArgument);
  options = Typical();
  options.jitter_percent = 101;
  EXPECT_EQ(GenerateSystemdUnits(options).status().code(), StatusCode::kInvalidArgument);
}

TEST(SystemdUnitsTest, InstallWritesFilesAndEnablesTheTimer) {
  TempDir temp;
  const std::string dir = temp.path() + "/config/systemd/user";
  SystemdOptions options = Typical();
  options.store_dir = temp.path() + "/store";
  auto units = GenerateSystemdUnits(options);
  ASSERT_TRUE(units.ok());
  std::vector<std::string> commands;
  CommandRunner recorder = [&](const std::vector<std::string>& argv) {
    commands.push_back(FormatCommand(argv));
    return Status::Ok();
  };
  ASSERT_TRUE(InstallSystemdUnits(*units, dir, recorder).ok());
  EXPECT_EQ(ReadAll(fs::path(dir) / units->timer_name), units->timer_text);
  EXPECT_EQ(ReadAll(fs::path(dir) / units->service_name), units->service_text);
  struct stat info {};
  ASSERT_EQ(::stat((fs::path(dir) / units->timer_name).c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0644u);
  ASSERT_EQ(::stat(options.store_dir.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  EXPECT_EQ(commands, (std::vector<std::string>{
                          "systemctl --user daemon-reload",
                          "systemctl --user enable --now syncagent-syncagent.refresh.timer"}));

  commands.clear();
  ASSERT_TRUE(UninstallSystemdUnits(*units, dir, recorder).ok());
  EXPECT_FALSE(fs::exists(fs::path(dir) / units->timer_name));
  EXPECT_FALSE(fs::exists(fs::path(dir) / units->service_name));
  EXPECT_EQ(commands, (std::vector<std::string>{
                          "systemctl --user disable --now syncagent-syncagent.refresh.timer",
                          "systemctl --user daemon-reload"}));
  commands.clear();
  ASSERT_TRUE(UninstallSystemdUnits(*units, dir, recorder).ok());  // idempotent
  EXPECT_TRUE(commands.empty());
}

TEST(SystemdUnitsTest, ErrorsNameTheCommandOrFile) {
  TempDir temp;
  SystemdOptions options = Typical();
  options.store_dir = temp.path() + "/store";
  auto units = GenerateSystemdUnits(options);
  ASSERT_TRUE(units.ok());
  CommandRunner failing = [](const std::vector<std::string>& argv) {
    if (argv.size() > 2 && argv[2] == "enable") {
      return UnavailableError("Failed to connect to bus: No medium found", RetryClass::kNone);
    }
    return Status::Ok();
  };
  Status status = InstallSystemdUnits(*units, temp.path() + "/units", failing);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("`systemctl --user enable --now"), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("No medium found"), std::string::npos);

  std::ofstream(temp.path() + "/file") << "x";  // a file where the directory should be
  status = InstallSystemdUnits(*units, temp.path() + "/file/units", failing);
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_NE(status.message().find(temp.path() + "/file/units"), std::string::npos);
}

TEST(SystemdUnitsTest, RunCommandReportsExitStatusAndOutput) {
  std::string output;
  EXPECT_TRUE(RunCommand({"sh", "-c", "echo hello"}, &output).ok());
  EXPECT_EQ(output, "hello\n");
  Status status = RunCommand({"sh", "-c", "echo boom >&2; exit 3"});
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("exit status 3"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("boom"), std::string::npos);
  EXPECT_EQ(RunCommand({"/nonexistent/syncagent-x"}).code(), StatusCode::kNotFound);
}

TEST(SystemdUnitsTest, SystemdAnalyzeVerifyAcceptsTheUnits) {
  std::string version;
  if (!RunCommand({"systemd-analyze", "--version"}, &version).ok()) {
    GTEST_SKIP() << "systemd-analyze is not installed (apt-get install systemd to run this)";
  }
  TempDir temp;
  SystemdOptions options;
  options.executable = "/bin/true";  // verify requires an existing executable
  options.config_path = temp.path() + "/My Config/syncagent.json";
  options.store_dir = temp.path() + "/store dir";
  options.token_env = "SYNCAGENT_TOKEN";
  options.interval = 25min;
  auto units = GenerateSystemdUnits(options);
  ASSERT_TRUE(units.ok());
  const std::string dir = temp.path() + "/units";
  CommandRunner none = [](const std::vector<std::string>&) { return Status::Ok(); };
  ASSERT_TRUE(InstallSystemdUnits(*units, dir, none).ok());
  std::string output;
  Status status = RunCommand(
      {"systemd-analyze", "verify", dir + "/" + units->service_name, dir + "/" + units->timer_name},
      &output);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n"
                           << units->service_text << "\n"
                           << units->timer_text;
  // verify prints a line per problem even when it exits 0 for some of them.
  EXPECT_EQ(output.find(units->service_name), std::string::npos) << output;
  EXPECT_EQ(output.find(units->timer_name), std::string::npos) << output;
}

}  // namespace
}  // namespace syncagent
