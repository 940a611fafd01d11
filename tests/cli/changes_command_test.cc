// `syncagent changes` (agent/cli/changes_command.cc): the change feed as lines or JSON lines,
// --since and --limit, and --follow printing a write made by another process.
#include "tests/cli/cli_test_support.h"

namespace syncagent::cli::testing {
namespace {

using namespace std::chrono_literals;
using CliChangesTest = CliTest;

TEST_F(CliChangesTest, PrintsEachDocumentsLatestChange) {
  const std::string config = WriteConfig();
  ASSERT_EQ(Cli({"--config", config, "put", "notes", "a", "{}"}).exit_code, 0);
  ASSERT_EQ(Cli({"--config", config, "put", "notes", "b", "{}"}).exit_code, 0);
  ASSERT_EQ(Cli({"--config", config, "delete", "notes", "a"}).exit_code, 0);
  ProcResult plain = Cli({"--config", config, "changes"});
  ASSERT_EQ(plain.exit_code, 0) << plain.Describe();
  // notes/a was created and deleted before any push: nothing is left to send, so it is synced.
  EXPECT_EQ(plain.out, "2\tnotes\tb\tlocal\tpending\tlive\n3\tnotes\ta\tlocal\tsynced\tdeleted\n");
  ProcResult js = Cli({"--config", config, "changes", "--json", "--since", "2"});
  ASSERT_EQ(js.exit_code, 0) << js.Describe();
  EXPECT_EQ(json::parse(js.out), json({{"seq", 3}, {"collection", "notes"}, {"key", "a"},
                                       {"deleted", true}, {"source", "local"},
                                       {"sync_state", "synced"}}));
  ProcResult limited = Cli({"--config", config, "changes", "--limit", "1"});
  EXPECT_EQ(limited.out, "2\tnotes\tb\tlocal\tpending\tlive\n");
  EXPECT_EQ(Cli({"--config", config, "changes", "--since", "-1"}).exit_code, 2);
}

TEST_F(CliChangesTest, FollowPrintsWritesOfAnotherProcessUntilSignalled) {
  const std::string config = WriteConfig();
  ASSERT_EQ(Cli({"--config", config, "put", "notes", "a", "{}"}).exit_code, 0);
  BackgroundCli follow({"--config", config, "changes", "--follow", "--json"},
                       TokenEnv());
  std::optional<std::string> first = follow.ReadStdoutLine(20s);
  ASSERT_TRUE(first.has_value()) << follow.err();
  EXPECT_EQ(json::parse(*first)["key"], "a");
  ASSERT_EQ(Cli({"--config", config, "put", "notes", "b", "{}"}).exit_code, 0);
  std::optional<std::string> second = follow.ReadStdoutLine(20s);
  ASSERT_TRUE(second.has_value()) << follow.err();
  EXPECT_EQ(json::parse(*second)["key"], "b");
  EXPECT_EQ(json::parse(*second)["seq"], 2);
  follow.Signal(SIGTERM);
  EXPECT_EQ(follow.Wait(20s), std::optional<int>(0)) << follow.err();
}

}  // namespace
}  // namespace syncagent::cli::testing
