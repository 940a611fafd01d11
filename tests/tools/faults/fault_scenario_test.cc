// Parsing and matching of fault scenarios.
#include "tools/faults/fault_scenario.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tools/faults/fault_injector.h"

namespace syncagent::faults {
namespace {

using nlohmann::json;

TEST(FaultScenarioTest, ParsesEveryKindWithItsParameters) {
  const json scenario = json::parse(R"({"faults": [
    {"match": {"method": "POST", "path": "/v1/push", "nth": 2, "times": 3},
     "action": {"kind": "status", "status": 429, "retry_after": 5, "body": {"x": 1}}},
    {"action": {"kind": "delay", "delay_ms": 250}},
    {"action": {"kind": "close_before_response", "after_processing": true}},
    {"action": {"kind": "reset_mid_body"}},
    {"action": {"kind": "truncated_body"}},
    {"action": {"kind": "malformed_json"}},
    {"action": {"kind": "oversized_body", "bytes": 1048576}},
    {"action": {"kind": "wrong_content_type"}},
    {"action": {"kind": "hang"}},
    {"match": {"path": "/v1/*", "probability": 0.25, "seed": 7},
     "action": {"kind": "drip", "bytes_per_second": 10}}
  ]})");
  StatusOr<std::vector<FaultRule>> rules = ParseFaultScenario(scenario);
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  ASSERT_EQ(rules->size(), 10u);
  const auto& r = *rules;
  EXPECT_EQ(r[0].match.method, "POST");
  EXPECT_EQ(r[0].match.nth, 2);
  EXPECT_EQ(r[0].match.times, 3);
  EXPECT_EQ(r[0].action.status, 429);
  EXPECT_EQ(r[0].action.retry_after, "5");
  EXPECT_EQ(r[0].action.body, json({{"x", 1}}));
  EXPECT_EQ(r[1].match.path, "*");
  EXPECT_EQ(r[1].match.times, 1);
  EXPECT_EQ(r[1].action.delay_ms, 250);
  EXPECT_TRUE(r[2].action.after_processing);
  EXPECT_EQ(r[6].action.bytes, 1048576);
  EXPECT_EQ(r[8].action.kind, FaultKind::kHang);
  EXPECT_EQ(r[8].action.max_ms, 60000);
  EXPECT_EQ(*r[9].match.probability, 0.25);
  EXPECT_EQ(r[9].match.times, -1) << "random mode is unlimited by default";
  EXPECT_EQ(r[9].match.seed, 7u);
  EXPECT_EQ(r[9].action.bytes_per_second, 10);
  // Round trip through the listing form.
  json listed = json::object({{"faults", json::array()}});
  for (const FaultRule& rule : r) listed["faults"].push_back(FaultRuleToJson(rule));
  StatusOr<std::vector<FaultRule>> again = ParseFaultScenario(listed);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  for (size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(FaultRuleToJson((*again)[i]), FaultRuleToJson(r[i]));
  }
}

TEST(FaultScenarioTest, ErrorsNameTheJsonPath) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"([])", "faults"},
      {R"({"faults": {}})", "faults"},
      {R"({"faults": [1]})", "faults[0]"},
      {R"({"faults": [{}]})", "faults[0].action"},
      {R"({"faults": [{"action": {"kind": "boom"}}]})", "faults[0].action.kind"},
      {R"({"faults": [{"action": {"kind": "hang"}}, {"match": {"nth": 0}, "action": {"kind": "hang"}}]})",
       "faults[1].match.nth"},
      {R"({"faults": [{"match": {"times": 0}, "action": {"kind": "hang"}}]})",
       "faults[0].match.times"},
      {R"({"faults": [{"match": {"probability": 1.5}, "action": {"kind": "hang"}}]})",
       "faults[0].match.probability"},
      {R"({"faults": [{"match": {"path": 3}, "action": {"kind": "hang"}}]})",
       "faults[0].match.path"},
      {R"({"faults": [{"action": {"kind": "status", "status": 700}}]})", "faults[0].action.status"},
      {R"({"faults": [{"action": {"kind": "drip", "after_processing": true}}]})",
       "faults[0].action.after_processing"},
      {R"({"faults": [{"action": {"kind": "drip", "bytes_per_second": 0}}]})",
       "faults[0].action.bytes_per_second"},
  };
  for (const auto& [text, path] : cases) {
    StatusOr<std::vector<FaultRule>> rules = ParseFaultScenario(json::parse(text));
    ASSERT_FALSE(rules.ok()) << text;
    EXPECT_EQ(rules.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(rules.status().message().rfind(path + ":", 0), 0u) << rules.status().message();
  }
}

TEST(FaultScenarioTest, LoadsFiles) {
  char pattern[] = "/tmp/syncagent-fault-scenario-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  std::ofstream(dir + "/ok.json") << R"({"faults":[{"action":{"kind":"hang","max_ms":5}}]})";
  std::ofstream(dir + "/bad.json") << "{nope";
  StatusOr<std::vector<FaultRule>> ok = LoadFaultScenarioFile(dir + "/ok.json");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)[0].action.max_ms, 5);
  EXPECT_FALSE(LoadFaultScenarioFile(dir + "/bad.json").ok());
  EXPECT_EQ(LoadFaultScenarioFile(dir + "/none.json").status().code(), StatusCode::kNotFound);
  std::filesystem::remove_all(dir);
}

TEST(FaultScenarioTest, PathPatterns) {
  EXPECT_TRUE(PathMatches("/v1/push", "/v1/push"));
  EXPECT_FALSE(PathMatches("/v1/push", "/v1/pushx"));
  EXPECT_TRUE(PathMatches("/v1/*", "/v1/pull"));
  EXPECT_TRUE(PathMatches("*", "/anything"));
  EXPECT_FALSE(PathMatches("/v2/*", "/v1/pull"));
}

TEST(FaultInjectorTest, FirstFiringRuleWinsAndEveryMatchingRuleCounts) {
  FaultInjector injector;
  injector.Replace(*ParseFaultScenario(json::parse(R"({"faults": [
    {"match": {"method": "GET", "path": "/v1/pull"}, "action": {"kind": "status", "status": 500}},
    {"match": {"path": "*", "times": -1}, "action": {"kind": "status", "status": 502}}
  ]})")));
  EXPECT_EQ(injector.Next("GET", "/v1/pull")->status, 500);
  EXPECT_EQ(injector.Next("GET", "/v1/pull")->status, 502);
  EXPECT_EQ(injector.Next("POST", "/v1/push")->status, 502);
  json listed = injector.ToJson()["faults"];
  EXPECT_EQ(listed[0]["seen"], 2);
  EXPECT_EQ(listed[0]["fired"], 1);
  EXPECT_EQ(listed[1]["seen"], 3);
  EXPECT_EQ(listed[1]["fired"], 2);
  injector.Clear();
  EXPECT_FALSE(injector.Next("GET", "/v1/pull"));
}

TEST(FaultInjectorTest, ProbabilityHonoursTimes) {
  FaultInjector injector;
  injector.Replace(*ParseFaultScenario(json::parse(
      R"({"faults": [{"match": {"probability": 1.0, "times": 2}, "action": {"kind": "hang"}}]})")));
  int fired = 0;
  for (int i = 0; i < 10; ++i) fired += injector.Next("GET", "/x") ? 1 : 0;
  EXPECT_EQ(fired, 2);
}

}  // namespace
}  // namespace syncagent::faults
