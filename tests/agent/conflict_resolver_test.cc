#include "agent/conflict_resolver.h"

#include <gtest/gtest.h>

namespace syncagent {
namespace {

using nlohmann::json;

Conflict MakeConflict(const char* base, const char* local, const char* remote,
                      std::string local_hlc = "000000000000002-00000000-a",
                      std::string remote_hlc = "000000000000001-00000000-b") {
  Conflict c;
  c.collection = "notes";
  c.key = "n1";
  if (base) {
    c.base_rev = "3";
    c.base_data = json::parse(base);
  }
  if (local) {
    c.local_data = json::parse(local);
  } else {
    c.local_deleted = true;
  }
  c.local_hlc = std::move(local_hlc);
  c.remote_rev = "4";
  if (remote) {
    c.remote_data = json::parse(remote);
  } else {
    c.remote_deleted = true;
  }
  c.remote_hlc = std::move(remote_hlc);
  return c;
}

ConflictResolver Resolver(ResolutionPolicy p, TieRule tie = TieRule::kServer) {
  return ConflictResolver(p, {}, tie);
}

// A local side that did not change since the base (e.g. a clean copy re-uploaded after the
// server lost its data) never overwrites the server's version, whatever the policy.
TEST(ConflictResolverTest, AnUnchangedLocalSideTakesRemoteUnderEveryPolicyButManual) {
  for (ResolutionPolicy p : {ResolutionPolicy::kServerWins, ResolutionPolicy::kClientWins,
                             ResolutionPolicy::kLastWriterWins, ResolutionPolicy::kMerge}) {
    auto d = Resolver(p).Decide(MakeConflict(R"({"a":1})", R"({"a":1})", R"({"a":3})"));
    EXPECT_EQ(d.kind, ConflictDecision::Kind::kTakeRemote) << ResolutionPolicyName(p);
    EXPECT_EQ(d.policy, "unchanged");
  }
  EXPECT_EQ(Resolver(ResolutionPolicy::kManual)
                .Decide(MakeConflict(R"({"a":1})", R"({"a":1})", R"({"a":3})"))
                .kind,
            ConflictDecision::Kind::kLeaveOpen);
  // A base kept without a version (after a server reset) is still the base of the merge.
  Conflict c = MakeConflict(R"({"a":1,"b":1})", R"({"a":2,"b":1})", R"({"a":1,"b":1})");
  c.base_rev.reset();
  auto merged = Resolver(ResolutionPolicy::kMerge).Decide(c);
  EXPECT_EQ(merged.kind, ConflictDecision::Kind::kWrite);
  EXPECT_EQ(merged.data, json::parse(R"({"a":2,"b":1})"));
}

TEST(ConflictResolverTest, ServerWinsTakesRemote) {
  auto d = Resolver(ResolutionPolicy::kServerWins).Decide(MakeConflict(R"({"a":1})", R"({"a":2})", R"({"a":3})"));
  EXPECT_EQ(d.kind, ConflictDecision::Kind::kTakeRemote);
  EXPECT_EQ(d.policy, "server_wins");
}

TEST(ConflictResolverTest, ClientWinsWritesLocalIncludingDeletes) {
  auto d = Resolver(ResolutionPolicy::kClientWins).Decide(MakeConflict(R"({"a":1})", R"({"a":2})", R"({"a":3})"));
  EXPECT_EQ(d.kind, ConflictDecision::Kind::kWrite);
  EXPECT_FALSE(d.deleted);
  EXPECT_EQ(d.data, json::parse(R"({"a":2})"));
  auto del = Resolver(ResolutionPolicy::kClientWins).Decide(MakeConflict(R"({"a":1})", nullptr, R"({"a":3})"));
  EXPECT_EQ(del.kind, ConflictDecision::Kind::kWrite);
  EXPECT_TRUE(del.deleted);
}

TEST(ConflictResolverTest, LastWriterWinsComparesStampsDeterministically) {
  auto local_newer = MakeConflict(R"({})", R"({"a":"L"})", R"({"a":"R"})",
                                  "000000000000009-00000000-a", "000000000000008-00000005-b");
  EXPECT_EQ(Resolver(ResolutionPolicy::kLastWriterWins).Decide(local_newer).kind,
            ConflictDecision::Kind::kWrite);
  auto remote_newer = MakeConflict(R"({})", R"({"a":"L"})", R"({"a":"R"})",
                                   "000000000000009-00000000-a", "000000000000009-00000001-b");
  EXPECT_EQ(Resolver(ResolutionPolicy::kLastWriterWins).Decide(remote_newer).kind,
            ConflictDecision::Kind::kTakeRemote);
  // Same physical time and counter: the node id breaks the tie, the same way on every replica.
  auto tie = MakeConflict(R"({})", R"({"a":"L"})", R"({"a":"R"})", "000000000000009-00000000-b",
                          "000000000000009-00000000-a");
  EXPECT_EQ(Resolver(ResolutionPolicy::kLastWriterWins).Decide(tie).kind,
            ConflictDecision::Kind::kWrite);
}

TEST(ConflictResolverTest, MergeCombinesFieldsAndReportsTies) {
  auto d = Resolver(ResolutionPolicy::kMerge, TieRule::kClient)
               .Decide(MakeConflict(R"({"a":1,"b":1})", R"({"a":2,"b":5})", R"({"a":1,"b":6,"c":1})"));
  EXPECT_EQ(d.kind, ConflictDecision::Kind::kWrite);
  EXPECT_EQ(d.data, json::parse(R"({"a":2,"b":5,"c":1})"));
  EXPECT_EQ(d.tied_paths, std::vector<std::string>{"/b"});
}

TEST(ConflictResolverTest, MergeEqualToRemoteIsTakeRemote) {
  auto d = Resolver(ResolutionPolicy::kMerge)
               .Decide(MakeConflict(R"({"a":1})", R"({"a":1})", R"({"a":1,"b":2})"));
  EXPECT_EQ(d.kind, ConflictDecision::Kind::kTakeRemote);
}

TEST(ConflictResolverTest, MergeWithoutBaseTreatsBothAsCreates) {
  auto d = Resolver(ResolutionPolicy::kMerge).Decide(MakeConflict(nullptr, R"({"a":1})", R"({"b":2})"));
  EXPECT_EQ(d.kind, ConflictDecision::Kind::kWrite);
  EXPECT_EQ(d.data, json::parse(R"({"a":1,"b":2})"));
}

TEST(ConflictResolverTest, ManualLeavesOpen) {
  auto d = Resolver(ResolutionPolicy::kManual).Decide(MakeConflict(R"({})", R"({"a":1})", R"({"a":2})"));
  EXPECT_EQ(d.kind, ConflictDecision::Kind::kLeaveOpen);
}

TEST(ConflictResolverTest, PerCollectionPolicyOverridesDefault) {
  ConflictResolver r(ResolutionPolicy::kServerWins, {{"drafts", ResolutionPolicy::kClientWins}},
                     TieRule::kServer);
  Conflict c = MakeConflict(R"({})", R"({"a":1})", R"({"a":2})");
  EXPECT_EQ(r.Decide(c).kind, ConflictDecision::Kind::kTakeRemote);
  c.collection = "drafts";
  EXPECT_EQ(r.Decide(c).kind, ConflictDecision::Kind::kWrite);
}

TEST(ConflictResolverTest, CustomResolverSeesAllThreeSidesAndCanDefer) {
  ConflictSides seen;
  ConflictResolver r(ResolutionPolicy::kServerWins, {}, TieRule::kServer,
                     [&seen](const ConflictSides& s) -> StatusOr<CustomResolution> {
                       seen = s;
                       if (s.key == "defer") return CustomResolution{};
                       json sum = {{"n", s.local.data["n"].get<int>() + s.remote.data["n"].get<int>() -
                                             s.base.data["n"].get<int>()}};
                       return CustomResolution{CustomResolution::Kind::kUse, sum};
                     });
  Conflict c = MakeConflict(R"({"n":10})", R"({"n":13})", R"({"n":15})");
  auto d = r.Decide(c);
  EXPECT_EQ(d.kind, ConflictDecision::Kind::kWrite);
  EXPECT_EQ(d.data, json::parse(R"({"n":18})"));
  EXPECT_EQ(d.policy, "custom");
  EXPECT_EQ(seen.base.data["n"], 10);
  EXPECT_EQ(seen.remote.rev, "4");
  c.key = "defer";
  EXPECT_EQ(r.Decide(c).kind, ConflictDecision::Kind::kTakeRemote);
}

TEST(ConflictResolverTest, FailingOrInvalidCustomResolverLeavesConflictOpen) {
  ConflictResolver failing(ResolutionPolicy::kServerWins, {}, TieRule::kServer,
                           [](const ConflictSides&) -> StatusOr<CustomResolution> {
                             return InternalError("app callback threw");
                           });
  auto d = failing.Decide(MakeConflict(R"({})", R"({"a":1})", R"({"a":2})"));
  EXPECT_EQ(d.kind, ConflictDecision::Kind::kLeaveOpen);
  EXPECT_EQ(d.policy, "custom: app callback threw");
  ConflictResolver invalid(ResolutionPolicy::kServerWins, {}, TieRule::kServer,
                           [](const ConflictSides&) -> StatusOr<CustomResolution> {
                             return CustomResolution{CustomResolution::Kind::kUse, json::array()};
                           });
  EXPECT_EQ(invalid.Decide(MakeConflict(R"({})", R"({"a":1})", R"({"a":2})")).kind,
            ConflictDecision::Kind::kLeaveOpen);
}

TEST(ConflictResolverTest, RemoteNeverExistedCountsAsDeleted) {
  Conflict c = MakeConflict(nullptr, R"({"a":1})", nullptr);
  c.remote_rev = "";
  ConflictSides s = SidesOf(c);
  EXPECT_FALSE(s.remote.exists);
  EXPECT_TRUE(s.remote.deleted);
  auto d = Resolver(ResolutionPolicy::kMerge).Decide(c);
  EXPECT_EQ(d.kind, ConflictDecision::Kind::kWrite);
  EXPECT_EQ(d.data, json::parse(R"({"a":1})"));
}

}  // namespace
}  // namespace syncagent
