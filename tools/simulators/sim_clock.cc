#include "tools/simulators/sim_clock.h"

#include "platform/cancel_token.h"

namespace syncagent {

bool SimClock::SleepFor(std::chrono::nanoseconds duration, const CancelToken* cancel) {
  if (cancel && cancel->IsCancelled()) return false;
  const MonoTime target = Now() + duration;
  while (!timers_.empty() && timers_.begin()->first.first <= target.ns) {
    auto it = timers_.begin();
    const MonoTime at{it->first.first};
    std::function<void()> fn = std::move(it->second);
    timers_.erase(it);
    if (at > Now()) clock_->SleepFor(at - Now(), nullptr);
    fn();
    if (cancel && cancel->IsCancelled()) return false;
  }
  if (target > Now()) clock_->SleepFor(target - Now(), nullptr);
  return !(cancel && cancel->IsCancelled());
}

SimClock::TimerId SimClock::AddTimer(MonoTime at, std::function<void()> fn) {
  const TimerId id = next_id_++;
  timers_.emplace(std::make_pair(at.ns, id), std::move(fn));
  return id;
}

bool SimClock::CancelTimer(TimerId id) {
  for (auto it = timers_.begin(); it != timers_.end(); ++it) {
    if (it->first.second == id) {
      timers_.erase(it);
      return true;
    }
  }
  return false;
}

void SimClock::AdvanceTo(MonoTime at) {
  if (at > Now()) clock_->Advance(at - Now());
}

int64_t SimClock::WallAt(MonoTime at) const {
  return clock_->WallMs() + (at - Now()).count() / 1'000'000;
}

}  // namespace syncagent
