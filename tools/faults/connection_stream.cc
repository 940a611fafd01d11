#include "tools/faults/connection_stream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace syncagent::faults {
namespace {

// Waits up to `timeout_ms` for `events`, in short slices so a stopping server is noticed.
bool PollFd(int fd, short events, int timeout_ms, const ConnectionContext* context) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    if (context->server_stopping()) return false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    pollfd pfd{fd, events, 0};
    const int rc = ::poll(&pfd, 1, static_cast<int>(std::clamp<long long>(left, 0, 50)));
    if (rc > 0) return (pfd.revents & (events | POLLHUP | POLLERR)) != 0;
    if (rc < 0 && errno != EINTR) return false;
    if (left <= 0) return false;
  }
}

void AddressOf(bool peer, int fd, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  const int rc = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                      : ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (rc != 0) return;
  char buffer[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &in->sin_addr, buffer, sizeof(buffer));
    port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, buffer, sizeof(buffer));
    port = ntohs(in6->sin6_port);
  }
  ip = buffer;
}

}  // namespace

int ConnectionStream::ReadTimeoutMs() const {
  const auto deadline = context_->request_deadline();
  if (deadline == std::chrono::steady_clock::time_point::max()) return read_timeout_ms_;
  const auto left =
      std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
          .count();
  return static_cast<int>(std::clamp<long long>(left, 0, read_timeout_ms_));
}

bool ConnectionStream::is_readable() const {
  if (HasBuffered()) return true;
  if (context_->ssl() && SSL_pending(context_->ssl()) > 0) return true;
  return PollFd(context_->fd(), POLLIN, ReadTimeoutMs(), context_);
}

bool ConnectionStream::is_writable() const {
  return !context_->aborted() && PollFd(context_->fd(), POLLOUT, write_timeout_ms_, context_);
}

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  if (!HasBuffered()) {
    if (size >= kBufferBytes) return ReadSocket(ptr, size);  // a large read needs no buffer
    const ssize_t n = ReadSocket(buffer_, kBufferBytes);
    if (n <= 0) return n;
    buffer_pos_ = 0;
    buffer_len_ = static_cast<size_t>(n);
  }
  const size_t n = std::min(size, buffer_len_ - buffer_pos_);
  std::memcpy(ptr, buffer_ + buffer_pos_, n);
  buffer_pos_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t ConnectionStream::ReadSocket(char* ptr, size_t size) {
  // Past the request deadline, or waiting ends because of it rather than the read timeout.
  const bool deadline_binds = ReadTimeoutMs() < read_timeout_ms_;
  if (std::chrono::steady_clock::now() >= context_->request_deadline() || !is_readable()) {
    if (deadline_binds) context_->MarkRequestTimedOut();
    return -1;
  }
  ssize_t n;
  if (SSL* ssl = context_->ssl()) {
    n = SSL_read(ssl, ptr, static_cast<int>(std::min<size_t>(size, INT32_MAX)));
    if (n <= 0) return SSL_get_error(ssl, static_cast<int>(n)) == SSL_ERROR_ZERO_RETURN ? 0 : -1;
  } else {
    do {
      n = ::recv(context_->fd(), ptr, size, 0);
    } while (n < 0 && errno == EINTR);
  }
  if (n > 0) context_->AddRead(static_cast<uint64_t>(n));
  return n;
}

bool ConnectionStream::WriteAll(const char* ptr, size_t size) {
  while (size > 0) {
    if (context_->aborted() || !PollFd(context_->fd(), POLLOUT, write_timeout_ms_, context_)) {
      return false;
    }
    ssize_t n;
    if (SSL* ssl = context_->ssl()) {
      n = SSL_write(ssl, ptr, static_cast<int>(std::min<size_t>(size, INT32_MAX)));
      if (n <= 0) return false;
    } else {
      n = ::send(context_->fd(), ptr, size, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
    }
    context_->AddWritten(static_cast<uint64_t>(n));
    ptr += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) {
  if (context_->aborted()) return -1;
  const int64_t rate = context_->drip_bytes_per_second();
  if (rate <= 0) return WriteAll(ptr, size) ? static_cast<ssize_t>(size) : -1;
  // Drip: slices of rate/20 bytes every 50 ms (at least one byte per slice).
  constexpr int kTickMs = 50;
  const size_t slice = static_cast<size_t>(std::max<int64_t>(1, rate * kTickMs / 1000));
  const auto tick = std::chrono::milliseconds(std::max<int64_t>(1, slice * 1000 / rate));
  for (size_t offset = 0; offset < size; offset += slice) {
    if (!WriteAll(ptr + offset, std::min(slice, size - offset))) return -1;
    if (!context_->SleepInterruptibly(tick.count())) return -1;
  }
  return static_cast<ssize_t>(size);
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  AddressOf(/*peer=*/true, context_->fd(), ip, port);
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  AddressOf(/*peer=*/false, context_->fd(), ip, port);
}

}  // namespace syncagent::faults
