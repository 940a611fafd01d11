#include "tools/simulators/sim_timeline.h"

#include "syncagent/status.h"

namespace syncagent {

void SimTimeline::Add(MonoTime at, std::function<void()> fn) {
  events_.emplace(std::make_pair(at.ns, next_seq_++), std::move(fn));
}

MonoTime SimTimeline::NextTime() const {
  SYNCAGENT_CHECK(!events_.empty());
  return MonoTime{events_.begin()->first.first};
}

void SimTimeline::RunNext() {
  SYNCAGENT_CHECK(!events_.empty());
  auto it = events_.begin();
  std::function<void()> fn = std::move(it->second);
  events_.erase(it);
  fn();
}

}  // namespace syncagent
