// CouchdbRemote::Pull against a real PouchDB Server (tests/net/couchdb_remote_fixture.h): pages
// and their cursor, one database per collection, the checkpoints, a server that lost its data,
// contested documents with their rivals, and the next page requested ahead (through the fault
// proxy, which logs the requests and spoils the one requested ahead).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/net/couchdb_remote_fixture.h"
#include "tools/fault_proxy/fault_proxy.h"

namespace syncagent::couch_remote_testing {
namespace {

using ::testing::HasSubstr;

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
  EXPECT_EQ(DataOf(first->changes[0]), json({{"v", 1}}));
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

// A proxy in front of the server; `faults` spoil some of its requests.
std::unique_ptr<faults::FaultProxy> Proxy(const std::string& upstream,
                                          std::vector<faults::FaultRule> rules = {}) {
  faults::FaultProxyOptions options;
  options.upstream = upstream;
  options.faults = std::move(rules);
  auto proxy = faults::FaultProxy::Start(std::move(options));
  EXPECT_TRUE(proxy.ok()) << proxy.status().message();
  return proxy.ok() ? std::move(proxy).value() : nullptr;
}

// The `_changes` requests the proxy saw for `since`.
int ChangesSince(faults::FaultProxy& proxy, const std::string& since) {
  int count = 0;
  for (const faults::RequestLogEntry& entry : proxy.requests().Entries()) {
    const std::string tail = "since=" + since;
    if (entry.path == "/notes/_changes" && entry.query.size() >= tail.size() &&
        entry.query.compare(entry.query.size() - tail.size(), tail.size(), tail) == 0) {
      ++count;
    }
  }
  return count;
}

// Waits (up to 30 s, on the proxy's log) for a `_changes` request for `since`.
void AwaitChangesSince(faults::FaultProxy& proxy, const std::string& since) {
  for (int i = 0; i < 30000 && ChangesSince(proxy, since) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_GT(ChangesSince(proxy, since), 0) << "no _changes request since=" << since;
}

TEST_F(CouchdbRemoteTest, AFullPagesSuccessorIsRequestedAheadAndServedFromThere) {
  ASSERT_TRUE(NewRemote()->Push({Put("a", {{"v", 1}}), Put("b", {{"v", 2}}),
                                 Put("c", {{"v", 3}}), Put("d", {{"v", 4}}),
                                 Put("e", {{"v", 5}})},
                                call_)
                  .ok());
  auto proxy = Proxy(server_->url());
  ASSERT_TRUE(proxy);
  auto remote = NewRemote(true, "", "", proxy->base_url());
  auto first = remote->Pull(Query("", 2), call_);
  ASSERT_TRUE(first.ok()) << first.status().message();
  // The next page is asked for before the agent asks: its answer travels while this one is
  // applied.
  ASSERT_NO_FATAL_FAILURE(AwaitChangesSince(*proxy, "2"));
  auto second = remote->Pull(Query(first->cursor, 2), call_);
  ASSERT_TRUE(second.ok()) << second.status().message();
  ASSERT_EQ(second->changes.size(), 2u);
  EXPECT_EQ(second->changes[0].key, "c");
  EXPECT_EQ(DataOf(second->changes[1]), json({{"v", 4}}));
  EXPECT_EQ(second->cursor, R"({"notes":4})");
  EXPECT_EQ(ChangesSince(*proxy, "2"), 1) << "served from the request made ahead";
  auto third = remote->Pull(Query(second->cursor, 2), call_);
  ASSERT_TRUE(third.ok()) << third.status().message();
  ASSERT_EQ(third->changes.size(), 1u);
  EXPECT_FALSE(third->has_more);
  remote->EndCycle();
  EXPECT_EQ(ChangesSince(*proxy, "5"), 0) << "nothing is asked ahead of a short page";
  EXPECT_EQ(remote->stats().requests, proxy->requests().total())
      << "the requests made ahead count";
}

TEST_F(CouchdbRemoteTest, APageRequestedAheadThatFailsIsRequestedAgain) {
  std::vector<Mutation> puts;
  for (int i = 0; i < 4; ++i) puts.push_back(Put("d" + std::to_string(i), {{"v", i}}));
  ASSERT_TRUE(NewRemote()->Push(puts, call_).ok());
  for (const faults::FaultKind kind :
       {faults::FaultKind::kStatus, faults::FaultKind::kMalformedJson,
        faults::FaultKind::kResetMidBody}) {
    SCOPED_TRACE(faults::FaultKindName(kind));
    faults::FaultRule spoil;  // the second `_changes`: the one requested ahead
    spoil.match.path = "/notes/_changes";
    spoil.match.nth = 2;
    spoil.action.kind = kind;
    auto proxy = Proxy(server_->url(), {spoil});
    ASSERT_TRUE(proxy);
    auto remote = NewRemote(true, "", "", proxy->base_url());
    auto first = remote->Pull(Query("", 2), call_);
    ASSERT_TRUE(first.ok()) << first.status().message();
    auto second = remote->Pull(Query(first->cursor, 2), call_);
    ASSERT_TRUE(second.ok()) << second.status().message();
    ASSERT_EQ(second->changes.size(), 2u);
    EXPECT_EQ(second->changes[0].key, "d2");
    EXPECT_EQ(DataOf(second->changes[1]), json({{"v", 3}}));
    EXPECT_EQ(ChangesSince(*proxy, "2"), 2) << "once ahead (spoilt), once when asked";
    EXPECT_EQ(remote->stats().retries, 0) << "not a retry of the agent's request";
  }
}

TEST_F(CouchdbRemoteTest, APullForAnotherPageDropsThePageRequestedAhead) {
  ASSERT_TRUE(NewRemote()->Push({Put("a", {{"v", 1}}), Put("b", {{"v", 2}}),
                                 Put("c", {{"v", 3}})},
                                call_)
                  .ok());
  auto remote = NewRemote();
  auto first = remote->Pull(Query("", 2), call_);
  ASSERT_TRUE(first.ok()) << first.status().message();
  // From the start again (as after a server reset), and with another page size.
  for (const int limit : {2, 3}) {
    auto again = remote->Pull(Query("", limit), call_);
    ASSERT_TRUE(again.ok()) << again.status().message();
    ASSERT_EQ(again->changes.size(), static_cast<size_t>(limit));
    EXPECT_EQ(again->changes[0].key, "a");
  }
}

TEST_F(CouchdbRemoteTest, EndCycleStopsAPageRequestedAheadAtOnce) {
  ASSERT_TRUE(NewRemote()->Push({Put("a", {{"v", 1}}), Put("b", {{"v", 2}})}, call_).ok());
  faults::FaultRule hang;  // the page requested ahead never comes
  hang.match.path = "/notes/_changes";
  hang.match.nth = 2;
  hang.action.kind = faults::FaultKind::kHang;
  hang.action.max_ms = 60000;
  auto proxy = Proxy(server_->url(), {hang});
  ASSERT_TRUE(proxy);
  auto remote = NewRemote(true, "", "", proxy->base_url());
  remote->BeginCycle("dev-1");
  auto first = remote->Pull(Query("", 1), call_);
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_NO_FATAL_FAILURE(AwaitChangesSince(*proxy, "1"));
  remote->EndCycle();  // a minute if the request were waited for
  EXPECT_EQ(remote->stats().requests, proxy->requests().total());
  // A pull of that page, cancelled, does not wait for the request made ahead.
  auto hanging = Proxy(server_->url(), {hang});
  ASSERT_TRUE(hanging);
  auto waiting = NewRemote(true, "", "", hanging->base_url());
  auto one = waiting->Pull(Query("", 1), call_);
  ASSERT_TRUE(one.ok()) << one.status().message();
  ASSERT_NO_FATAL_FAILURE(AwaitChangesSince(*hanging, "1"));
  CancelToken cancel;
  cancel.Cancel("the app closed");
  auto cancelled = waiting->Pull(Query(one->cursor, 1), CallContext{std::nullopt, &cancel});
  EXPECT_FALSE(cancelled.ok());
  EXPECT_EQ(ChangesSince(*hanging, "1"), 1) << "nothing sent once cancelled";
}

TEST_F(CouchdbRemoteTest, NoPageIsRequestedAheadWhenReadAheadIsOff) {
  ASSERT_TRUE(NewRemote()->Push({Put("a", {{"v", 1}}), Put("b", {{"v", 2}})}, call_).ok());
  auto proxy = Proxy(server_->url());
  ASSERT_TRUE(proxy);
  CouchdbRemoteOptions options;
  options.session.base_url = proxy->base_url();
  options.session.retry.max_attempts = 1;
  options.read_ahead = false;
  CouchdbRemote remote(http_.get(), RealClock::Default(), nullptr, options, 3);
  auto first = remote.Pull(Query("", 1), call_);
  ASSERT_TRUE(first.ok()) << first.status().message();
  remote.EndCycle();
  EXPECT_EQ(ChangesSince(*proxy, "1"), 0);
  EXPECT_EQ(proxy->requests().total(), 1);
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

TEST_F(CouchdbRemoteTest, ThePullIsCheckpointedOnTheServerForTheDevice) {
  auto remote = NewRemote();
  remote->BeginCycle("dev-1");
  std::vector<Mutation> puts;
  for (int i = 0; i < 13; ++i) puts.push_back(Put("d" + std::to_string(i), {{"v", i}}));
  ASSERT_TRUE(remote->Push(puts, call_).ok());
  // The first page of the cycle is checkpointed, so that the cursor may mark the database.
  auto first = remote->Pull(Query("", 1), call_);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(json::parse(first->cursor), json::parse(R"({"notes":1,"~checkpointed":["notes"]})"));
  json checkpoint = Raw("GET", "/notes/_local/syncagent-dev-1");
  EXPECT_EQ(checkpoint["last_seq"], 1);
  EXPECT_EQ(checkpoint["device"], "dev-1");
  // Then every 10th page: pages 2-10 are held back, page 11 is written.
  std::string cursor = first->cursor;
  for (int page = 2; page <= 11; ++page) {
    auto next = remote->Pull(Query(cursor, 1), call_);
    ASSERT_TRUE(next.ok()) << next.status().message();
    cursor = next->cursor;
    EXPECT_EQ(Raw("GET", "/notes/_local/syncagent-dev-1")["last_seq"], page < 11 ? 1 : 11)
        << "page " << page;
  }
  // A short page (the collection caught up) is written at once.
  auto rest = remote->Pull(Query(cursor, 5), call_);
  ASSERT_TRUE(rest.ok()) << rest.status().message();
  EXPECT_EQ(rest->changes.size(), 2u);
  checkpoint = Raw("GET", "/notes/_local/syncagent-dev-1");
  EXPECT_EQ(checkpoint["last_seq"], 13);
  EXPECT_EQ(checkpoint["_rev"], "0-3");
  // A page held back is written by the pull that finds the collection caught up.
  ASSERT_TRUE(remote->Push({Put("late", {{"v", 1}})}, call_).ok());
  auto late = remote->Pull(Query(rest->cursor, 1), call_);
  ASSERT_TRUE(late.ok()) << late.status().message();
  EXPECT_EQ(Raw("GET", "/notes/_local/syncagent-dev-1")["last_seq"], 13) << "held back";
  auto caught_up = remote->Pull(Query(late->cursor, 1), call_);
  ASSERT_TRUE(caught_up.ok()) << caught_up.status().message();
  EXPECT_TRUE(caught_up->unchanged);
  checkpoint = Raw("GET", "/notes/_local/syncagent-dev-1");
  EXPECT_EQ(checkpoint["last_seq"], 14);
  EXPECT_EQ(checkpoint["_rev"], "0-4");
  // Another instance for the same device (its cursor was not kept) writes over the checkpoint.
  auto again = NewRemote();
  again->BeginCycle("dev-1");
  auto restart = again->Pull(Query(), call_);
  ASSERT_TRUE(restart.ok()) << restart.status().message();
  EXPECT_EQ(Raw("GET", "/notes/_local/syncagent-dev-1")["_rev"], "0-5");
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
TEST_F(CouchdbRemoteTest, AContestedDocumentIsPulledWithItsLosingLeavesAsRivals) {
  auto remote = NewRemote();
  const std::string mine = MakeTwoLeaves(*remote);
  const std::string other = "2-" + std::string(32, 'f');
  auto page = remote->Pull(Query(), call_);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->changes.size(), 1u);
  const RemoteChange& change = page->changes[0];
  EXPECT_EQ(change.rev, other + "|" + mine);
  EXPECT_EQ(DataOf(change), json({{"v", 2}, {"by", "other"}}));
  ASSERT_EQ(change.rivals.size(), 1u);
  EXPECT_EQ(change.rivals[0].rev, mine + "|" + other);
  EXPECT_EQ(change.rivals[0].data, json({{"v", 2}, {"by", "agent"}}));
  EXPECT_TRUE(remote->NeedsWriteBack(change.rev));
  EXPECT_TRUE(remote->NeedsWriteBack(change.rivals[0].rev));
  EXPECT_FALSE(remote->NeedsWriteBack(mine));
  EXPECT_EQ(remote->CompareRevisions(mine, change.rivals[0].rev), RevisionOrder::kSame);
}

}  // namespace
}  // namespace syncagent::couch_remote_testing
