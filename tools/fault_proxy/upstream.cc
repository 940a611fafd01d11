#include "tools/fault_proxy/upstream.h"

#include <algorithm>
#include <charconv>

namespace syncagent::faults {
namespace {

constexpr size_t kMaxReadBytes = 256 * 1024;  // what one Read() hands over at most

void RaiseTo(std::atomic<size_t>* peak, size_t value) {
  if (!peak) return;
  size_t seen = peak->load();
  while (value > seen && !peak->compare_exchange_weak(seen, value)) {
  }
}

}  // namespace

std::string UpstreamTarget::Origin() const {
  return scheme + "://" + host + ":" + std::to_string(port);
}

StatusOr<UpstreamTarget> ParseUpstreamUrl(const std::string& flag, const std::string& url) {
  auto bad = [&](const std::string& why) {
    return InvalidArgumentError(flag + ": \"" + url + "\" " + why);
  };
  UpstreamTarget target;
  const auto at = url.find('@');
  if (at != std::string::npos && url.find('/', url.find("://") + 3) > at) {
    // Not echoed: the text before '@' is a password.
    return InvalidArgumentError(flag +
                                ": the URL must not carry credentials (user:password@); "
                                "the client's own Authorization header is forwarded");
  }
  const auto colon = url.find("://");
  if (colon == std::string::npos) return bad("is not an absolute URL (http://HOST:PORT[/PATH])");
  target.scheme = url.substr(0, colon);
  if (target.scheme != "http" && target.scheme != "https") {
    return bad("has scheme \"" + target.scheme + "\"; use http or https");
  }
  std::string rest = url.substr(colon + 3);
  if (rest.find_first_of("?#") != std::string::npos)
    return bad("must not have a query or fragment");
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  target.base_path = slash == std::string::npos ? "" : rest.substr(slash);
  while (!target.base_path.empty() && target.base_path.back() == '/') target.base_path.pop_back();
  target.port = target.scheme == "https" ? 443 : 80;
  const auto port_colon = authority.rfind(':');
  if (port_colon != std::string::npos && authority.find(']', port_colon) == std::string::npos) {
    const std::string port_text = authority.substr(port_colon + 1);
    int port = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc() || ptr != port_text.data() + port_text.size() ||
        port < 1 || port > 65535) {
      return bad("has a bad port \"" + port_text + "\" (1..65535)");
    }
    target.port = port;
    authority = authority.substr(0, port_colon);
  }
  if (authority.empty()) return bad("has no host");
  target.host = authority;
  return target;
}

std::unique_ptr<httplib::Client> UpstreamPool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<httplib::Client> client = std::move(idle_.back());
      idle_.pop_back();
      return client;
    }
  }
  auto client = std::make_unique<httplib::Client>(target_.Origin());
  client->set_keep_alive(true);
  client->set_decompress(false);  // gzip passes through untouched
  client->set_url_encode(false);  // the target is forwarded exactly as the client sent it
  client->set_follow_location(false);
  client->set_tcp_nodelay(true);
  client->set_connection_timeout(options_.connect_timeout);
  client->set_read_timeout(options_.io_timeout);
  client->set_write_timeout(options_.io_timeout);
  if (target_.scheme == "https") {
    client->enable_server_certificate_verification(true);
    if (!options_.ca_file.empty()) client->set_ca_cert_path(options_.ca_file);
  }
  clients_created_.fetch_add(1);
  return client;
}

void UpstreamPool::Release(std::unique_ptr<httplib::Client> client, bool reusable) {
  if (!reusable) return;
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(client));
}

std::unique_ptr<UpstreamExchange> UpstreamExchange::Begin(UpstreamPool* pool,
                                                          httplib::Request request,
                                                          std::atomic<size_t>* peak_buffered,
                                                          std::function<bool()> give_up) {
  std::unique_ptr<UpstreamExchange> exchange(
      new UpstreamExchange(pool, peak_buffered, std::move(give_up)));
  UpstreamExchange* self = exchange.get();
  self->thread_ = std::thread(
      [self, request = std::move(request)]() mutable { self->Run(std::move(request)); });
  return exchange;
}

UpstreamExchange::~UpstreamExchange() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    // A send() still waiting on the upstream (a hang, a long poll) ends now, not at its timeout.
    // One that has the whole answer is left to finish, so its connection can be reused.
    if (in_flight_ && !AnswerComplete()) in_flight_->stop();
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void UpstreamExchange::Run(httplib::Request request) {
  std::unique_ptr<httplib::Client> client = pool_->Acquire();
  request.response_handler = [this](const httplib::Response& head) { return OnHead(head); };
  request.content_receiver = [this](const char* data, size_t size, uint64_t, uint64_t) {
    return OnBody(data, size);
  };
  {
    std::lock_guard<std::mutex> lock(mu_);
    in_flight_ = client.get();
  }
  httplib::Response response;
  httplib::Error error = httplib::Error::Success;
  const bool ok = client->send(request, response, error);
  {
    std::lock_guard<std::mutex> lock(mu_);
    in_flight_ = nullptr;
  }
  // Back in the pool before the client can have the whole answer and send its next request, so
  // that request finds the connection idle. Only a complete exchange leaves the connection clean
  // (a cancelled one stopped reading mid-answer, and send() then failed).
  pool_->Release(std::move(client), ok);
  {
    std::lock_guard<std::mutex> lock(mu_);
    finished_ = true;
    ok_ = ok;
    error_ = error;
  }
  changed_.notify_all();
}

bool UpstreamExchange::AnswerComplete() const {
  return finished_ || (head_ready_ && expected_bytes_ && received_bytes_ >= *expected_bytes_);
}

bool UpstreamExchange::OnHead(const httplib::Response& head) {
  std::lock_guard<std::mutex> lock(mu_);
  status_ = head.status;
  headers_ = head.headers;
  if (head.has_header("Content-Length") && !head.has_header("Transfer-Encoding")) {
    expected_bytes_ = head.get_header_value<uint64_t>("Content-Length");
  }
  head_ready_ = true;
  changed_.notify_all();
  return !cancelled_;
}

bool UpstreamExchange::OnBody(const char* data, size_t size) {
  std::unique_lock<std::mutex> lock(mu_);
  const size_t cap = pool_->options().buffer_bytes;
  changed_.wait(lock, [&] { return cancelled_ || buffered_ == 0 || buffered_ + size <= cap; });
  if (cancelled_) return false;
  pieces_.emplace_back(data, size);
  buffered_ += size;
  received_bytes_ += size;
  RaiseTo(peak_buffered_, buffered_);
  changed_.notify_all();
  return true;
}

bool UpstreamExchange::WaitUntil(std::unique_lock<std::mutex>& lock,
                                 const std::function<bool()>& ready) {
  while (!ready()) {
    if (give_up_ && give_up_()) return false;
    changed_.wait_for(lock, std::chrono::milliseconds(50));
  }
  return true;
}

Status UpstreamExchange::WaitForHead() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!WaitUntil(lock, [&] { return head_ready_ || finished_; })) {
    return CancelledError("gave up waiting for upstream " + pool_->target().Origin());
  }
  if (head_ready_) return Status::Ok();
  return UnavailableError("upstream " + pool_->target().Origin() +
                          " unreachable: " + httplib::to_string(error_));
}

bool UpstreamExchange::Read(std::string* out) {
  out->clear();
  std::unique_lock<std::mutex> lock(mu_);
  if (!WaitUntil(lock, [&] { return !pieces_.empty() || finished_; })) return false;
  while (!pieces_.empty() && out->size() < kMaxReadBytes) {
    out->append(pieces_.front());
    buffered_ -= pieces_.front().size();
    pieces_.pop_front();
  }
  changed_.notify_all();
  return !out->empty();
}

bool UpstreamExchange::failed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return finished_ && !ok_;
}

}  // namespace syncagent::faults
