// Clock: the only source of time for syncagent's engine, storage and network layers.
//
// Two readings are offered: wall time (Unix epoch, for stamps, logs and HLC) and monotonic time
// (for deadlines and backoff). Sleeping also goes through the clock, so a VirtualClock can run
// hours of schedule in milliseconds: its SleepFor advances virtual time instead of blocking.
//
// Thread safety: every Clock implementation is safe to call from any thread.
#ifndef SYNCAGENT_PLATFORM_CLOCK_H_
#define SYNCAGENT_PLATFORM_CLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>

namespace syncagent {

class CancelToken;

using Millis = std::chrono::milliseconds;

// A point on a clock's monotonic axis, in nanoseconds since an arbitrary epoch.
struct MonoTime {
  int64_t ns = 0;

  friend auto operator<=>(const MonoTime&, const MonoTime&) = default;
  MonoTime operator+(std::chrono::nanoseconds d) const { return {ns + d.count()}; }
  MonoTime operator-(std::chrono::nanoseconds d) const { return {ns - d.count()}; }
  std::chrono::nanoseconds operator-(MonoTime other) const {
    return std::chrono::nanoseconds(ns - other.ns);
  }
};

class Clock {
 public:
  virtual ~Clock() = default;

  // Milliseconds since the Unix epoch. May jump (NTP, user changes).
  virtual int64_t WallMs() const = 0;
  // Never goes backwards.
  virtual MonoTime Now() const = 0;
  // Waits `duration`, or until `cancel` (may be null) is cancelled. Returns false when cancelled.
  virtual bool SleepFor(std::chrono::nanoseconds duration, const CancelToken* cancel) = 0;
};

// The process's real clocks (system_clock and steady_clock).
class RealClock final : public Clock {
 public:
  int64_t WallMs() const override;
  MonoTime Now() const override;
  bool SleepFor(std::chrono::nanoseconds duration, const CancelToken* cancel) override;

  // A shared instance for code that needs no injection (CLI entry points).
  static RealClock* Default();
};

// A clock that only moves when told to. SleepFor advances it by the slept duration at once
// (single-threaded simulations), and Advance moves it explicitly. Wall and monotonic time move
// together unless SetWallMs is used to simulate a wall-clock jump.
class VirtualClock final : public Clock {
 public:
  explicit VirtualClock(int64_t start_wall_ms = 1767225600000 /* 2026-01-01T00:00:00Z */)
      : wall_ms_(start_wall_ms) {}

  int64_t WallMs() const override { return wall_ms_.load() + mono_ns_.load() / 1000000; }
  MonoTime Now() const override { return MonoTime{mono_ns_.load()}; }
  bool SleepFor(std::chrono::nanoseconds duration, const CancelToken* cancel) override;

  void Advance(std::chrono::nanoseconds duration) {
    if (duration.count() > 0) mono_ns_ += duration.count();
  }
  // Moves wall time to `wall_ms` without moving monotonic time (a jump, possibly backwards).
  void SetWallMs(int64_t wall_ms) { wall_ms_ = wall_ms - mono_ns_.load() / 1000000; }
  // Total time slept through SleepFor, for assertions about backoff.
  std::chrono::nanoseconds total_slept() const { return std::chrono::nanoseconds(slept_ns_.load()); }

 private:
  std::atomic<int64_t> wall_ms_;
  std::atomic<int64_t> mono_ns_{0};
  std::atomic<int64_t> slept_ns_{0};
};

}  // namespace syncagent

#endif  // SYNCAGENT_PLATFORM_CLOCK_H_
