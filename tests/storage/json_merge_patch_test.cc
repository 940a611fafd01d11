#include "storage/json_merge_patch.h"
#include "storage/json_equal.h"

#include <gtest/gtest.h>

#include <random>

namespace syncagent {
namespace {

using nlohmann::json;

// The test vectors of RFC 7396, Appendix A.
struct Vector {
  const char* target;
  const char* patch;
  const char* result;
};

TEST(JsonMergePatchTest, Rfc7396AppendixA) {
  const Vector vectors[] = {
      {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {R"({"a":"b"})", R"({"a":null})", R"({})"},
      {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
      {R"({"a":"b"})", R"(["c"])", R"(["c"])"},
      {R"({"a":"foo"})", R"(null)", R"(null)"},
      {R"({"a":"foo"})", R"("bar")", R"("bar")"},
      {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
      {R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
      {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
  };
  for (const Vector& v : vectors) {
    EXPECT_EQ(MergePatched(json::parse(v.target), json::parse(v.patch)), json::parse(v.result))
        << "target " << v.target << " patch " << v.patch;
  }
}

TEST(JsonMergePatchTest, CreateProducesMinimalPatch) {
  json from = json::parse(R"({"title":"a","tags":["x"],"meta":{"n":1,"m":2},"gone":true})");
  json to = json::parse(R"({"title":"b","tags":["x"],"meta":{"n":1,"m":3},"new":0})");
  json patch = CreateMergePatch(from, to);
  EXPECT_EQ(patch, json::parse(R"({"title":"b","meta":{"m":3},"gone":null,"new":0})"));
  EXPECT_EQ(MergePatched(from, patch), to);
  EXPECT_EQ(CreateMergePatch(to, to), json::object());
}

json RandomValue(std::mt19937& rng, int depth) {
  std::uniform_int_distribution<int> kind(0, depth > 2 ? 3 : 5);
  switch (kind(rng)) {
    case 0: return static_cast<int>(rng() % 5);
    case 1: return std::string(1, static_cast<char>('a' + rng() % 3));
    case 2: return json::array({static_cast<int>(rng() % 3)});
    case 3: return rng() % 2 == 0;
    default: {
      json obj = json::object();
      int members = static_cast<int>(rng() % 4);
      for (int i = 0; i < members; ++i) {
        obj[std::string(1, static_cast<char>('k' + rng() % 4))] = RandomValue(rng, depth + 1);
      }
      return obj;
    }
  }
}

// Round trip property: applying CreateMergePatch(from, to) to `from` yields `to`, for objects
// without null members (which a merge patch cannot express).
TEST(JsonMergePatchTest, CreateThenApplyRoundTrips) {
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    json from = json::object();
    json to = json::object();
    for (int m = 0; m < 4; ++m) {
      from[std::string(1, static_cast<char>('a' + rng() % 5))] = RandomValue(rng, 0);
      to[std::string(1, static_cast<char>('a' + rng() % 5))] = RandomValue(rng, 0);
    }
    EXPECT_EQ(MergePatched(from, CreateMergePatch(from, to)), to) << from << " -> " << to;
  }
}

// Regression: CreateMergePatch compared with nlohmann's ==, which rounds an integer to double
// against a float, so a change from 9007199254740992.0 to 9007199254740993 produced no patch and
// the new value was lost. JsonEqual compares numbers exactly.
TEST(JsonMergePatchTest, CreateMergePatchKeepsLargeIntegerChanges) {
  json from = json::parse(R"({"n":9007199254740992.0,"same":1.0})");
  json to = json::parse(R"({"n":9007199254740993,"same":1})");
  json patch = CreateMergePatch(from, to);
  EXPECT_EQ(patch, json::parse(R"({"n":9007199254740993})"));
  EXPECT_EQ(MergePatched(from, patch)["n"].get<int64_t>(), 9007199254740993);
}

TEST(JsonEqualTest, ComparesNumbersByExactValue) {
  auto eq = [](const char* a, const char* b) { return JsonEqual(json::parse(a), json::parse(b)); };
  EXPECT_TRUE(eq("1", "1.0"));
  EXPECT_TRUE(eq("-0", "0.0"));
  EXPECT_TRUE(eq("-0.0", "0"));
  EXPECT_TRUE(eq("18446744073709551615", "18446744073709551615"));
  EXPECT_FALSE(eq("9007199254740993", "9007199254740992.0"));
  EXPECT_FALSE(eq("18446744073709551615", "18446744073709551616.0"));
  EXPECT_FALSE(eq("-1", "18446744073709551615"));
  EXPECT_FALSE(eq("1", "1.5"));
  EXPECT_FALSE(eq("1", "\"1\""));
  EXPECT_TRUE(eq(R"({"a":[1,{"b":2.0}]})", R"({"a":[1.0,{"b":2}]})"));
  EXPECT_FALSE(eq(R"({"a":[1,{"b":2}]})", R"({"a":[1,{"b":2,"c":null}]})"));
  EXPECT_FALSE(eq(R"({"a":1})", R"({"b":1})"));
}

}  // namespace
}  // namespace syncagent
