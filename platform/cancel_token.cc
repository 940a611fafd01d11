#include "platform/cancel_token.h"

namespace syncagent {

void CancelToken::Cancel(std::string reason) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (cancelled_.load(std::memory_order_relaxed)) return;
    reason_ = std::move(reason);
    cancelled_.store(true, std::memory_order_release);
  }
  cv_.notify_all();
}

std::string CancelToken::reason() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reason_;
}

bool CancelToken::WaitFor(std::chrono::nanoseconds duration) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, duration, [this] { return cancelled_.load(std::memory_order_acquire); });
}

}  // namespace syncagent
