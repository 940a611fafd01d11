// `syncagent query` (agent/cli/query_command.cc): plain and --json output, paging with --limit
// and --bookmark, and exit 2 for bad input.
#include "tests/cli/cli_test_support.h"

namespace syncagent::cli::testing {
namespace {

using CliQueryTest = CliTest;

TEST_F(CliQueryTest, PrintsMatchesLikeLsOrAsJson) {
  const std::string config =
      WriteConfig("agent", {{"storage", {{"indexes", {{{"collection", "notes"},
                                                       {"fields", {"done", "n"}}}}}}}});
  for (int i = 0; i < 5; ++i) {
    const std::string doc = "{\"n\":" + std::to_string(i) + ",\"done\":" +
                            (i % 2 == 0 ? "false" : "true") + "}";
    ASSERT_EQ(Cli({"--config", config, "put", "notes", "k" + std::to_string(i), doc}).exit_code, 0);
  }
  ProcResult plain = Cli({"--config", config, "query", "notes", "--selector", R"({"done":false})",
                          "--sort", R"([{"n":"desc"}])"});
  ASSERT_EQ(plain.exit_code, 0) << plain.Describe();
  EXPECT_EQ(plain.out,
            "k4\t{\"done\":false,\"n\":4}\nk2\t{\"done\":false,\"n\":2}\nk0\t{\"done\":false,\"n\":0}\n");

  ProcResult js = Cli({"--config", config, "query", "notes", "--selector", R"({"n":{"$gte":3}})",
                       "--json"});
  ASSERT_EQ(js.exit_code, 0) << js.Describe();
  EXPECT_EQ(json::parse(js.out),
            json::parse(R"([{"key":"k3","data":{"done":true,"n":3},"rev":"","sync_state":"pending"},
                            {"key":"k4","data":{"done":false,"n":4},"rev":"","sync_state":"pending"}])"));
}

TEST_F(CliQueryTest, LimitSkipAndBookmark) {
  const std::string config = WriteConfig();
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(Cli({"--config", config, "put", "notes", "k" + std::to_string(i), "{}"}).exit_code, 0);
  }
  ProcResult first = Cli({"--config", config, "query", "notes", "--limit", "2", "--skip", "1"});
  ASSERT_EQ(first.exit_code, 0) << first.Describe();
  EXPECT_EQ(first.out, "k1\t{}\nk2\t{}\n");
  const std::string marker = "continue with --bookmark ";
  const size_t at = first.err.find(marker);
  ASSERT_NE(at, std::string::npos) << first.err;
  const std::string bookmark = first.err.substr(at + marker.size(),
                                                first.err.find('\n', at) - at - marker.size());
  ProcResult rest = Cli({"--config", config, "query", "notes", "--bookmark", bookmark});
  ASSERT_EQ(rest.exit_code, 0) << rest.Describe();
  EXPECT_EQ(rest.out, "k3\t{}\n");
}

TEST_F(CliQueryTest, BadInputIsExit2NamingWhere) {
  const std::string config = WriteConfig();
  ProcResult op = Cli({"--config", config, "query", "notes", "--selector", R"({"n":{"$in":3}})"});
  EXPECT_EQ(op.exit_code, 2);
  EXPECT_NE(op.err.find("query: selector.n.$in: wrong operand type for $in: expected an array, "
                        "got a number"),
            std::string::npos)
      << op.err;
  ProcResult sort = Cli({"--config", config, "query", "notes", "--sort", R"({"n":1})"});
  EXPECT_EQ(sort.exit_code, 2);
  EXPECT_NE(sort.err.find("argument --sort: expected a JSON array"), std::string::npos) << sort.err;
  ProcResult bookmark = Cli({"--config", config, "query", "notes", "--bookmark", "zz"});
  EXPECT_EQ(bookmark.exit_code, 2);
  EXPECT_NE(bookmark.err.find("bookmark: not a bookmark of this query"), std::string::npos);
  EXPECT_EQ(Cli({"--config", config, "query", "no/pe"}).exit_code, 2);
}

}  // namespace
}  // namespace syncagent::cli::testing
