// `--help` on every command: exit 0, usage on stdout, nothing on stderr.
#include <algorithm>

#include "agent/cli/exit_codes.h"
#include "tests/cli/cli_test_support.h"

namespace syncagent::cli::testing {
namespace {

TEST(CliHelpTest, RootHelpListsEveryCommand) {
  ProcResult r = RunCli({"--help"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  for (const char* command : {"run", "daemon", "put", "patch", "delete", "get", "ls", "status",
                              "conflicts", "deadletters", "config", "schedule", "mock-server",
                              "simulate"}) {
    EXPECT_NE(r.out.find(std::string("  ") + command + " "), std::string::npos) << command;
  }
  // Every code of agent/cli/exit_codes.h is documented with its meaning.
  const size_t codes = r.out.find("Exit codes:");
  ASSERT_NE(codes, std::string::npos) << r.out;
  std::string documented = r.out.substr(codes);
  std::replace(documented.begin(), documented.end(), '\n', ' ');
  for (const std::string& meaning :
       {std::to_string(kExitOk) + " ok;", std::to_string(kExitFailure) + " failed",
        std::to_string(kExitUsage) + " bad usage", std::to_string(kExitRetry) + " (run) retry later"}) {
    EXPECT_NE(documented.find(meaning), std::string::npos) << meaning << "\n" << documented;
  }
  EXPECT_EQ(r.err, "");
}

TEST(CliHelpTest, EveryCommandHasHelp) {
  const std::vector<std::vector<std::string>> commands = {
      {"run"},         {"daemon"},           {"put"},
      {"patch"},       {"delete"},           {"get"},
      {"ls"},          {"status"},           {"conflicts"},
      {"conflicts", "list"}, {"conflicts", "resolve"}, {"deadletters"},
      {"deadletters", "list"}, {"deadletters", "retry"}, {"deadletters", "drop"},
      {"config"},      {"config", "check"},  {"schedule"},
      {"schedule", "install"}, {"schedule", "uninstall"}, {"schedule", "show"},
      {"simulate"}};
  for (std::vector<std::string> args : commands) {
    std::string name;
    for (const auto& a : args) name += a + " ";
    args.push_back("--help");
    ProcResult r = RunCli(args, {{"SYNCAGENT_CONFIG", "/nonexistent/config.json"}});
    EXPECT_EQ(r.exit_code, 0) << name << r.Describe();
    EXPECT_NE(r.out.find("Usage: syncagent " + name), std::string::npos) << name << r.out;
    EXPECT_EQ(r.err, "") << name;
  }
}

TEST(CliHelpTest, MockServerHelpIsTheMockServersUsage) {
  ProcResult r = RunCli({"mock-server", "--help"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("--max-body-bytes"), std::string::npos) << r.out;
}

TEST(CliHelpTest, Version) {
  ProcResult r = RunCli({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, std::string(SYNCAGENT_VERSION_STRING) + "\n");
}

}  // namespace
}  // namespace syncagent::cli::testing
