// Drives the C99 suite (capi_suite.c) against the in-process mock server: C cannot start the
// server, so each test starts one on an ephemeral loopback port, makes a temp dir, and calls the
// C function, which uses only syncagent.h and the shared libsyncagent.so.
#include <gtest/gtest.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/capi/capi_suite.h"
#include "tools/mock_server/mock_server.h"
#include "syncagent/syncagent.h"
#include "tests/common/small_stack.h"

namespace syncagent {
namespace {

using ::syncagent::testing::OnSmallStack;

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

TEST_F(CApiTest, QueryPagesAndItsMisuse) {
  EXPECT_EQ(capi_query(dir_.path().c_str(), failure_, sizeof failure_), 0) << failure_;
}

TEST_F(CApiTest, ChangeFeedAndItsMisuse) {
  EXPECT_EQ(capi_changes(dir_.path().c_str(), failure_, sizeof failure_), 0) << failure_;
}

TEST_F(CApiTest, WatchUnwatchDocumentsChangedAndTheirMisuse) {
  EXPECT_EQ(capi_watch(dir_.path().c_str(), failure_, sizeof failure_), 0) << failure_;
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

// Owns a C API handle and the strings it returns.
struct Handle {
  syncagent_agent* agent = nullptr;
  ~Handle() { syncagent_close(agent); }
};
std::string Take(char* text) {
  std::string out = text == nullptr ? "" : text;
  syncagent_free(text);
  return out;
}

// The config of a device with `token` and the manual conflict policy.
std::string DeviceConfig(const std::string& base_url, const std::string& db,
                         const std::string& token) {
  return nlohmann::json{
      {"server",
       {{"base_url", base_url},
        {"allow_insecure_http", true},
        {"auth", {{"type", "bearer"}, {"token", token}}}}},
      {"storage", {{"path", db}}},
      {"sync", {{"conflict", {{"default", "manual"}}}}},
      {"retry", {{"initial_delay_ms", 10}, {"max_attempts_per_cycle", 2}}}}
      .dump();
}

// JSON returned by the C API parses, and document data comes back as written, whatever the
// token: the token is redacted from messages only (item 6 of issue 13: with token "1" the status
// and conflicts JSON used to read `"version":***`; with any token, data containing its text came
// back altered).
class CApiDataTest : public CApiTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(CApiDataTest, JsonIsValidAndDataIsIntactWhenItContainsTheToken) {
  const std::string token = GetParam();
  mock::MockServerOptions options;
  options.token = token;
  StartServer(options);
  syncagent_error err{};
  Handle a, b;
  ASSERT_EQ(syncagent_open_json(DeviceConfig(base_url(), dir_.path() + "/a.db", token).c_str(),
                                &a.agent, &err), SYNCAGENT_OK) << err.message;
  ASSERT_EQ(syncagent_open_json(DeviceConfig(base_url(), dir_.path() + "/b.db", token).c_str(),
                                &b.agent, &err), SYNCAGENT_OK) << err.message;
  const nlohmann::json from_a = {{"text", "token " + token + " from A"}, {"version", 1},
                                 {"n", {1, 11, 111}}, {token, token}};
  const nlohmann::json from_b = {{"text", "token " + token + " from B"}, {"version", 11}};
  ASSERT_EQ(syncagent_put(a.agent, "notes", "k", "{\"text\":\"base\"}", &err), SYNCAGENT_OK);
  ASSERT_EQ(syncagent_sync_now(a.agent, 0, nullptr, &err), SYNCAGENT_OK) << err.message;
  ASSERT_EQ(syncagent_sync_now(b.agent, 0, nullptr, &err), SYNCAGENT_OK) << err.message;
  ASSERT_EQ(syncagent_put(a.agent, "notes", "k", from_a.dump().c_str(), &err), SYNCAGENT_OK);
  ASSERT_EQ(syncagent_sync_now(a.agent, 0, nullptr, &err), SYNCAGENT_OK) << err.message;
  ASSERT_EQ(syncagent_put(b.agent, "notes", "k", from_b.dump().c_str(), &err), SYNCAGENT_OK);
  char* raw = nullptr;
  ASSERT_EQ(syncagent_sync_now(b.agent, 0, &raw, &err), SYNCAGENT_OK) << err.message;
  const std::string report = Take(raw);

  ASSERT_EQ(syncagent_get(b.agent, "notes", "k", &raw, &err), SYNCAGENT_OK) << err.message;
  const std::string got = Take(raw);
  EXPECT_EQ(nlohmann::json::parse(got, nullptr, false), from_b) << got;
  ASSERT_EQ(syncagent_conflicts_json(b.agent, &raw, &err), SYNCAGENT_OK) << err.message;
  const std::string conflicts_text = Take(raw);
  const nlohmann::json conflicts = nlohmann::json::parse(conflicts_text, nullptr, false);
  ASSERT_TRUE(conflicts.is_array() && conflicts.size() == 1) << conflicts_text << "\n" << report;
  EXPECT_EQ(conflicts[0]["local"]["data"], from_b) << conflicts_text;
  EXPECT_EQ(conflicts[0]["remote"]["data"], from_a) << conflicts_text;
  ASSERT_EQ(syncagent_status_json(b.agent, &raw, &err), SYNCAGENT_OK) << err.message;
  const std::string status_text = Take(raw);
  const nlohmann::json status = nlohmann::json::parse(status_text, nullptr, false);
  ASSERT_TRUE(status.is_object()) << status_text;
  EXPECT_EQ(status["open_conflicts"], 1) << status_text;
  EXPECT_TRUE(nlohmann::json::parse(report, nullptr, false).is_object()) << report;
}

INSTANTIATE_TEST_SUITE_P(Tokens, CApiDataTest,
                         ::testing::Values("1", "tok-in-the-data-7c3e"));


// Valid JSON nested 70,000 levels is refused with a message naming the limit, never a crash,
// even on a 512 KiB stack (item 8 of issue 13), at every entry that takes JSON text.
TEST_F(CApiTest, DeeplyNestedJsonIsRefusedOnASmallStack) {
  StartServer();
  constexpr int kDepth = 70000;
  std::string object;
  for (int i = 0; i < kDepth; ++i) object += "{\"a\":";
  object += "1" + std::string(kDepth, '}');
  const std::string array = "{\"a\":" + std::string(kDepth, '[') + std::string(kDepth, ']') + "}";
  const std::string resolution = "{\"action\":\"use\",\"data\":" + object + "}";
  Handle h;
  syncagent_error err{};
  ASSERT_EQ(syncagent_open_json(DeviceConfig(base_url(), dir_.path() + "/d.db", "tok-deep-1234")
                                    .c_str(), &h.agent, &err), SYNCAGENT_OK) << err.message;
  ASSERT_EQ(syncagent_put(h.agent, "notes", "k", "{\"a\":1}", &err), SYNCAGENT_OK);
  int put = 0, put_array = 0, patch = 0, resolve = 0;
  std::string put_message, patch_message, resolve_message;
  OnSmallStack([&] {
    put = syncagent_put(h.agent, "notes", "k", object.c_str(), &err);
    put_message = err.message;
    put_array = syncagent_put(h.agent, "notes", "k", array.c_str(), &err);
    patch = syncagent_patch(h.agent, "notes", "k", object.c_str(), &err);
    patch_message = err.message;
    resolve = syncagent_resolve_conflict(h.agent, 1, resolution.c_str(), &err);
    resolve_message = err.message;
  });
  EXPECT_EQ(put, SYNCAGENT_INVALID_ARGUMENT);
  EXPECT_EQ(put_message, "json: nested deeper than 32 levels (the document limit)");
  EXPECT_EQ(put_array, SYNCAGENT_INVALID_ARGUMENT);
  EXPECT_EQ(patch, SYNCAGENT_INVALID_ARGUMENT);
  EXPECT_EQ(patch_message, "json_merge_patch: nested deeper than 32 levels (the document limit)");
  EXPECT_EQ(resolve, SYNCAGENT_INVALID_ARGUMENT);
  EXPECT_NE(resolve_message.find("resolution_json: nested deeper than 33 levels"),
            std::string::npos) << resolve_message;
  // At the limit is still fine.
  std::string at_limit;
  for (int i = 0; i < 31; ++i) at_limit += "{\"a\":";
  at_limit += "{}" + std::string(31, '}');
  EXPECT_EQ(syncagent_put(h.agent, "notes", "k", at_limit.c_str(), &err), SYNCAGENT_OK)
      << err.message;
}

// A document stored deeper than the limit (by an older version, here written with SQLite)
// comes back whole from syncagent_get on a 512 KiB stack: the C API writes JSON without
// recursion.
TEST_F(CApiTest, DeepStoredDocumentIsReturnedOnASmallStack) {
  StartServer();
  Handle h;
  syncagent_error err{};
  const std::string db_path = dir_.path() + "/stored.db";
  ASSERT_EQ(syncagent_open_json(DeviceConfig(base_url(), db_path, "tok-deep-1234").c_str(),
                                &h.agent, &err), SYNCAGENT_OK) << err.message;
  ASSERT_EQ(syncagent_put(h.agent, "notes", "deep", "{\"a\":1}", &err), SYNCAGENT_OK);
  const std::string deep = "{\"a\":" + std::string(70000, '[') + std::string(70000, ']') + "}";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "UPDATE documents SET data = ?1 WHERE key = 'deep'", -1, &stmt,
                               nullptr), SQLITE_OK);
  sqlite3_bind_text(stmt, 1, deep.c_str(), static_cast<int>(deep.size()), SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  int rc = -1;
  std::string got;
  OnSmallStack([&] {
    char* raw = nullptr;
    rc = syncagent_get(h.agent, "notes", "deep", &raw, &err);
    got = Take(raw);
  });
  EXPECT_EQ(rc, SYNCAGENT_OK) << err.message;
  EXPECT_EQ(got, deep);
}

}  // namespace
}  // namespace syncagent
