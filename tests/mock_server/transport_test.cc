// Transport rules: bearer auth, gzip both ways, error bodies, 404/405, HTTPS with a test cert.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/mock_server/test_certs.h"
#include "tests/mock_server/test_support.h"

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
