// `syncagent import` (agent/cli/import_command.cc): documents from a JSON Lines file, 1,000 per
// transaction; a bad line names its number and nothing of its batch is stored.
#include "common/json_limits.h"
#include "tests/cli/cli_test_support.h"

namespace syncagent::cli::testing {
namespace {

using CliImportTest = CliTest;

std::string Lines(int from, int to) {
  std::string text;
  for (int i = from; i < to; ++i) {
    text += "{\"key\":\"k" + std::to_string(i) + "\",\"data\":{\"i\":" + std::to_string(i) + "}}\n";
  }
  return text;
}

TEST_F(CliImportTest, ImportsEveryLineAsAQueuedPut) {
  const std::string config = WriteConfig();
  const std::string file = dir_ + "/docs.jsonl";
  WriteFile(file, Lines(0, 2500) + "\n");
  ProcResult imported = Cli({"--config", config, "import", "notes", file});
  ASSERT_EQ(imported.exit_code, 0) << imported.Describe();
  EXPECT_NE(imported.err.find("2500 documents from " + file + " in 3 transactions"),
            std::string::npos)
      << imported.err;
  ProcResult got = Cli({"--config", config, "get", "--meta", "notes", "k2499"});
  ASSERT_EQ(got.exit_code, 0) << got.Describe();
  EXPECT_EQ(json::parse(got.out)["data"], json({{"i", 2499}}));
  EXPECT_EQ(json::parse(got.out)["sync_state"], "pending");
}

TEST_F(CliImportTest, ABadLineNamesItsNumberAndKeepsItsBatchOut) {
  const std::string config = WriteConfig();
  const std::string file = dir_ + "/bad.jsonl";
  WriteFile(file, Lines(0, 1500) + "{\"key\":\"x\",\"data\":[1]}\n" + Lines(1500, 1600));
  ProcResult imported = Cli({"--config", config, "import", "notes", file});
  EXPECT_EQ(imported.exit_code, 2) << imported.Describe();
  EXPECT_NE(imported.err.find("line 1501: data: expected a JSON object; nothing from line 1001 on "
                              "was stored (1000 documents before it were)"),
            std::string::npos)
      << imported.err;
  EXPECT_EQ(Cli({"--config", config, "get", "notes", "k999"}).exit_code, 0);
  EXPECT_EQ(Cli({"--config", config, "get", "notes", "k1000"}).exit_code, 1);  // same batch
}

TEST_F(CliImportTest, AWriteTheStoreRefusesWhileTheNextBatchIsReadStopsThere) {
  // Line 1001 opens the second batch and is over the document size limit: the store refuses
  // that batch while the third one is being read ahead; nothing from line 1001 on is stored.
  const std::string config = WriteConfig();
  const std::string file = dir_ + "/big.jsonl";
  const std::string big = "{\"key\":\"big\",\"data\":{\"x\":\"" +
                          std::string(static_cast<size_t>(kMaxDocumentBytes), 'x') + "\"}}\n";
  WriteFile(file, Lines(0, 1000) + big + Lines(1001, 3500));
  ProcResult imported = Cli({"--config", config, "import", "notes", file});
  EXPECT_EQ(imported.exit_code, 2) << imported.Describe();
  EXPECT_NE(imported.err.find("line 1001: "), std::string::npos) << imported.err;
  EXPECT_NE(imported.err.find("nothing from line 1001 on was stored (1000 documents before it "
                              "were)"),
            std::string::npos)
      << imported.err;
  EXPECT_EQ(Cli({"--config", config, "get", "notes", "k999"}).exit_code, 0);
  EXPECT_EQ(Cli({"--config", config, "get", "notes", "k1001"}).exit_code, 1);
  EXPECT_EQ(Cli({"--config", config, "get", "notes", "k2500"}).exit_code, 1);
}

TEST_F(CliImportTest, LinesTheStoreRefusesAreNamedToo) {
  const std::string config = WriteConfig();
  const std::string file = dir_ + "/keys.jsonl";
  WriteFile(file, Lines(0, 3) + "{\"key\":\"\",\"data\":{}}\n");
  ProcResult empty_key = Cli({"--config", config, "import", "notes", file});
  EXPECT_EQ(empty_key.exit_code, 2);
  EXPECT_NE(empty_key.err.find("line 4: "), std::string::npos) << empty_key.err;
  WriteFile(file, "{\"key\":\"a\",\"data\":{},\"extra\":1}\n");
  ProcResult extra = Cli({"--config", config, "import", "notes", file});
  EXPECT_EQ(extra.exit_code, 2);
  EXPECT_NE(extra.err.find("line 1: expected {\"key\": STRING, \"data\": OBJECT}"),
            std::string::npos)
      << extra.err;
  ProcResult missing = Cli({"--config", config, "import", "notes", dir_ + "/nope.jsonl"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace syncagent::cli::testing
