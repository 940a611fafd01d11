#include "tests/soak/faults.h"

#include <cstdio>
#include <vector>

#include "tests/soak/random.h"

namespace syncagent::soak {
namespace {

using nlohmann::json;

// One random action. `once_only` is set for actions that must not repeat (a 401 that repeats is
// a revoked token, not a fault the agent can get through).
json RandomAction(std::mt19937_64& rng, int max_request_ms, bool* once_only) {
  *once_only = false;
  switch (Uniform(rng, 0, 15)) {
    case 0:
      return {{"kind", "status"}, {"status", 500}};
    case 1:
      return {
          {"kind", "status"}, {"status", 503}, {"retry_after", std::to_string(Uniform(rng, 1, 2))}};
    case 2:
      return {{"kind", "status"}, {"status", 503}};
    case 3:
      return {{"kind", "status"}, {"status", 429}, {"retry_after", "1"}};
    case 4:
      return {{"kind", "status"}, {"status", Chance(rng, 0.5) ? 502 : 504}};
    case 5:
      *once_only = true;
      return {{"kind", "status"}, {"status", 401}};
    case 6:  // applied, then the answer is an error: the client must replay
      return {{"kind", "status"}, {"status", 503}, {"after_processing", true}};
    case 7:
      return {{"kind", "delay"}, {"delay_ms", Uniform(rng, 50, max_request_ms / 2)}};
    case 8:
      return {{"kind", "close_before_response"}, {"after_processing", Chance(rng, 0.5)}};
    case 9:
      return {{"kind", "reset_mid_body"}};
    case 10:
      return {{"kind", "truncated_body"}};
    case 11:
      return {{"kind", "malformed_json"}, {"after_processing", Chance(rng, 0.5)}};
    case 12:
      return {{"kind", "wrong_content_type"}, {"after_processing", Chance(rng, 0.3)}};
    case 13:  // above the clients' server.max_response_bytes (1 MiB)
      return {{"kind", "oversized_body"},
              {"bytes", 2 * 1024 * 1024},
              {"after_processing", Chance(rng, 0.3)}};
    case 14:
      return {{"kind", "drip"}, {"bytes_per_second", Uniform(rng, 200, 4000)}};
    default:
      return {{"kind", "hang"},
              {"max_ms", Uniform(rng, 300, max_request_ms + 2000)},
              {"after_processing", Chance(rng, 0.5)}};
  }
}

}  // namespace

std::string FaultName(const json& action) {
  std::string name = action.value("kind", "?");
  if (name == "status") {
    name += " " + std::to_string(action.value("status", 503));
    if (action.contains("retry_after")) name += "+retry-after";
  }
  if (action.value("after_processing", false)) name += " after processing";
  return name;
}

FaultEpisode RandomFaultEpisode(std::mt19937_64& rng, int max_request_ms) {
  FaultEpisode episode;
  json rules = json::array();
  const int count = Chance(rng, 0.3) ? 2 : 1;
  for (int i = 0; i < count; ++i) {
    bool once_only = false;
    json action = RandomAction(rng, max_request_ms, &once_only);
    json match = json::object();
    std::string target;
    switch (Uniform(rng, 0, 2)) {
      case 0:
        match = {{"method", "POST"}, {"path", "/v1/push"}};
        target = "push";
        break;
      case 1:
        match = {{"method", "GET"}, {"path", "/v1/pull"}};
        target = "pull";
        break;
      default:
        match = {{"path", "/v1/*"}};
        target = "push+pull";
        break;
    }
    std::string how;
    if (once_only || Chance(rng, 0.35)) {
      const int nth = Uniform(rng, 1, 3);
      const int times = once_only ? 1 : Uniform(rng, 1, 4);
      match["nth"] = nth;
      match["times"] = times;
      how = "nth=" + std::to_string(nth) + " times=" + std::to_string(times);
    } else {
      const double p = Uniform(rng, 10, 60) / 100.0;
      match["probability"] = p;
      match["seed"] = Uniform(rng, 1, 1000000);
      char text[32];
      std::snprintf(text, sizeof(text), "p=%.2f", p);
      how = text;
    }
    if (!episode.label.empty()) episode.label += "; ";
    episode.label += target + " " + FaultName(action) + " " + how;
    rules.push_back({{"match", match}, {"action", action}});
  }
  episode.scenario = {{"faults", rules}};
  return episode;
}

void AddFired(const json& faults_reply, std::map<std::string, int64_t>* fired) {
  if (!faults_reply.contains("faults") || !faults_reply["faults"].is_array()) return;
  for (const json& rule : faults_reply["faults"]) {
    if (!rule.contains("action")) continue;
    const int64_t n = rule.value("fired", int64_t{0});
    if (n > 0) (*fired)[FaultName(rule["action"])] += n;
  }
}

}  // namespace syncagent::soak
