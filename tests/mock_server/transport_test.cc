// Transport rules: bearer auth, gzip both ways, error bodies, 404/405, HTTPS with a test cert.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <poll.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "tests/mock_server/test_support.h"
#include "tools/mock_server/test_certs.h"

namespace syncagent::mock::testing {
namespace {

json OneMutation(const std::string& id = "m1") {
  return PushBody({Mutation(id, "n-" + id, "put", nullptr, {{"text", std::string(300, 'x')}})});
}

TEST(AuthTest, BearerTokenIsRequiredOnV1) {
  MockServerOptions options;
  options.token = "s3cret";
  auto server = StartServer(options);
  TestClient client(*server);
  HttpResult missing = client.Pull();
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.body_json["error"]["code"], "unauthorized");
  EXPECT_EQ(missing.Header("WWW-Authenticate").rfind("Bearer", 0), 0u);
  HttpResult wrong = client.Push(OneMutation(), "b-1", {{"Authorization", "Bearer nope"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(server->Stats()["documents"], 0);
  EXPECT_EQ(client.Pull("", 0, "", {{"Authorization", "Basic s3cret"}}).status, 401);
  EXPECT_EQ(client.Pull("", 0, "", {{"Authorization", "Bearer s3cret"}}).status, 200);
  EXPECT_EQ(client.Pull("", 0, "", {{"Authorization", "bearer s3cret"}}).status, 200);
  EXPECT_EQ(client.Push(OneMutation(), "b-1", {{"Authorization", "Bearer s3cret"}}).status, 200);
  // Admin endpoints are test control: no token.
  EXPECT_EQ(client.Get("/_admin/stats").status, 200);
}

TEST(AuthTest, TheRequestLogRedactsCredentials) {
  MockServerOptions options;
  options.token = "s3cret";
  auto server = StartServer(options);
  TestClient client(*server);
  client.Pull("", 0, "", {{"Authorization", "Bearer s3cret"}, {"Cookie", "session=abc"}});
  const std::string log = server->requests().ToJson().dump();
  EXPECT_EQ(log.find("s3cret"), std::string::npos) << log;
  EXPECT_EQ(log.find("session=abc"), std::string::npos) << log;
  EXPECT_NE(log.find("Bearer [redacted]"), std::string::npos) << log;
}

TEST(GzipTest, ResponsesAreGzippedOnlyWhenAccepted) {
  auto server = StartServer();
  TestClient client(*server);
  ASSERT_EQ(client.Push(OneMutation()).status, 200);
  client.raw().set_decompress(false);
  HttpResult gzipped = client.Pull("", 0, "", {{"Accept-Encoding", "gzip"}});
  ASSERT_EQ(gzipped.status, 200);
  EXPECT_EQ(gzipped.Header("Content-Encoding"), "gzip");
  json body = json::parse(Gunzip(gzipped.body), nullptr, false);
  ASSERT_FALSE(body.is_discarded());
  EXPECT_EQ(body["changes"].size(), 1u);
  // syncagent/1 speaks gzip only, whatever else the client offers.
  HttpResult offered = client.Pull("", 0, "", {{"Accept-Encoding", "br, zstd, gzip;q=0.5"}});
  EXPECT_EQ(offered.Header("Content-Encoding"), "gzip");
  HttpResult brotli_only = client.Pull("", 0, "", {{"Accept-Encoding", "br"}});
  EXPECT_EQ(brotli_only.Header("Content-Encoding"), "");
  EXPECT_EQ(client.Pull("", 0, "", {{"Accept-Encoding", "gzip;q=0"}}).Header("Content-Encoding"),
            "");
  RawResult plain = RawExchange(server->port(), RawRequest("GET", "/v1/pull"));
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(plain.headers.count("content-encoding"), 0u);
  EXPECT_TRUE(json::accept(plain.body));
}

TEST(GzipTest, GzipRequestBodiesAreAccepted) {
  auto server = StartServer();
  TestClient client(*server);
  const std::string body = OneMutation("gz").dump();
  RawResult raw =
      RawExchange(server->port(), RawRequest("POST", "/v1/push", Gzip(body),
                                             {"Content-Encoding: gzip", "Idempotency-Key: b-gz"}));
  ASSERT_EQ(raw.status, 200) << raw.bytes;
  EXPECT_EQ(json::parse(raw.body)["results"][0]["status"], "applied");
  // httplib's own client compression takes the same path.
  client.raw().set_compress(true);
  HttpResult second = client.Push(OneMutation("gz2"), "b-gz2");
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(server->Stats()["documents"], 2);
  auto entries = server->requests().Entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].headers["Content-Encoding"], "gzip");
  EXPECT_LT(entries[1].request_bytes, body.size()) << "the body travelled compressed";
}

TEST(GzipTest, UnsupportedContentEncodingsGet415WithTheJsonErrorBody) {
  auto server = StartServer();
  const std::string body = OneMutation("br").dump();
  for (const std::string encoding : {"br", "deflate", "zstd", "gzip, br"}) {
    RawResult raw = RawExchange(
        server->port(), RawRequest("POST", "/v1/push", body,
                                   {"Content-Encoding: " + encoding, "Idempotency-Key: b-br"}));
    ASSERT_EQ(raw.status, 415) << encoding << ": " << raw.bytes;
    EXPECT_EQ(raw.headers["content-type"], "application/json");
    const json error = json::parse(raw.body, nullptr, false);
    EXPECT_EQ(error["error"]["code"], "unsupported_media_type") << raw.body;
    EXPECT_NE(error["error"]["message"].get<std::string>().find(encoding), std::string::npos);
  }
  // Refused before the upload when the client waits for "100 Continue".
  std::string interim;
  RawResult expect = RawExpectContinueExchange(
      server->port(),
      "POST /v1/push HTTP/1.1\r\nHost: x\r\nContent-Encoding: br\r\nContent-Length: " +
          std::to_string(body.size()) + "\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
      body, &interim);
  EXPECT_EQ(expect.status, 415) << interim << expect.bytes;
  EXPECT_EQ(server->Stats()["documents"], 0);
  EXPECT_EQ(RawExchange(server->port(),
                        RawRequest("POST", "/v1/push", body,
                                   {"Content-Encoding: identity", "Idempotency-Key: b-id"}))
                .status,
            200);
}

TEST(GzipTest, DecompressedBodiesCountAgainstTheLimit) {
  MockServerOptions options;
  options.max_body_bytes = 4096;
  auto server = StartServer(options);
  const std::string body =
      PushBody({Mutation("m1", "n1", "put", nullptr, {{"text", std::string(20000, 'z')}})}).dump();
  const std::string compressed = Gzip(body);
  ASSERT_LT(compressed.size(), 4096u);
  RawResult raw = RawExchange(
      server->port(),
      RawRequest("POST", "/v1/push", compressed, {"Content-Encoding: gzip", "Idempotency-Key: b"}));
  EXPECT_EQ(raw.status, 413);
  EXPECT_EQ(json::parse(raw.body)["error"]["code"], "payload_too_large");
}

TEST(ErrorsTest, UnknownPathsAndWrongMethodsGetJsonErrors) {
  auto server = StartServer();
  TestClient client(*server);
  HttpResult unknown = client.Get("/v2/pull");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body_json["error"]["code"], "not_found");
  EXPECT_EQ(unknown.Header("Content-Type"), "application/json");
  HttpResult get_push = client.Get("/v1/push");
  EXPECT_EQ(get_push.status, 405);
  EXPECT_EQ(get_push.Header("Allow"), "POST");
  EXPECT_EQ(get_push.body_json["error"]["code"], "method_not_allowed");
  HttpResult post_pull = client.Send("POST", "/v1/pull", "{}");
  EXPECT_EQ(post_pull.status, 405);
  EXPECT_EQ(post_pull.Header("Allow"), "GET");
}

TEST(ErrorsTest, ADeclaredLengthOverTheLimitIs413) {
  MockServerOptions options;
  options.max_body_bytes = 1000;
  auto server = StartServer(options);
  const std::string body(5000, ' ');
  RawResult too_long = RawExchange(
      server->port(), RawRequest("POST", "/v1/push", body, {"Idempotency-Key: b"}), 5000);
  EXPECT_EQ(too_long.status, 413);
  // With "Expect: 100-continue" the answer comes before the upload.
  std::string interim;
  RawResult early = RawExpectContinueExchange(
      server->port(),
      "POST /v1/push HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nIdempotency-Key: b\r\n"
      "Content-Length: 5000\r\n\r\n",
      body, &interim);
  EXPECT_EQ(interim, "");
  EXPECT_EQ(early.status, 413);
  EXPECT_EQ(json::parse(early.body, nullptr, false)["error"]["code"], "payload_too_large");
  EXPECT_EQ(json::parse(too_long.body, nullptr, false)["error"]["code"], "payload_too_large");
}

TEST(ErrorsTest, AdminEndpointsAreOffByDefault) {
  auto server = MockServer::Start({});
  ASSERT_TRUE(server.ok());
  TestClient client(**server);
  HttpResult stats = client.Get("/_admin/stats");
  EXPECT_EQ(stats.status, 404);
  EXPECT_EQ(stats.body_json["error"]["code"], "not_found");
}

TEST(TlsTest, ServesHttpsWithAGeneratedCertificate) {
  StatusOr<TestCert> cert = GenerateTestCert(MakeTempDir() + "/certs");
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  MockServerOptions options;
  options.tls_cert_file = cert->cert_file;
  options.tls_key_file = cert->key_file;
  auto server = StartServer(options);
  EXPECT_EQ(server->base_url(), "https://127.0.0.1:" + std::to_string(server->port()));
  TestClient client(*server, cert->cert_file);  // verifies the chain and the host (127.0.0.1)
  HttpResult push = client.Push(OneMutation());
  ASSERT_EQ(push.status, 200) << httplib::to_string(push.error);
  EXPECT_EQ(client.Pull().body_json["changes"].size(), 1u);
  // localhost is in the subjectAltName too.
  httplib::Client by_name("https://localhost:" + std::to_string(server->port()));
  by_name.set_ca_cert_path(cert->cert_file.c_str());
  by_name.enable_server_certificate_verification(true);
  auto result = by_name.Get("/v1/pull");
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_EQ(result->status, 200);
  // Plain HTTP to the TLS port fails.
  RawResult raw = RawExchange(server->port(), RawRequest("GET", "/v1/pull"), 3000);
  EXPECT_NE(raw.status, 200);
}

TEST(TlsTest, UntrustedCertificateIsRefusedByAVerifyingClient) {
  StatusOr<TestCert> served = GenerateTestCert();
  StatusOr<TestCert> other = GenerateTestCert();
  ASSERT_TRUE(served.ok() && other.ok());
  MockServerOptions options;
  options.tls_cert_file = served->cert_file;
  options.tls_key_file = served->key_file;
  auto server = StartServer(options);
  TestClient client(*server, other->cert_file);
  HttpResult result = client.Pull();
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(result.error, httplib::Error::SSLServerVerification);
}

TEST(TlsTest, TestCertificateFilesAndPin) {
  StatusOr<TestCert> cert = GenerateTestCert();
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  EXPECT_EQ(cert->spki_pin.rfind("sha256//", 0), 0u);
  EXPECT_EQ(cert->spki_pin.size(), 8u + 44u);  // base64 of 32 bytes
  StatusOr<std::string> pin = SpkiPinOfCertFile(cert->cert_file);
  ASSERT_TRUE(pin.ok());
  EXPECT_EQ(*pin, cert->spki_pin);
  StatusOr<TestCert> other = GenerateTestCert();
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->spki_pin, cert->spki_pin);
  struct stat key_stat {};
  ASSERT_EQ(::stat(cert->key_file.c_str(), &key_stat), 0);
  EXPECT_EQ(key_stat.st_mode & 0777, 0600u);
  std::ifstream pem(cert->cert_file);
  std::string first_line;
  std::getline(pem, first_line);
  EXPECT_EQ(first_line, "-----BEGIN CERTIFICATE-----");
}

// Connects to 127.0.0.1:port and sends `bytes` (possibly nothing); returns the socket.
int StalledConnection(int port, const std::string& bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  if (!bytes.empty()) {
    EXPECT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  return fd;
}

TEST(StopTest, StopIsPromptWithStalledClients) {
  StatusOr<TestCert> cert = GenerateTestCert();
  ASSERT_TRUE(cert.ok());
  MockServerOptions tls_options;
  tls_options.tls_cert_file = cert->cert_file;
  tls_options.tls_key_file = cert->key_file;
  auto tls = StartServer(tls_options);
  auto plain = StartServer();
  const int no_handshake = StalledConnection(tls->port(), "");
  const int half_request = StalledConnection(plain->port(), "GET /v1/pull HTTP/1.1\r\nHo");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto start = std::chrono::steady_clock::now();
  tls->Stop();
  plain->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  ::close(no_handshake);
  ::close(half_request);
}

// `count` connections that trickle a request: odd ones a request line one character at a time,
// even ones header lines after a complete request line, every `every` until destroyed.
class Drippers {
 public:
  Drippers(int port, int count, std::chrono::milliseconds every) {
    for (int i = 0; i < count; ++i) {
      fds_.push_back(StalledConnection(port, i % 2 ? "GET /v1/pull?x=" : "GET /v1/pull HTTP/1.1\r\n"));
    }
    thread_ = std::thread([this, every] {
      for (int n = 0; !stop_; ++n) {
        for (size_t i = 0; i < fds_.size(); ++i) {
          const std::string chunk = i % 2 ? "a" : "X-Drip-" + std::to_string(n) + ": 1\r\n";
          ::send(fds_[i], chunk.data(), chunk.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        }
        std::this_thread::sleep_for(every);
      }
    });
  }
  ~Drippers() {
    stop_ = true;
    thread_.join();
    for (int fd : fds_) ::close(fd);
  }
  const std::vector<int>& fds() const { return fds_; }
  // Whether the server has ended connection `i` (EOF or reset), waiting up to `timeout_ms`.
  bool Ended(size_t i, int timeout_ms) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    char buffer[4096];
    do {
      pollfd pfd{fds_[i], POLLIN, 0};
      if (::poll(&pfd, 1, timeout_ms > 0 ? 50 : 0) <= 0) continue;
      const ssize_t n = ::recv(fds_[i], buffer, sizeof(buffer), MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return true;
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
  }

 private:
  std::vector<int> fds_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(SlowClientTest, FortyTricklingConnectionsDoNotHoldUpANormalRequest) {
  MockServerOptions options;
  options.request_timeout = std::chrono::minutes(5);  // only the worker pool is under test
  auto server = StartServer(options);
  Drippers drippers(server->port(), 40, std::chrono::milliseconds(100));
  RawResult normal = RawExchange(server->port(), RawRequest("GET", "/v1/pull"), 60000);
  EXPECT_EQ(normal.status, 200) << normal.bytes;
  // The header drippers are still connected (the request-line ones may already have been let go
  // after 5 s: not investigated yet, see the commit message).
  for (size_t i = 0; i < drippers.fds().size(); i += 2) {
    EXPECT_FALSE(drippers.Ended(i, 0)) << "dripper " << i << " was cut off";
  }
}

TEST(SlowClientTest, ARequestNotReceivedInTimeIsCutOffAndFreesItsWorker) {
  MockServerOptions options;
  options.worker_threads = 4;  // far fewer workers than trickling connections
  options.request_timeout = std::chrono::milliseconds(300);
  auto server = StartServer(options);
  Drippers drippers(server->port(), 40, std::chrono::milliseconds(50));
  // Served once a worker is free, while the drippers keep dripping.
  RawResult normal = RawExchange(server->port(), RawRequest("GET", "/v1/pull"), 60000);
  EXPECT_EQ(normal.status, 200) << normal.bytes;
  for (size_t i = 0; i < drippers.fds().size(); ++i) {
    EXPECT_TRUE(drippers.Ended(i, 60000)) << "dripper " << i << " still holds a worker";
  }
}

TEST(SlowClientTest, AnIncompleteRequestGets408WithTheJsonErrorBody) {
  MockServerOptions options;
  options.request_timeout = std::chrono::milliseconds(200);
  auto server = StartServer(options);
  for (const std::string partial : {"GET /v1/pu", "GET /v1/pull HTTP/1.1\r\nHost: x\r\n",
                                    "POST /v1/push HTTP/1.1\r\nContent-Length: 10\r\n\r\n{"}) {
    RawResult raw = RawExchange(server->port(), partial, 60000);
    ASSERT_EQ(raw.status, 408) << partial << ": " << raw.bytes;
    EXPECT_FALSE(raw.timed_out);
    EXPECT_EQ(raw.headers["content-type"], "application/json");
    EXPECT_EQ(json::parse(raw.body, nullptr, false)["error"]["code"], "request_timeout") << raw.body;
  }
  // A complete request on the same server is unaffected.
  EXPECT_EQ(RawExchange(server->port(), RawRequest("GET", "/v1/pull")).status, 200);
  MockServerOptions bad;
  bad.request_timeout = std::chrono::milliseconds(0);
  EXPECT_FALSE(MockServer::Start(bad).ok());
  bad = {};
  bad.worker_threads = 0;
  EXPECT_FALSE(MockServer::Start(bad).ok());
}

TEST(TlsTest, StartFailsOnABadCertificate) {
  const std::string dir = MakeTempDir();
  std::ofstream(dir + "/bad.pem") << "not a certificate";
  MockServerOptions options;
  options.tls_cert_file = dir + "/bad.pem";
  options.tls_key_file = dir + "/bad.pem";
  auto server = MockServer::Start(options);
  EXPECT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), StatusCode::kInvalidArgument);
  options.tls_key_file.clear();
  EXPECT_FALSE(MockServer::Start(options).ok());
}

}  // namespace
}  // namespace syncagent::mock::testing
