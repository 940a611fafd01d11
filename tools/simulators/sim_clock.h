// SimClock: the Clock a task body runs on inside a simulated OS scheduler.
//
// What: forwards to a VirtualClock, and carries timers that fire *while the body sleeps*. A sleep
// that crosses a timer advances to the timer's time, fires it, and then either returns false (the
// sleep's cancel token was cancelled by the timer, as RealClock would wake early) or keeps
// sleeping. The simulators arm the OS's expiration / onStopped timer and the duplicate-fire timer
// this way, so a body that sleeps through its budget sees its token cancelled at the exact virtual
// instant the real OS would cancel it. A body that sleeps on the bare VirtualClock still works,
// but the simulator can only notice the overrun after it returns.
//
// Why: simulations must be single-threaded and deterministic, yet model things that happen during
// a run (expiration, a second concurrent start of the same work).
//
// Threading contract: single-threaded, like the simulators that own it. Timers fire on the thread
// that sleeps; a timer may itself sleep (a nested duplicate run).
#ifndef SYNCAGENT_TOOLS_SIMULATORS_SIM_CLOCK_H_
#define SYNCAGENT_TOOLS_SIMULATORS_SIM_CLOCK_H_

#include <cstdint>
#include <functional>
#include <map>
#include <utility>

#include "platform/clock.h"

namespace syncagent {

class SimClock final : public Clock {
 public:
  using TimerId = uint64_t;

  explicit SimClock(VirtualClock* clock) : clock_(clock) {}

  int64_t WallMs() const override { return clock_->WallMs(); }
  MonoTime Now() const override { return clock_->Now(); }
  bool SleepFor(std::chrono::nanoseconds duration, const CancelToken* cancel) override;

  // Fires `fn` when a sleep reaches `at` (never outside a sleep). Timers with equal times fire in
  // the order they were added.
  TimerId AddTimer(MonoTime at, std::function<void()> fn);
  // True when the timer was still pending (it is now removed).
  bool CancelTimer(TimerId id);

  // Moves the clock to `at` when it is ahead of now (the event loop's jump; not counted as sleep).
  void AdvanceTo(MonoTime at);
  // Wall time of a point on the monotonic axis.
  int64_t WallAt(MonoTime at) const;

  VirtualClock* virtual_clock() const { return clock_; }

 private:
  VirtualClock* clock_;
  TimerId next_id_ = 1;
  std::map<std::pair<int64_t, TimerId>, std::function<void()>> timers_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_TOOLS_SIMULATORS_SIM_CLOCK_H_
