// CouchdbRemote::Push against a real PouchDB Server (tests/net/couchdb_remote_fixture.h):
// deterministic revisions, replays and lost answers, conflicts, deletes, refused documents,
// attachments kept by an edit, and the resolution of a contested document.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "net/couchdb_revision.h"
#include "tests/net/couchdb_remote_fixture.h"
#include "tools/fault_proxy/fault_proxy.h"

namespace syncagent::couch_remote_testing {
namespace {

using ::testing::HasSubstr;

TEST_F(CouchdbRemoteTest, APutBecomesTheRevisionTheAgentComputed) {
  auto remote = NewRemote();
  auto answers = remote->Push({Put("n1", {{"title", "hello"}})}, call_);
  ASSERT_TRUE(answers.ok()) << answers.status().message();
  ASSERT_EQ(answers->size(), 1u);
  EXPECT_EQ((*answers)[0].kind, PushAnswer::Kind::kApplied);
  const std::string expected = *couchdb::NextRevision("", json{{"_id", "n1"}, {"title", "hello"}});
  EXPECT_EQ((*answers)[0].ack.server_rev, expected);
  const json doc = Raw("GET", "/notes/n1");
  EXPECT_EQ(doc["_rev"], expected);
  EXPECT_EQ(doc["title"], "hello");
}

TEST_F(CouchdbRemoteTest, ABodyLargeEnoughToBeSentGzippedIsTaken) {
  // The transport gzips request bodies over 4096 bytes (Content-Encoding: gzip).
  const std::string text(20000, 'x');
  auto remote = NewRemote();
  auto answers = remote->Push({Put("big", {{"text", text}})}, call_);
  ASSERT_TRUE(answers.ok()) << answers.status().message();
  EXPECT_EQ((*answers)[0].kind, PushAnswer::Kind::kApplied);
  EXPECT_EQ(Raw("GET", "/notes/big")["text"], text);
  EXPECT_LT(remote->stats().bytes_up, 20000) << "the body went compressed";
}

TEST_F(CouchdbRemoteTest, AReplayAfterALostAnswerMakesNoSecondRevision) {
  auto remote = NewRemote();
  const Mutation put = Put("n1", {{"v", 1}});
  auto first = remote->Push({put}, call_);
  ASSERT_TRUE(first.ok()) << first.status().message();
  const json before = Raw("GET", "/notes");
  auto replay = remote->Push({put}, call_);
  ASSERT_TRUE(replay.ok()) << replay.status().message();
  EXPECT_EQ((*replay)[0].kind, PushAnswer::Kind::kApplied);
  EXPECT_EQ((*replay)[0].ack.server_rev, (*first)[0].ack.server_rev);
  EXPECT_EQ(Raw("GET", "/notes")["update_seq"], before["update_seq"]);
  const json leaves = Raw("GET", "/notes/_changes?style=all_docs");
  EXPECT_EQ(leaves["results"][0]["changes"].size(), 1u);
}

TEST_F(CouchdbRemoteTest, OnlyABatchSentBeforeAsksWhichRevisionsTheServerHas) {
  ASSERT_TRUE(NewRemote()->Push({Put("seed", {{"v", 0}})}, call_).ok());  // creates the database
  auto remote = NewRemote();
  auto created = remote->Push({Put("n1", {{"v", 1}})}, call_);
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ(remote->stats().requests, 1) << "a new root on a first attempt: _bulk_docs only";
  const std::string rev1 = (*created)[0].ack.server_rev;

  Mutation edit = Put("n1", {{"v", 2}}, rev1);
  auto edit_remote = NewRemote();
  auto edited = edit_remote->Push({edit}, call_);
  ASSERT_TRUE(edited.ok()) << edited.status().message();
  EXPECT_EQ(edit_remote->stats().requests, 2) << "an edit: _all_docs and _bulk_docs";
  const std::string rev2 = (*edited)[0].ack.server_rev;
  // Someone writes on top before the (lost) answer is replayed.
  const json on_top = Raw("PUT", "/notes/n1", json{{"_rev", rev2}, {"v", 3}}.dump());
  ASSERT_EQ(on_top["ok"], true) << on_top.dump();

  edit.attempts = 1;  // sent before: its revision may be on the server
  auto replayed_remote = NewRemote();
  auto replay = replayed_remote->Push({edit}, call_);
  ASSERT_TRUE(replay.ok()) << replay.status().message();
  EXPECT_EQ(replayed_remote->stats().requests, 1) << "_revs_diff found it: nothing else to do";
  EXPECT_EQ((*replay)[0].kind, PushAnswer::Kind::kApplied);
  EXPECT_EQ((*replay)[0].ack.server_rev, rev2);

  // Without the question, the same write would be taken for a conflict with the newer version.
  edit.attempts = 0;
  auto unasked = NewRemote()->Push({edit}, call_);
  ASSERT_TRUE(unasked.ok()) << unasked.status().message();
  EXPECT_EQ((*unasked)[0].kind, PushAnswer::Kind::kConflict);
}

TEST_F(CouchdbRemoteTest, ACreateAfterADeleteContinuesFromTheTombstoneTheDeviceKnows) {
  auto remote = NewRemote();
  auto created = remote->Push({Put("n1", {{"v", 1}})}, call_);
  ASSERT_TRUE(created.ok()) << created.status().message();
  auto deleted = remote->Push({Delete("n1", (*created)[0].ack.server_rev)}, call_);
  ASSERT_TRUE(deleted.ok()) << deleted.status().message();
  const std::string tombstone = (*deleted)[0].ack.server_rev;

  Mutation again = Put("n1", {{"v", "again"}});  // a create: no base
  again.document_rev = tombstone;
  auto answers = remote->Push({again}, call_);
  ASSERT_TRUE(answers.ok()) << answers.status().message();
  ASSERT_EQ((*answers)[0].kind, PushAnswer::Kind::kApplied);
  const std::string rev = (*answers)[0].ack.server_rev;
  EXPECT_EQ(rev, *couchdb::NextRevision(tombstone, json{{"_id", "n1"}, {"v", "again"}}));
  EXPECT_EQ(rev.substr(0, 2), "3-");
  const json doc = Raw("GET", "/notes/n1?revs=true");
  EXPECT_EQ(doc["_revisions"]["ids"][1], couchdb::ParseRevision(tombstone)->hash) << doc.dump();
  const json leaves = Raw("GET", "/notes/_changes?style=all_docs");
  ASSERT_EQ(leaves["results"].size(), 1u) << leaves.dump();
  EXPECT_EQ(leaves["results"][0]["changes"].size(), 1u) << "one branch: no second root";

  // A device that knew no revision of it starts a new root (the server then keeps two leaves).
  Mutation fresh = Put("n2", {{"v", 1}});
  fresh.document_rev = "not a revision";
  auto rooted = remote->Push({fresh}, call_);
  ASSERT_TRUE(rooted.ok()) << rooted.status().message();
  EXPECT_EQ((*rooted)[0].ack.server_rev.substr(0, 2), "1-");
}

// The fault proxy in front of the server: the first `_bulk_docs` is carried out by the server,
// then its answer is cut short (half of it, then the connection closes). (A connection closed
// before any byte is not enough: libcurl sends the request again by itself on a fresh one.)
std::unique_ptr<faults::FaultProxy> LoseFirstBulkDocsAnswer(const std::string& upstream) {
  faults::FaultProxyOptions options;
  options.upstream = upstream;
  faults::FaultRule rule;
  rule.match.method = "POST";
  rule.match.path = "/notes/_bulk_docs";
  rule.action.kind = faults::FaultKind::kTruncatedBody;
  options.faults = {rule};
  auto proxy = faults::FaultProxy::Start(std::move(options));
  EXPECT_TRUE(proxy.ok()) << proxy.status().message();
  return proxy.ok() ? std::move(proxy).value() : nullptr;
}

TEST_F(CouchdbRemoteTest, ALostAnswerRetriedInTheSamePushWritesOneRevision) {
  ASSERT_TRUE(NewRemote()->Push({Put("seed", {{"v", 0}})}, call_).ok());  // creates the database
  auto proxy = LoseFirstBulkDocsAnswer(server_->url());
  ASSERT_TRUE(proxy);
  auto remote = NewRemote(true, "", "", proxy->base_url(), /*attempts=*/3);
  auto answers = remote->Push({Put("n1", {{"v", 1}})}, call_);
  ASSERT_TRUE(answers.ok()) << answers.status().message();
  EXPECT_EQ((*answers)[0].kind, PushAnswer::Kind::kApplied);
  EXPECT_GE(remote->stats().retries, 1);
  const json leaves = Raw("GET", "/notes/_changes?style=all_docs&since=1");
  ASSERT_EQ(leaves["results"].size(), 1u) << leaves.dump();
  EXPECT_EQ(leaves["results"][0]["changes"],
            json::array({{{"rev", (*answers)[0].ack.server_rev}}}));
  EXPECT_EQ(leaves["last_seq"], 2) << "the retried write made no second sequence";
}

TEST_F(CouchdbRemoteTest, ALostAnswerThatEndedThePushIsAppliedWhenReplayed) {
  ASSERT_TRUE(NewRemote()->Push({Put("seed", {{"v", 0}})}, call_).ok());
  auto proxy = LoseFirstBulkDocsAnswer(server_->url());
  ASSERT_TRUE(proxy);
  auto remote = NewRemote(true, "", "", proxy->base_url(), /*attempts=*/1);
  const Mutation put = Put("n1", {{"v", 1}});
  auto lost = remote->Push({put}, call_);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.status().retry_class(), RetryClass::kTransient) << lost.status().ToString();
  const json after_first = Raw("GET", "/notes");
  auto replay = remote->Push({put}, call_);  // as the engine replays an unanswered batch
  ASSERT_TRUE(replay.ok()) << replay.status().message();
  EXPECT_EQ((*replay)[0].kind, PushAnswer::Kind::kApplied);
  EXPECT_EQ((*replay)[0].ack.server_rev,
            *couchdb::NextRevision("", json{{"_id", "n1"}, {"v", 1}}));
  EXPECT_EQ(Raw("GET", "/notes")["update_seq"], after_first["update_seq"]);
  EXPECT_EQ(Raw("GET", "/notes/_changes?style=all_docs")["results"].size(), 2u);  // seed, n1
}

TEST_F(CouchdbRemoteTest, AWriteOnAStaleBaseIsAConflictCarryingTheServerDocument) {
  auto remote = NewRemote();
  auto created = remote->Push({Put("n1", {{"v", 1}})}, call_);
  ASSERT_TRUE(created.ok());
  const std::string rev1 = (*created)[0].ack.server_rev;
  auto updated = remote->Push({Put("n1", {{"v", 2}}, rev1)}, call_);
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  ASSERT_EQ((*updated)[0].kind, PushAnswer::Kind::kApplied);
  const std::string rev2 = (*updated)[0].ack.server_rev;
  EXPECT_EQ(rev2.substr(0, 2), "2-");

  auto stale = remote->Push({Put("n1", {{"v", 3}}, rev1), Put("n2", {{"v", 1}}, "")}, call_);
  ASSERT_TRUE(stale.ok()) << stale.status().message();
  ASSERT_EQ((*stale)[0].kind, PushAnswer::Kind::kConflict);
  ASSERT_TRUE((*stale)[0].current.has_value());
  EXPECT_EQ((*stale)[0].current->rev, rev2);
  EXPECT_EQ((*stale)[0].current->data, json({{"v", 2}}));
  EXPECT_EQ((*stale)[1].kind, PushAnswer::Kind::kApplied);
  // A create of a document the server has, by a device that knew no revision of it, is written
  // without a read: the server keeps both leaves, which the next pull hands over contested.
  auto create_again = remote->Push({Put("n1", {{"v", 9}})}, call_);
  ASSERT_TRUE(create_again.ok());
  EXPECT_EQ((*create_again)[0].kind, PushAnswer::Kind::kApplied);
  const std::string root = (*create_again)[0].ack.server_rev;
  EXPECT_EQ(root.substr(0, 2), "1-");
  EXPECT_EQ(Raw("GET", "/notes/n1?conflicts=true")["_conflicts"], json::array({root}));
  auto page = remote->Pull(Query(), call_);
  ASSERT_TRUE(page.ok()) << page.status().message();
  const auto n1 = std::find_if(page->changes.begin(), page->changes.end(),
                               [](const RemoteChange& c) { return c.key == "n1"; });
  ASSERT_NE(n1, page->changes.end());
  EXPECT_EQ(couchdb::ParseLeafToken(n1->rev).on, rev2);
  ASSERT_EQ(n1->rivals.size(), 1u);
  EXPECT_EQ(couchdb::ParseLeafToken(n1->rivals[0].rev).on, root);
  EXPECT_EQ(n1->rivals[0].data, json({{"v", 9}}));
}

TEST_F(CouchdbRemoteTest, DeletesLeaveATombstoneAndANeverExistingOneIsApplied) {
  auto remote = NewRemote();
  auto created = remote->Push({Put("n1", {{"v", 1}})}, call_);
  ASSERT_TRUE(created.ok());
  auto deleted = remote->Push({Delete("n1", (*created)[0].ack.server_rev), Delete("ghost", "")},
                              call_);
  ASSERT_TRUE(deleted.ok()) << deleted.status().message();
  EXPECT_EQ((*deleted)[0].kind, PushAnswer::Kind::kApplied);
  EXPECT_EQ((*deleted)[0].ack.server_rev.substr(0, 2), "2-");
  EXPECT_EQ((*deleted)[1].kind, PushAnswer::Kind::kApplied);
  EXPECT_TRUE((*deleted)[1].ack.never_existed());
  // The tombstone is the winner (PouchDB Server's GET says "missing", not "deleted", for a
  // tombstone written with new_edits:false).
  const json row = Raw("POST", "/notes/_all_docs", R"({"keys":["n1"]})")["rows"][0];
  EXPECT_EQ(row["value"]["deleted"], true) << row.dump();
  EXPECT_EQ(row["value"]["rev"], (*deleted)[0].ack.server_rev);
  // Created again on top of the tombstone: live, and no conflict shows.
  auto again = remote->Push({Put("n1", {{"v", 2}})}, call_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)[0].kind, PushAnswer::Kind::kApplied);
  const json doc = Raw("GET", "/notes/n1?conflicts=true");
  EXPECT_EQ(doc["v"], 2);
  EXPECT_EQ(doc.count("_conflicts"), 0u);
}

TEST_F(CouchdbRemoteTest, UnderscoreFieldsAndKeysAreRejectedOneByOne) {
  auto remote = NewRemote();
  auto answers = remote->Push(
      {Put("n1", {{"_secret", 1}}), Put("_n2", {{"v", 1}}), Put("n3", {{"v", 1}})}, call_);
  ASSERT_TRUE(answers.ok()) << answers.status().message();
  EXPECT_EQ((*answers)[0].kind, PushAnswer::Kind::kRejected);
  EXPECT_EQ((*answers)[0].reject, RejectKind::kInvalidDocument);
  EXPECT_THAT((*answers)[0].message, HasSubstr("field \"_secret\""));
  EXPECT_EQ((*answers)[1].kind, PushAnswer::Kind::kRejected);
  EXPECT_THAT((*answers)[1].message, HasSubstr("key \"_n2\""));
  EXPECT_EQ((*answers)[2].kind, PushAnswer::Kind::kApplied);
}
TEST_F(CouchdbRemoteTest, AnEditKeepsTheDocumentsAttachments) {
  auto remote = NewRemote();
  ASSERT_TRUE(remote->Push({Put("seed", {{"v", 0}})}, call_).ok());  // creates the database
  const json put = Raw("PUT", "/notes/m",
                       R"({"x":1,"_attachments":{"f.txt":{"content_type":"text/plain",)"
                       R"("data":"aGVsbG8="}}})");
  ASSERT_EQ(put["ok"], true) << put.dump();
  auto edited = remote->Push({Put("m", {{"x", 2}}, put["rev"].get<std::string>())}, call_);
  ASSERT_TRUE(edited.ok()) << edited.status().message();
  ASSERT_EQ((*edited)[0].kind, PushAnswer::Kind::kApplied);
  const json doc = Raw("GET", "/notes/m");
  EXPECT_EQ(doc["x"], 2);
  EXPECT_EQ(doc["_attachments"]["f.txt"]["length"], 5);
  auto pulled = remote->Pull(Query(), call_);
  ASSERT_TRUE(pulled.ok());
  for (const RemoteChange& change : pulled->changes) {
    EXPECT_EQ(change.data.count("_attachments"), 0u) << change.key;
  }
}
TEST_F(CouchdbRemoteTest, AResolutionLeavesOneLeafInOneRequestAndItsReplayWritesNothing) {
  auto remote = NewRemote();
  const std::string mine = MakeTwoLeaves(*remote);
  auto page = remote->Pull(Query(), call_);
  ASSERT_TRUE(page.ok()) << page.status().message();
  // Written on the agent's own (losing) leaf: the winning leaf is the one deleted.
  const Mutation merged = Put("n1", {{"v", 3}}, page->changes[0].rivals[0].rev);
  const json before = Raw("GET", "/notes");
  auto answers = remote->Push({merged}, call_);
  ASSERT_TRUE(answers.ok()) << answers.status().message();
  ASSERT_EQ((*answers)[0].kind, PushAnswer::Kind::kApplied);
  const std::string resolved = (*answers)[0].ack.server_rev;
  EXPECT_EQ(resolved, *couchdb::NextRevision(mine, json{{"_id", "n1"}, {"v", 3}}));
  const json doc = Raw("GET", "/notes/n1?conflicts=true");
  EXPECT_EQ(doc["_rev"], resolved);
  EXPECT_EQ(doc["v"], 3);
  EXPECT_EQ(doc.count("_conflicts"), 0u) << doc.dump();
  const json after = Raw("GET", "/notes");
  EXPECT_EQ(after["update_seq"].get<int64_t>(), before["update_seq"].get<int64_t>() + 2);
  // The same resolution again (its answer lost): the server has both revisions, nothing new.
  auto replay = remote->Push({merged}, call_);
  ASSERT_TRUE(replay.ok()) << replay.status().message();
  EXPECT_EQ((*replay)[0].kind, PushAnswer::Kind::kApplied);
  EXPECT_EQ((*replay)[0].ack.server_rev, resolved);
  EXPECT_EQ(Raw("GET", "/notes")["update_seq"], after["update_seq"]);
  // The next pull sees one plain document.
  auto next = remote->Pull(Query(page->cursor), call_);
  ASSERT_TRUE(next.ok()) << next.status().message();
  ASSERT_EQ(next->changes.size(), 1u);
  EXPECT_EQ(next->changes[0].rev, resolved);
  EXPECT_TRUE(next->changes[0].rivals.empty());
}

TEST_F(CouchdbRemoteTest, AResolutionWhoseAnswerWasLostIsAppliedWhenReplayed) {
  auto direct = NewRemote();
  MakeTwoLeaves(*direct);
  auto page = direct->Pull(Query(), call_);
  ASSERT_TRUE(page.ok()) << page.status().message();
  auto proxy = LoseFirstBulkDocsAnswer(server_->url());
  ASSERT_TRUE(proxy);
  auto remote = NewRemote(true, "", "", proxy->base_url(), /*attempts=*/1);
  const Mutation merged = Put("n1", {{"v", 3}}, page->changes[0].rev);
  auto lost = remote->Push({merged}, call_);
  ASSERT_FALSE(lost.ok());
  const json written = Raw("GET", "/notes/n1?conflicts=true");
  EXPECT_EQ(written.count("_conflicts"), 0u) << "the server wrote it: " << written.dump();
  const json after_first = Raw("GET", "/notes");
  auto replay = remote->Push({merged}, call_);  // as the engine replays an unanswered batch
  ASSERT_TRUE(replay.ok()) << replay.status().message();
  EXPECT_EQ((*replay)[0].kind, PushAnswer::Kind::kApplied);
  EXPECT_EQ((*replay)[0].ack.server_rev, written["_rev"]);
  EXPECT_EQ(Raw("GET", "/notes")["update_seq"], after_first["update_seq"]);
}

TEST_F(CouchdbRemoteTest, AResolutionIsAConflictWhenALeafAppearedSinceThePull) {
  auto remote = NewRemote();
  MakeTwoLeaves(*remote);
  auto page = remote->Pull(Query(), call_);
  ASSERT_TRUE(page.ok()) << page.status().message();
  const std::string winner = page->changes[0].rev.substr(0, page->changes[0].rev.find('|'));
  // A third client edits the winning leaf after the pull.
  const std::string later = "3-" + std::string(32, 'e');
  WriteLeaf("n1", later, winner, {{"v", 9}});
  auto answers = remote->Push({Put("n1", {{"v", 3}}, page->changes[0].rev)}, call_);
  ASSERT_TRUE(answers.ok()) << answers.status().message();
  ASSERT_EQ((*answers)[0].kind, PushAnswer::Kind::kConflict);
  EXPECT_EQ((*answers)[0].current->rev, later);
  EXPECT_EQ(Raw("GET", "/notes/n1?conflicts=true")["_conflicts"].size(), 1u)
      << "nothing was written";
}

// PreparePush (run by the pusher while the previous request is on the wire) does the work a
// plain Push does before its first request: the outcome is the same.
TEST_F(CouchdbRemoteTest, APushPreparedAheadWritesWhatAPlainPushWrites) {
  auto remote = NewRemote();
  ASSERT_TRUE(remote->Push({Put("edit", {{"v", 1}})}, call_).ok());
  const std::string rev1 = Raw("GET", "/notes/edit")["_rev"];
  const std::vector<Mutation> batch = {Put("new", {{"t", "x"}}), Put("edit", {{"v", 2}}, rev1),
                                       Put("bad", {{"_secret", 1}}), Delete("never", std::nullopt)};
  std::unique_ptr<PreparedPush> prepared = remote->PreparePush(batch);
  ASSERT_NE(prepared, nullptr);
  auto answers = remote->PushPrepared(batch, std::move(prepared), call_);
  ASSERT_TRUE(answers.ok()) << answers.status().message();
  ASSERT_EQ(answers->size(), 4u);
  EXPECT_EQ((*answers)[0].kind, PushAnswer::Kind::kApplied);
  EXPECT_EQ((*answers)[0].ack.server_rev,
            *couchdb::NextRevision("", json{{"_id", "new"}, {"t", "x"}}));
  EXPECT_EQ((*answers)[1].kind, PushAnswer::Kind::kApplied);
  EXPECT_EQ((*answers)[1].ack.server_rev,
            *couchdb::NextRevision(rev1, json{{"_id", "edit"}, {"v", 2}}));
  EXPECT_EQ((*answers)[2].kind, PushAnswer::Kind::kRejected);
  EXPECT_EQ((*answers)[2].code, "invalid_document");
  EXPECT_THAT((*answers)[2].message, HasSubstr("_secret"));
  EXPECT_EQ((*answers)[3].kind, PushAnswer::Kind::kApplied);
  EXPECT_EQ(Raw("GET", "/notes/new")["t"], "x");
  const json edited = Raw("GET", "/notes/edit?revs=true");
  EXPECT_EQ(edited["v"], 2);
  EXPECT_EQ(edited["_revisions"]["ids"].size(), 2u) << "the edit continues the first revision";
  EXPECT_EQ(Raw("GET", "/notes/bad")["error"], "not_found");
}

// A batch of new documents on a first attempt needs nothing but its `_bulk_docs`: PreparePush
// makes that request, compressed for the wire (over 4096 bytes), and the push sends it.
TEST_F(CouchdbRemoteTest, APreparedFirstUploadGoesAsTheRequestMadeAhead) {
  auto remote = NewRemote();
  ASSERT_TRUE(remote->Push({Put("seed", {{"v", 0}})}, call_).ok());  // creates the database
  std::vector<Mutation> batch;
  for (int i = 0; i < 50; ++i) batch.push_back(Put("k" + std::to_string(i), {{"text", std::string(200, 'y')}}));
  const int64_t before = remote->stats().bytes_up;
  auto answers = remote->PushPrepared(batch, remote->PreparePush(batch), call_);
  ASSERT_TRUE(answers.ok()) << answers.status().message();
  for (size_t i = 0; i < batch.size(); ++i) {
    EXPECT_EQ((*answers)[i].kind, PushAnswer::Kind::kApplied) << i;
    EXPECT_EQ((*answers)[i].ack.server_rev,
              *couchdb::NextRevision("", json{{"_id", batch[i].key}, {"text", std::string(200, 'y')}}));
  }
  EXPECT_LT(remote->stats().bytes_up - before, 5000) << "about 13 kB of JSON went compressed";
  EXPECT_EQ(Raw("GET", "/notes")["doc_count"], 51);
  // The same writes sent again (attempted: their answers were lost) are asked about first.
  for (Mutation& m : batch) m.attempts = 1;
  const json info = Raw("GET", "/notes");
  auto replay = remote->PushPrepared(batch, remote->PreparePush(batch), call_);
  ASSERT_TRUE(replay.ok()) << replay.status().message();
  EXPECT_EQ((*replay)[7].ack.server_rev, (*answers)[7].ack.server_rev);
  EXPECT_EQ(Raw("GET", "/notes")["update_seq"], info["update_seq"]) << "nothing written again";
}

// A body that cannot be serialised (not UTF-8; an older version may have queued it) is that
// write's fault: it is refused, named, and the rest of the batch is written.
TEST_F(CouchdbRemoteTest, ABodyThatCannotBeSerialisedIsRefusedAlone) {
  auto remote = NewRemote();
  const std::vector<Mutation> batch = {Put("bad", {{"v", std::string("\xff\xfe")}}),
                                       Put("good", {{"v", 1}})};
  auto answers = remote->PushPrepared(batch, remote->PreparePush(batch), call_);
  ASSERT_TRUE(answers.ok()) << answers.status().message();
  EXPECT_EQ((*answers)[0].kind, PushAnswer::Kind::kRejected);
  EXPECT_EQ((*answers)[0].code, "invalid_document");
  EXPECT_THAT((*answers)[0].message, HasSubstr("cannot be serialised"));
  EXPECT_EQ((*answers)[1].kind, PushAnswer::Kind::kApplied);
  EXPECT_EQ(Raw("GET", "/notes/good")["v"], 1);
}

TEST_F(CouchdbRemoteTest, APreparationMadeForAnotherBatchIsNotUsed) {
  auto remote = NewRemote();
  std::unique_ptr<PreparedPush> other =
      remote->PreparePush({Put("a", {{"v", 1}}), Put("c", {{"v", 1}})});
  auto answers = remote->PushPrepared({Put("b", {{"v", 2}}), Put("c", {{"v", 3}})},
                                      std::move(other), call_);
  ASSERT_TRUE(answers.ok()) << answers.status().message();
  ASSERT_EQ(answers->size(), 2u);
  EXPECT_EQ((*answers)[1].ack.server_rev,
            *couchdb::NextRevision("", json{{"_id", "c"}, {"v", 3}}));
  EXPECT_EQ(Raw("GET", "/notes/b")["v"], 2);
  EXPECT_EQ(Raw("GET", "/notes/a")["error"], "not_found");
}

}  // namespace
}  // namespace syncagent::couch_remote_testing
