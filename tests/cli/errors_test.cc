// Bad input: ONE line on stderr naming the problem, a non-zero exit, nothing on stdout, and the
// store unchanged (same file bytes, same documents).
#include <filesystem>

#include "tests/cli/cli_test_support.h"

namespace syncagent::cli::testing {
namespace {

class CliErrorsTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    config_ = WriteConfig();
    ProcResult put = Cli({"--config", config_, "put", "notes", "n1", R"({"title":"first"})"});
    ASSERT_EQ(put.exit_code, 0) << put.Describe();
  }

  std::string Snapshot() {
    ProcResult ls = Cli({"--config", config_, "ls", "notes"});
    EXPECT_EQ(ls.exit_code, 0) << ls.Describe();
    return ReadFile(dir_ + "/agent.db") + "\n--ls--\n" + ls.out;
  }

  void ExpectOneLineError(const std::vector<std::string>& args, int exit_code,
                          const std::string& needle) {
    const std::string before = Snapshot();
    ProcResult r = Cli(args);
    std::string name;
    for (const auto& a : args) name += a + " ";
    EXPECT_EQ(r.exit_code, exit_code) << name << r.Describe();
    ASSERT_EQ(r.ErrLines().size(), 1u) << name << r.Describe();
    EXPECT_EQ(r.ErrLines()[0].rfind("syncagent: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << name << r.err;
    EXPECT_EQ(r.out, "") << name;
    EXPECT_EQ(Snapshot(), before) << name << ": the store changed";
  }

  std::string config_;
};

TEST_F(CliErrorsTest, UnknownCommand) {
  ExpectOneLineError({"--config", config_, "frobnicate"}, 2, "unknown command \"frobnicate\"");
}

TEST_F(CliErrorsTest, UnknownOption) {
  ExpectOneLineError({"--config", config_, "ls", "notes", "--colour"}, 2, "--colour");
}

TEST_F(CliErrorsTest, MissingArgument) {
  ExpectOneLineError({"--config", config_, "put", "notes", "n2"}, 2, "put: JSON is required");
}

// Item 9 of issue 13: this was "internal error: [json.exception.out_of_range.406]" with exit 1.
TEST_F(CliErrorsTest, JsonArgumentNumberOutOfRange) {
  ExpectOneLineError({"--config", config_, "put", "notes", "n1", R"({"n":1e400})"}, 2,
                     "syncagent: put: argument JSON: cannot be stored: number overflow parsing "
                     "'1e400' (numbers must fit in a double)");
  ExpectOneLineError({"--config", config_, "patch", "notes", "n1", R"({"n":-1e400})"}, 2,
                     "patch: argument JSON: cannot be stored: number overflow");
}

TEST_F(CliErrorsTest, JsonArgumentNestedTooDeeply) {
  const std::string deep = R"({"a":)" + std::string(20000, '[') + std::string(20000, ']') + "}";
  ExpectOneLineError({"--config", config_, "put", "notes", "n1", deep}, 2,
                     "put: argument JSON: nested deeper than 32 levels (the document limit)");
  ExpectOneLineError({"--config", config_, "patch", "notes", "n1", deep}, 2,
                     "patch: argument JSON: nested deeper than 32 levels (the document limit)");
}

TEST_F(CliErrorsTest, JsonArgumentNotAnObject) {
  ExpectOneLineError({"--config", config_, "put", "notes", "n1", "[1,2]"}, 2,
                     "syncagent: put: argument JSON: expected a JSON object, got an array: [1,2]");
  ExpectOneLineError({"--config", config_, "patch", "notes", "n1", "42"}, 2,
                     "patch: argument JSON: expected a JSON object, got a number: 42");
}

TEST_F(CliErrorsTest, JsonArgumentInvalid) {
  ExpectOneLineError({"--config", config_, "put", "notes", "n1", "{\"title\": oops}"}, 2,
                     "put: argument JSON: expected a JSON object, got invalid JSON");
}

TEST_F(CliErrorsTest, MissingConfigFile) {
  ExpectOneLineError({"--config", dir_ + "/missing.json", "put", "notes", "n1", "{}"}, 2,
                     "missing.json not found");
}

TEST_F(CliErrorsTest, DefaultConfigFromEnvironmentMissing) {
  const std::string before = Snapshot();
  ProcResult r = Cli({"status"}, {{"SYNCAGENT_CONFIG", dir_ + "/nope.json"}});
  EXPECT_EQ(r.exit_code, 2);
  ASSERT_EQ(r.ErrLines().size(), 1u) << r.Describe();
  EXPECT_NE(r.err.find("nope.json not found"), std::string::npos);
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(CliErrorsTest, InvalidConfigIsOneLine) {
  const std::string bad = WriteConfig(
      "agent", {{"schedule", {{"minimum_interval_minutes", 5}}}, {"sync", {{"conflict", {{"default", "mrege"}}}}}});
  // WriteConfig rewrote agent.json: the store path is the same file.
  const std::string before = ReadFile(dir_ + "/agent.db");
  ProcResult r = Cli({"--config", bad, "put", "notes", "n1", R"({"x":1})"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  ASSERT_EQ(r.ErrLines().size(), 1u) << r.Describe();
  EXPECT_NE(r.err.find("invalid config"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("schedule.minimum_interval_minutes"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("1 more error"), std::string::npos) << r.err;
  EXPECT_EQ(ReadFile(dir_ + "/agent.db"), before);
}

TEST_F(CliErrorsTest, BadLogLevel) {
  ExpectOneLineError({"--config", config_, "--log-level", "loud", "status"}, 2, "--log-level");
}

TEST_F(CliErrorsTest, ResolveNeedsExactlyOneChoice) {
  ExpectOneLineError({"--config", config_, "conflicts", "resolve", "1"}, 2,
                     "conflicts resolve: choose exactly one of");
  ExpectOneLineError({"--config", config_, "conflicts", "resolve", "1", "--take-remote",
                      "--keep-local"},
                     2, "excludes");
  ExpectOneLineError({"--config", config_, "conflicts", "resolve", "1", "--use", "[]"}, 2,
                     "argument --use: expected a JSON object");
}

TEST_F(CliErrorsTest, InvalidCollectionNameFromTheStore) {
  ExpectOneLineError({"--config", config_, "put", "bad collection!", "k", "{}"}, 2, "put: ");
}

TEST_F(CliErrorsTest, AbsentDocumentAndUnknownIds) {
  ExpectOneLineError({"--config", config_, "get", "notes", "nope"}, 1,
                     "get: notes/nope: no such document");
  ExpectOneLineError({"--config", config_, "delete", "notes", "nope"}, 1, "delete: ");
  ExpectOneLineError({"--config", config_, "deadletters", "drop", "99"}, 1,
                     "deadletters drop: dead letter #99");
  ExpectOneLineError({"--config", config_, "conflicts", "resolve", "99", "--keep-local"}, 1,
                     "conflict #99");
}

}  // namespace
}  // namespace syncagent::cli::testing
