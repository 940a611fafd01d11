#include "agent/three_way_merge.h"

#include <gtest/gtest.h>

#include <random>

#include "storage/json_merge_patch.h"

namespace syncagent {
namespace {

using nlohmann::json;

MergeSide Doc(const char* text) { return MergeSide{false, json::parse(text)}; }
MergeSide Tombstone() { return MergeSide{true, nullptr}; }

TEST(ThreeWayMergeTest, DisjointFieldEditsBothSurvive) {
  auto out = ThreeWayMerge(Doc(R"({"title":"a","body":"x","n":1})"),
                           Doc(R"({"title":"A","body":"x","n":1})"),
                           Doc(R"({"title":"a","body":"X","n":1,"tag":"new"})"), TieRule::kServer,
                           false);
  EXPECT_FALSE(out.deleted);
  EXPECT_EQ(out.data, json::parse(R"({"title":"A","body":"X","n":1,"tag":"new"})"));
  EXPECT_TRUE(out.tied_paths.empty());
}

TEST(ThreeWayMergeTest, RemovalsAreChanges) {
  auto out = ThreeWayMerge(Doc(R"({"a":1,"b":2,"c":3})"), Doc(R"({"a":1,"c":3})"),
                           Doc(R"({"a":1,"b":2})"), TieRule::kServer, false);
  EXPECT_EQ(out.data, json::parse(R"({"a":1})"));
}

TEST(ThreeWayMergeTest, SameFieldUsesTieRule) {
  auto base = Doc(R"({"title":"a"})");
  auto local = Doc(R"({"title":"L"})");
  auto remote = Doc(R"({"title":"R"})");
  EXPECT_EQ(ThreeWayMerge(base, local, remote, TieRule::kServer, true).data["title"], "R");
  EXPECT_EQ(ThreeWayMerge(base, local, remote, TieRule::kClient, false).data["title"], "L");
  EXPECT_EQ(ThreeWayMerge(base, local, remote, TieRule::kNewer, true).data["title"], "L");
  EXPECT_EQ(ThreeWayMerge(base, local, remote, TieRule::kNewer, false).data["title"], "R");
  EXPECT_EQ(ThreeWayMerge(base, local, remote, TieRule::kServer, true).tied_paths,
            std::vector<std::string>{"/title"});
}

TEST(ThreeWayMergeTest, IdenticalChangesOnBothSidesAreNotTies) {
  auto out = ThreeWayMerge(Doc(R"({"t":"a"})"), Doc(R"({"t":"b"})"), Doc(R"({"t":"b"})"),
                           TieRule::kServer, false);
  EXPECT_EQ(out.data["t"], "b");
  EXPECT_TRUE(out.tied_paths.empty());
}

TEST(ThreeWayMergeTest, NestedObjectsMergeRecursively) {
  auto out = ThreeWayMerge(Doc(R"({"meta":{"x":1,"y":1,"z":{"d":1}}})"),
                           Doc(R"({"meta":{"x":2,"y":1,"z":{"d":5}}})"),
                           Doc(R"({"meta":{"x":1,"y":3,"z":{"d":6}}})"), TieRule::kServer, false);
  EXPECT_EQ(out.data, json::parse(R"({"meta":{"x":2,"y":3,"z":{"d":6}}})"));
  EXPECT_EQ(out.tied_paths, std::vector<std::string>{"/meta/z/d"});
}

TEST(ThreeWayMergeTest, ObjectsAddedOnBothSidesMergeAgainstEmptyBase) {
  auto out = ThreeWayMerge(Doc(R"({})"), Doc(R"({"m":{"a":1}})"), Doc(R"({"m":{"b":2}})"),
                           TieRule::kServer, false);
  EXPECT_EQ(out.data, json::parse(R"({"m":{"a":1,"b":2}})"));
}

TEST(ThreeWayMergeTest, ArraysAreAtomic) {
  auto out = ThreeWayMerge(Doc(R"({"tags":[1]})"), Doc(R"({"tags":[1,2]})"),
                           Doc(R"({"tags":[1,3]})"), TieRule::kClient, false);
  EXPECT_EQ(out.data["tags"], json::parse("[1,2]"));
  EXPECT_EQ(out.tied_paths, std::vector<std::string>{"/tags"});
}

TEST(ThreeWayMergeTest, PathsEscapeSlashAndTilde) {
  auto out = ThreeWayMerge(Doc(R"({"a/b~c":1})"), Doc(R"({"a/b~c":2})"), Doc(R"({"a/b~c":3})"),
                           TieRule::kServer, false);
  EXPECT_EQ(out.tied_paths, std::vector<std::string>{"/a~1b~0c"});
}

TEST(ThreeWayMergeTest, DeleteAgainstUnchangedSideDeletes) {
  auto out = ThreeWayMerge(Doc(R"({"a":1})"), Tombstone(), Doc(R"({"a":1})"), TieRule::kServer,
                           false);
  EXPECT_TRUE(out.deleted);
  EXPECT_TRUE(out.tied_paths.empty());
  auto out2 = ThreeWayMerge(Doc(R"({"a":1})"), Doc(R"({"a":1})"), Tombstone(), TieRule::kClient,
                            false);
  EXPECT_TRUE(out2.deleted);
}

TEST(ThreeWayMergeTest, DeleteAgainstEditIsADocumentLevelTie) {
  auto base = Doc(R"({"a":1})");
  auto edited = Doc(R"({"a":2})");
  auto server_wins = ThreeWayMerge(base, Tombstone(), edited, TieRule::kServer, false);
  EXPECT_FALSE(server_wins.deleted);
  EXPECT_EQ(server_wins.data, json::parse(R"({"a":2})"));
  EXPECT_EQ(server_wins.tied_paths, std::vector<std::string>{""});
  auto client_wins = ThreeWayMerge(base, Tombstone(), edited, TieRule::kClient, false);
  EXPECT_TRUE(client_wins.deleted);
  auto newer_remote = ThreeWayMerge(base, edited, Tombstone(), TieRule::kNewer, false);
  EXPECT_TRUE(newer_remote.deleted);
  EXPECT_TRUE(ThreeWayMerge(base, Tombstone(), Tombstone(), TieRule::kServer, false).deleted);
}

TEST(ThreeWayMergeTest, CreateAgainstAbsentOrDeletedWithoutBaseKeepsTheCreate) {
  auto out = ThreeWayMerge(Tombstone(), Doc(R"({"a":1})"), Tombstone(), TieRule::kServer, false);
  EXPECT_FALSE(out.deleted);
  EXPECT_EQ(out.data, json::parse(R"({"a":1})"));
  EXPECT_TRUE(out.tied_paths.empty());
  auto mirrored = ThreeWayMerge(Tombstone(), Tombstone(), Doc(R"({"b":1})"), TieRule::kClient, false);
  EXPECT_FALSE(mirrored.deleted);
  EXPECT_EQ(mirrored.data, json::parse(R"({"b":1})"));
}

TEST(ThreeWayMergeTest, CreatedOnBothSidesWithoutBase) {
  auto out = ThreeWayMerge(Tombstone(), Doc(R"({"a":1,"b":1})"), Doc(R"({"a":2,"c":1})"),
                           TieRule::kServer, false);
  EXPECT_EQ(out.data, json::parse(R"({"a":2,"b":1,"c":1})"));
}

// Properties over random edits: merging with an unchanged side returns the other side; merge is
// symmetric when the tie rule is symmetric (client/server swapped with the sides); and disjoint
// edits (applied as merge patches on different top-level keys) are both kept.
TEST(ThreeWayMergeTest, RandomisedProperties) {
  std::mt19937 rng(11);
  auto random_object = [&rng](int members) {
    json obj = json::object();
    for (int i = 0; i < members; ++i) {
      std::string key(1, static_cast<char>('a' + rng() % 6));
      if (rng() % 4 == 0) {
        obj[key] = {{"x", static_cast<int>(rng() % 3)}, {"y", static_cast<int>(rng() % 3)}};
      } else {
        obj[key] = static_cast<int>(rng() % 4);
      }
    }
    return obj;
  };
  for (int i = 0; i < 3000; ++i) {
    MergeSide base{false, random_object(4)};
    MergeSide local{false, random_object(4)};
    MergeSide remote{false, random_object(4)};
    EXPECT_EQ(ThreeWayMerge(base, base, remote, TieRule::kClient, true).data, remote.data);
    EXPECT_EQ(ThreeWayMerge(base, local, base, TieRule::kServer, false).data, local.data);
    EXPECT_EQ(ThreeWayMerge(base, local, remote, TieRule::kServer, false).data,
              ThreeWayMerge(base, remote, local, TieRule::kClient, false).data);

    json local_patch = {{"l" + std::to_string(rng() % 3), static_cast<int>(rng() % 5)}};
    json remote_patch = {{"r" + std::to_string(rng() % 3), static_cast<int>(rng() % 5)}};
    MergeSide l2{false, MergePatched(base.data, local_patch)};
    MergeSide r2{false, MergePatched(base.data, remote_patch)};
    auto merged = ThreeWayMerge(base, l2, r2, TieRule::kServer, false);
    EXPECT_EQ(merged.data, MergePatched(MergePatched(base.data, local_patch), remote_patch));
    EXPECT_TRUE(merged.tied_paths.empty());
  }
}

// Regression (found by fuzz/three_way_merge_fuzz's properties): "changed" used nlohmann's ==,
// which rounds an integer to double when comparing it with a float, so a local edit from
// 9007199254740992.0 to 9007199254740993 counted as "unchanged" and the remote edit silently won
// with no tie reported. Numbers now compare by exact value.
TEST(ThreeWayMergeTest, LargeIntegerEditIsAChangeNotRoundedAway) {
  MergeSide base = Doc(R"({"n":9007199254740992.0})");
  MergeSide local = Doc(R"({"n":9007199254740993})");
  MergeSide remote = Doc(R"({"n":9007199254740994})");
  auto out = ThreeWayMerge(base, local, remote, TieRule::kClient, false);
  EXPECT_EQ(out.tied_paths, std::vector<std::string>{"/n"});
  EXPECT_EQ(out.data["n"].get<int64_t>(), 9007199254740993);
  // Remote unchanged (2^53 as an integer equals 2^53.0 exactly): the local edit stands.
  out = ThreeWayMerge(base, local, Doc(R"({"n":9007199254740992})"), TieRule::kServer, false);
  EXPECT_TRUE(out.tied_paths.empty());
  EXPECT_EQ(out.data["n"].get<int64_t>(), 9007199254740993);
  // 1 and 1.0 are the same number: no change.
  out = ThreeWayMerge(Doc(R"({"n":1.0})"), Doc(R"({"n":1})"), Doc(R"({"n":2})"), TieRule::kClient,
                      false);
  EXPECT_TRUE(out.tied_paths.empty());
  EXPECT_EQ(out.data["n"], 2);
}

}  // namespace
}  // namespace syncagent
