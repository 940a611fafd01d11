// CouchdbRemote against a real PouchDB Server (tests/couchdb/pouchdb_server.h) over the real
// libcurl client: pushes with deterministic revisions, replays, conflicts, deletes, pulls and
// their cursor, a server that lost its data, missing databases, basic auth and attachments.
#include "net/couchdb_remote.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "net/couchdb_revision.h"
#include "net/curl_http_client.h"
#include "platform/clock.h"
#include "tests/couchdb/pouchdb_server.h"
#include "tools/fault_proxy/fault_proxy.h"

namespace syncagent {
namespace {

using couch_testing::PouchDbServer;
using couch_testing::PouchDbServerOptions;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

Mutation Put(std::string key, json data, std::optional<std::string> base = std::nullopt) {
  static int next = 0;
  Mutation m;
  m.seq = ++next;
  m.mutation_id = "m-" + std::to_string(next);
  m.collection = "notes";
  m.key = std::move(key);
  m.op = MutationOp::kPut;
  m.base_rev = std::move(base);
  m.data = std::move(data);
  return m;
}

Mutation Delete(std::string key, std::optional<std::string> base) {
  Mutation m = Put(std::move(key), nullptr, std::move(base));
  m.op = MutationOp::kDelete;
  return m;
}

class CouchdbRemoteTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(StartServer({})); }

  void StartServer(PouchDbServerOptions options) {
    auto server = PouchDbServer::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server).value();
    CurlHttpClientOptions http_options;
    http_options.allow_insecure_http = true;  // loopback
    auto http = CurlHttpClient::Create(http_options, RealClock::Default());
    ASSERT_TRUE(http.ok()) << http.status().message();
    http_ = std::move(http).value();
  }

  std::unique_ptr<CouchdbRemote> NewRemote(bool create_databases = true,
                                           std::string username = "", std::string password = "",
                                           std::string base_url = "", int attempts = 1) {
    CouchdbRemoteOptions options;
    options.session.base_url = base_url.empty() ? server_->url() : base_url;
    options.session.retry.max_attempts = attempts;
    options.session.retry.initial_delay = Millis(1);
    options.session.retry.max_delay = Millis(1);
    options.create_databases = create_databases;
    options.username = std::move(username);
    options.password = std::move(password);
    return std::make_unique<CouchdbRemote>(http_.get(), RealClock::Default(), nullptr, options,
                                           /*seed=*/7);
  }

  // A request straight to the server (as the admin when `admin` is set).
  json Raw(const std::string& method, const std::string& path, const std::string& body = "",
           const std::string& admin = "") {
    HttpRequest request;
    request.method = method;
    request.url = server_->url() + path;
    request.headers = {{"Accept", "application/json"}, {"Content-Type", "application/json"}};
    if (!admin.empty()) {
      const size_t colon = admin.find(':');
      request.headers.emplace_back("Authorization", BasicAuthorization(admin.substr(0, colon),
                                                                       admin.substr(colon + 1)));
    }
    request.body = body;
    auto response = http_->Send(request, RequestControl{});
    EXPECT_TRUE(response.ok()) << response.status().message();
    return response.ok() ? json::parse(response->body, nullptr, false) : json();
  }

  // Conflicting leaves made elsewhere: the agent's write 2-<agent> on n1's first revision and
  // another replicator's 2-ffff... on the same parent (as when another client writes between the
  // agent's _all_docs and its _bulk_docs; the greater hash: the other leaf wins). Returns the
  // agent's revision.
  std::string MakeTwoLeaves(CouchdbRemote& remote) {
    auto created = remote.Push({Put("n1", {{"v", 1}})}, call_);
    EXPECT_TRUE(created.ok());
    const std::string rev1 = (*created)[0].ack.server_rev;
    auto mine = remote.Push({Put("n1", {{"v", 2}, {"by", "agent"}}, rev1)}, call_);
    EXPECT_TRUE(mine.ok());
    const std::string other = "2-" + std::string(32, 'f');
    Raw("POST", "/notes/_bulk_docs",
        json{{"new_edits", false},
             {"docs",
              {{{"_id", "n1"},
                {"_rev", other},
                {"v", 2},
                {"by", "other"},
                {"_revisions", couchdb::RevisionsField(other, rev1)}}}}}
            .dump());
    return (*mine)[0].ack.server_rev;
  }

  static PullQuery Query(std::string cursor = "", int limit = 100) {
    PullQuery query;
    query.cursor = std::move(cursor);
    query.limit = limit;
    query.collections = {"notes"};
    return query;
  }

  std::unique_ptr<PouchDbServer> server_;
  std::unique_ptr<CurlHttpClient> http_;
  CallContext call_;
};

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

// A proxy in front of the server that answers the first `times` requests to `path` with
// `status` (and Retry-After: 0), without forwarding them.
std::unique_ptr<faults::FaultProxy> InjectStatus(const std::string& upstream,
                                                 const std::string& path, int status, int times) {
  faults::FaultProxyOptions options;
  options.upstream = upstream;
  faults::FaultRule rule;
  rule.match.path = path;
  rule.match.times = times;
  rule.action.kind = faults::FaultKind::kStatus;
  rule.action.status = status;
  rule.action.retry_after = "0";
  options.faults = {rule};
  auto proxy = faults::FaultProxy::Start(std::move(options));
  EXPECT_TRUE(proxy.ok()) << proxy.status().message();
  return proxy.ok() ? std::move(proxy).value() : nullptr;
}

TEST_F(CouchdbRemoteTest, A503IsRetriedAndA413AsksForSmallerBatches) {
  ASSERT_TRUE(NewRemote()->Push({Put("a", {{"v", 1}})}, call_).ok());
  auto busy = InjectStatus(server_->url(), "/notes/_changes", 503, 2);
  ASSERT_TRUE(busy);
  auto pulling = NewRemote(true, "", "", busy->base_url(), /*attempts=*/3);
  auto page = pulling->Pull(Query(), call_);
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ(page->changes.size(), 1u);
  EXPECT_EQ(pulling->stats().retries, 2);

  auto too_large = InjectStatus(server_->url(), "/notes/_bulk_docs", 413, 1);
  ASSERT_TRUE(too_large);
  auto pushing = NewRemote(true, "", "", too_large->base_url(), /*attempts=*/3);
  auto refused = pushing->Push({Put("b", {{"v", 2}})}, call_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(pushing->last_failure().kind, RemoteFailure::Kind::kBatchTooLarge);
  EXPECT_THAT(refused.status().message(), HasSubstr("HTTP 413"));
}

TEST_F(CouchdbRemoteTest, A400ForTheBatchIsNarrowedToTheDocumentItIsAbout) {
  ASSERT_TRUE(NewRemote()->Push({Put("seed", {{"v", 0}})}, call_).ok());
  // The batch is refused, then the first document alone; the second alone goes through.
  auto proxy = InjectStatus(server_->url(), "/notes/_bulk_docs", 400, 2);
  ASSERT_TRUE(proxy);
  auto remote = NewRemote(true, "", "", proxy->base_url(), /*attempts=*/3);
  auto answers = remote->Push({Put("bad", {{"v", 1}}), Put("good", {{"v", 2}})}, call_);
  ASSERT_TRUE(answers.ok()) << answers.status().message();
  ASSERT_EQ((*answers)[0].kind, PushAnswer::Kind::kRejected);
  EXPECT_EQ((*answers)[0].reject, RejectKind::kInvalidDocument);
  EXPECT_THAT((*answers)[0].message, HasSubstr("database notes: the server refused bad: "));
  EXPECT_THAT((*answers)[0].message, HasSubstr("HTTP 400"));
  EXPECT_EQ((*answers)[1].kind, PushAnswer::Kind::kApplied);
  EXPECT_EQ(Raw("GET", "/notes/good")["v"], 2);
  EXPECT_EQ(Raw("GET", "/notes/bad")["error"], "not_found");
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

TEST_F(CouchdbRemoteTest, PullsPagesWithTheirCursorAndSkipsDesignDocuments) {
  auto remote = NewRemote();
  ASSERT_TRUE(remote->Push({Put("a", {{"v", 1}}), Put("b", {{"v", 2}}), Put("c", {{"v", 3}})},
                           call_)
                  .ok());
  Raw("PUT", "/notes/_design/v", R"({"views":{}})");
  auto first = remote->Pull(Query("", 2), call_);
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_EQ(first->changes.size(), 2u);
  EXPECT_EQ(first->changes[0].key, "a");
  EXPECT_EQ(first->changes[0].data, json({{"v", 1}}));
  EXPECT_EQ(first->cursor, R"({"notes":2})");
  EXPECT_TRUE(first->has_more);
  auto second = remote->Pull(Query(first->cursor, 2), call_);
  ASSERT_TRUE(second.ok()) << second.status().message();
  ASSERT_EQ(second->changes.size(), 1u);  // c; the design document is left out
  EXPECT_EQ(second->changes[0].key, "c");
  EXPECT_EQ(second->cursor, R"({"notes":4})");
  auto third = remote->Pull(Query(second->cursor, 2), call_);
  ASSERT_TRUE(third.ok()) << third.status().message();
  EXPECT_TRUE(third->unchanged);
  EXPECT_FALSE(third->has_more);
}

TEST_F(CouchdbRemoteTest, PullsEachCollectionFromItsOwnDatabase) {
  CouchdbRemoteOptions options;
  options.session.base_url = server_->url();
  options.session.retry.max_attempts = 1;
  options.create_databases = true;
  options.databases = {{"tasks", "team/tasks"}};  // '/' is allowed in a database name
  CouchdbRemote remote(http_.get(), RealClock::Default(), nullptr, options, 3);
  Mutation task = Put("t1", {{"due", "mon"}});
  task.collection = "tasks";
  ASSERT_TRUE(remote.Push({Put("n1", {{"v", 1}}), task}, call_).ok());
  EXPECT_EQ(Raw("GET", "/team%2Ftasks/t1")["due"], "mon");

  PullQuery query = Query();
  query.collections = {"notes", "tasks"};
  auto first = remote.Pull(query, call_);
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_EQ(first->changes.size(), 1u);
  EXPECT_EQ(first->changes[0].collection, "notes");
  EXPECT_TRUE(first->has_more) << "tasks has not been read yet";
  query.cursor = first->cursor;
  auto second = remote.Pull(query, call_);
  ASSERT_TRUE(second.ok()) << second.status().message();
  ASSERT_EQ(second->changes.size(), 1u);
  EXPECT_EQ(second->changes[0].collection, "tasks");
  EXPECT_EQ(second->changes[0].key, "t1");
  EXPECT_EQ(json::parse(second->cursor), json({{"notes", 1}, {"tasks", 1}}));
  EXPECT_FALSE(second->has_more);
  query.cursor = second->cursor;
  auto third = remote.Pull(query, call_);
  ASSERT_TRUE(third.ok());
  EXPECT_TRUE(third->unchanged);
}

TEST_F(CouchdbRemoteTest, EachPageIsCheckpointedOnTheServerForTheDevice) {
  auto remote = NewRemote();
  remote->BeginCycle("dev-1");
  ASSERT_TRUE(remote->Push({Put("a", {{"v", 1}}), Put("b", {{"v", 2}})}, call_).ok());
  auto first = remote->Pull(Query("", 1), call_);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(json::parse(first->cursor), json::parse(R"({"notes":1,"~checkpointed":["notes"]})"));
  json checkpoint = Raw("GET", "/notes/_local/syncagent-dev-1");
  EXPECT_EQ(checkpoint["last_seq"], 1);
  EXPECT_EQ(checkpoint["device"], "dev-1");
  auto second = remote->Pull(Query(first->cursor, 1), call_);
  ASSERT_TRUE(second.ok()) << second.status().message();
  checkpoint = Raw("GET", "/notes/_local/syncagent-dev-1");
  EXPECT_EQ(checkpoint["last_seq"], 2);
  EXPECT_EQ(checkpoint["_rev"], "0-2");
  // Another instance for the same device (its cursor was not kept) writes over the checkpoint.
  auto again = NewRemote();
  again->BeginCycle("dev-1");
  auto restart = again->Pull(Query(), call_);
  ASSERT_TRUE(restart.ok()) << restart.status().message();
  EXPECT_EQ(Raw("GET", "/notes/_local/syncagent-dev-1")["_rev"], "0-3");
}

TEST_F(CouchdbRemoteTest, AMissingCheckpointIsALostServerOnlyForAMarkedCursor) {
  auto remote = NewRemote();
  remote->BeginCycle("dev-1");
  ASSERT_TRUE(remote->Push({Put("a", {{"v", 1}}), Put("b", {{"v", 2}})}, call_).ok());
  auto pulled = remote->Pull(Query(), call_);
  ASSERT_TRUE(pulled.ok()) << pulled.status().message();
  // The database is dropped and made again with more writes than before: its update_seq is past
  // the cursor, so only the checkpoint can tell.
  Raw("DELETE", "/notes");
  Raw("PUT", "/notes");
  Raw("POST", "/notes/_bulk_docs", R"({"docs":[{"_id":"x"},{"_id":"y"},{"_id":"z"}]})");
  auto fresh = NewRemote();
  fresh->BeginCycle("dev-1");
  auto refused = fresh->Pull(Query(pulled->cursor), call_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(fresh->last_failure().kind, RemoteFailure::Kind::kCursorRefused);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("database notes no longer has this device's checkpoint "
                        "(_local/syncagent-dev-1): the server lost its data"));
  // The same position without the mark (a cursor older than checkpoints) is pulled from.
  auto unmarked = fresh->Pull(Query(R"({"notes":2})"), call_);
  ASSERT_TRUE(unmarked.ok()) << unmarked.status().message();
  EXPECT_EQ(unmarked->changes.size(), 1u);  // z, at seq 3
}

TEST_F(CouchdbRemoteTest, AServerThatLostItsDataRefusesTheCursor) {
  auto remote = NewRemote();
  ASSERT_TRUE(remote->Push({Put("a", {{"v", 1}}), Put("b", {{"v", 2}})}, call_).ok());
  auto pulled = remote->Pull(Query(), call_);
  ASSERT_TRUE(pulled.ok());
  ASSERT_EQ(server_->Stop(), 0);
  ASSERT_NO_FATAL_FAILURE(StartServer({}));
  auto fresh = NewRemote();  // create_databases: the empty database is made again
  auto after = fresh->Pull(Query(pulled->cursor), call_);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(fresh->last_failure().kind, RemoteFailure::Kind::kCursorRefused);
  EXPECT_THAT(after.status().message(), HasSubstr("database notes is at update_seq 0, before the "
                                                  "stored last_seq 2: the server lost its data"));
}

TEST_F(CouchdbRemoteTest, AMissingDatabaseIsNamedUnlessCreated) {
  auto remote = NewRemote(/*create_databases=*/false);
  auto refused = remote->Push({Put("n1", {{"v", 1}})}, call_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.status().message(),
            "database notes does not exist on the server; create it or set "
            "server.couchdb.create_databases");
  auto pull = remote->Pull(Query(), call_);
  EXPECT_EQ(pull.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Raw("GET", "/notes")["error"], "not_found");

  auto creating = NewRemote(/*create_databases=*/true);
  auto applied = creating->Push({Put("n1", {{"v", 1}})}, call_);
  ASSERT_TRUE(applied.ok()) << applied.status().message();
  EXPECT_EQ((*applied)[0].kind, PushAnswer::Kind::kApplied);
}

TEST_F(CouchdbRemoteTest, FetchReadsLiveDeletedAndMissingDocuments) {
  auto remote = NewRemote();
  auto created = remote->Push({Put("live", {{"v", 1}}), Put("gone", {{"v", 2}})}, call_);
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(remote->Push({Delete("gone", (*created)[1].ack.server_rev)}, call_).ok());
  auto live = remote->Fetch("notes", "live", call_);
  ASSERT_TRUE(live.ok()) << live.status().message();
  EXPECT_EQ(live->rev, (*created)[0].ack.server_rev);
  EXPECT_EQ(live->data, json({{"v", 1}}));
  auto gone = remote->Fetch("notes", "gone", call_);
  ASSERT_TRUE(gone.ok());
  EXPECT_TRUE(gone->deleted);
  auto never = remote->Fetch("notes", "never", call_);
  ASSERT_TRUE(never.ok());
  EXPECT_TRUE(never->never_existed());
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

TEST_F(CouchdbRemoteTest, AContestedDocumentIsPulledWithItsLosingLeavesAsRivals) {
  auto remote = NewRemote();
  const std::string mine = MakeTwoLeaves(*remote);
  const std::string other = "2-" + std::string(32, 'f');
  auto page = remote->Pull(Query(), call_);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->changes.size(), 1u);
  const RemoteChange& change = page->changes[0];
  EXPECT_EQ(change.rev, other + "|" + mine);
  EXPECT_EQ(change.data, json({{"v", 2}, {"by", "other"}}));
  ASSERT_EQ(change.rivals.size(), 1u);
  EXPECT_EQ(change.rivals[0].rev, mine + "|" + other);
  EXPECT_EQ(change.rivals[0].data, json({{"v", 2}, {"by", "agent"}}));
  EXPECT_TRUE(remote->NeedsWriteBack(change.rev));
  EXPECT_TRUE(remote->NeedsWriteBack(change.rivals[0].rev));
  EXPECT_FALSE(remote->NeedsWriteBack(mine));
  EXPECT_EQ(remote->CompareRevisions(mine, change.rivals[0].rev), RevisionOrder::kSame);
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
  Raw("POST", "/notes/_bulk_docs",
      json{{"new_edits", false},
           {"docs",
            {{{"_id", "n1"},
              {"_rev", later},
              {"v", 9},
              {"_revisions", couchdb::RevisionsField(later, winner)}}}}}
          .dump());
  auto answers = remote->Push({Put("n1", {{"v", 3}}, page->changes[0].rev)}, call_);
  ASSERT_TRUE(answers.ok()) << answers.status().message();
  ASSERT_EQ((*answers)[0].kind, PushAnswer::Kind::kConflict);
  EXPECT_EQ((*answers)[0].current->rev, later);
  EXPECT_EQ(Raw("GET", "/notes/n1?conflicts=true")["_conflicts"].size(), 1u)
      << "nothing was written";
}

TEST(CouchdbRemoteAuthTest, BasicAuthIsSentAndAWrongPasswordIsAnAuthFailure) {
  PouchDbServerOptions server_options;
  server_options.admin = "admin:s3cret-pw";
  auto server = PouchDbServer::Start(server_options);
  ASSERT_TRUE(server.ok()) << server.status().message();
  CurlHttpClientOptions http_options;
  http_options.allow_insecure_http = true;
  auto http = CurlHttpClient::Create(http_options, RealClock::Default());
  ASSERT_TRUE(http.ok());
  auto remote_for = [&](const std::string& password) {
    CouchdbRemoteOptions options;
    options.session.base_url = (*server)->url();
    options.session.retry.max_attempts = 1;
    options.create_databases = true;
    options.username = "admin";
    options.password = password;
    return std::make_unique<CouchdbRemote>(http->get(), RealClock::Default(), nullptr, options, 1);
  };
  auto good = remote_for("s3cret-pw")->Push({Put("n1", {{"v", 1}})}, CallContext{});
  ASSERT_TRUE(good.ok()) << good.status().message();
  EXPECT_EQ((*good)[0].kind, PushAnswer::Kind::kApplied);

  auto bad = remote_for("wrong-pw")->Push({Put("n2", {{"v", 1}})}, CallContext{});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(bad.status().retry_class(), RetryClass::kAuth);
  EXPECT_THAT(bad.status().message(), Not(HasSubstr("wrong-pw")));
  EXPECT_THAT(bad.status().message(), Not(HasSubstr(BasicAuthorization("admin", "wrong-pw"))));
}

TEST(CouchdbRemoteBasicTest, BasicAuthorizationIsBase64OfUserColonPassword) {
  EXPECT_EQ(BasicAuthorization("admin", "s3cret"), "Basic YWRtaW46czNjcmV0");  // RFC 7617 form
  EXPECT_EQ(BasicAuthorization("Aladdin", "open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

}  // namespace
}  // namespace syncagent
