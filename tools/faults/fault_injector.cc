#include "tools/faults/fault_injector.h"

namespace syncagent::faults {

FaultInjector::Entry FaultInjector::MakeEntry(FaultRule rule) {
  Entry entry;
  entry.rng.seed(rule.match.seed);
  entry.rule = std::move(rule);
  return entry;
}

void FaultInjector::Replace(std::vector<FaultRule> rules) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.clear();
  for (auto& rule : rules) entries_.push_back(MakeEntry(std::move(rule)));
}

void FaultInjector::Append(std::vector<FaultRule> rules) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& rule : rules) entries_.push_back(MakeEntry(std::move(rule)));
}

void FaultInjector::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.clear();
}

std::optional<FaultAction> FaultInjector::Next(std::string_view method, std::string_view path) {
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<FaultAction> chosen;
  for (Entry& entry : entries_) {
    const FaultMatch& match = entry.rule.match;
    if (!match.method.empty() && match.method != method) continue;
    if (!PathMatches(match.path, path)) continue;
    ++entry.seen;
    if (entry.seen < match.nth) continue;
    bool fires = false;
    if (match.probability) {
      // Draw for every eligible request so a seed gives the same sequence whatever else fired.
      const double draw = std::uniform_real_distribution<double>(0.0, 1.0)(entry.rng);
      fires = draw < *match.probability && (match.times < 0 || entry.fired < match.times);
    } else {
      fires = match.times < 0 || entry.seen < match.nth + match.times;
    }
    if (fires && !chosen) {
      ++entry.fired;
      chosen = entry.rule.action;
    }
  }
  return chosen;
}

nlohmann::json FaultInjector::ToJson() const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json faults = nlohmann::json::array();
  for (const Entry& entry : entries_) {
    nlohmann::json rule = FaultRuleToJson(entry.rule);
    rule["seen"] = entry.seen;
    rule["fired"] = entry.fired;
    faults.push_back(std::move(rule));
  }
  return {{"faults", std::move(faults)}};
}

}  // namespace syncagent::faults
