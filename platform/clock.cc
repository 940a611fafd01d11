#include "platform/clock.h"

#include <thread>

#include "platform/cancel_token.h"

namespace syncagent {

int64_t RealClock::WallMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

MonoTime RealClock::Now() const {
  return MonoTime{std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count()};
}

bool RealClock::SleepFor(std::chrono::nanoseconds duration, const CancelToken* cancel) {
  if (duration.count() <= 0) return !(cancel && cancel->IsCancelled());
  if (cancel == nullptr) {
    std::this_thread::sleep_for(duration);
    return true;
  }
  return !cancel->WaitFor(duration);
}

RealClock* RealClock::Default() {
  static RealClock clock;
  return &clock;
}

bool VirtualClock::SleepFor(std::chrono::nanoseconds duration, const CancelToken* cancel) {
  if (cancel && cancel->IsCancelled()) return false;
  Advance(duration);
  if (duration.count() > 0) slept_ns_ += duration.count();
  return true;
}

}  // namespace syncagent
