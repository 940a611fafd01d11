// JsonScanner (net/json_scanner.h): strict validation, compact copies, decoded strings, and
// agreement with nlohmann's parser on what is valid.
#include "net/json_scanner.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace syncagent {
namespace {

using nlohmann::json;

// Copies one whole value; nullopt when the scanner refuses it (or leaves trailing bytes).
std::optional<std::string> Copy(std::string_view text, int max_depth = 64) {
  JsonScanner in(text, max_depth);
  std::string out;
  if (!in.CopyValue(&out, 0) || !in.AtEnd()) return std::nullopt;
  return out;
}

TEST(JsonScannerTest, CopiesValuesCompactlyAndByteForByte) {
  EXPECT_EQ(Copy(" { \"a\" : [ 1 , 2.50 , -0 , 1E+2 ] ,\n\t\"b\" : { } , \"c\":\"x y\" } "),
            R"({"a":[1,2.50,-0,1E+2],"b":{},"c":"x y"})");
  EXPECT_EQ(Copy(R"("esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00")"),
            R"("esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00")");
  EXPECT_EQ(Copy("\"caf\xC3\xA9 \xF0\x9F\x98\x80\""), "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"");
  EXPECT_EQ(Copy("[true,false,null]"), "[true,false,null]");
}

TEST(JsonScannerTest, RefusesWhatJsonRefuses) {
  const char* bad[] = {
      "", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "[1 2]", "01", "1.", ".5", "1e",
      "+1", "-", "tru", "nul", "'x'", "\"unterminated", "\"ctl\x01\"", "\"bad \\x escape\"",
      "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "1e400", "-1e400",
      "\"\xC0\xAF\"",          // overlong '/'
      "\"\xED\xA0\x80\"",      // an encoded surrogate
      "\"\xF4\x90\x80\x80\"",  // above U+10FFFF
      "\"\xE2\x82\"",          // cut sequence
      "\"\x80\"",              // stray continuation byte
      "\xEF\xBB\xBF{}",        // byte order mark
      "{} {}", "[]]",
  };
  for (const char* text : bad) {
    EXPECT_EQ(Copy(text), std::nullopt) << "accepted: " << text;
  }
}

TEST(JsonScannerTest, NestingBeyondTheLimitIsRefused) {
  EXPECT_TRUE(Copy("[[[1]]]", 3).has_value());
  EXPECT_FALSE(Copy("[[[[1]]]]", 3).has_value());
  EXPECT_TRUE(Copy("{\"a\":{\"b\":{}}}", 3).has_value());
  EXPECT_FALSE(Copy("{\"a\":{\"b\":{\"c\":1}}}", 2).has_value());
  EXPECT_TRUE(Copy("\"[[[[[[[[\"", 1).has_value());  // brackets in strings do not nest
}

TEST(JsonScannerTest, ReadsDecodedStringsIntegersAndLiterals) {
  JsonScanner in(R"( "a\"b\u00e9\ud83d\ude00" 42 -9223372036854775808 true false null 1.5 9223372036854775808 )",
                 8);
  std::string s;
  ASSERT_TRUE(in.ReadString(&s));
  EXPECT_EQ(s, "a\"b\xC3\xA9\xF0\x9F\x98\x80");
  int64_t n = 0;
  ASSERT_TRUE(in.ReadInt64(&n));
  EXPECT_EQ(n, 42);
  ASSERT_TRUE(in.ReadInt64(&n));
  EXPECT_EQ(n, INT64_MIN);
  bool b = false;
  ASSERT_TRUE(in.ReadBool(&b));
  EXPECT_TRUE(b);
  ASSERT_TRUE(in.ReadBool(&b));
  EXPECT_FALSE(b);
  EXPECT_TRUE(in.ReadNull());
  EXPECT_FALSE(in.ReadInt64(&n));  // 1.5 is not an integer
  JsonScanner big("9223372036854775808", 8);
  EXPECT_FALSE(big.ReadInt64(&n));  // does not fit
}

// Whatever the scanner accepts, nlohmann accepts, with the same value from the compact copy.
TEST(JsonScannerTest, AgreesWithNlohmannOnAcceptedValues) {
  const char* inputs[] = {
      R"({"k":[1,2,{"x":null}],"s":"\u0000\u001f","n":-12.5e-3,"big":123456789012345678901234567890})",
      R"([0,-0,0.0,1e10,1E-10,18446744073709551615,-9223372036854775809])",
      R"({"dup":1,"dup":2})",
      "\"\xE4\xB8\xAD\xE6\x96\x87\"",
  };
  for (const char* text : inputs) {
    auto copy = Copy(text);
    ASSERT_TRUE(copy.has_value()) << text;
    json original = json::parse(text, nullptr, false);
    ASSERT_FALSE(original.is_discarded()) << text;
    EXPECT_EQ(json::parse(*copy), original) << text;
  }
}

// CopyBounded: a value deeper than allowed is skipped whole (without recursion) and reported as
// such; malformed text is still malformed; the position ends after the value either way.
TEST(JsonScannerTest, CopyBoundedSkipsADeepValueAndKeepsReading) {
  for (int depth : {3, 4, 70000}) {
    const std::string deep = std::string(depth, '[') + "{\"a\":\"]]\"}" +
                             std::string(depth, ']');
    const std::string text = "[" + deep + ",7]";
    JsonScanner in(text, 100);
    ASSERT_TRUE(in.Consume('['));
    std::string out = "kept";
    const auto result = in.CopyBounded(&out, 4);
    EXPECT_EQ(result, depth + 1 <= 4 ? JsonScanner::Bounded::kCopied
                                     : JsonScanner::Bounded::kTooDeep)
        << depth;
    if (result == JsonScanner::Bounded::kTooDeep) {
      EXPECT_EQ(out, "kept");
    }
    ASSERT_TRUE(in.Consume(','));
    int64_t seven = 0;
    EXPECT_TRUE(in.ReadInt64(&seven));
    EXPECT_EQ(seven, 7);
  }
  for (const char* bad : {"[[1]", "[[1,]]", "[{\"a\" 1}]", "[{1:2}]", "[[\"x]]"}) {
    JsonScanner in(bad, 100);
    EXPECT_EQ(in.CopyBounded(nullptr, 1), JsonScanner::Bounded::kMalformed) << bad;
  }
}

}  // namespace
}  // namespace syncagent
