// HTTPS against the mock server with a certificate generated at test time: verification is
// always on; a private CA is trusted only through ca_file; pins fail closed.
#include <gtest/gtest.h>

#include <filesystem>

#include "net/curl_http_client.h"
#include "net/sync_client.h"
#include "tools/mock_server/mock_server.h"
#include "tools/mock_server/test_certs.h"

namespace syncagent {
namespace {

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cert = mock::GenerateTestCert();
    ASSERT_TRUE(cert.ok()) << cert.status().ToString();
    cert_ = *cert;
    mock::MockServerOptions options;
    options.tls_cert_file = cert_.cert_file;
    options.tls_key_file = cert_.key_file;
    auto server = mock::MockServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    ASSERT_EQ(server_->base_url().rfind("https://", 0), 0u);
  }
  void TearDown() override {
    server_.reset();
    std::error_code ec;
    std::filesystem::remove_all(cert_.dir, ec);
  }

  StatusOr<HttpResponse> Get(CurlHttpClientOptions options) {
    auto http = CurlHttpClient::Create(options, &clock_);
    if (!http.ok()) return http.status();
    HttpRequest req;
    req.url = server_->base_url() + "/v1/pull";
    return (*http)->Send(req, {});
  }

  RealClock clock_;
  mock::TestCert cert_;
  std::unique_ptr<mock::MockServer> server_;
};

TEST_F(TlsTest, UntrustedCertificateFailsClosed) {
  auto response = Get({});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(response.status().retry_class(), RetryClass::kPermanent);
  EXPECT_NE(response.status().message().find("TLS verification failed"), std::string::npos)
      << response.status().message();
  EXPECT_EQ(server_->requests().Entries().size(), 0u);
}

TEST_F(TlsTest, TrustedThroughCaFile) {
  CurlHttpClientOptions options;
  options.ca_file = cert_.cert_file;
  auto response = Get(options);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
}

TEST_F(TlsTest, RightPinPasses) {
  CurlHttpClientOptions options;
  options.ca_file = cert_.cert_file;
  options.pinned_public_keys = {"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", cert_.spki_pin};
  auto response = Get(options);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
}

TEST_F(TlsTest, WrongPinFailsClosedWithAClearError) {
  CurlHttpClientOptions options;
  options.ca_file = cert_.cert_file;
  options.pinned_public_keys = {"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="};
  auto response = Get(options);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(response.status().retry_class(), RetryClass::kPermanent);
  EXPECT_NE(response.status().message().find("TLS verification failed"), std::string::npos);
  EXPECT_NE(response.status().message().find("pinned"), std::string::npos)
      << response.status().message();
  EXPECT_EQ(server_->requests().Entries().size(), 0u);  // no request was sent
}

TEST_F(TlsTest, MalformedPinIsRejectedAtCreation) {
  CurlHttpClientOptions options;
  options.pinned_public_keys = {"md5//abc"};
  auto http = CurlHttpClient::Create(options, &clock_);
  ASSERT_FALSE(http.ok());
  EXPECT_EQ(http.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(TlsTest, MissingCaFileIsAPermanentError) {
  CurlHttpClientOptions options;
  options.ca_file = cert_.dir + "/does-not-exist.pem";
  auto response = Get(options);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().retry_class(), RetryClass::kPermanent);
}

TEST_F(TlsTest, SyncClientWorksOverHttps) {
  CurlHttpClientOptions options;
  options.ca_file = cert_.cert_file;
  options.pinned_public_keys = {cert_.spki_pin};
  auto http = CurlHttpClient::Create(options, &clock_);
  ASSERT_TRUE(http.ok());
  SyncClientOptions sync_options;
  sync_options.base_url = server_->base_url();
  SyncClient client(http->get(), &clock_, nullptr, sync_options, 1);
  PushRequest batch;
  batch.client_id = "c";
  batch.batch_id = "b";
  WireMutation m;
  m.mutation_id = "tls-1";
  m.collection = "notes";
  m.key = "k";
  m.data = {{"secure", true}};
  m.hlc = "h";
  batch.mutations.push_back(m);
  auto pushed = client.Push(batch, {});
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  EXPECT_EQ(pushed->results[0].kind, PushResult::Kind::kApplied);
}

}  // namespace
}  // namespace syncagent
