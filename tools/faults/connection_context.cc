#include "tools/faults/connection_context.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace syncagent::faults {
namespace {
thread_local ConnectionContext* g_current = nullptr;
}  // namespace

ConnectionContext* ConnectionContext::Current() { return g_current; }

ConnectionContext::Scope::Scope(ConnectionContext* context) { g_current = context; }
ConnectionContext::Scope::~Scope() { g_current = nullptr; }

bool ConnectionContext::PeerClosed() const {
  pollfd pfd{fd_, static_cast<short>(POLLRDHUP), 0};
  if (::poll(&pfd, 1, 0) <= 0) return false;
  return (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

bool ConnectionContext::SleepInterruptibly(int64_t ms) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (server_stopping() || PeerClosed()) return false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(10)));
  }
  return true;
}

void ConnectionContext::EndRequest(uint64_t* request_bytes, uint64_t* response_bytes) {
  *request_bytes = bytes_read_ - read_mark_;
  *response_bytes = bytes_written_ - written_mark_;
  read_mark_ = bytes_read_;
  written_mark_ = bytes_written_;
  drip_bytes_per_second_ = 0;
  log_id = -1;
  fault.clear();
  fault_decided = false;
  pending_fault.reset();
}

}  // namespace syncagent::faults
