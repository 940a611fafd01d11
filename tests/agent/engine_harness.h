// Test harness for the sync engine: one "device" = an Agent (Agent::Open: a real SQLite store in a
// temp dir, syncagent/1 over the real libcurl transport, the SyncEngine), talking to an in-process
// mock server over loopback. Time is a VirtualClock shared by the devices (retry waits are instant; transfers are
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

#include "agent/agent.h"
#include "net/curl_http_client.h"
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
  uint64_t seed = 7;                               // the remote's backoff jitter
  // The transport, when the test brings its own (e.g. one that reroutes requests); default:
  // libcurl made from `http`. Must outlive the Device.
  HttpClient* transport = nullptr;
};

// The agent config a Device's options stand for (the inverse of Agent::Open's translations).
inline AgentConfig DeviceConfig(const std::string& db_path, const std::string& base_url,
                                const DeviceOptions& o) {
  AgentConfig c;
  c.server.base_url = base_url;
  c.server.allow_insecure_http = true;
  c.server.max_response_bytes = o.http.max_response_bytes;
  c.storage.path = db_path;
  c.storage.busy_timeout_ms = o.busy_timeout_ms;
  for (ConflictPolicy p : EnumTraits<ConflictPolicy>::kValues) {
    if (ToResolutionPolicy(p) == o.policy) c.sync.conflict.default_policy = p;
  }
  for (MergeTie t : EnumTraits<MergeTie>::kValues) {
    if (ToTieRule(t) == o.tie) c.sync.conflict.merge_tie = t;
  }
  c.sync.collections = o.engine.collections;
  c.sync.skip_own_changes = o.skip_own_writes;
  c.retry.initial_delay_ms = o.retry.initial_delay.count();
  c.retry.multiplier = o.retry.multiplier;
  c.retry.max_delay_ms = o.retry.max_delay.count();
  for (JitterKind j : EnumTraits<JitterKind>::kValues) {
    RetryConfig probe;
    probe.jitter = j;
    if (ToRetryOptions(probe).jitter == o.retry.jitter) c.retry.jitter = j;
  }
  c.retry.max_attempts_per_cycle = o.retry.max_attempts;
  c.retry.honor_retry_after = o.retry.honor_retry_after;
  c.retry.max_retry_after_ms = o.retry.max_retry_after.count();
  c.retry.max_wait_in_cycle_ms = o.retry.max_wait_in_cycle.count();
  return c;
}

// One device: an Agent opened by Agent::Open from DeviceConfig, over the libcurl transport made
// from options.http (injected: the config does not carry every transport knob) and with the
// engine options of options.engine (AgentOptions::tune_engine).
class Device {
 public:
  Device(const std::string& db_path, const std::string& base_url, Clock* clock,
         DeviceOptions options = {})
      : clock_(clock), options_(std::move(options)) {
    options_.http.allow_insecure_http = true;
    if (options_.http.request_timeout == Millis(30000)) options_.http.request_timeout = Millis(5000);
    AgentOptions agent_options;
    agent_options.http = options_.transport;
    if (agent_options.http == nullptr) {
      auto http = CurlHttpClient::Create(options_.http, clock);
      EXPECT_TRUE(http.ok()) << http.status().ToString();
      if (!http.ok()) return;
      http_ = std::move(*http);
      agent_options.http = http_.get();
    }
    agent_options.clock = clock;
    agent_options.custom_resolver = options_.custom;
    agent_options.seed = options_.seed;
    agent_options.on_event = [this](const SyncEvent& e) {
      events_.push_back(e);
      if (options_.on_event) options_.on_event(e);
    };
    agent_options.tune_engine = [engine = options_.engine](SyncEngineOptions& built) {
      built = engine;
    };
    auto agent = Agent::Open(DeviceConfig(db_path, base_url, options_), std::move(agent_options));
    EXPECT_TRUE(agent.ok()) << agent.status().ToString();
    if (agent.ok()) agent_ = std::move(*agent);
  }

  CycleReport Sync(Millis budget = Millis(120000), const CancelToken* cancel = nullptr) {
    return agent_->SyncNow(budget, cancel);
  }

  Agent& agent() { return *agent_; }
  Store& store() { return agent_->store(); }
  std::vector<SyncEvent>& events() { return events_; }
  bool ok() const { return agent_ != nullptr; }

  // The live documents of a collection as {key: data}.
  std::map<std::string, nlohmann::json> Live(const std::string& collection) {
    std::map<std::string, nlohmann::json> out;
    ListOptions options;
    options.limit = 10000;
    auto docs = agent_->List(collection, options);
    EXPECT_TRUE(docs.ok()) << docs.status().ToString();
    if (docs.ok()) {
      for (const Document& d : *docs) out[d.key] = d.data;
    }
    return out;
  }

 private:
  Clock* clock_;
  DeviceOptions options_;
  std::unique_ptr<CurlHttpClient> http_;
  std::unique_ptr<Agent> agent_;
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
