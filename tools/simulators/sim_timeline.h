// SimTimeline: a scripted list of things that happen to a simulated device over virtual time
// ("at 02:00 the network goes away", "at 23:00 the phone is plugged in").
//
// What: events ordered by time (ties in insertion order); the simulators pop them between runs,
// after jumping the clock to the event's time.
// Why: a week of schedule with offline periods and charging windows is scripted up front and
// replayed deterministically.
//
// Threading contract: single-threaded (owned by one simulator).
#ifndef SYNCAGENT_TOOLS_SIMULATORS_SIM_TIMELINE_H_
#define SYNCAGENT_TOOLS_SIMULATORS_SIM_TIMELINE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <utility>

#include "platform/clock.h"

namespace syncagent {

class SimTimeline {
 public:
  void Add(MonoTime at, std::function<void()> fn);

  bool empty() const { return events_.empty(); }
  size_t size() const { return events_.size(); }
  // REQUIRES: !empty()
  MonoTime NextTime() const;
  // Removes the earliest event and runs it. REQUIRES: !empty()
  void RunNext();

 private:
  uint64_t next_seq_ = 0;
  std::map<std::pair<int64_t, uint64_t>, std::function<void()>> events_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_TOOLS_SIMULATORS_SIM_TIMELINE_H_
