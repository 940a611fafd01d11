// Test harness for the sync engine: one "device" = a real SQLite store in a temp dir, the real
// libcurl transport, a SyncagentRemote and a SyncEngine, talking to an in-process mock server over
// loopback. Time is a VirtualClock shared by the devices (retry waits are instant; transfers are
// real).
#ifndef SYNCAGENT_TESTS_AGENT_ENGINE_HARNESS_H_
#define SYNCAGENT_TESTS_AGENT_ENGINE_HARNESS_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/sync_engine.h"
#include "net/curl_http_client.h"
#include "net/syncagent_remote.h"
#include "tools/mock_server/mock_server.h"

namespace syncagent::testing {

class ScopedTempDir {
 public:
  ScopedTempDir() {
    std::string templ =
        (std::filesystem::temp_directory_path() / "syncagent-engine-XXXXXX").string();
    char* made = ::mkdtemp(templ.data());
    if (made == nullptr) std::abort();
    path_ = made;
  }
  ~ScopedTempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct DeviceOptions {
  ResolutionPolicy policy = ResolutionPolicy::kMerge;
  TieRule tie = TieRule::kServer;
  CustomResolverFn custom;
  SyncEngineOptions engine;
  RetryOptions retry;
  CurlHttpClientOptions http;
  bool skip_own_writes = true;                     // sync.skip_own_changes
  int busy_timeout_ms = 5000;                      // the store's wait for another connection's lock
  std::function<void(const SyncEvent&)> on_event;  // called on the cycle's thread, after recording
};

class Device {
 public:
  Device(const std::string& db_path, const std::string& base_url, Clock* clock,
         DeviceOptions options = {})
      : clock_(clock), options_(std::move(options)) {
    StoreOptions store_options;
    store_options.path = db_path;
    store_options.clock = clock;
    store_options.busy_timeout_ms = options_.busy_timeout_ms;
    store_options.synced_collections = options_.engine.collections;  // as Agent::Open does
    auto store = Store::Open(store_options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return;
    store_ = std::move(*store);
    options_.http.allow_insecure_http = true;
    if (options_.http.request_timeout == Millis(30000)) options_.http.request_timeout = Millis(5000);
    auto http = CurlHttpClient::Create(options_.http, clock);
    EXPECT_TRUE(http.ok()) << http.status().ToString();
    http_ = std::move(*http);
    SyncagentRemoteOptions remote_options;
    remote_options.client.base_url = base_url;
    remote_options.client.retry = options_.retry;
    remote_options.skip_own_writes = options_.skip_own_writes;
    remote_ = std::make_unique<SyncagentRemote>(http_.get(), clock, nullptr, remote_options, 7);
    resolver_ = std::make_unique<ConflictResolver>(options_.policy,
                                                   std::map<std::string, ResolutionPolicy>{},
                                                   options_.tie, options_.custom);
    engine_ = std::make_unique<SyncEngine>(store_.get(), remote_.get(), clock, resolver_.get(),
                                           options_.engine,
                                           [this](const SyncEvent& e) {
                                             events_.push_back(e);
                                             if (options_.on_event) options_.on_event(e);
                                           });
  }

  CycleReport Sync(Millis budget = Millis(120000), const CancelToken* cancel = nullptr) {
    return engine_->RunCycle(clock_->Now() + budget, cancel);
  }

  Store& store() { return *store_; }
  SyncEngine& engine() { return *engine_; }
  SyncagentRemote& remote() { return *remote_; }
  std::vector<SyncEvent>& events() { return events_; }
  bool ok() const { return engine_ != nullptr; }

  // The live documents of a collection as {key: data}.
  std::map<std::string, nlohmann::json> Live(const std::string& collection) {
    std::map<std::string, nlohmann::json> out;
    ListOptions options;
    options.limit = 10000;
    auto docs = store_->List(collection, options);
    EXPECT_TRUE(docs.ok()) << docs.status().ToString();
    if (docs.ok()) {
      for (const Document& d : *docs) out[d.key] = d.data;
    }
    return out;
  }

 private:
  Clock* clock_;
  DeviceOptions options_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<CurlHttpClient> http_;
  std::unique_ptr<SyncagentRemote> remote_;
  std::unique_ptr<ConflictResolver> resolver_;
  std::unique_ptr<SyncEngine> engine_;
  std::vector<SyncEvent> events_;
};

// The live documents of a collection on the mock server as {key: data}.
inline std::map<std::string, nlohmann::json> ServerLive(mock::MockServer& server,
                                                        const std::string& collection) {
  std::map<std::string, nlohmann::json> out;
  for (const auto& d : server.Documents()) {
    if (d.collection == collection && !d.deleted) out[d.key] = d.data;
  }
  return out;
}

// Every mutation id the server applied more than once (must be empty: exactly once).
inline std::vector<std::string> AppliedTwice(mock::MockServer& server) {
  std::vector<std::string> out;
  nlohmann::json stats = server.Stats();
  for (auto it = stats["applied"].begin(); it != stats["applied"].end(); ++it) {
    if (it.value().get<int64_t>() > 1) out.push_back(it.key());
  }
  return out;
}

}  // namespace syncagent::testing

#endif  // SYNCAGENT_TESTS_AGENT_ENGINE_HARNESS_H_
