// The fault proxy's side towards the upstream server: where it is (UpstreamTarget), a pool of
// kept-alive connections to it (UpstreamPool), and one forwarded request whose answer is
// streamed back through a bounded buffer (UpstreamExchange).
//
// Thread safety: UpstreamTarget is a value. UpstreamPool is thread-safe. An UpstreamExchange is
// used by one thread (the proxy's connection worker) while its own thread talks to the upstream.
#ifndef SYNCAGENT_TOOLS_FAULT_PROXY_UPSTREAM_H_
#define SYNCAGENT_TOOLS_FAULT_PROXY_UPSTREAM_H_

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "syncagent/status.h"

namespace syncagent::faults {

struct UpstreamTarget {
  std::string scheme;  // "http" or "https"
  std::string host;
  int port = 0;
  std::string base_path;  // "" or "/prefix" (no trailing '/'), put before every request target

  // "scheme://host:port" (no base path): what messages name.
  std::string Origin() const;
};

// Parses an absolute http(s) URL with an optional base path; no query, fragment or user info.
// The error names `flag` (e.g. "--upstream").
StatusOr<UpstreamTarget> ParseUpstreamUrl(const std::string& flag, const std::string& url);

struct UpstreamOptions {
  std::string ca_file;  // PEM CA bundle for an https upstream; "" = the system's
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds io_timeout{60000};  // per read or write
  size_t buffer_bytes = 1 << 20;  // answer bytes held between upstream and client, at most
};

// Connections to the upstream, kept alive between requests and reused by later ones.
class UpstreamPool {
 public:
  UpstreamPool(UpstreamTarget target, UpstreamOptions options)
      : target_(std::move(target)), options_(std::move(options)) {}

  const UpstreamTarget& target() const { return target_; }
  const UpstreamOptions& options() const { return options_; }

  // An idle connection (client) or a new one.
  std::unique_ptr<httplib::Client> Acquire();
  // Returns a client after a clean exchange (`reusable`), or drops it.
  void Release(std::unique_ptr<httplib::Client> client, bool reusable);

  int64_t clients_created() const { return clients_created_.load(); }

 private:
  UpstreamTarget target_;
  UpstreamOptions options_;
  std::mutex mu_;
  std::vector<std::unique_ptr<httplib::Client>> idle_;
  std::atomic<int64_t> clients_created_{0};
};

// One request forwarded upstream. Its answer's status and headers are waited for with
// WaitForHead(); the body then arrives piece by piece through Read(). The upstream call runs on a
// thread of the exchange's own, which stops reading while `buffer_bytes` are waiting for the
// client: memory stays bounded whatever the body's size. Both waits give up when `give_up`
// (checked every 50 ms) says so, e.g. the proxy is stopping or the client has gone away.
// Destroying the exchange cancels the upstream call (its connection is shut down, so a hanging
// upstream cannot hold the thread) and joins the thread.
class UpstreamExchange {
 public:
  // `peak_buffered` (may be null) is raised to the most bytes ever held by any exchange.
  static std::unique_ptr<UpstreamExchange> Begin(UpstreamPool* pool, httplib::Request request,
                                                 std::atomic<size_t>* peak_buffered,
                                                 std::function<bool()> give_up);
  ~UpstreamExchange();
  UpstreamExchange(const UpstreamExchange&) = delete;
  UpstreamExchange& operator=(const UpstreamExchange&) = delete;

  // Blocks until the upstream's status and headers are there. Unavailable (naming the upstream
  // and httplib's reason) when it could not be reached or answered nothing usable; Cancelled
  // when `give_up` said so first.
  Status WaitForHead();
  // REQUIRES: WaitForHead() returned ok.
  int status() const { return status_; }
  const httplib::Headers& headers() const { return headers_; }

  // Moves the next bytes of the body into *out (replacing its content). False at the end of the
  // body, when the upstream failed mid-body (then failed() is true) or when `give_up` said so.
  bool Read(std::string* out);
  bool failed() const;

 private:
  UpstreamExchange(UpstreamPool* pool, std::atomic<size_t>* peak_buffered,
                   std::function<bool()> give_up)
      : pool_(pool), peak_buffered_(peak_buffered), give_up_(std::move(give_up)) {}
  // Waits (in slices, asking give_up_) until `ready`; false when given up.
  bool WaitUntil(std::unique_lock<std::mutex>& lock, const std::function<bool()>& ready);
  void Run(httplib::Request request);
  bool OnHead(const httplib::Response& head);
  bool OnBody(const char* data, size_t size);
  // True when the whole answer has arrived (send() may still be returning). REQUIRES: mu_ held.
  bool AnswerComplete() const;

  UpstreamPool* pool_;
  std::atomic<size_t>* peak_buffered_;
  std::function<bool()> give_up_;
  mutable std::mutex mu_;
  httplib::Client* in_flight_ = nullptr;  // the client send() is using, while it is
  std::optional<size_t> expected_bytes_;  // the answer's Content-Length, when it has one
  size_t received_bytes_ = 0;
  std::condition_variable changed_;
  bool head_ready_ = false;
  bool finished_ = false;
  bool ok_ = false;
  bool cancelled_ = false;
  httplib::Error error_ = httplib::Error::Success;
  int status_ = 0;
  httplib::Headers headers_;
  std::deque<std::string> pieces_;
  size_t buffered_ = 0;
  std::thread thread_;
};

}  // namespace syncagent::faults

#endif  // SYNCAGENT_TOOLS_FAULT_PROXY_UPSTREAM_H_
