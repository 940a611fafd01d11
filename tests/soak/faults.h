// Random fault episodes for the soak: a scenario of one or two rules for the mock server's
// /_admin/faults (docs/mock-server.md) — 5xx with and without Retry-After, 429, 401 once, delays,
// connections closed before the answer (before or after processing), resets mid-body, truncated
// bodies, malformed JSON, a captive portal, an oversized body, drips and hangs — on push, pull or
// both, with a probability or on the next few requests.
#ifndef SYNCAGENT_TESTS_SOAK_FAULTS_H_
#define SYNCAGENT_TESTS_SOAK_FAULTS_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

namespace syncagent::soak {

struct FaultEpisode {
  nlohmann::json scenario;  // {"faults":[...]}
  std::string label;        // e.g. "push reset_mid_body p=0.40; pull 503+ra=1 next 3"
};

// `max_request_ms` bounds hangs and delays so a client's request timeout is sometimes hit and
// sometimes not.
FaultEpisode RandomFaultEpisode(std::mt19937_64& rng, int max_request_ms);

// The name a rule's action is counted under ("reset_mid_body", "status 503 retry-after", ...).
std::string FaultName(const nlohmann::json& action);

// Adds the `fired` counters of a GET /_admin/faults answer to `fired` (by FaultName).
void AddFired(const nlohmann::json& faults_reply, std::map<std::string, int64_t>* fired);

}  // namespace syncagent::soak

#endif  // SYNCAGENT_TESTS_SOAK_FAULTS_H_
