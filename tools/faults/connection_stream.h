// ConnectionStream: cpp-httplib's Stream over one accepted socket, plain or TLS.
//
// FaultServer serves each connection through this stream instead of httplib's own so that the
// fault handlers' decisions (ConnectionContext) take effect on the wire: once the context is
// aborted every write fails (httplib then gives up on the response), and a drip rate throttles
// every write. Reads and writes are counted in the context. Reads also end at the context's
// request deadline, so a client that trickles its request cannot hold the worker thread. Reads
// are buffered (httplib reads a request's line and headers one byte at a time), so a request
// costs a few system calls, not two per byte; HasBuffered() tells the keep-alive loop that the
// next request is already here.
//
// Thread safety: used by the connection's worker thread only.
#ifndef SYNCAGENT_TOOLS_FAULTS_CONNECTION_STREAM_H_
#define SYNCAGENT_TOOLS_FAULTS_CONNECTION_STREAM_H_

#include <httplib.h>

#include <string>

#include "tools/faults/connection_context.h"

namespace syncagent::faults {

class ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(ConnectionContext* context, int read_timeout_ms, int write_timeout_ms)
      : context_(context), read_timeout_ms_(read_timeout_ms), write_timeout_ms_(write_timeout_ms) {}

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return context_->fd(); }

  // True when bytes already read from the socket wait in the buffer.
  bool HasBuffered() const { return buffer_pos_ < buffer_len_; }

 private:
  static constexpr size_t kBufferBytes = 4096;

  // One read from the socket (or TLS) into ptr, counted in the context.
  ssize_t ReadSocket(char* ptr, size_t size);
  // The read timeout, shortened to what is left until the request deadline.
  int ReadTimeoutMs() const;
  // Writes all of [ptr, ptr+size) at full speed; false on error.
  bool WriteAll(const char* ptr, size_t size);

  ConnectionContext* context_;
  int read_timeout_ms_;
  int write_timeout_ms_;
  char buffer_[kBufferBytes];
  size_t buffer_pos_ = 0;
  size_t buffer_len_ = 0;
};

}  // namespace syncagent::faults

#endif  // SYNCAGENT_TOOLS_FAULTS_CONNECTION_STREAM_H_
