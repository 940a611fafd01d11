#include "common/redact.h"

#include <gtest/gtest.h>

namespace syncagent {
namespace {

TEST(RedactTest, ReplacesEverySecretLongestFirst) {
  EXPECT_EQ(RedactSecrets("Bearer tok-abcdef and tok-abcdef again", {"tok-abcdef"}),
            "Bearer *** and *** again");
  // "tok-abcdef-long" contains "tok-abcdef": replaced whole, in either order.
  EXPECT_EQ(RedactSecrets("x tok-abcdef-long y", {"tok-abcdef", "tok-abcdef-long"}), "x *** y");
  EXPECT_EQ(RedactSecrets("x tok-abcdef-long y", {"tok-abcdef-long", "tok-abcdef"}), "x *** y");
  // Overlapping repeats ("aaaa" in "aaaaaaaa") all go.
  EXPECT_EQ(RedactSecrets("aaaaaaaa", {"aaaa"}), "******");
}

TEST(RedactTest, ShortAndEmptySecretsAreLeftAlone) {
  EXPECT_EQ(RedactSecrets("HTTP 401: version 1", {"1", "", "401"}), "HTTP 401: version 1");
  EXPECT_EQ(RedactSecrets("HTTP 401: 1401", {"1401"}), "HTTP 401: ***");
  EXPECT_EQ(RedactSecrets("", {"secret"}), "");
}

}  // namespace
}  // namespace syncagent
