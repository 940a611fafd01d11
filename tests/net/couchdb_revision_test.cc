// CouchDB revision ids: parsing, ordering, the winning leaf, and the deterministic revision ids of
// the agent's own writes. The expected hashes were computed outside the code under test, with
// `printf '<canonical text>' | md5sum`.
#include "net/couchdb_revision.h"

#include <gtest/gtest.h>

namespace syncagent::couchdb {
namespace {

using nlohmann::json;

TEST(CouchdbRevisionTest, ParsesGenerationAndHash) {
  auto rev = ParseRevision("12-917fa2381192822767f010b95b45325b");
  ASSERT_TRUE(rev.has_value());
  EXPECT_EQ(rev->generation, 12u);
  EXPECT_EQ(rev->hash, "917fa2381192822767f010b95b45325b");
}

TEST(CouchdbRevisionTest, RefusesWhatIsNotARevision) {
  for (const char* text : {"", "3", "3-", "-abc", "03-abc", "x-abc", "1.5-abc", "+1-abc",
                           "1234567890123456789-abc", "2-a b", "2-a\x01", "2-a|3-b"}) {
    EXPECT_FALSE(ParseRevision(text).has_value()) << text;
  }
  // The _local/ documents' revisions ("0-1") have generation 0: not a document revision.
  EXPECT_FALSE(ParseRevision("0-1").has_value());
}

TEST(CouchdbRevisionTest, OrdersByGenerationAndCallsSameGenerationDiverged) {
  EXPECT_EQ(CompareRevisions("2-aa", "2-aa"), RevisionOrder::kSame);
  EXPECT_EQ(CompareRevisions("2-aa", "3-00"), RevisionOrder::kRemoteNewer);
  EXPECT_EQ(CompareRevisions("10-aa", "9-ff"), RevisionOrder::kLocalNewer);  // not text order
  EXPECT_EQ(CompareRevisions("2-aa", "2-ab"), RevisionOrder::kDiverged);
  // A token of another protocol (a store written by syncagent/1) is comparable only to itself.
  EXPECT_EQ(CompareRevisions("3", "4-aa"), RevisionOrder::kDiverged);
  EXPECT_EQ(CompareRevisions("3", "3"), RevisionOrder::kSame);
}

TEST(CouchdbRevisionTest, TheWinnerIsTheHigherGenerationThenTheGreaterHash) {
  auto rev = [](const char* text) { return *ParseRevision(text); };
  EXPECT_GT(CompareForWinner(rev("2-abd"), rev("2-abc")), 0);  // measured on PouchDB Server
  EXPECT_LT(CompareForWinner(rev("2-ffff"), rev("3-0000")), 0);
  EXPECT_EQ(CompareForWinner(rev("4-ab"), rev("4-ab")), 0);
  EXPECT_GT(CompareForWinner(rev("10-0"), rev("9-f")), 0);
}

TEST(CouchdbRevisionTest, Md5IsTheStandardDigest) {
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");  // RFC 1321's test suite
  EXPECT_EQ(Md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
}

TEST(CouchdbRevisionTest, NextRevisionHashesTheParentAndTheCanonicalBody) {
  // "syncagent-rev/1\n" + "" + "\n" + {"_id":"n1","title":"hello"}
  auto first = NextRevision("", json{{"title", "hello"}, {"_id", "n1"}});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, "1-3002e1ee698d67a7f89f43b4fbbd8aef");
  // Keys are sorted whatever order they were built in; the generation follows the parent's.
  auto second = NextRevision("1-967a00dff5e02add41819138abb3284d",
                             json::parse(R"({"title":"hi","b":[1,2],"_id":"n1"})"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, "2-133e0b4e0b1fef8a90fabc9ec3dffc28");
  auto tombstone = NextRevision("2-abc", json{{"_id", "n1"}, {"_deleted", true}});
  ASSERT_TRUE(tombstone.ok());
  EXPECT_EQ(*tombstone, "3-039769953e4bb7b9a9213513e8ae019c");
}

TEST(CouchdbRevisionTest, NextRevisionIsTheSameForTheSameWriteOnly) {
  const json body = {{"_id", "k"}, {"v", 1}};
  EXPECT_EQ(*NextRevision("3-aa", body), *NextRevision("3-aa", body));
  EXPECT_NE(*NextRevision("3-aa", body), *NextRevision("3-ab", body));
  EXPECT_NE(*NextRevision("3-aa", body), *NextRevision("3-aa", json{{"_id", "k"}, {"v", 2}}));
}

TEST(CouchdbRevisionTest, NextRevisionOfTextIsNextRevisionOfTheBodyItSerialises) {
  const json body = json::parse(R"({"title":"hi","b":[1,2],"_id":"n1"})");
  auto of_text = NextRevisionOfText("1-967a00dff5e02add41819138abb3284d", body.dump());
  ASSERT_TRUE(of_text.ok());
  EXPECT_EQ(*of_text, "2-133e0b4e0b1fef8a90fabc9ec3dffc28");  // as above, from the tree
  EXPECT_EQ(*NextRevisionOfText("", R"({"_id":"n1","title":"hello"})"),
            "1-3002e1ee698d67a7f89f43b4fbbd8aef");
  auto bad_parent = NextRevisionOfText("seven", "{}");
  ASSERT_FALSE(bad_parent.ok());
  EXPECT_NE(bad_parent.status().message().find("\"seven\""), std::string::npos);
}

TEST(CouchdbRevisionTest, NextRevisionRefusesABadParentOrBody) {
  auto bad_parent = NextRevision("seven", json{{"_id", "k"}});
  ASSERT_FALSE(bad_parent.ok());
  EXPECT_EQ(bad_parent.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_parent.status().message().find("\"seven\""), std::string::npos);
  auto bad_body = NextRevision("", json{{"_id", "k"}, {"v", std::string("\xff\xfe")}});
  ASSERT_FALSE(bad_body.ok());
  EXPECT_NE(bad_body.status().message().find("cannot be serialised"), std::string::npos);
  EXPECT_FALSE(CanonicalText(json{{"v", std::string("\xff")}}).ok());
  EXPECT_EQ(*CanonicalText(json{{"b", 1}, {"a", 2}}), R"({"a":2,"b":1})");
}

TEST(CouchdbRevisionTest, RevisionsFieldPlacesTheWriteUnderItsParent) {
  EXPECT_EQ(RevisionsField("3-cc", "2-bb"), json::parse(R"({"start":3,"ids":["cc","bb"]})"));
  EXPECT_EQ(RevisionsField("1-aa", ""), json::parse(R"({"start":1,"ids":["aa"]})"));
  // A parent that is not the generation just below is not claimed as the parent.
  EXPECT_EQ(RevisionsField("5-ee", "2-bb"), json::parse(R"({"start":5,"ids":["ee"]})"));
}

TEST(CouchdbRevisionTest, LeafTokensNameTheLeafWrittenOnAndTheOnesSuperseded) {
  EXPECT_EQ(EncodeLeafToken("3-c", {"3-b", "2-a"}), "3-c|3-b|2-a");
  const LeafToken token = ParseLeafToken("3-c|3-b|2-a");
  EXPECT_EQ(token.on, "3-c");
  EXPECT_EQ(token.others, (std::vector<std::string>{"3-b", "2-a"}));
  const LeafToken plain = ParseLeafToken("3-c");
  EXPECT_EQ(plain.on, "3-c");
  EXPECT_TRUE(plain.others.empty());
  // Anything else is one opaque token, never split.
  for (const char* text : {"", "3-c|", "|3-c", "3-c||2-a", "3-c|x"}) {
    EXPECT_EQ(ParseLeafToken(text).on, text) << text;
    EXPECT_TRUE(ParseLeafToken(text).others.empty()) << text;
  }
}

TEST(CouchdbRevisionTest, TokensAreOrderedByTheLeafTheyGoOn) {
  EXPECT_EQ(CompareRevisions("2-b", "2-b|2-c"), RevisionOrder::kSame);
  EXPECT_EQ(CompareRevisions("2-b|2-c", "2-b"), RevisionOrder::kSame);
  EXPECT_EQ(CompareRevisions("2-b", "2-c|2-b"), RevisionOrder::kDiverged);
  EXPECT_EQ(CompareRevisions("2-c|2-b", "3-d"), RevisionOrder::kRemoteNewer);
  EXPECT_EQ(CompareRevisions("3-d", "2-c|2-b"), RevisionOrder::kLocalNewer);
}

TEST(CouchdbRevisionTest, ATombstoneRevisionIsTheDeleteOfThatLeaf) {
  const json body = {{"_id", "n1"}, {"_deleted", true}};
  EXPECT_EQ(*TombstoneRevision("2-abc", "n1"), *NextRevision("2-abc", body));
  EXPECT_EQ(TombstoneRevision("2-abc", "n1")->substr(0, 2), "3-");
  EXPECT_NE(*TombstoneRevision("2-abc", "n1"), *TombstoneRevision("2-abd", "n1"));
}

}  // namespace
}  // namespace syncagent::couchdb
