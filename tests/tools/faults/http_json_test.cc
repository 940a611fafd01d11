// The fault engine's HTTP helpers: error body styles, body framing, header redaction.
#include "tools/faults/http_json.h"

#include <gtest/gtest.h>

namespace syncagent::faults {
namespace {

using nlohmann::json;

TEST(HttpJsonTest, ErrorBodiesInEitherStyle) {
  httplib::Response syncagent_style;
  SetErrorBody(syncagent_style, ErrorStyle::kSyncagent, 401, "unauthorized", "no token");
  EXPECT_EQ(syncagent_style.status, 401);
  EXPECT_EQ(json::parse(syncagent_style.body),
            json({{"error", {{"code", "unauthorized"}, {"message", "no token"}}}}));
  EXPECT_EQ(syncagent_style.get_header_value("WWW-Authenticate"), "Bearer realm=\"syncagent\"");
  EXPECT_EQ(syncagent_style.get_header_value("Content-Type"), "application/json");

  httplib::Response couchdb_style;
  SetErrorBody(couchdb_style, ErrorStyle::kCouchdb, 404, "not_found", "missing");
  EXPECT_EQ(json::parse(couchdb_style.body), json({{"error", "not_found"}, {"reason", "missing"}}));
  EXPECT_FALSE(couchdb_style.has_header("WWW-Authenticate"));

  EXPECT_EQ(ParseErrorStyle("couchdb"), ErrorStyle::kCouchdb);
  EXPECT_EQ(ParseErrorStyle("syncagent"), ErrorStyle::kSyncagent);
  EXPECT_EQ(ParseErrorStyle("CouchDB"), std::nullopt);
  EXPECT_EQ(DefaultErrorCode(503), "unavailable");
  EXPECT_EQ(DefaultErrorCode(599), "server_error");
  EXPECT_EQ(DefaultErrorCode(418), "error");
}

TEST(HttpJsonTest, ABodylessRequestIsRecognisedByItsFraming) {
  httplib::Request post;
  post.method = "POST";
  EXPECT_TRUE(HasNoBodyFraming(post));
  post.headers.emplace("Content-Length", "0");
  EXPECT_FALSE(HasNoBodyFraming(post));
  httplib::Request chunked;
  chunked.method = "PUT";
  chunked.headers.emplace("Transfer-Encoding", "chunked");
  EXPECT_FALSE(HasNoBodyFraming(chunked));
  httplib::Request get;
  get.method = "GET";
  EXPECT_FALSE(HasNoBodyFraming(get));
}

TEST(HttpJsonTest, RedactsCredentialsAndDropsPseudoHeaders) {
  httplib::Headers headers = {{"Authorization", "Basic dXNlcjpwYXNz"},
                              {"Proxy-Authorization", "Bearer abc"},
                              {"Cookie", "session=xyz"},
                              {"X-App", "a"},
                              {"X-App", "b"},
                              {"REMOTE_ADDR", "127.0.0.1"}};
  const json redacted = RedactedHeaders(headers);
  EXPECT_EQ(redacted["Authorization"], "Basic [redacted]");
  EXPECT_EQ(redacted["Proxy-Authorization"], "Bearer [redacted]");
  EXPECT_EQ(redacted["Cookie"], "[redacted]");
  EXPECT_EQ(redacted["X-App"], "a, b");
  EXPECT_FALSE(redacted.contains("REMOTE_ADDR"));
  EXPECT_EQ(redacted.dump().find("dXNlcjpwYXNz"), std::string::npos);
}

TEST(HttpJsonTest, SmallParsers) {
  EXPECT_TRUE(AcceptsGzip("br, gzip;q=0.5"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_EQ(QueryOf("/v1/pull?since=3"), "since=3");
  EXPECT_EQ(QueryOf("/v1/pull"), "");
  EXPECT_EQ(SplitCommaList("a,,b"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(LowerAscii("Content-Type"), "content-type");
  EXPECT_FALSE(ParseJson("{\"a\":").has_value());
  EXPECT_EQ(ParseJson("[1]")->at(0), 1);
}

}  // namespace
}  // namespace syncagent::faults
