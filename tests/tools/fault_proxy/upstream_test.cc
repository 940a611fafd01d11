// ParseUpstreamUrl: what --upstream accepts, and the errors that name the flag.
#include "tools/fault_proxy/upstream.h"

#include <gtest/gtest.h>

namespace syncagent::faults {
namespace {

TEST(UpstreamUrlTest, ParsesSchemeHostPortAndBasePath) {
  StatusOr<UpstreamTarget> plain = ParseUpstreamUrl("--upstream", "http://127.0.0.1:5984");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(plain->scheme, "http");
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, 5984);
  EXPECT_EQ(plain->base_path, "");
  EXPECT_EQ(plain->Origin(), "http://127.0.0.1:5984");

  StatusOr<UpstreamTarget> based = ParseUpstreamUrl("--upstream", "https://sync.example.com/db/");
  ASSERT_TRUE(based.ok()) << based.status().ToString();
  EXPECT_EQ(based->scheme, "https");
  EXPECT_EQ(based->host, "sync.example.com");
  EXPECT_EQ(based->port, 443);
  EXPECT_EQ(based->base_path, "/db");
  EXPECT_EQ(ParseUpstreamUrl("--upstream", "http://localhost")->port, 80);
}

TEST(UpstreamUrlTest, RefusesWhatItCannotForwardTo) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"127.0.0.1:5984", "is not an absolute URL"},
      {"ftp://host:21", "scheme \"ftp\""},
      {"http://host:0", "bad port \"0\""},
      {"http://host:99999", "bad port \"99999\""},
      {"http://host:x", "bad port \"x\""},
      {"http://:80", "has no host"},
      {"http://host:80/db?x=1", "query or fragment"},
  };
  for (const auto& [url, why] : cases) {
    StatusOr<UpstreamTarget> target = ParseUpstreamUrl("--upstream", url);
    ASSERT_FALSE(target.ok()) << url;
    EXPECT_EQ(target.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(target.status().message().rfind("--upstream: \"" + url + "\"", 0), 0u)
        << target.status().message();
    EXPECT_NE(target.status().message().find(why), std::string::npos) << target.status().message();
  }
}

TEST(UpstreamUrlTest, ACredentialInTheUrlIsRefusedWithoutBeingEchoed) {
  StatusOr<UpstreamTarget> target =
      ParseUpstreamUrl("--upstream", "http://admin:s3cret@host:80/db");
  ASSERT_FALSE(target.ok());
  EXPECT_NE(target.status().message().find("must not carry credentials"), std::string::npos);
  EXPECT_EQ(target.status().message().find("s3cret"), std::string::npos)
      << target.status().message();
}

}  // namespace
}  // namespace syncagent::faults
