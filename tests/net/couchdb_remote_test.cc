// CouchdbRemote against a real PouchDB Server (tests/net/couchdb_remote_fixture.h): the errors
// the server answers with (503, 413, 400, a missing database), fetch, and basic auth. The push
// is tested in couchdb_push_test.cc, the pull in couchdb_pull_test.cc (the same executable).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "net/couchdb_remote.h"
#include "net/curl_http_client.h"
#include "platform/clock.h"
#include "tests/net/couchdb_remote_fixture.h"
#include "tools/fault_proxy/fault_proxy.h"

namespace syncagent::couch_remote_testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

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

// The same with the batch's `_bulk_docs` made ahead (a prepared first upload): the request made
// ahead is refused, then each document goes alone.
TEST_F(CouchdbRemoteTest, A400ForAPreparedFirstUploadIsNarrowedToTheDocumentItIsAbout) {
  ASSERT_TRUE(NewRemote()->Push({Put("seed", {{"v", 0}})}, call_).ok());
  auto proxy = InjectStatus(server_->url(), "/notes/_bulk_docs", 400, 2);
  ASSERT_TRUE(proxy);
  auto remote = NewRemote(true, "", "", proxy->base_url(), /*attempts=*/3);
  const std::vector<Mutation> batch = {Put("bad", {{"v", 1}}), Put("good", {{"v", 2}})};
  auto answers = remote->PushPrepared(batch, remote->PreparePush(batch), call_);
  ASSERT_TRUE(answers.ok()) << answers.status().message();
  ASSERT_EQ((*answers)[0].kind, PushAnswer::Kind::kRejected);
  EXPECT_THAT((*answers)[0].message, HasSubstr("database notes: the server refused bad: "));
  EXPECT_EQ((*answers)[1].kind, PushAnswer::Kind::kApplied);
  EXPECT_EQ(remote->stats().requests, 3) << "the batch, then each document alone";
  EXPECT_EQ(Raw("GET", "/notes/good")["v"], 2);
  EXPECT_EQ(Raw("GET", "/notes/bad")["error"], "not_found");
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
}  // namespace syncagent::couch_remote_testing
