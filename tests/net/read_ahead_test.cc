// ReadAhead (net/read_ahead.h) against a real PouchDB Server, through the fault proxy where a
// request must fail or hang: a body is handed over only for the path it was requested for, a
// failure is dropped, a request is never waited for past a cancel, and its transfers count once
// it is collected.
#include "net/read_ahead.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/net/couchdb_remote_fixture.h"
#include "tools/fault_proxy/fault_proxy.h"

namespace syncagent::couch_remote_testing {
namespace {

class ReadAheadTest : public CouchdbRemoteTest {
 protected:
  void SetUp() override {
    CouchdbRemoteTest::SetUp();
    Raw("PUT", "/notes");
    Raw("PUT", "/notes/a", R"({"v":1})");
  }

  std::unique_ptr<ReadAhead> NewReadAhead(const std::string& base_url) {
    HttpSessionOptions options;
    options.base_url = base_url;
    options.headers = {{"Accept", "application/json"}};
    options.retry.max_attempts = 5;  // replaced by one attempt
    return std::make_unique<ReadAhead>(http_.get(), RealClock::Default(), nullptr, options);
  }

  // A proxy in front of the server whose first request to `path` gets `kind`.
  std::unique_ptr<faults::FaultProxy> Proxy(const std::string& path, faults::FaultKind kind) {
    faults::FaultProxyOptions options;
    options.upstream = server_->url();
    faults::FaultRule rule;
    rule.match.path = path;
    rule.action.kind = kind;
    rule.action.max_ms = 60000;  // kHang: longer than any test may wait
    options.faults = {rule};
    auto proxy = faults::FaultProxy::Start(std::move(options));
    EXPECT_TRUE(proxy.ok()) << proxy.status().message();
    return proxy.ok() ? std::move(proxy).value() : nullptr;
  }

  // Waits (on the proxy's log, up to 30 s) until the proxy has seen `count` requests.
  static void AwaitRequests(faults::FaultProxy& proxy, int64_t count) {
    for (int i = 0; i < 30000 && proxy.requests().total() < count; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_GE(proxy.requests().total(), count);
  }
};

TEST_F(ReadAheadTest, HandsOverTheBodyOfTheRequestForThePathAsked) {
  auto ahead = NewReadAhead(server_->url());
  ahead->Start("/notes/a", std::nullopt);
  EXPECT_TRUE(ahead->pending());
  ahead->Start("/notes/a", std::nullopt);  // the same path: the running request is kept
  const std::optional<std::string> body = ahead->Take("/notes/a", nullptr);
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ(json::parse(*body)["v"], 1);
  EXPECT_FALSE(ahead->pending());
  EXPECT_EQ(ahead->stats().requests, 1);
  EXPECT_GT(ahead->stats().bytes_down, 0);
  EXPECT_FALSE(ahead->Take("/notes/a", nullptr).has_value()) << "handed over once";
}

TEST_F(ReadAheadTest, ARequestForAnotherPathIsDroppedNotHandedOver) {
  auto ahead = NewReadAhead(server_->url());
  ahead->Start("/notes/a", std::nullopt);
  EXPECT_FALSE(ahead->Take("/notes/b", nullptr).has_value());
  EXPECT_FALSE(ahead->pending());
  ahead->Start("/notes/a", std::nullopt);
  ahead->Start("/notes", std::nullopt);  // replaces it
  EXPECT_FALSE(ahead->Take("/notes/a", nullptr).has_value());
  EXPECT_FALSE(ahead->pending());
}

TEST_F(ReadAheadTest, AFailedOrRefusedRequestGivesNothingAndIsNotRetried) {
  auto missing = NewReadAhead(server_->url());
  missing->Start("/notes/nobody", std::nullopt);  // 404
  EXPECT_FALSE(missing->Take("/notes/nobody", nullptr).has_value());
  EXPECT_EQ(missing->stats().requests, 1);

  auto proxy = Proxy("/notes/a", faults::FaultKind::kStatus);  // 503 once
  ASSERT_TRUE(proxy);
  auto busy = NewReadAhead(proxy->base_url());
  busy->Start("/notes/a", std::nullopt);
  EXPECT_FALSE(busy->Take("/notes/a", nullptr).has_value());
  EXPECT_EQ(busy->stats().requests, 1) << "one attempt, whatever the retry options";
  EXPECT_EQ(proxy->requests().total(), 1);
}

TEST_F(ReadAheadTest, DropEndsAHangingRequestAtOnce) {
  auto proxy = Proxy("/notes/a", faults::FaultKind::kHang);
  ASSERT_TRUE(proxy);
  auto ahead = NewReadAhead(proxy->base_url());
  ahead->Start("/notes/a", std::nullopt);
  ASSERT_NO_FATAL_FAILURE(AwaitRequests(*proxy, 1));
  ahead->Drop();  // would wait a minute for the hang if the request were not cancelled
  EXPECT_FALSE(ahead->pending());
  EXPECT_EQ(ahead->stats().requests, 1);
  // The destructor drops too: a hanging request does not hold it.
  ahead->Start("/notes/a", std::nullopt);
  ahead.reset();
}

TEST_F(ReadAheadTest, TakeStopsWaitingWhenTheCallerIsCancelled) {
  auto proxy = Proxy("/notes/a", faults::FaultKind::kHang);
  ASSERT_TRUE(proxy);
  auto ahead = NewReadAhead(proxy->base_url());
  ahead->Start("/notes/a", std::nullopt);
  CancelToken cancel;
  std::thread canceller([&] {
    AwaitRequests(*proxy, 1);
    cancel.Cancel("test");
  });
  EXPECT_FALSE(ahead->Take("/notes/a", &cancel).has_value());
  canceller.join();
  EXPECT_FALSE(ahead->pending());
}

TEST_F(ReadAheadTest, ARequestPastItsDeadlineGivesNothing) {
  auto ahead = NewReadAhead(server_->url());
  ahead->Start("/notes/a", RealClock::Default()->Now());  // already over
  EXPECT_FALSE(ahead->Take("/notes/a", nullptr).has_value());
}

}  // namespace
}  // namespace syncagent::couch_remote_testing
