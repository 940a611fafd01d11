// The CouchDB codec: ids, bodies, _changes pages, _bulk_docs answers and _revs_diff, with every
// malformed answer refused whole and named. The well-formed answers are shaped as PouchDB Server
// sent them (docs/couchdb.md).
#include "net/couchdb_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace syncagent::couchdb {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr const char* kRevA = "1-f5c38f451682dcca637e06ff2641b44e";
constexpr const char* kRevB = "2-6290e7a2a61622cdf39102cfb06c8221";

// The message of a failed StatusOr, or "" when it succeeded.
template <typename T>
std::string ErrorOf(const StatusOr<T>& result) {
  return result.ok() ? "" : result.status().message();
}

TEST(CouchdbIdsTest, KeysAreDocumentIdsExceptReservedOnes) {
  EXPECT_EQ(*DocumentIdOf("n1"), "n1");
  EXPECT_EQ(*DocumentIdOf("a/b c"), "a/b c");
  EXPECT_EQ(DocumentIdOf("_x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(DocumentIdOf("_design/v").status().message(),
              HasSubstr("key \"_design/v\": a CouchDB document id cannot start with '_'"));
  EXPECT_THAT(DocumentIdOf("").status().message(), HasSubstr("cannot be empty"));
  EXPECT_EQ(ClassifyId("n1"), IdKind::kData);
  EXPECT_EQ(ClassifyId("_design/v"), IdKind::kDesign);
  EXPECT_EQ(ClassifyId("_local/ck"), IdKind::kLocal);
  EXPECT_EQ(ClassifyId("_users"), IdKind::kReserved);
  EXPECT_EQ(ClassifyId("x_design/v"), IdKind::kData);
}

TEST(CouchdbBodyTest, LocalWritesWithUnderscoreFieldsAreRefusedNamingTheField) {
  EXPECT_TRUE(CheckWritableData(json{{"title", "x"}, {"a_b", 1}, {"nested", {{"_ok", 1}}}}).ok());
  const Status refused = CheckWritableData(json{{"title", "x"}, {"_rev", "1-a"}});
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(), HasSubstr("field \"_rev\": a document synced with CouchDB cannot "
                                           "have top-level fields whose names start with '_'"));
  EXPECT_THAT(CheckWritableData(json::array()).message(), HasSubstr("expected a JSON object"));
}

TEST(CouchdbBodyTest, SplitStripsCouchMembersAndKeepsAttachmentStubsAside) {
  const json doc = json::parse(R"({"x":2,"_id":"m","_rev":"4-29fbd93d6c1e341d862d160ce04e6792",
    "_attachments":{"f.txt":{"content_type":"text/plain","digest":"md5-XUFAKrxLKna5cZ2REBfFkg==",
    "length":5,"revpos":4,"stub":true}},"_conflicts":["4-00"]})");
  auto parts = SplitDocument(doc, "test", "doc");
  ASSERT_TRUE(parts.ok()) << ErrorOf(parts);
  EXPECT_EQ(parts->id, "m");
  EXPECT_EQ(parts->rev, "4-29fbd93d6c1e341d862d160ce04e6792");
  EXPECT_FALSE(parts->deleted);
  EXPECT_EQ(parts->data, json({{"x", 2}}));
  EXPECT_EQ(parts->attachments["f.txt"]["stub"], true);
  EXPECT_EQ(parts->conflicts, std::vector<std::string>{"4-00"});

  auto tombstone = SplitDocument(json{{"_id", "c"}, {"_rev", kRevB}, {"_deleted", true}}, "t", "d");
  ASSERT_TRUE(tombstone.ok());
  EXPECT_TRUE(tombstone->deleted);
  EXPECT_TRUE(tombstone->data.is_null());
}

TEST(CouchdbBodyTest, SplitMovingTheDataGivesTheSamePartsAndLeavesTheCouchMembers) {
  const json doc = {{"x", {{"y", {1, "two"}}}}, {"_id", "m"}, {"_rev", kRevA}, {"z", "s"},
                    {"_conflicts", {kRevB}}};
  auto copied = SplitDocument(doc, "test", "doc");
  json source = doc;
  auto moved = SplitDocument(std::move(source), "test", "doc");
  ASSERT_TRUE(copied.ok() && moved.ok()) << ErrorOf(moved);
  EXPECT_EQ(moved->data, copied->data);
  EXPECT_EQ(moved->data, json({{"x", {{"y", {1, "two"}}}}, {"z", "s"}}));
  EXPECT_EQ(moved->id, copied->id);
  EXPECT_EQ(moved->rev, copied->rev);
  EXPECT_EQ(moved->conflicts, copied->conflicts);
  // What errors quote is still there; the data members' values were taken.
  EXPECT_EQ(source["_id"], "m");
  EXPECT_EQ(source["_rev"], kRevA);
  EXPECT_TRUE(source["x"].is_null());
}

TEST(CouchdbBodyTest, SplitRefusesMalformedDocumentsNamingTheField) {
  EXPECT_EQ(ErrorOf(SplitDocument(json::array(), "answer", "doc")),
            "answer: doc: expected an object, got an array");
  EXPECT_EQ(ErrorOf(SplitDocument(json{{"_rev", kRevA}}, "answer", "doc")),
            "answer: doc._id: expected a non-empty string, got nothing (missing)");
  EXPECT_EQ(ErrorOf(SplitDocument(json{{"_id", "a"}, {"_rev", "bogus"}}, "answer", "doc")),
            "answer: doc._rev: expected a revision (N-hash), got a string \"bogus\"");
  EXPECT_EQ(
      ErrorOf(SplitDocument(json{{"_id", "a"}, {"_rev", kRevA}, {"_deleted", 1}}, "answer", "d")),
      "answer: d._deleted: expected a boolean, got 1");
  EXPECT_EQ(ErrorOf(SplitDocument(json{{"_id", "a"}, {"_rev", kRevA}, {"_attachments", 3}},
                                  "answer", "d")),
            "answer: d._attachments: expected an object, got 3");
  EXPECT_EQ(ErrorOf(SplitDocument(json{{"_id", "a"}, {"_rev", kRevA}, {"_conflicts", {"x"}}},
                                  "answer", "d")),
            "answer: d._conflicts[0]: expected a revision (N-hash), got a string \"x\"");
}

TEST(CouchdbBodyTest, BuildBodyAddsTheIdAndKeepsStubs) {
  const json stubs = {{"f.txt", {{"stub", true}, {"digest", "md5-x"}}}};
  EXPECT_EQ(BuildBody("n1", json{{"t", 1}}, nullptr, false), json({{"_id", "n1"}, {"t", 1}}));
  EXPECT_EQ(BuildBody("n1", json{{"t", 1}}, stubs, false),
            json({{"_id", "n1"}, {"t", 1}, {"_attachments", stubs}}));
  EXPECT_EQ(BuildBody("n1", json{{"t", 1}}, stubs, true),
            json({{"_id", "n1"}, {"_deleted", true}}));
}

TEST(CouchdbChangesTest, ReadsAPouchDbServerPage) {
  const std::string body = std::string(R"({"results":[
    {"id":"a","changes":[{"rev":")") + kRevA + R"("}],"doc":{"title":"x","_id":"a","_rev":")" +
                           kRevA + R"("},"seq":1},
    {"id":"_design/v","changes":[{"rev":"1-f29e2afedf72456c6127ecbc3041c9d9"}],"seq":6},
    {"id":"c","changes":[{"rev":")" + kRevB + R"("}],"doc":{"_id":"c","_rev":")" + kRevB +
                           R"(","_deleted":true},"deleted":true,"seq":7}],"last_seq":7})";
  auto page = ParseChanges(body);
  ASSERT_TRUE(page.ok()) << ErrorOf(page);
  EXPECT_EQ(page->last_seq, "7");
  EXPECT_EQ(page->skipped, 1);
  ASSERT_EQ(page->rows.size(), 2u);
  EXPECT_EQ(page->rows[0].id, "a");
  EXPECT_EQ(page->rows[0].seq, "1");
  EXPECT_EQ(page->rows[0].doc->data, json({{"title", "x"}}));
  EXPECT_TRUE(page->rows[1].deleted);

  auto changes = ToRemoteChanges("notes", *page);
  ASSERT_TRUE(changes.ok()) << ErrorOf(changes);
  ASSERT_EQ(changes->size(), 2u);
  EXPECT_EQ((*changes)[0].collection, "notes");
  EXPECT_EQ((*changes)[0].key, "a");
  EXPECT_EQ((*changes)[0].rev, kRevA);
  EXPECT_EQ((*changes)[0].data_text, R"({"title":"x"})");
  EXPECT_TRUE((*changes)[0].data.is_null());
  EXPECT_TRUE((*changes)[1].deleted);
  EXPECT_EQ((*changes)[1].rev, kRevB);
  EXPECT_TRUE((*changes)[1].data.is_null());
}

TEST(CouchdbChangesTest, KeepsAStringLastSeqAsItsJsonText) {
  auto page = ParseChanges(R"({"results":[],"last_seq":"3-g1AAAAB"})");
  ASSERT_TRUE(page.ok()) << ErrorOf(page);
  EXPECT_EQ(page->last_seq, "\"3-g1AAAAB\"");
  EXPECT_EQ(*SinceValue(page->last_seq), "3-g1AAAAB");
  EXPECT_EQ(*SinceValue("42"), "42");
  EXPECT_EQ(*SinceValue(""), "0");
  EXPECT_EQ(SinceValue("[1]").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SinceValue("-1").status().code(), StatusCode::kInvalidArgument);
}

TEST(CouchdbChangesTest, ADocumentPastTheDepthLimitCostsOnlyItself) {
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += R"({"d":)";
  deep += "1";
  for (int i = 0; i < 40; ++i) deep += "}";
  const std::string body = std::string(R"({"results":[{"id":"deep","changes":[{"rev":")") +
                           kRevA + R"("}],"doc":{"_id":"deep","_rev":")" + kRevA +
                           R"(","v":)" + deep + R"(},"seq":1},{"id":"ok","changes":[{"rev":")" +
                           kRevA + R"("}],"doc":{"_id":"ok","_rev":")" + kRevA +
                           R"("},"seq":2}],"last_seq":2})";
  auto page = ParseChanges(body);
  ASSERT_TRUE(page.ok()) << ErrorOf(page);
  ASSERT_EQ(page->rows.size(), 2u);
  EXPECT_THAT(page->rows[0].unusable, HasSubstr("nested deeper than 32 levels"));
  auto changes = ToRemoteChanges("n", *page);
  ASSERT_TRUE(changes.ok());
  EXPECT_FALSE((*changes)[0].unusable.empty());
  EXPECT_EQ((*changes)[0].rev, kRevA);
  EXPECT_TRUE((*changes)[1].unusable.empty());
}

TEST(CouchdbChangesTest, EveryMalformedPageIsRefusedWholeAndNamed) {
  const std::string a = kRevA;
  const std::pair<std::string, std::string> cases[] = {
      {"not json", "_changes answer: body is not valid JSON (8 bytes; truncated or malformed)"},
      {"[]", "_changes answer: (root): expected an object, got an array"},
      {R"({"last_seq":1})", "_changes answer: results: expected an array, got nothing (missing)"},
      {R"({"results":[]})",
       "_changes answer: last_seq: expected an integer >= 0 or a non-empty string, got nothing "
       "(missing)"},
      {R"({"results":[],"last_seq":-1})",
       "_changes answer: last_seq: expected an integer >= 0 or a non-empty string, got -1"},
      {R"({"results":[],"last_seq":{}})",
       "_changes answer: last_seq: expected an integer >= 0 or a non-empty string, got an object"},
      {R"({"results":[7],"last_seq":1})",
       "_changes answer: results[0]: expected an object, got 7"},
      {R"({"results":[{"id":7}],"last_seq":1})",
       "_changes answer: results[0].id: expected a non-empty string, got 7"},
      {R"({"results":[{"id":"a","changes":[],"seq":1}],"last_seq":1})",
       "_changes answer: results[0].changes: expected a non-empty array, got an array"},
      {R"({"results":[{"id":"a","changes":[{"rev":"x"}],"seq":1}],"last_seq":1})",
       "_changes answer: results[0].changes[0].rev: expected a revision (N-hash), got a string "
       "\"x\""},
      {R"({"results":[{"id":"a","changes":[{"rev":")" + a + R"("}]}],"last_seq":1})",
       "_changes answer: results[0].seq: expected an integer >= 0 or a non-empty string, got "
       "nothing (missing)"},
      {R"({"results":[{"id":"a","changes":[{"rev":")" + a + R"("}],"seq":1,"deleted":"no"}],)"
       R"("last_seq":1})",
       "_changes answer: results[0].deleted: expected a boolean, got a string \"no\""},
      {R"({"results":[{"id":"a","changes":[{"rev":")" + a + R"("}],"seq":1,"doc":{"_id":"b",)"
       R"("_rev":")" + a + R"("}}],"last_seq":1})",
       "_changes answer: results[0].doc._id: expected \"a\", got a string \"b\""},
      {R"({"results":[{"id":"a","changes":[{"rev":")" + a + R"("}],"seq":1,"doc":{"_id":"a",)"
       R"("_rev":"2-zz"}}],"last_seq":1})",
       "_changes answer: results[0].doc._rev: expected one of the row's changes, got a string "
       "\"2-zz\""},
      {R"({"results":[{"id":"a","changes":[{"rev":")" + a + R"("}],"seq":1,"deleted":true,)"
       R"("doc":{"_id":"a","_rev":")" + a + R"("}}],"last_seq":1})",
       "_changes answer: results[0].doc._deleted: expected true, as the row is deleted, got "
       "nothing (missing)"},
      // A malformed _design/ row is not skipped silently: the page is refused.
      {R"({"results":[{"id":"_design/v","changes":"x","seq":1}],"last_seq":1})",
       "_changes answer: results[0].changes: expected a non-empty array, got a string \"x\""},
  };
  for (const auto& [body, expected] : cases) {
    SCOPED_TRACE(body);
    EXPECT_EQ(ErrorOf(ParseChanges(body)), expected);
    EXPECT_EQ(ParseChanges(body).status().retry_class(), RetryClass::kTransient);
  }
}

TEST(CouchdbChangesTest, ARowWithoutItsDocIsAnErrorUnlessDeleted) {
  const std::string body = std::string(R"({"results":[{"id":"a","changes":[{"rev":")") + kRevA +
                           R"("}],"seq":1}],"last_seq":1})";
  auto page = ParseChanges(body);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(ErrorOf(ToRemoteChanges("n", *page)),
            "_changes answer: the row of \"a\" has no doc (the page was not asked with "
            "include_docs)");
}

TEST(CouchdbChangesTest, AnOversizedAnswerIsRefused) {
  CodecLimits limits;
  limits.max_body_bytes = 16;
  auto page = ParseChanges(R"({"results":[],"last_seq":12345678})", limits);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kResourceExhausted);
}

TEST(CouchdbChangesTest, PeekCountsTheRowsAndReadsTheLastSeqWithoutParsing) {
  auto pouch = couchdb::PeekChanges(
      R"({"results":[{"id":"a","changes":[{"rev":"1-x"}],"doc":{"_id":"a","n":[1,{"b":2}]},"seq":1},)"
      R"({"id":"_design/v","changes":[{"rev":"1-y"}],"seq":2}],"last_seq":2})");
  ASSERT_TRUE(pouch.has_value());
  EXPECT_EQ(pouch->rows, 2);  // design rows count: the page's size is what the server sent
  EXPECT_EQ(pouch->last_seq, "2");
  // CouchDB 3: a string sequence, `pending` after it, whitespace anywhere.
  auto couch = couchdb::PeekChanges(
      " {\n \"results\" : [ {\"seq\":\"1-g\",\"id\":\"a\",\"changes\":[]} ] ,\n"
      " \"last_seq\" : \"1-g1AAAA\" , \"pending\" : 0 }\n");
  ASSERT_TRUE(couch.has_value());
  EXPECT_EQ(couch->rows, 1);
  EXPECT_EQ(couch->last_seq, "\"1-g1AAAA\"");
  auto empty = couchdb::PeekChanges(R"({"results":[],"last_seq":7})");
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->rows, 0);
  EXPECT_EQ(empty->last_seq, "7");
  // The members may come in any order.
  auto reversed = couchdb::PeekChanges(R"({"last_seq":3,"results":[{"id":"a"},{"id":"b"}]})");
  ASSERT_TRUE(reversed.has_value());
  EXPECT_EQ(reversed->rows, 2);
  EXPECT_EQ(reversed->last_seq, "3");
}

TEST(CouchdbChangesTest, PeekIsNotFooledByWhatDocumentsSay) {
  // Member names, commas, brackets and escaped quotes inside documents are the documents' own.
  auto page = couchdb::PeekChanges(
      R"({"results":[{"id":"a","doc":{"last_seq":99,"results":[1,2,3],)"
      R"("t":"x\",\"last_seq\":5,]}{","u":"\\"},"seq":1}],"last_seq":1})");
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->rows, 1);
  EXPECT_EQ(page->last_seq, "1");
}

TEST(CouchdbChangesTest, PeekGivesNothingForWhatIsNotAChangesPage) {
  for (const char* text : {
           "",                                           // nothing
           "[]",                                         // not an object
           R"({"results":[{"id":"a"}]})",                // no last_seq
           R"({"last_seq":1})",                          // no results
           R"({"results":[],"last_seq":1,"last_seq":2})",  // twice
           R"({"results":[],"results":[],"last_seq":1})",
           R"({"results":[{"id":"a"}],"last_seq":tru})",  // not JSON
           R"({"results":[{"id":"a"}],"last_seq":1)",     // never closed
           R"({"results":[{"id":"a}],"last_seq":1})",     // a string never closed
           R"({"results":[]]],"last_seq":1})",            // closes too much
       }) {
    EXPECT_FALSE(couchdb::PeekChanges(text).has_value()) << text;
  }
}

TEST(CouchdbAllDocsTest, ReadsLiveDeletedAndMissingDocuments) {
  // As PouchDB Server answered POST /notes/_all_docs?include_docs=true {"keys":["a","c","zz"]}.
  const std::string body = std::string(R"({"offset":0,"total_rows":1,"rows":[
    {"id":"a","key":"a","value":{"rev":")") + kRevA + R"("},"doc":{"v":1,"_id":"a","_rev":")" +
                           kRevA + R"("}},
    {"id":"c","key":"c","value":{"rev":")" + kRevB + R"(","deleted":true},"doc":null},
    {"key":"zz","error":"not_found"}]})";
  auto states = ParseAllDocs(body, {"a", "c", "zz"});
  ASSERT_TRUE(states.ok()) << ErrorOf(states);
  ASSERT_EQ(states->size(), 3u);
  EXPECT_TRUE((*states)[0].exists);
  EXPECT_EQ((*states)[0].rev, kRevA);
  EXPECT_EQ((*states)[0].doc->data, json({{"v", 1}}));
  EXPECT_TRUE((*states)[1].deleted);
  EXPECT_FALSE((*states)[2].exists);

  const RemoteChange live = ToRemoteChange("notes", "a", (*states)[0]);
  EXPECT_EQ(live.rev, kRevA);
  EXPECT_EQ(live.data, json({{"v", 1}}));
  const RemoteChange tombstone = ToRemoteChange("notes", "c", (*states)[1]);
  EXPECT_TRUE(tombstone.deleted);
  EXPECT_EQ(tombstone.rev, kRevB);
  const RemoteChange never = ToRemoteChange("notes", "zz", (*states)[2]);
  EXPECT_TRUE(never.never_existed());
  EXPECT_EQ(never.key, "zz");
}

TEST(CouchdbAllDocsTest, EveryMalformedAnswerIsRefusedWholeAndNamed) {
  const std::string a = kRevA;
  const std::pair<std::string, std::string> cases[] = {
      {"[]", "_all_docs answer: (root): expected an object, got an array"},
      {R"({"rows":[]})", "_all_docs answer: rows: expected an array of 1 rows, got an array"},
      {R"({"rows":[{"key":"b","error":"not_found"}]})",
       "_all_docs answer: rows[0].key: expected \"a\", got a string \"b\""},
      {R"({"rows":[{"key":"a","error":"boom"}]})",
       "_all_docs answer: rows[0].error: expected \"not_found\", got a string \"boom\""},
      {R"({"rows":[{"key":"a","value":1}]})",
       "_all_docs answer: rows[0].value: expected an object, got 1"},
      {R"({"rows":[{"key":"a","value":{"rev":"z"}}]})",
       "_all_docs answer: rows[0].value.rev: expected a revision (N-hash), got a string \"z\""},
      {R"({"rows":[{"key":"a","value":{"rev":")" + a + R"("},"doc":{"_id":"a","_rev":"9-f"}}]})",
       "_all_docs answer: rows[0].doc: expected the live document \"a\" at " + a +
           ", got an object"},
  };
  for (const auto& [body, expected] : cases) {
    SCOPED_TRACE(body);
    EXPECT_EQ(ErrorOf(ParseAllDocs(body, {"a"})), expected);
  }
}

TEST(CouchdbBulkDocsTest, ReadsPerDocumentSuccessesAndConflicts) {
  auto entries = ParseBulkDocs(
      std::string(R"([{"id":"a","error":"conflict","reason":"Document update conflict"},)") +
          R"({"ok":true,"id":"c","rev":")" + kRevA + R"("}])",
      {"a", "c"}, /*new_edits=*/true);
  ASSERT_TRUE(entries.ok()) << ErrorOf(entries);
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_FALSE((*entries)[0]->ok);
  EXPECT_EQ((*entries)[0]->error, "conflict");
  EXPECT_EQ((*entries)[0]->reason, "Document update conflict");
  EXPECT_TRUE((*entries)[1]->ok);
  EXPECT_EQ((*entries)[1]->rev, kRevA);
}

TEST(CouchdbBulkDocsTest, ReplicatedWritesAnswerOnlyForRefusedDocuments) {
  auto none = ParseBulkDocs("[]", {"a", "b"}, /*new_edits=*/false);
  ASSERT_TRUE(none.ok()) << ErrorOf(none);
  EXPECT_EQ(none->size(), 2u);
  EXPECT_FALSE((*none)[0].has_value());
  EXPECT_FALSE((*none)[1].has_value());
  auto one = ParseBulkDocs(
      R"([{"id":"b","error":"unauthorized","reason":"You are not\nauthorized"}])", {"a", "b"},
      false);
  ASSERT_TRUE(one.ok()) << ErrorOf(one);
  EXPECT_FALSE((*one)[0].has_value());
  EXPECT_EQ((*one)[1]->error, "unauthorized");
  EXPECT_EQ((*one)[1]->reason, "You are not?authorized");  // made safe for a log line
}

TEST(CouchdbBulkDocsTest, EveryMalformedAnswerIsRefusedWholeAndNamed) {
  const std::string a = kRevA;
  struct Case {
    std::string body;
    bool new_edits;
    std::string expected;
  };
  const Case cases[] = {
      {"{}", true, "_bulk_docs answer: (root): expected an array of 2 entries, got an object"},
      {R"([{"ok":true,"id":"a","rev":")" + a + R"("}])", true,
       "_bulk_docs answer: (root): expected an array of 2 entries, got an array"},
      {R"([{"ok":true,"id":"b","rev":")" + a + R"("},{"ok":true,"id":"a","rev":")" + a + R"("}])",
       true, "_bulk_docs answer: [0].id: expected \"a\", got a string \"b\""},
      {R"([{"ok":true,"id":"a"},{"ok":true,"id":"b","rev":")" + a + R"("}])", true,
       "_bulk_docs answer: [0].rev: expected a non-empty string, got nothing (missing)"},
      {R"([{"id":"a"},{"ok":true,"id":"b","rev":")" + a + R"("}])", true,
       "_bulk_docs answer: [0].ok: expected true (or an error member), got nothing (missing)"},
      {R"([{"id":"a","error":5},{"ok":true,"id":"b","rev":")" + a + R"("}])", true,
       "_bulk_docs answer: [0].error: expected a non-empty string, got 5"},
      {R"(["x",{"ok":true,"id":"b","rev":")" + a + R"("}])", true,
       "_bulk_docs answer: [0]: expected an object, got a string \"x\""},
      {R"([{"id":"zz","error":"conflict"}])", false,
       "_bulk_docs answer: [0].id: expected an id sent once and answered once, got a string "
       "\"zz\""},
      {R"([{"id":"a","error":"conflict"},{"id":"a","error":"conflict"}])", false,
       "_bulk_docs answer: [1].id: expected an id sent once and answered once, got a string "
       "\"a\""},
      {"[", false, "_bulk_docs answer: body is not valid JSON (1 bytes; truncated or malformed)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    EXPECT_EQ(ErrorOf(ParseBulkDocs(c.body, {"a", "b"}, c.new_edits)), c.expected);
  }
}

TEST(CouchdbRevsDiffTest, EncodesAndReadsWhatIsMissing) {
  const std::map<std::string, std::vector<std::string>> asked = {{"a", {kRevA, "2-def"}},
                                                                 {"b", {kRevB}}};
  EXPECT_EQ(json::parse(EncodeRevsDiff(asked)),
            json({{"a", {kRevA, "2-def"}}, {"b", {kRevB}}}));
  auto missing = ParseRevsDiff(R"({"a":{"missing":["2-def"]}})", asked);
  ASSERT_TRUE(missing.ok()) << ErrorOf(missing);
  EXPECT_EQ(*missing, (std::map<std::string, std::vector<std::string>>{{"a", {"2-def"}}}));
  auto nothing = ParseRevsDiff("{}", asked);
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->empty());
}

TEST(CouchdbRevsDiffTest, EveryMalformedAnswerIsRefusedWholeAndNamed) {
  const std::map<std::string, std::vector<std::string>> asked = {{"a", {"2-def"}}};
  const std::pair<std::string, std::string> cases[] = {
      {"[]", "_revs_diff answer: (root): expected an object, got an array"},
      {R"({"zz":{"missing":["2-def"]}})", "_revs_diff answer: \"zz\": an id that was not asked"},
      {R"({"a":{}})", "_revs_diff answer: \"a\".missing: expected an array, got nothing (missing)"},
      {R"({"a":{"missing":["9-zzz"]}})",
       "_revs_diff answer: \"a\".missing[0]: expected a revision that was asked, got a string "
       "\"9-zzz\""},
      {R"({"a":{"missing":[1]}})",
       "_revs_diff answer: \"a\".missing[0]: expected a revision that was asked, got 1"},
  };
  for (const auto& [body, expected] : cases) {
    SCOPED_TRACE(body);
    EXPECT_EQ(ErrorOf(ParseRevsDiff(body, asked)), expected);
  }
}

}  // namespace
}  // namespace syncagent::couchdb
