// CancelToken: cooperative cancellation shared between a caller and long-running work.
//
// The OS's expiration handler (iOS) or onStopped (Android) calls Cancel(); the sync engine, the
// retry loop and the HTTP transfer poll IsCancelled() (the transfer from libcurl's progress
// callback) and stop promptly. A token may also carry a deadline on a Clock's monotonic axis.
//
// Thread safety: Cancel() and IsCancelled() may be called from any thread. WaitFor is used by
// RealClock::SleepFor to wake early on cancellation.
#ifndef SYNCAGENT_PLATFORM_CANCEL_TOKEN_H_
#define SYNCAGENT_PLATFORM_CANCEL_TOKEN_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>

namespace syncagent {

class CancelToken {
 public:
  CancelToken() = default;
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;

  // Idempotent. The first reason given is kept.
  void Cancel(std::string reason = "cancelled");
  bool IsCancelled() const { return cancelled_.load(std::memory_order_acquire); }
  std::string reason() const;

  // Blocks up to `duration` of real time; returns true as soon as the token is cancelled.
  bool WaitFor(std::chrono::nanoseconds duration) const;

 private:
  std::atomic<bool> cancelled_{false};
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::string reason_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_PLATFORM_CANCEL_TOKEN_H_
