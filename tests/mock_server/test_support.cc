#include "tests/mock_server/test_support.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <cstdlib>
#include <thread>

namespace syncagent::mock::testing {
namespace {

// TLS clients write with SSL_write, which cannot pass MSG_NOSIGNAL: a server that resets a
// connection must not kill the test binary.
const bool kIgnoreSigpipe = [] {
  ::signal(SIGPIPE, SIG_IGN);
  return true;
}();

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

HttpResult ToResult(const httplib::Result& result) {
  HttpResult out;
  out.error = result.error();
  if (!result) return out;
  out.status = result->status;
  out.body = result->body;
  out.headers = result->headers;
  out.body_json = json::parse(out.body, nullptr, /*allow_exceptions=*/false);
  return out;
}

void ParseRaw(RawResult& raw) {
  const auto end = raw.bytes.find("\r\n\r\n");
  if (end == std::string::npos) return;
  const std::string head = raw.bytes.substr(0, end);
  raw.body = raw.bytes.substr(end + 4);
  size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  if (status_line.size() >= 12) raw.status = std::atoi(status_line.substr(9, 3).c_str());
  while (line_end != std::string::npos) {
    const size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string line =
        head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    raw.headers[Lower(line.substr(0, colon))] = value;
  }
  if (raw.headers.count("content-length")) {
    raw.content_length = std::atoll(raw.headers["content-length"].c_str());
  }
}

}  // namespace

std::unique_ptr<MockServer> StartServer(MockServerOptions options) {
  options.admin = true;
  StatusOr<std::unique_ptr<MockServer>> server = MockServer::Start(std::move(options));
  if (!server.ok()) {
    ADD_FAILURE() << server.status().ToString();
    std::abort();
  }
  static_cast<void>(kIgnoreSigpipe);
  return std::move(server).value();
}

std::string MakeTempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/syncagent-mock-XXXXXX";
  if (!::mkdtemp(pattern.data())) std::abort();
  return pattern;
}

json Mutation(const std::string& id, const std::string& key, const std::string& op, json base,
              json data, const std::string& collection, const std::string& hlc) {
  return {{"mutation_id", id},
          {"seq", 1},
          {"collection", collection},
          {"key", key},
          {"op", op},
          {"base_version", std::move(base)},
          {"data", std::move(data)},
          {"hlc", hlc.empty() ? "hlc-" + id : hlc}};
}

json PushBody(std::vector<json> mutations, const std::string& batch_id) {
  return {{"client_id", "client-1"}, {"batch_id", batch_id}, {"mutations", std::move(mutations)}};
}

std::string HttpResult::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

TestClient::TestClient(const MockServer& server, const std::string& ca_file)
    : client_(server.base_url()) {
  client_.set_connection_timeout(5);
  client_.set_read_timeout(10);
  client_.set_write_timeout(10);
  client_.set_decompress(true);
  if (!ca_file.empty()) {
    client_.set_ca_cert_path(ca_file.c_str());
    client_.enable_server_certificate_verification(true);
  }
}

HttpResult TestClient::Push(const json& body, const std::string& idempotency_key,
                            httplib::Headers headers) {
  if (!idempotency_key.empty()) headers.emplace("Idempotency-Key", idempotency_key);
  return ToResult(client_.Post("/v1/push", headers, body.dump(), "application/json"));
}

HttpResult TestClient::Get(const std::string& path_and_query, httplib::Headers headers) {
  return ToResult(client_.Get(path_and_query.c_str(), headers));
}

HttpResult TestClient::Send(const std::string& method, const std::string& path,
                            const std::string& body, httplib::Headers headers) {
  if (method == "GET") return ToResult(client_.Get(path.c_str(), headers));
  if (method == "POST")
    return ToResult(client_.Post(path.c_str(), headers, body, "application/json"));
  if (method == "PUT")
    return ToResult(client_.Put(path.c_str(), headers, body, "application/json"));
  if (method == "PATCH") {
    return ToResult(client_.Patch(path.c_str(), headers, body, "application/json"));
  }
  if (method == "DELETE") {
    return ToResult(client_.Delete(path.c_str(), headers, body, "application/json"));
  }
  ADD_FAILURE() << "unsupported method " << method;
  return {};
}

HttpResult TestClient::Pull(const std::string& cursor, int limit, const std::string& collections,
                            httplib::Headers headers) {
  std::string target = "/v1/pull?";
  if (!cursor.empty()) target += "cursor=" + httplib::detail::encode_query_param(cursor) + "&";
  if (limit > 0) target += "limit=" + std::to_string(limit) + "&";
  if (!collections.empty()) target += "collections=" + collections + "&";
  target.pop_back();
  return Get(target, std::move(headers));
}

std::vector<json> PullAll(TestClient& client, std::string cursor, int limit,
                          std::string* final_cursor) {
  std::vector<json> changes;
  for (int page = 0; page < 10000; ++page) {
    HttpResult result = client.Pull(cursor, limit);
    if (result.status != 200) {
      ADD_FAILURE() << "pull failed: " << result.status << " " << result.body;
      break;
    }
    for (const json& change : result.body_json["changes"]) changes.push_back(change);
    cursor = result.body_json["cursor"].get<std::string>();
    if (!result.body_json["has_more"].get<bool>()) break;
  }
  if (final_cursor) *final_cursor = cursor;
  return changes;
}

namespace {

int ConnectLoopback(int port, RawResult& raw) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    raw.end_errno = errno;
    ::close(fd);
    return -1;
  }
  return fd;
}

void SendAll(int fd, const std::string& data) {
  for (size_t sent = 0; sent < data.size();) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
}

// Reads into raw.bytes until close, error or `deadline`; with `stop_after_headers`, returns as
// soon as a complete header block has arrived (true) or the deadline passed (false).
bool ReadFrom(int fd, std::chrono::steady_clock::time_point deadline, RawResult& raw,
              bool stop_after_headers) {
  char buffer[16384];
  while (true) {
    if (stop_after_headers && raw.bytes.find("\r\n\r\n") != std::string::npos) return true;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      if (!stop_after_headers) raw.timed_out = true;
      return false;
    }
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n > 0) {
      raw.bytes.append(buffer, static_cast<size_t>(n));
    } else {
      raw.end_errno = n == 0 ? 0 : errno;
      return false;
    }
  }
}

void Finish(int fd, std::chrono::steady_clock::time_point start, RawResult& raw) {
  ::close(fd);
  raw.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  ParseRaw(raw);
}

}  // namespace

RawResult RawExchange(int port, const std::string& request, int timeout_ms) {
  RawResult raw;
  const auto start = std::chrono::steady_clock::now();
  const int fd = ConnectLoopback(port, raw);
  if (fd < 0) return raw;
  SendAll(fd, request);
  ReadFrom(fd, start + std::chrono::milliseconds(timeout_ms), raw, false);
  Finish(fd, start, raw);
  return raw;
}

RawResult RawExpectContinueExchange(int port, const std::string& head, const std::string& body,
                                    std::string* interim, int timeout_ms) {
  RawResult raw;
  interim->clear();
  const auto start = std::chrono::steady_clock::now();
  const int fd = ConnectLoopback(port, raw);
  if (fd < 0) return raw;
  SendAll(fd, head);
  const bool got_headers = ReadFrom(fd, start + std::chrono::seconds(1), raw, true);
  if (got_headers && raw.bytes.rfind("HTTP/1.1 100", 0) == 0) {
    const auto end = raw.bytes.find("\r\n\r\n") + 4;
    *interim = raw.bytes.substr(0, end);
    raw.bytes.erase(0, end);
    SendAll(fd, body);
  }
  if (raw.end_errno == 0) {
    ReadFrom(fd, start + std::chrono::milliseconds(timeout_ms), raw, false);
  }
  Finish(fd, start, raw);
  return raw;
}

std::string RawRequest(const std::string& method, const std::string& target,
                       const std::string& body, const std::vector<std::string>& extra_headers) {
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  request += "Connection: close\r\n";
  for (const std::string& header : extra_headers) request += header + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT") {
    request += "Content-Type: application/json\r\n";
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  return request + "\r\n" + body;
}

std::string Gzip(const std::string& data) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string Gunzip(const std::string& data) {
  z_stream zs{};
  inflateInit2(&zs, 16 + MAX_WBITS);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buffer);
    zs.avail_out = sizeof(buffer);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buffer, sizeof(buffer) - zs.avail_out);
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;
  }
  inflateEnd(&zs);
  return rc == Z_STREAM_END ? out : std::string("<gunzip failed>");
}

bool WaitFor(const std::function<bool()>& condition, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace syncagent::mock::testing
