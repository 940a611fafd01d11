// FaultInjector: the live set of fault rules and their counters.
//
// Every request outside /_admin/ is offered to Next(): each rule whose method and path match
// counts it (its `seen` counter), and the first rule, in scenario order, that decides to fire
// wins. Rules are replaced, appended or cleared at run time (admin endpoints, in-process tests).
//
// Thread safety: all methods are thread-safe.
#ifndef SYNCAGENT_TOOLS_FAULTS_FAULT_INJECTOR_H_
#define SYNCAGENT_TOOLS_FAULTS_FAULT_INJECTOR_H_

#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

#include "tools/faults/fault_scenario.h"

namespace syncagent::faults {

class FaultInjector {
 public:
  void Replace(std::vector<FaultRule> rules);
  void Append(std::vector<FaultRule> rules);
  void Clear();

  // The action for this request, if a rule fires. Counts the request for every matching rule.
  std::optional<FaultAction> Next(std::string_view method, std::string_view path);

  // {"faults":[{match, action, "seen": n, "fired": n}, ...]}
  nlohmann::json ToJson() const;

 private:
  struct Entry {
    FaultRule rule;
    int64_t seen = 0;
    int64_t fired = 0;
    std::mt19937_64 rng;
  };
  static Entry MakeEntry(FaultRule rule);

  mutable std::mutex mu_;
  std::vector<Entry> entries_;
};

}  // namespace syncagent::faults

#endif  // SYNCAGENT_TOOLS_FAULTS_FAULT_INJECTOR_H_
