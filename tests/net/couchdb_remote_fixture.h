// The fixture of the CouchdbRemote tests (couchdb_remote_test.cc, couchdb_push_test.cc,
// couchdb_pull_test.cc, one executable): a real PouchDB Server (tests/couchdb/pouchdb_server.h)
// per test, the real libcurl client, remotes on it, raw requests to the server, and the builders
// of mutations and pull queries. Only those test files include it (their tests are in its
// namespace).
//
// Thread safety: a test's fixture is used by its test's thread alone.
#ifndef SYNCAGENT_TESTS_NET_COUCHDB_REMOTE_FIXTURE_H_
#define SYNCAGENT_TESTS_NET_COUCHDB_REMOTE_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "net/couchdb_remote.h"
#include "net/couchdb_revision.h"
#include "net/curl_http_client.h"
#include "platform/clock.h"
#include "tests/couchdb/pouchdb_server.h"

namespace syncagent::couch_remote_testing {

using couch_testing::PouchDbServer;
using couch_testing::PouchDbServerOptions;
using nlohmann::json;

inline Mutation Put(std::string key, json data, std::optional<std::string> base = std::nullopt) {
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

inline Mutation Delete(std::string key, std::optional<std::string> base) {
  Mutation m = Put(std::move(key), nullptr, std::move(base));
  m.op = MutationOp::kDelete;
  return m;
}

// A pulled change's data: its text (RemoteChange::data_text, as pulls give it) parsed, or its tree.
inline json DataOf(const RemoteChange& change) {
  return change.data_text.empty() ? change.data : json::parse(change.data_text);
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

  // Another replicator writes revision `rev` of document `id` of notes, with `data`, on `parent`
  // (a `_bulk_docs` new_edits:false, as replication does).
  void WriteLeaf(const std::string& id, const std::string& rev, const std::string& parent,
                 json data) {
    data["_id"] = id;
    data["_rev"] = rev;
    data["_revisions"] = couchdb::RevisionsField(rev, parent);
    Raw("POST", "/notes/_bulk_docs",
        json{{"new_edits", false}, {"docs", json::array({std::move(data)})}}.dump());
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
    WriteLeaf("n1", other, rev1, {{"v", 2}, {"by", "other"}});
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

}  // namespace syncagent::couch_remote_testing

#endif  // SYNCAGENT_TESTS_NET_COUCHDB_REMOTE_FIXTURE_H_
