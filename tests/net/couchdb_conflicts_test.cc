// Conflicting leaves as pure functions: `_bulk_get` requests and answers, the losing leaves a
// `_changes` page names, contested changes with their rivals and tokens, and whether a
// resolution's base still covers the server's live leaves.
#include "net/couchdb_conflicts.h"

#include <gtest/gtest.h>

namespace syncagent::couchdb {
namespace {

using nlohmann::json;

TEST(CouchdbConflictsTest, EncodesABulkGetOfRevisions) {
  EXPECT_EQ(json::parse(EncodeBulkGet({{"a", "2-x"}, {"b", "3-y"}})),
            json::parse(R"({"docs":[{"id":"a","rev":"2-x"},{"id":"b","rev":"3-y"}]})"));
}

TEST(CouchdbConflictsTest, ReadsTheLiveDocumentsOfABulkGetAnswer) {
  const std::vector<RevisionRef> wanted = {{"a", "2-x"}, {"a", "2-gone"}, {"b", "3-y"},
                                           {"c", "2-dead"}};
  auto found = ParseBulkGet(R"({"results":[
      {"id":"a","docs":[{"ok":{"_id":"a","_rev":"2-x","v":1}}]},
      {"id":"a","docs":[{"missing":"2-gone"}]},
      {"id":"b","docs":[{"error":{"id":"b","rev":"3-y","error":"not_found"}}]},
      {"id":"c","docs":[{"ok":{"_id":"c","_rev":"2-dead","_deleted":true}}]},
      {"id":"d","docs":[{"ok":{"_id":"d","_rev":"1-z","v":9}}]}]})",
                            wanted);
  ASSERT_TRUE(found.ok()) << found.status().message();
  ASSERT_EQ(found->size(), 1u);  // missing, error, tombstone and unasked are left out
  EXPECT_EQ(found->at({"a", "2-x"}).doc.data, json({{"v", 1}}));
  EXPECT_TRUE(found->at({"a", "2-x"}).history.empty());
}

TEST(CouchdbConflictsTest, ReadsARevisionsHistoryNewestFirst) {
  auto found = ParseBulkGet(R"({"results":[{"id":"a","docs":[{"ok":{"_id":"a","_rev":"3-c",
      "_revisions":{"start":3,"ids":["c","b","a"]},"v":1}}]}]})",
                            {{"a", "3-c"}});
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(found->at({"a", "3-c"}).history, (std::vector<std::string>{"3-c", "2-b", "1-a"}));
  auto bad = ParseBulkGet(R"({"results":[{"id":"a","docs":[{"ok":{"_id":"a","_rev":"3-c",
      "_revisions":{"start":1,"ids":["c","b"]}}}]}]})",
                          {{"a", "3-c"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("results[0].docs[0].ok._revisions.ids"),
            std::string::npos)
      << bad.status().message();
}

TEST(CouchdbConflictsTest, AMalformedBulkGetAnswerFailsNamingTheField) {
  const std::vector<RevisionRef> wanted = {{"a", "2-x"}};
  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"rows":[]})", "results"},
           {R"({"results":[{"id":"a","docs":{}}]})", "results[0].docs"},
           {R"({"results":[{"id":"a","docs":[{"what":1}]}]})", "results[0].docs[0]"},
           {R"({"results":[{"id":"a","docs":[{"ok":{"_id":"b","_rev":"2-x"}}]}]})",
            "results[0].docs[0].ok._id"},
           {R"({"results":[{"id":"a","docs":[{"ok":{"_id":"a","_rev":"x"}}]}]})",
            "results[0].docs[0].ok._rev"}}) {
    auto found = ParseBulkGet(body, wanted);
    ASSERT_FALSE(found.ok()) << body;
    EXPECT_NE(found.status().message().find("_bulk_get answer: " + field), std::string::npos)
        << found.status().message();
  }
}

ChangeRow Row(std::string id, std::string rev, std::vector<std::string> conflicts) {
  ChangeRow row;
  row.id = std::move(id);
  row.revs = {rev};
  DocumentParts doc;
  doc.id = row.id;
  doc.rev = std::move(rev);
  doc.data = {{"v", "winner"}};
  doc.conflicts = std::move(conflicts);
  row.doc = std::move(doc);
  return row;
}

RevisionBody Body(std::string id, std::string rev, int v, std::vector<std::string> history = {}) {
  RevisionBody body;
  body.doc.id = std::move(id);
  body.doc.rev = std::move(rev);
  body.doc.data = {{"v", v}};
  body.history = std::move(history);
  return body;
}

TEST(CouchdbConflictsTest, ThePageNamesTheLeavesOfItsContestedDocuments) {
  ChangesPage page;
  page.rows = {Row("a", "2-c", {"2-b", "2-a"}), Row("b", "1-x", {})};
  EXPECT_EQ(LeavesToRead(page),
            (std::vector<RevisionRef>{{"a", "2-c"}, {"a", "2-b"}, {"a", "2-a"}}));
}

TEST(CouchdbConflictsTest, TheCommonAncestorIsTheNewestRevisionEveryLeafDescendsFrom) {
  const RevisionBody w = Body("a", "4-w", 0, {"4-w", "3-p", "2-q", "1-r"});
  const RevisionBody l = Body("a", "3-l", 0, {"3-l", "2-q", "1-r"});
  const RevisionBody m = Body("a", "2-m", 0, {"2-m", "1-r"});
  EXPECT_EQ(CommonAncestor({&w, &l}), "2-q");
  EXPECT_EQ(CommonAncestor({&w, &l, &m}), "1-r");
  const RevisionBody root = Body("a", "1-z", 0, {"1-z"});
  EXPECT_EQ(CommonAncestor({&w, &root}), std::nullopt);  // two roots
  const RevisionBody unknown = Body("a", "2-u", 0);
  EXPECT_EQ(CommonAncestor({&w, &unknown}), std::nullopt);
}

TEST(CouchdbConflictsTest, AContestedChangeHasARivalPerLoserTokensNamingEveryLeafAndItsBase) {
  const ChangeRow row = Row("a", "3-w", {"2-b", "3-c", "2-gone"});
  std::map<RevisionRef, RevisionBody> leaves;
  leaves[{"a", "3-w"}] = Body("a", "3-w", 0, {"3-w", "2-x", "1-r"});
  leaves[{"a", "2-b"}] = Body("a", "2-b", 1, {"2-b", "1-r"});
  leaves[{"a", "3-c"}] = Body("a", "3-c", 2, {"3-c", "2-x", "1-r"});
  ChangesPage page;
  page.rows = {row};
  EXPECT_EQ(AncestorsToRead(page, leaves), (std::vector<RevisionRef>{{"a", "1-r"}}));
  std::map<RevisionRef, RevisionBody> ancestors;
  ancestors[{"a", "1-r"}] = Body("a", "1-r", -1);
  RemoteChange change;
  change.collection = "notes";
  change.key = "a";
  change.rev = "3-w";
  change.data = row.doc->data;
  AddRivals(row, leaves, ancestors, &change);
  EXPECT_EQ(change.rev, "3-w|3-c|2-b");  // a loser that is gone is not named
  ASSERT_EQ(change.rivals.size(), 2u);   // best first
  EXPECT_EQ(change.rivals[0].rev, "3-c|3-w|2-b");
  EXPECT_EQ(change.rivals[0].data, json({{"v", 2}}));
  EXPECT_EQ(change.rivals[0].collection, "notes");
  EXPECT_EQ(change.rivals[0].key, "a");
  EXPECT_EQ(change.rivals[1].rev, "2-b|3-w|3-c");
  EXPECT_EQ(change.rivals[1].data, json({{"v", 1}}));
  EXPECT_EQ(change.ancestor_rev, "1-r");
  EXPECT_EQ(change.ancestor_data, json({{"v", -1}}));
}

TEST(CouchdbConflictsTest, AChangeWhoseLosersOrWinnerWereNotReadStaysPlain) {
  const ChangeRow row = Row("a", "3-w", {"2-l"});
  std::map<RevisionRef, RevisionBody> only_winner;
  only_winner[{"a", "3-w"}] = Body("a", "3-w", 0);
  std::map<RevisionRef, RevisionBody> only_loser;
  only_loser[{"a", "2-l"}] = Body("a", "2-l", 0);
  for (const auto* leaves : {&only_winner, &only_loser}) {
    RemoteChange change;
    change.rev = "3-w";
    AddRivals(row, *leaves, {}, &change);
    EXPECT_EQ(change.rev, "3-w");
    EXPECT_TRUE(change.rivals.empty());
    EXPECT_TRUE(change.ancestor_rev.empty());
  }
}

TEST(CouchdbConflictsTest, ABaseCoversTheLiveLeavesItNames) {
  DocumentState state;
  state.exists = true;
  state.rev = "3-w";
  state.doc = Body("a", "3-w", 0).doc;
  state.doc->conflicts = {"2-b"};
  EXPECT_TRUE(CoversLiveLeaves(ParseLeafToken("2-b|3-w"), state));
  EXPECT_TRUE(CoversLiveLeaves(ParseLeafToken("3-w|2-b|2-old"), state));
  state.doc->conflicts = {"2-b", "2-new"};  // a leaf written since the pull
  EXPECT_FALSE(CoversLiveLeaves(ParseLeafToken("2-b|3-w"), state));
  state.doc->conflicts.clear();
  state.rev = "4-after";  // the winner moved on
  EXPECT_FALSE(CoversLiveLeaves(ParseLeafToken("2-b|3-w"), state));
}

}  // namespace
}  // namespace syncagent::couchdb
