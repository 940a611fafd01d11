// LoadConfigFile / CheckConfigFile: reading, size limit, messages prefixed with the file, and
// paths resolved against the file's directory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "config/config.h"
#include "tests/config/config_test_util.h"

namespace syncagent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing_config::TestOptions;
namespace fs = std::filesystem;

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("syncagent_config_test_" + std::to_string(random()));
    fs::create_directories(dir_ / "conf");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string Write(const std::string& relative, const std::string& text) {
    const fs::path path = dir_ / relative;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }

  fs::path dir_;
};

TEST_F(ConfigFileTest, LoadsAndResolvesRelativePathsAgainstTheFile) {
  Write("conf/ca.pem", "-----BEGIN CERTIFICATE-----\n");
  const std::string file = Write("conf/agent.json", R"({
    "server": {"base_url": "https://sync.example.com", "tls": {"ca_file": "ca.pem"}},
    "storage": {"path": "../data/sync.db"}
  })");
  ConfigOptions options = TestOptions();
  options.base_dir = "/ignored";
  StatusOr<AgentConfig> loaded = LoadConfigFile(file, options);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->storage.path, (dir_ / "data" / "sync.db").string());
  EXPECT_EQ(loaded->server.tls.ca_file, (dir_ / "conf" / "ca.pem").string());
}

TEST_F(ConfigFileTest, MissingFileNamesThePathAndTheReason) {
  const std::string missing = (dir_ / "nope.json").string();
  StatusOr<AgentConfig> loaded = LoadConfigFile(missing, TestOptions());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(loaded.status().message(),
            missing + ": cannot read the config file: No such file or directory");
  ConfigResult checked = CheckConfigFile(missing, TestOptions());
  EXPECT_EQ(checked.ErrorText(), loaded.status().message());
}

TEST_F(ConfigFileTest, DirectoryIsRefused) {
  const std::string path = (dir_ / "conf").string();
  StatusOr<AgentConfig> loaded = LoadConfigFile(path, TestOptions());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(loaded.status().message(), path + ": cannot read the config file: it is a directory");
}

TEST_F(ConfigFileTest, UnreadableFileGivesTheOsReason) {
  if (::geteuid() == 0) GTEST_SKIP() << "root can read any file";
  const std::string file = Write("secret.json", "{}");
  ::chmod(file.c_str(), 0);
  StatusOr<AgentConfig> loaded = LoadConfigFile(file, TestOptions());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(loaded.status().message(), file + ": cannot open the config file: Permission denied");
}

TEST_F(ConfigFileTest, FileOverOneMebibyteIsRefused) {
  std::string text =
      R"({"server": {"base_url": "https://a.example.com"}, "storage": {"path": "/x"}})";
  const std::string at_limit =
      Write("big.json", text + std::string(kMaxConfigFileBytes - text.size(), ' '));
  EXPECT_TRUE(LoadConfigFile(at_limit, TestOptions()).ok());
  const std::string over =
      Write("bigger.json", text + std::string(kMaxConfigFileBytes - text.size() + 1, ' '));
  StatusOr<AgentConfig> loaded = LoadConfigFile(over, TestOptions());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(loaded.status().message(),
            over + ": the config file is 1048577 bytes; the limit is 1048576 bytes (1 MiB)");
}

TEST_F(ConfigFileTest, ErrorsArePrefixedWithTheFile) {
  const std::string file = Write("conf/bad.json", R"({
  "server": {"base_url": "https://sync.example.com"},
  "storage": {"path": "x.db"},
  "schedule": {"minimum_interval_minutes": 5, "jitter_percent": 101}
})");
  StatusOr<AgentConfig> loaded = LoadConfigFile(file, TestOptions());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(loaded.status().message(),
            file + ": schedule.minimum_interval_minutes: expected an integer >= 15, got 5\n" +
                file + ": schedule.jitter_percent: expected an integer from 0 to 100, got 101");
}

TEST_F(ConfigFileTest, ParseErrorIsPrefixedWithTheFileAndPosition) {
  const std::string file = Write("conf/syntax.json", "{\n  \"server\": {\n    \"base_url\": ,\n");
  StatusOr<AgentConfig> loaded = LoadConfigFile(file, TestOptions());
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(),
              testing::StartsWith(file + ": line 3, column 17: syntax error while parsing value"));
}

TEST_F(ConfigFileTest, CaFileMustExist) {
  const std::string file = Write("conf/agent.json", R"({
    "server": {"base_url": "https://sync.example.com", "tls": {"ca_file": "missing.pem"}},
    "storage": {"path": "sync.db"}
  })");
  ConfigResult result = CheckConfigFile(file, TestOptions());
  const std::string resolved = (dir_ / "conf" / "missing.pem").string();
  ASSERT_THAT(result.errors, testing::SizeIs(1));
  EXPECT_EQ(result.ErrorText(), file + ": server.tls.ca_file: cannot read \"" + resolved +
                                    "\": No such file or directory");

  const std::string dir_as_ca = Write("conf/agent2.json", R"({
    "server": {"base_url": "https://sync.example.com", "tls": {"ca_file": "."}},
    "storage": {"path": "sync.db"}
  })");
  result = CheckConfigFile(dir_as_ca, TestOptions());
  ASSERT_THAT(result.errors, testing::SizeIs(1));
  EXPECT_THAT(result.errors[0].message, HasSubstr("is a directory, expected a PEM file"));
}

TEST_F(ConfigFileTest, CheckConfigFileReportsWarnings) {
  const std::string file = Write("conf/agent.json", R"({
    "server": {"base_url": "https://sync.example.com"},
    "storage": {"path": "sync.db"},
    "retry": {"honor_retry_after": false}
  })");
  ConfigResult result = CheckConfigFile(file, TestOptions());
  EXPECT_THAT(result.errors, IsEmpty());
  ASSERT_TRUE(result.config.has_value());
  EXPECT_EQ(result.WarningText(),
            file +
                ": retry.honor_retry_after: false ignores the server's Retry-After, so an "
                "overloaded server is retried sooner than it asked");
}

}  // namespace
}  // namespace syncagent
