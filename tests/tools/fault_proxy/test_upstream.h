// Test helpers of the fault proxy's suites: a small upstream written for the tests and a fixture
// with the proxy started in front of it.
#ifndef SYNCAGENT_TESTS_TOOLS_FAULT_PROXY_TEST_UPSTREAM_H_
#define SYNCAGENT_TESTS_TOOLS_FAULT_PROXY_TEST_UPSTREAM_H_

#include <gtest/gtest.h>
#include <httplib.h>
#include <zlib.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "tools/fault_proxy/fault_proxy.h"

namespace syncagent::faults::proxy_testing {

inline constexpr size_t kBigBody = 50u << 20;  // 50 MiB

inline std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

inline char PatternByte(size_t offset) { return static_cast<char>('a' + (offset * 7 + offset / 13) % 26); }

// The server behind the proxy: echoes requests, serves gzip, chunked and big bodies, and records
// the client ports it saw (one port = one connection).
class TestUpstream {
 public:
  explicit TestUpstream(int port = 0) {
    server_.set_pre_routing_handler([](const httplib::Request& req, httplib::Response&) {
      // Keep the raw request body (httplib would decompress a gzip one) and answer raw bytes
      // (httplib would compress the answer again).
      auto& headers = const_cast<httplib::Headers&>(req.headers);
      for (const char* name : {"Content-Encoding", "Accept-Encoding"}) {
        if (auto it = headers.find(name); it != headers.end()) {
          const std::string value = it->second;
          headers.erase(it);
          headers.emplace(std::string("X-Raw-") + name, value);
        }
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    auto echo = [this](const httplib::Request& req, httplib::Response& res) { Echo(req, res); };
    server_.Get("/echo.*", echo);
    server_.Post("/echo.*", echo);
    server_.Put("/echo.*", echo);
    server_.Delete("/echo.*", echo);
    server_.Get("/gzip", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Content-Encoding", "gzip");
      res.set_content(GzipBytes(), "application/json");
    });
    server_.Get("/chunked", [](const httplib::Request&, httplib::Response& res) {
      auto sent = std::make_shared<int>(0);
      res.set_chunked_content_provider("text/plain", [sent](size_t, httplib::DataSink& sink) {
        if (*sent == 3) {
          sink.done();
          return true;
        }
        const std::string piece = "piece" + std::to_string((*sent)++) + ";";
        return sink.write(piece.data(), piece.size());
      });
    });
    server_.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content_provider(kBigBody, "application/octet-stream",
                               [](size_t offset, size_t length, httplib::DataSink& sink) {
                                 std::string chunk(std::min<size_t>(length, 64 * 1024), ' ');
                                 for (size_t i = 0; i < chunk.size(); ++i)
                                   chunk[i] = PatternByte(offset + i);
                                 return sink.write(chunk.data(), chunk.size());
                               });
    });
    server_.set_keep_alive_max_count(1000);
    server_.set_tcp_nodelay(true);
    port_ = port == 0 ? server_.bind_to_any_port("127.0.0.1")
                      : (server_.bind_to_port("127.0.0.1", port) ? port : -1);
    EXPECT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (port_ > 0 && !server_.is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ~TestUpstream() {
    server_.stop();
    thread_.join();
  }

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::set<std::string> client_ports() {
    std::lock_guard<std::mutex> lock(mu_);
    return ports_;
  }

  // 5 KiB of JSON, gzip-compressed (fixed bytes: what the client must get unchanged).
  static std::string GzipBytes() {
    std::string text = "[";
    for (int i = 0; i < 200; ++i)
      text += (i ? "," : "") + std::string("{\"n\":") + std::to_string(i) + "}";
    text += "]";
    z_stream zs{};
    EXPECT_EQ(deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::string out(deflateBound(&zs, text.size()), '\0');
    zs.next_in = reinterpret_cast<Bytef*>(text.data());
    zs.avail_in = static_cast<uInt>(text.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
  }

 private:
  void Echo(const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ports_.insert(req.get_header_value("REMOTE_PORT"));
    }
    nlohmann::json headers = nlohmann::json::object();
    for (const auto& [name, value] : req.headers) {
      std::string lower;
      for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      headers[lower] = value;
    }
    res.status = 201;
    res.set_header("X-Upstream", "yes");
    res.set_header("Proxy-Authenticate", "Basic realm=\"hop\"");
    res.set_content(nlohmann::json({{"method", req.method},
                          {"target", req.target},
                          {"body_hex", Hex(req.body)},
                          {"body_size", req.body.size()},
                          {"headers", headers}})
                        .dump(),
                    "application/json");
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
  std::mutex mu_;
  std::set<std::string> ports_;
};

inline std::unique_ptr<FaultProxy> StartProxy(const std::string& upstream,
                                       FaultProxyOptions options = {}) {
  options.upstream = upstream;
  StatusOr<std::unique_ptr<FaultProxy>> proxy = FaultProxy::Start(std::move(options));
  EXPECT_TRUE(proxy.ok()) << proxy.status().ToString();
  return proxy.ok() ? std::move(*proxy) : nullptr;
}

inline httplib::Client ClientOf(const FaultProxy& proxy) {
  httplib::Client client(proxy.base_url());
  client.set_keep_alive(true);
  client.set_decompress(false);
  client.set_read_timeout(30, 0);
  client.set_tcp_nodelay(true);
  return client;
}

// A port that was free a moment ago, with nothing listening on it now.
inline int VacantPort() { return TestUpstream().port(); }

// The proxy started in front of a TestUpstream; a test with options of its own starts it itself.
class ProxyInFrontTest : public ::testing::Test {
 protected:
  // Starts proxy_ in front of upstream_; false (after a reported failure) when it did not start.
  bool StartInFront(FaultProxyOptions options = {}) {
    proxy_ = StartProxy(upstream_.url(), std::move(options));
    return proxy_ != nullptr;
  }
  httplib::Client Client() const { return ClientOf(*proxy_); }

  TestUpstream upstream_;
  std::unique_ptr<FaultProxy> proxy_;  // stopped before the upstream
};

}  // namespace syncagent::faults::proxy_testing

#endif  // SYNCAGENT_TESTS_TOOLS_FAULT_PROXY_TEST_UPSTREAM_H_
