// Value rules beyond type and range: URLs, headers, TLS pins, collection names, per_collection,
// and the small helpers behind them (edit distance, base64, loopback hosts, line/column).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/http_url.h"
#include "config/json_reader.h"
#include "config/key_checks.h"
#include "config/text_util.h"
#include "tests/config/config_test_util.h"

namespace syncagent {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing_config::Errors;
using testing_config::With;
using Json = nlohmann::ordered_json;

const std::string kPin = "sha256//" + std::string(43, 'A') + "=";

TEST(ConfigValuesTest, BaseUrlMustBeAnAbsoluteHttpUrl) {
  EXPECT_THAT(Errors(With("server.base_url", "https://sync.example.com:8443/v1?x=1")), IsEmpty());
  EXPECT_THAT(Errors(With("server.base_url", "https://[2001:db8::1]/")), IsEmpty());
  EXPECT_THAT(Errors(With("server.base_url", "sync.example.com")),
              ElementsAre("server.base_url: expected an absolute http:// or https:// URL"));
  EXPECT_THAT(Errors(With("server.base_url", "ftp://sync.example.com")),
              ElementsAre("server.base_url: expected an http:// or https:// URL"));
  EXPECT_THAT(Errors(With("server.base_url", "https:///path")),
              ElementsAre("server.base_url: the URL has no host"));
  EXPECT_THAT(Errors(With("server.base_url", "https://host:99999/")),
              ElementsAre("server.base_url: the port must be a number from 0 to 65535"));
  EXPECT_THAT(Errors(With("server.base_url", "https://ho st/")),
              ElementsAre("server.base_url: a URL must not contain spaces or control characters"));
  EXPECT_THAT(Errors(With("server.base_url", "https://user:pa55@host/")),
              ElementsAre("server.base_url: credentials in the URL are not allowed; use "
                          "server.auth"));
  EXPECT_THAT(Errors(With("server.base_url", "")),
              ElementsAre("server.base_url: expected a non-empty string"));
}

TEST(ConfigValuesTest, HttpNeedsAllowInsecureHttp) {
  EXPECT_THAT(Errors(With("server.base_url", "http://127.0.0.1:8080")),
              ElementsAre("server.base_url: http:// is refused unless "
                          "server.allow_insecure_http is true"));
  Json doc = With("server.base_url", "http://127.0.0.1:8080");
  doc["server"]["allow_insecure_http"] = true;
  EXPECT_THAT(Errors(doc), IsEmpty());
}

TEST(ConfigValuesTest, Headers) {
  EXPECT_THAT(Errors(With("server.headers", {{"X-Trace", "on"}, {"Accept-Language", "fr"}})),
              IsEmpty());
  EXPECT_THAT(Errors(With("server.headers", {{"Bad Header", "x"}})),
              ElementsAre("server.headers[\"Bad Header\"]: invalid name; expected an HTTP header "
                          "name (letters, digits and !#$%&'*+-.^_`|~)"));
  EXPECT_THAT(Errors(With("server.headers", {{"X-Inject", "a\r\nEvil: 1"}})),
              ElementsAre("server.headers.X-Inject: a header value must not contain CR, LF or "
                          "other control characters"));
  EXPECT_THAT(Errors(With("server.headers", {{"authorization", "Bearer x"}})),
              ElementsAre("server.headers.authorization: the Authorization header is not allowed "
                          "here; configure it with server.auth (type \"bearer\" with token or "
                          "token_env, or \"basic\" with username and password)"));
  EXPECT_THAT(Errors(With("server.headers", {{"X-A", "1"}, {"x-a", "2"}})),
              ElementsAre("server.headers.x-a: the same header name is given twice (names are "
                          "case-insensitive)"));
  EXPECT_THAT(Errors(With("server.headers", {{"X-A", 1}})),
              ElementsAre("server.headers.X-A: expected a string, got an integer"));
}

TEST(ConfigValuesTest, PinnedPublicKeys) {
  EXPECT_THAT(Errors(With("server.tls.pinned_public_keys", {kPin})), IsEmpty());
  EXPECT_THAT(Errors(With("server.tls.pinned_public_keys", {kPin, "sha1//AAAA"})),
              ElementsAre("server.tls.pinned_public_keys[1]: expected \"sha256//\" followed by "
                          "the base64 SHA-256 of the public key"));
  EXPECT_THAT(Errors(With("server.tls.pinned_public_keys", {"sha256//not*base64"})),
              ElementsAre("server.tls.pinned_public_keys[0]: the part after \"sha256//\" is not "
                          "valid base64"));
  EXPECT_THAT(Errors(With("server.tls.pinned_public_keys", {"sha256//AAAA"})),
              ElementsAre("server.tls.pinned_public_keys[0]: the part after \"sha256//\" decodes "
                          "to 3 bytes; a SHA-256 digest is 32 bytes"));
  EXPECT_THAT(Errors(With("server.tls.pinned_public_keys", {7})),
              ElementsAre("server.tls.pinned_public_keys[0]: expected a string, got 7"));
}

TEST(ConfigValuesTest, Collections) {
  EXPECT_THAT(Errors(With("sync.collections", {"notes", "a.b-c_d"})), IsEmpty());
  EXPECT_THAT(Errors(With("sync.collections", {"notes", "tasks", "bad name"})),
              ElementsAre("sync.collections[2]: expected 1 to 64 letters, digits, '_', '.' or "
                          "'-', got \"bad name\""));
  EXPECT_THAT(Errors(With("sync.collections", {"notes", "tasks", "notes"})),
              ElementsAre("sync.collections[2]: duplicate of an earlier item \"notes\" (items "
                          "must be unique)"));
  EXPECT_THAT(Errors(With("sync.collections", {std::string(65, 'a')})),
              ElementsAre(testing::StartsWith("sync.collections[0]: expected 1 to 64 letters")));
  EXPECT_THAT(Errors(With("sync.collections", {""})),
              ElementsAre("sync.collections[0]: expected 1 to 64 letters, digits, '_', '.' or "
                          "'-', got \"\""));
}

TEST(ConfigValuesTest, PerCollectionPolicies) {
  Json doc = With("sync.conflict.per_collection", {{"notes", "manual"}, {"tasks", "mrege"}});
  EXPECT_THAT(Errors(doc),
              ElementsAre("sync.conflict.per_collection.tasks: expected one of server_wins, "
                          "client_wins, last_writer_wins, merge, manual; got \"mrege\"; did you "
                          "mean merge?"));
  EXPECT_THAT(Errors(With("sync.conflict.per_collection", {{"bad name", "merge"}})),
              ElementsAre("sync.conflict.per_collection[\"bad name\"]: invalid name; expected 1 "
                          "to 64 letters, digits, '_', '.' or '-'"));
  // With an explicit collection list, per_collection may only name listed collections.
  doc = With("sync.collections", {"notes"});
  doc["sync"]["conflict"] = {{"per_collection", {{"notes", "manual"}, {"photos", "merge"}}}};
  EXPECT_THAT(Errors(doc), ElementsAre("sync.conflict.per_collection.photos: collection "
                                       "\"photos\" is not listed in sync.collections"));
  // With [] (= all collections) any name is fine.
  doc["sync"]["collections"] = Json::array();
  EXPECT_THAT(Errors(doc), IsEmpty());
}

TEST(ConfigValuesTest, TaskId) {
  EXPECT_THAT(Errors(With("schedule.task_id", "com.example.sync-1_a")), IsEmpty());
  EXPECT_THAT(Errors(With("schedule.task_id", "")),
              ElementsAre("schedule.task_id: expected one or more letters, digits, '.', '_' or "
                          "'-', got \"\""));
  EXPECT_THAT(Errors(With("schedule.task_id", "a/b")),
              ElementsAre("schedule.task_id: expected one or more letters, digits, '.', '_' or "
                          "'-', got \"a/b\""));
}

TEST(ConfigValuesTest, LongValuesAreCutInMessages) {
  const std::string long_value(200, 'x');
  std::vector<std::string> errors = Errors(With("logging.level", long_value));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_LT(errors[0].size(), 200u);
  EXPECT_THAT(errors[0], testing::EndsWith("...\""));
}

TEST(ConfigHelpersTest, EditDistanceAndSuggest) {
  using config_internal::EditDistance;
  using config_internal::Suggest;
  EXPECT_EQ(EditDistance("base_ulr", "base_url"), 1u);  // a transposition is one edit
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("MERGE", "merge"), 0u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(Suggest("mrege", {"server_wins", "merge", "manual"}), "merge");
  EXPECT_EQ(Suggest("xyz", {"server_wins", "merge", "manual"}), std::nullopt);
  EXPECT_EQ(Suggest("timout", {"timeouts", "tls"}), "timeouts");
}

TEST(ConfigHelpersTest, Base64) {
  using config_internal::DecodeBase64;
  EXPECT_EQ(DecodeBase64("aGVsbG8="), (std::vector<uint8_t>{'h', 'e', 'l', 'l', 'o'}));
  EXPECT_EQ(DecodeBase64("aGVsbA=="), (std::vector<uint8_t>{'h', 'e', 'l', 'l'}));
  EXPECT_EQ(DecodeBase64("aGVsbG8"), std::nullopt);   // no padding
  EXPECT_EQ(DecodeBase64("aGVsbG9="), std::nullopt);  // non-canonical trailing bits
  EXPECT_EQ(DecodeBase64("a*VsbG8="), std::nullopt);
  EXPECT_EQ(config_internal::CheckPin(kPin), std::nullopt);
}

TEST(ConfigHelpersTest, LoopbackHosts) {
  using config_internal::IsLoopbackHost;
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_TRUE(IsLoopbackHost("LOCALHOST"));
  EXPECT_TRUE(IsLoopbackHost("api.localhost"));
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("[::1]"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0.1.example.com"));
  EXPECT_FALSE(IsLoopbackHost("128.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0.256"));
  EXPECT_FALSE(IsLoopbackHost("localhost.example.com"));
  EXPECT_FALSE(IsLoopbackHost("[::2]"));
  std::string why;
  std::optional<config_internal::HttpUrl> url =
      config_internal::ParseHttpUrl("HTTP://[::1]:8080/x", &why);
  ASSERT_TRUE(url.has_value()) << why;
  EXPECT_EQ(url->scheme, "http");
  EXPECT_EQ(url->host, "[::1]");
  EXPECT_EQ(url->port, "8080");
}

TEST(ConfigHelpersTest, LineAndColumn) {
  using config_internal::LineAndColumn;
  EXPECT_EQ(LineAndColumn("abc", 0), std::make_pair(size_t{1}, size_t{1}));
  EXPECT_EQ(LineAndColumn("abc\ndef", 5), std::make_pair(size_t{2}, size_t{2}));
  EXPECT_EQ(LineAndColumn("abc\ndef", 3), std::make_pair(size_t{1}, size_t{4}));
  EXPECT_EQ(LineAndColumn("abc\n", 99), std::make_pair(size_t{2}, size_t{1}));
}

}  // namespace
}  // namespace syncagent
