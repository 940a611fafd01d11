// POST /v1/push: versions, concurrency, patch semantics, tombstones, exactly-once, validation.
#include <gtest/gtest.h>

#include "tests/mock_server/test_support.h"

namespace syncagent::mock::testing {
namespace {

class PushTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = StartServer();
    client_ = std::make_unique<TestClient>(*server_);
  }

  // Pushes `mutations` and returns the results array (expects 200).
  json PushOk(std::vector<json> mutations, const std::string& batch = "b-1") {
    HttpResult result = client_->Push(PushBody(std::move(mutations), batch), batch);
    EXPECT_EQ(result.status, 200) << result.body;
    EXPECT_EQ(result.Header("Content-Type"), "application/json");
    return result.body_json["results"];
  }
  json One(json mutation) { return PushOk({std::move(mutation)})[0]; }
  std::optional<DocumentState> Doc(const std::string& key, const std::string& c = "notes") {
    return server_->state().Find(c, key);
  }

  std::unique_ptr<MockServer> server_;
  std::unique_ptr<TestClient> client_;
};

TEST_F(PushTest, PutCreatesVersionOneAndEchoesHlc) {
  json r = One(Mutation("m1", "n1", "put", nullptr, {{"title", "a"}}, "notes", "h-1"));
  EXPECT_EQ(r,
            json({{"mutation_id", "m1"}, {"status", "applied"}, {"version", 1}, {"hlc", "h-1"}}));
  ASSERT_TRUE(Doc("n1"));
  EXPECT_EQ(Doc("n1")->data, json({{"title", "a"}}));
  EXPECT_EQ(Doc("n1")->hlc, "h-1");
}

TEST_F(PushTest, PutWithMatchingBaseReplacesDataAndBumpsVersion) {
  One(Mutation("m1", "n1", "put", nullptr, {{"a", 1}, {"b", 2}}));
  json r = One(Mutation("m2", "n1", "put", 1, {{"c", 3}}));
  EXPECT_EQ(r["status"], "applied");
  EXPECT_EQ(r["version"], 2);
  EXPECT_EQ(Doc("n1")->data, json({{"c", 3}}));
}

TEST_F(PushTest, StaleBaseVersionIsAConflictWithTheCurrentDocument) {
  One(Mutation("m1", "n1", "put", nullptr, {{"a", 1}}, "notes", "h1"));
  One(Mutation("m2", "n1", "put", 1, {{"a", 2}}, "notes", "h2"));
  json r = One(Mutation("m3", "n1", "put", 1, {{"a", 3}}));
  EXPECT_EQ(r, json({{"mutation_id", "m3"},
                     {"status", "conflict"},
                     {"current",
                      {{"version", 2}, {"deleted", false}, {"data", {{"a", 2}}}, {"hlc", "h2"}}}}));
  EXPECT_EQ(Doc("n1")->version, 2);
}

TEST_F(PushTest, CreateOverAnExistingDocumentIsAConflict) {
  One(Mutation("m1", "n1", "put", nullptr, {{"a", 1}}));
  json r = One(Mutation("m2", "n1", "put", nullptr, {{"a", 9}}));
  EXPECT_EQ(r["status"], "conflict");
  EXPECT_EQ(r["current"]["version"], 1);
  EXPECT_EQ(r["current"]["data"], json({{"a", 1}}));
}

TEST_F(PushTest, ConflictOnANeverExistingDocumentReportsVersionZeroTombstone) {
  json r = One(Mutation("m1", "ghost", "put", 3, {{"a", 1}}));
  EXPECT_EQ(r["status"], "conflict");
  EXPECT_EQ(r["current"],
            json({{"version", 0}, {"deleted", true}, {"data", nullptr}, {"hlc", nullptr}}));
  EXPECT_FALSE(Doc("ghost"));
}

// The protocol has no `force` (docs/protocol.md §3.1): a mutation that still carries one goes
// through the concurrency check like any other, and the member is not part of its payload.
TEST_F(PushTest, AForceMemberIsAnIgnoredUnknownMember) {
  One(Mutation("m1", "n1", "put", nullptr, {{"a", 1}}));
  One(Mutation("m2", "n1", "put", 1, {{"a", 2}}));
  json forced = Mutation("m3", "n1", "put", 1, {{"a", "mine"}});
  forced["force"] = true;
  json r = One(forced);
  EXPECT_EQ(r["status"], "conflict");
  EXPECT_EQ(r["current"]["version"], 2);
  EXPECT_EQ(Doc("n1")->data, json({{"a", 2}}));
  EXPECT_EQ(One(Mutation("m3", "n1", "put", 1, {{"a", "mine"}})), r);  // a replay, not a reuse
  json not_boolean = Mutation("m4", "n1", "put", 2, {{"a", 3}});
  not_boolean["force"] = "yes";
  EXPECT_EQ(One(not_boolean)["status"], "applied");
}

TEST_F(PushTest, PatchIsAnRfc7396MergePatch) {
  One(Mutation("m1", "n1", "put", nullptr,
               {{"title", "t"}, {"tags", {"x", "y"}}, {"meta", {{"a", 1}, {"b", 2}}}}));
  json r =
      One(Mutation("m2", "n1", "patch", 1,
                   {{"title", nullptr}, {"tags", {"z"}}, {"meta", {{"b", nullptr}, {"c", 3}}}}));
  EXPECT_EQ(r["status"], "applied");
  EXPECT_EQ(r["version"], 2);
  EXPECT_EQ(Doc("n1")->data, json({{"tags", {"z"}}, {"meta", {{"a", 1}, {"c", 3}}}}));
}

TEST_F(PushTest, PatchOnAMissingOrDeletedDocumentConflicts) {
  EXPECT_EQ(One(Mutation("m1", "n1", "patch", nullptr, {{"a", 1}}))["status"], "conflict");
  EXPECT_EQ(One(Mutation("m1b", "n1", "patch", 0, {{"a", 1}}))["status"], "conflict");
  One(Mutation("m2", "n1", "put", nullptr, {{"a", 1}}));
  One(Mutation("m3", "n1", "delete", 1, nullptr));
  json on_tombstone = One(Mutation("m4", "n1", "patch", 2, {{"b", 1}}));
  EXPECT_EQ(on_tombstone["status"], "conflict");
  EXPECT_EQ(on_tombstone["current"]["deleted"], true);
  EXPECT_EQ(on_tombstone["current"]["version"], 2);
}

TEST_F(PushTest, DeleteMakesATombstoneThatKeepsItsVersion) {
  One(Mutation("m1", "n1", "put", nullptr, {{"a", 1}}));
  json r = One(Mutation("m2", "n1", "delete", 1, nullptr, "notes", "h-del"));
  EXPECT_EQ(r,
            json({{"mutation_id", "m2"}, {"status", "applied"}, {"version", 2}, {"hlc", "h-del"}}));
  ASSERT_TRUE(Doc("n1"));
  EXPECT_TRUE(Doc("n1")->deleted);
  EXPECT_EQ(Doc("n1")->version, 2);
  EXPECT_TRUE(Doc("n1")->data.is_null());
  // A stale delete conflicts; a delete without data member is fine.
  json stale = One(Mutation("m3", "n1", "delete", 1, nullptr));
  EXPECT_EQ(stale["status"], "conflict");
}

TEST_F(PushTest, DeleteOfAMissingOrDeletedDocumentIsAppliedWithoutAChange) {
  json never = Mutation("m1", "ghost", "delete", nullptr, nullptr);
  never.erase("data");
  EXPECT_EQ(One(never),
            json({{"mutation_id", "m1"}, {"status", "applied"}, {"version", 0}, {"hlc", nullptr}}));
  EXPECT_FALSE(Doc("ghost"));
  One(Mutation("m2", "n1", "put", nullptr, {{"a", 1}}));
  One(Mutation("m3", "n1", "delete", 1, nullptr, "notes", "h3"));
  const int64_t head = server_->Stats()["head"];
  json again = One(Mutation("m4", "n1", "delete", nullptr, nullptr));
  EXPECT_EQ(again,
            json({{"mutation_id", "m4"}, {"status", "applied"}, {"version", 2}, {"hlc", "h3"}}));
  EXPECT_EQ(server_->Stats()["head"], head) << "no new change";
}

TEST_F(PushTest, PutOverATombstoneRecreatesWithTheNextVersion) {
  One(Mutation("m1", "n1", "put", nullptr, {{"a", 1}}));
  One(Mutation("m2", "n1", "delete", 1, nullptr));
  json r = One(Mutation("m3", "n1", "put", nullptr, {{"b", 1}}));
  EXPECT_EQ(r["status"], "applied");
  EXPECT_EQ(r["version"], 3);
  EXPECT_FALSE(Doc("n1")->deleted);
  // An integer base equal to the tombstone's version matches too.
  One(Mutation("m4", "n2", "put", nullptr, {{"a", 1}}));
  One(Mutation("m5", "n2", "delete", 1, nullptr));
  EXPECT_EQ(One(Mutation("m6", "n2", "put", 2, {{"a", 2}}))["version"], 3);
}

TEST_F(PushTest, MutationsApplyInOrderAndIndependently) {
  json results = PushOk({Mutation("m1", "n1", "put", nullptr, {{"v", 1}}),
                         Mutation("m2", "n1", "put", 7, {{"v", 2}}),      // conflict
                         Mutation("m3", "", "put", nullptr, {{"v", 3}}),  // rejected
                         Mutation("m4", "n1", "patch", 1, {{"w", 4}}),
                         Mutation("m5", "n1", "put", 2, {{"v", 5}})});
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[0]["status"], "applied");
  EXPECT_EQ(results[1]["status"], "conflict");
  EXPECT_EQ(results[2]["status"], "rejected");
  EXPECT_EQ(results[3]["version"], 2);
  EXPECT_EQ(results[4]["version"], 3);
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i]["mutation_id"], "m" + std::to_string(i + 1));
  }
  EXPECT_EQ(Doc("n1")->data, json({{"v", 5}}));
}

TEST_F(PushTest, ReplayReturnsTheOriginalResultsAndAppliesNothing) {
  std::vector<json> batch = {Mutation("m1", "n1", "put", nullptr, {{"a", 1}}),
                             Mutation("m2", "n1", "patch", 1, {{"b", 2}}),
                             Mutation("m3", "n2", "put", 5, {{"c", 3}})};
  json first = PushOk(batch);
  const json stats_before = server_->Stats();
  // Another client changes n2 meanwhile: the replayed conflict still says what it said.
  ASSERT_TRUE(server_->state().AdminPut("notes", "n2", {{"x", 1}}, nullptr).ok());
  json second = PushOk(batch);
  EXPECT_EQ(first, second);
  const json stats = server_->Stats();
  EXPECT_EQ(stats["applied"], json({{"m1", 1}, {"m2", 1}, {"m3", 0}}));
  EXPECT_EQ(stats["replayed"], json({{"m1", 1}, {"m2", 1}, {"m3", 1}}));
  EXPECT_EQ(stats["head"], stats_before["head"].get<int>() + 1);  // only the admin write
  EXPECT_EQ(Doc("n1")->version, 2);
}

TEST_F(PushTest, ReusedIdWithADifferentPayloadFailsTheWholeRequest) {
  One(Mutation("m1", "n1", "put", nullptr, {{"a", 1}}));
  const json before = server_->Stats();
  HttpResult result =
      client_->Push(PushBody({Mutation("m2", "n2", "put", nullptr, {{"fresh", true}}),
                              Mutation("m1", "n1", "put", nullptr, {{"a", "different"}})}),
                    "b-2");
  EXPECT_EQ(result.status, 422);
  EXPECT_EQ(result.body_json["error"]["code"], "mutation_id_reused");
  EXPECT_EQ(result.body_json["error"]["mutation_id"], "m1");
  EXPECT_TRUE(result.body_json["error"]["message"].is_string());
  EXPECT_FALSE(Doc("n2")) << "nothing in the request may be applied";
  EXPECT_EQ(server_->Stats()["head"], before["head"]);
  EXPECT_FALSE(server_->Stats()["applied"].contains("m2"));
}

TEST_F(PushTest, HlcAndSeqAndUnknownMembersDoNotChangeTheCanonicalPayload) {
  json m = Mutation("m1", "n1", "put", nullptr, {{"a", 1}}, "notes", "h1");
  json first = One(m);
  m["hlc"] = "h-other";
  m["seq"] = 99;
  m["future_member"] = {{"x", 1}};
  EXPECT_EQ(One(m), first);
}

TEST_F(PushTest, DuplicateIdsWithinOneRequest) {
  json m = Mutation("m1", "n1", "put", nullptr, {{"a", 1}});
  json results = PushOk({m, m});
  EXPECT_EQ(results[0], results[1]);
  EXPECT_EQ(server_->Stats()["applied"]["m1"], 1);
  json other = Mutation("m9", "n9", "put", nullptr, {{"a", 1}});
  json changed = other;
  changed["data"] = {{"a", 2}};
  HttpResult result = client_->Push(PushBody({other, changed}), "b-3");
  EXPECT_EQ(result.status, 422);
  EXPECT_FALSE(Doc("n9"));
}

TEST_F(PushTest, InvalidMutationsAreRejectedNamingTheField) {
  struct Case {
    std::function<void(json&)> spoil;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](json& m) { m.erase("mutation_id"); }, "mutation_id"},
      {[](json& m) { m["mutation_id"] = 17; }, "mutation_id"},
      {[](json& m) { m["mutation_id"] = ""; }, "mutation_id"},
      {[](json& m) { m["collection"] = "bad/name"; }, "collection"},
      {[](json& m) { m["collection"] = std::string(65, 'c'); }, "collection"},
      {[](json& m) { m.erase("collection"); }, "collection"},
      {[](json& m) { m["key"] = ""; }, "key"},
      {[](json& m) { m["key"] = std::string(513, 'k'); }, "key"},
      {[](json& m) { m["key"] = "tab\there"; }, "key"},
      {[](json& m) { m["key"] = "del\x7f"; }, "key"},
      {[](json& m) { m["key"] = std::string("nul\0", 4); }, "key"},
      {[](json& m) { m["op"] = "upsert"; }, "op"},
      {[](json& m) { m["data"] = json::array({1}); }, "data"},
      {[](json& m) { m["data"] = nullptr; }, "data"},
      {[](json& m) {
         m["op"] = "delete";
         m["data"] = json::object();
       },
       "data"},
      {[](json& m) { m["base_version"] = "3"; }, "base_version"},
      {[](json& m) { m["base_version"] = 1.5; }, "base_version"},
      {[](json& m) { m["base_version"] = -1; }, "base_version"},
      {[](json& m) { m["hlc"] = 12; }, "hlc"},
  };
  std::vector<json> batch;
  for (size_t i = 0; i < cases.size(); ++i) {
    json m =
        Mutation("bad-" + std::to_string(i), "k" + std::to_string(i), "put", nullptr, {{"a", 1}});
    cases[i].spoil(m);
    batch.push_back(m);
  }
  batch.push_back(Mutation("good", "ok", "put", nullptr, {{"a", 1}}));
  json results = PushOk(batch);
  ASSERT_EQ(results.size(), cases.size() + 1);
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i) + " (" + cases[i].field + ")");
    EXPECT_EQ(results[i]["status"], "rejected");
    EXPECT_EQ(results[i]["code"], "invalid_mutation");
    EXPECT_EQ(results[i]["message"].get<std::string>().rfind(cases[i].field + ":", 0), 0u)
        << results[i]["message"];
  }
  EXPECT_EQ(results[0]["mutation_id"], nullptr);
  EXPECT_EQ(results[1]["mutation_id"], 17);
  EXPECT_EQ(results.back()["status"], "applied");
  EXPECT_EQ(server_->Stats()["documents"], 1);
}

TEST_F(PushTest, KeysMayBeAnyUtf8WithoutControlCharacters) {
  // Only C0 controls and DEL are excluded (as in the client's storage validation).
  const std::string key = "caf\xc3\xa9/\xf0\x9f\x98\x80 with spaces \xc2\x85";
  EXPECT_EQ(One(Mutation("m1", key, "put", nullptr, {{"a", 1}}))["status"], "applied");
  EXPECT_EQ(One(Mutation("m2", std::string(512, 'k'), "put", nullptr, {{"a", 1}}))["status"],
            "applied");
  EXPECT_EQ(One(Mutation("m3", "k", "put", nullptr, {{"a", 1}}, "A-z_0.9"))["status"], "applied");
}

TEST_F(PushTest, MissingIdempotencyKeyIs400) {
  HttpResult result = client_->Push(PushBody({Mutation("m1", "n1", "put", nullptr, {{"a", 1}})}),
                                    /*idempotency_key=*/"");
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(result.body_json["error"]["code"], "missing_idempotency_key");
  EXPECT_FALSE(Doc("n1"));
}

TEST_F(PushTest, EnvelopeErrorsAre400InvalidRequest) {
  std::vector<json> too_many;
  for (int i = 0; i < 1001; ++i) {
    too_many.push_back(Mutation("m" + std::to_string(i), "k", "put", nullptr, {{"a", 1}}));
  }
  const std::vector<std::string> bodies = {"not json", "[]", R"({"mutations": {}})",
                                           R"({"client_id": "c"})", PushBody(too_many).dump()};
  for (const std::string& body : bodies) {
    HttpResult result = client_->Send("POST", "/v1/push", body, {{"Idempotency-Key", "b"}});
    EXPECT_EQ(result.status, 400) << body.substr(0, 40);
    EXPECT_EQ(result.body_json["error"]["code"], "invalid_request");
    EXPECT_TRUE(result.body_json["error"]["message"].is_string());
  }
  EXPECT_EQ(server_->Stats()["documents"], 0);
  std::vector<json> exactly_1000(too_many.begin(), too_many.begin() + 1000);
  EXPECT_EQ(client_->Push(PushBody(exactly_1000)).status, 200);
}

TEST(PushLimitTest, BodyOverTheLimitIs413) {
  MockServerOptions options;
  options.max_body_bytes = 2048;
  auto server = StartServer(options);
  TestClient client(*server);
  std::vector<json> batch;
  for (int i = 0; i < 40; ++i) {
    batch.push_back(Mutation("m" + std::to_string(i), "k" + std::to_string(i), "put", nullptr,
                             {{"text", std::string(40, 'x')}}));
  }
  HttpResult result = client.Push(PushBody(batch));
  EXPECT_EQ(result.status, 413);
  EXPECT_EQ(result.body_json["error"]["code"], "payload_too_large");
  EXPECT_EQ(server->Stats()["documents"], 0);
  batch.resize(5);  // halved a few times, it fits
  EXPECT_EQ(client.Push(PushBody(batch), "b-2").status, 200);
}

}  // namespace
}  // namespace syncagent::mock::testing
