// `syncagent simulate ios|android`: the built binary on a temp config. The expected numbers follow
// from the model (tools/simulators/sim_report.h) and WorkManager's timing, whatever the seed draws:
// these tests need no real-time margin (the simulation runs on a virtual clock).
#include <cstdio>
#include <filesystem>

#include "tests/cli/cli_test_support.h"
#include "tests/tools/simulators/xml_check.h"

namespace syncagent::cli::testing {
namespace {

class CliSimulateTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    // WriteConfig's schedule: time_budget_seconds 20; here an hourly interval.
    config_ = WriteConfig("agent", {{"schedule", {{"minimum_interval_minutes", 60}}}});
  }

  json SimulateJson(std::vector<std::string> args, EnvChanges env = {}) {
    args.insert(args.begin(), {"--config", config_, "simulate"});
    args.push_back("--json");
    ProcResult r = Cli(args, std::move(env));
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    EXPECT_EQ(r.err, "");
    return json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  }

  void ExpectUsageError(const std::vector<std::string>& flags, const std::string& needle) {
    std::vector<std::string> args = {"--config", config_, "simulate"};
    args.insert(args.end(), flags.begin(), flags.end());
    ProcResult r = Cli(args);
    std::string name;
    for (const auto& a : flags) name += a + " ";
    EXPECT_EQ(r.exit_code, 2) << name << r.Describe();
    ASSERT_EQ(r.ErrLines().size(), 1u) << name << r.Describe();
    EXPECT_EQ(r.ErrLines()[0].rfind("syncagent: simulate", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << name << r.err;
    EXPECT_EQ(r.out, "") << name;
  }

  std::string config_;
};

// Android, hourly, one day, seed 7: the first period is eligible at once (flex = interval); every
// later one exactly 60 min after the previous run ended; the system starts each within its
// 1-minute dispatch delay. A run takes 2-20 s (the 20 s budget), so starts are 60 min 2 s to
// 61 min 20 s apart: exactly 24 runs fit in the day (the 24th starts by 23:32, a 25th would start
// after 24:00).
TEST_F(CliSimulateTest, AndroidHourlyDayJson) {
  const json out = SimulateJson({"android", "--days", "1", "--seed", "7"});
  ASSERT_TRUE(out.is_object()) << out;
  ASSERT_EQ(out.size(), 2u);
  const json& runs = out["runs"];
  const json& summary = out["summary"];
  ASSERT_EQ(runs.size(), 24u) << out.dump(2);
  EXPECT_EQ(runs[0]["requested_ms"], 0);
  EXPECT_LE(runs[0]["started_ms"].get<int64_t>(), 60'000);
  for (size_t k = 0; k < runs.size(); ++k) {
    const json& run = runs[k];
    EXPECT_EQ(run["index"], k + 1);
    EXPECT_EQ(run["attempt"], 1);
    EXPECT_EQ(run["os_result"], "success");
    EXPECT_TRUE(run["result"] == "ok" || run["result"] == "cut") << run;
    EXPECT_EQ(run["deferred_by"], "");
    const int64_t started = run["started_ms"], requested = run["requested_ms"];
    EXPECT_GE(started - requested, 0);
    EXPECT_LE(started - requested, 60'000);
    EXPECT_GE(run["duration_ms"].get<int64_t>(), 2'000);
    EXPECT_LE(run["duration_ms"].get<int64_t>(), 20'000);
    if (k > 0) {
      const json& previous = runs[k - 1];
      EXPECT_EQ(requested, previous["started_ms"].get<int64_t>() +
                               previous["duration_ms"].get<int64_t>() + 3'600'000)
          << k;
    }
  }
  EXPECT_EQ(summary["platform"], "android");
  EXPECT_EQ(summary["days"], 1);
  EXPECT_EQ(summary["seed"], 7);
  EXPECT_EQ(summary["interval_ms"], 3'600'000);
  EXPECT_EQ(summary["budget_ms"], 20'000);
  EXPECT_EQ(summary["runs"], 24);
  EXPECT_EQ(summary["ok"].get<int>() + summary["cut_by_budget"].get<int>(), 24);
  EXPECT_EQ(summary["offline"], 0);
  EXPECT_EQ(summary["skipped_by_constraints"], 0);
  EXPECT_GE(summary["mean_interval_ms"].get<int64_t>(), 3'602'000);
  EXPECT_LE(summary["max_interval_ms"].get<int64_t>(), 3'680'000);
  EXPECT_TRUE(summary["force_quit_at_ms"].is_null());

  // The same seed gives the same answer; another seed other dispatch delays.
  EXPECT_EQ(SimulateJson({"android", "--days", "1", "--seed", "7"}), out);
  EXPECT_NE(SimulateJson({"android", "--days", "1", "--seed", "8"})["runs"], runs);
}

TEST_F(CliSimulateTest, IosNeverRunsAfterAForceQuit) {
  const json out = SimulateJson({"ios", "--days", "3", "--force-quit-at", "2:06:00"});
  const int64_t quit_ms = int64_t{30} * 3'600'000;
  EXPECT_EQ(out["summary"]["force_quit_at_ms"], quit_ms);
  ASSERT_GT(out["runs"].size(), 0u);
  for (const json& run : out["runs"]) EXPECT_LT(run["started_ms"].get<int64_t>(), quit_ms) << run;
  EXPECT_GE(out["summary"]["longest_without_success_ms"].get<int64_t>(),
            int64_t{72} * 3'600'000 - quit_ms);
}

TEST_F(CliSimulateTest, SvgIsWellFormedWithOneMarkPerRun) {
  const std::string svg_path = dir_ + "/week.svg";
  const json out = SimulateJson({"ios", "--days", "7", "--offline", "01:00-06:00", "--charging",
                                 "22:00-07:00", "--svg", svg_path});
  const auto doc = testing_xml::ParseXml(ReadFile(svg_path));
  ASSERT_TRUE(doc.ok()) << doc.error;
  EXPECT_GT(out["runs"].size(), 20u);
  EXPECT_EQ(doc.CountClassPrefix("run "), static_cast<int>(out["runs"].size()));
  EXPECT_EQ(doc.CountClassPrefix("offline"), 7);
  EXPECT_EQ(doc.CountClassPrefix("charging"), 14);
  // The offline nights held runs back, and none started inside one.
  EXPECT_GT(out["summary"]["skipped_by_constraints"].get<int>(), 0);
  for (const json& run : out["runs"]) {
    const int64_t minute = run["started_ms"].get<int64_t>() / 60'000 % 1440;
    EXPECT_FALSE(minute >= 60 && minute < 360) << run;
  }
}

TEST_F(CliSimulateTest, PlainOutputListsRunsAndTheSummary) {
  ProcResult r = Cli({"--config", config_, "simulate", "android", "--days", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out.rfind("syncagent simulate android: 2 days, interval 1 h, budget 20.0 s", 0),
            0u)
      << r.out;
  for (const char* line : {"summary:", "  runs  ", "  mean interval  ", "  max interval  ",
                           "  longest without a successful sync  ", "  runs cut by the budget  ",
                           "  runs skipped by constraints  "}) {
    EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;
  }
  EXPECT_NE(r.out.find("   1  day 1 00:00:00 "), std::string::npos) << r.out;
}

TEST_F(CliSimulateTest, BadFlagsExit2NamingTheFlagAndValue) {
  ExpectUsageError({"wp"}, "unknown platform \"wp\"");
  ExpectUsageError({}, "platform is required");
  ExpectUsageError({"ios", "--days", "0"}, "--days: \"0\"");
  ExpectUsageError({"ios", "--days", "61"}, "--days: \"61\" is not a whole number in 1..60");
  ExpectUsageError({"ios", "--days", "two"}, "--days: \"two\"");
  ExpectUsageError({"ios", "--offline", "25:00-03:00"}, "--offline: \"25:00-03:00\" is not HH:MM");
  ExpectUsageError({"ios", "--offline", "01:00-02:00", "--offline", "3-4"}, "--offline: \"3-4\"");
  ExpectUsageError({"android", "--charging", "07:00"}, "--charging: \"07:00\"");
  ExpectUsageError({"android", "--charging", "07:00-07:00"}, "--charging: \"07:00-07:00\" is empty");
  ExpectUsageError({"ios", "--force-quit-at", "1:25:00"}, "--force-quit-at: \"1:25:00\"");
  ExpectUsageError({"ios", "--days", "3", "--force-quit-at", "4:00:00"},
                   "--force-quit-at: \"4:00:00\" is after the last simulated day");
  ExpectUsageError({"ios", "--seed", "-1"}, "--seed: \"-1\"");
  ExpectUsageError({"ios", "--server", "ftp://x"}, "--server: \"ftp://x\" is not a URL");
  ExpectUsageError({"ios", "--server", "http://example.com"},
                   "--server: \"http://example.com\": plain http only to a loopback mock server");
  const std::string unwritable = dir_ + "/no-such-dir/timeline.svg";
  ExpectUsageError({"ios", "--svg", unwritable}, "--svg: cannot write \"" + unwritable + "\"");
  EXPECT_FALSE(std::filesystem::exists(unwritable));
}

// --server: each run is a real sync against the in-process mock server, with a temporary store.
// The schedule is AndroidHourlyDayJson's (HTTP takes no virtual time), so again 24 runs.
TEST_F(CliSimulateTest, ServerRunsRealSyncs) {
  const json out = SimulateJson(
      {"android", "--days", "1", "--seed", "7", "--server", server_->base_url()}, TokenEnv());
  ASSERT_EQ(out["runs"].size(), 24u) << out.dump(2);
  for (const json& run : out["runs"]) {
    EXPECT_EQ(run["result"], "ok") << run;
    EXPECT_EQ(run["reason"].get<std::string>().rfind("done:", 0), 0u) << run;
  }
  EXPECT_EQ(out["summary"]["ok"], 24);
  EXPECT_GE(server_->requests().total(), 24u);  // at least one pull per run
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/agent.db")) << "the config's store is not used";
}

// A server failing every request: every run fails; a periodic wake that failed because of the
// server reports success to the OS and keeps its slot (agent/retry_plan.h, rule 1), so the
// schedule is the same 24 hourly runs.
TEST_F(CliSimulateTest, ServerFailuresAreFailedRunsThatKeepTheirSlot) {
  SetFaults({{"faults", {{{"match", {{"path", "/v1/*"}, {"times", -1}}},
                          {"action", {{"kind", "status"}, {"status", 500}}}}}}});
  const json out = SimulateJson(
      {"android", "--days", "1", "--seed", "7", "--server", server_->base_url()}, TokenEnv());
  ASSERT_EQ(out["runs"].size(), 24u) << out.dump(2);
  for (const json& run : out["runs"]) {
    EXPECT_EQ(run["result"], "failed") << run;
    EXPECT_EQ(run["os_result"], "success") << run;
  }
  EXPECT_EQ(out["summary"]["failed"], 24);
  EXPECT_EQ(out["summary"]["ok"], 0);
  EXPECT_EQ(out["summary"]["longest_without_success_ms"], int64_t{24} * 3'600'000);
}

TEST_F(CliSimulateTest, BadFlagsAreReportedBeforeTheConfigIsRead) {
  ProcResult r = RunCli({"--config", dir_ + "/missing.json", "simulate", "ios", "--days", "99"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find("--days: \"99\""), std::string::npos) << r.err;
}

}  // namespace
}  // namespace syncagent::cli::testing
