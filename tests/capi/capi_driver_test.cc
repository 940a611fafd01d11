// Drives the C99 suite (capi_suite.c) against the in-process mock server: C cannot start the
// server, so each test starts one on an ephemeral loopback port, makes a temp dir, and calls the
// C function, which uses only syncagent.h and the shared libsyncagent.so.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "tests/capi/capi_suite.h"
#include "tests/mock_server/mock_server.h"

namespace syncagent {
namespace {

class ScopedDir {
 public:
  ScopedDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "syncagent-capi-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) std::abort();
    path_ = templ;
  }
  ~ScopedDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class CApiTest : public ::testing::Test {
 protected:
  void StartServer(mock::MockServerOptions options = {}) {
    auto server = mock::MockServer::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
  }
  std::string base_url() const { return server_->base_url(); }

  ScopedDir dir_;
  std::unique_ptr<mock::MockServer> server_;
  char failure_[1024] = {};
};

TEST_F(CApiTest, RoundTripThroughTheServer) {
  StartServer();
  EXPECT_EQ(capi_roundtrip(base_url().c_str(), dir_.path().c_str(), failure_, sizeof failure_), 0)
      << failure_;
}

TEST_F(CApiTest, ResolverCallbackAndOpenConflicts) {
  StartServer();
  EXPECT_EQ(capi_conflicts(base_url().c_str(), dir_.path().c_str(), failure_, sizeof failure_), 0)
      << failure_;
}

TEST_F(CApiTest, HeadlessRunAndCancel) {
  StartServer();
  EXPECT_EQ(
      capi_headless_and_cancel(base_url().c_str(), dir_.path().c_str(), failure_, sizeof failure_),
      0)
      << failure_;
}

TEST_F(CApiTest, MisuseIsAnErrorNeverACrash) {
  EXPECT_EQ(capi_misuse(dir_.path().c_str(), failure_, sizeof failure_), 0) << failure_;
}

TEST_F(CApiTest, ErrorsNeverContainTheBearerToken) {
  mock::MockServerOptions options;
  options.token = "the-server-wants-this-one";
  StartServer(options);
  EXPECT_EQ(
      capi_no_token_in_errors(base_url().c_str(), dir_.path().c_str(), failure_, sizeof failure_),
      0)
      << failure_;
  // The client did send its (wrong) token, so the server saw requests.
  EXPECT_GT(server_->requests().total(), 0);
}

}  // namespace
}  // namespace syncagent
