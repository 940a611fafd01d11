// The strict JSON reading every protocol codec shares (net/wire_json.h).
#include "net/wire_json.h"

#include <gtest/gtest.h>

namespace syncagent::wire {
namespace {

using nlohmann::json;

TEST(WireJsonTest, DescribesWhatWasFoundShortly) {
  EXPECT_EQ(Describe(json("x")), "a string \"x\"");
  EXPECT_EQ(Describe(json::object()), "an object");
  EXPECT_EQ(Describe(json::array()), "an array");
  EXPECT_EQ(Describe(json(nullptr)), "null");
  EXPECT_EQ(Describe(json(-3)), "-3");
  EXPECT_EQ(Describe(json(true)), "true");
  EXPECT_EQ(Describe(json(std::string(100, 'a'))), "a string \"" + std::string(36, 'a') + "...");
}

TEST(WireJsonTest, FieldErrorsNameTheAnswerAndThePath) {
  const json found = 5;
  const Status status = FieldError("pull response", "changes[2].key", "a string", &found);
  EXPECT_EQ(status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(status.retry_class(), RetryClass::kTransient);
  EXPECT_EQ(status.message(), "pull response: changes[2].key: expected a string, got 5");
  EXPECT_EQ(FieldError("a", "b", "c", nullptr).message(), "a: b: expected c, got nothing (missing)");
  EXPECT_EQ(NotJson("x answer", 3).message(),
            "x answer: body is not valid JSON (3 bytes; truncated or malformed)");
}

TEST(WireJsonTest, ServerTextIsSafeInALogLine) {
  EXPECT_EQ(ServerText("bad\r\nForged: 1\x1b[31m"), "bad??Forged: 1?[31m");
  const std::string cut = ServerText(std::string(199, 'a') + "\xC3\xA9" + "tail");
  EXPECT_EQ(cut, std::string(199, 'a') + "...");  // not inside the two-byte character
}

TEST(WireJsonTest, ObjectReaderReadsTypedMembers) {
  const json object = json::parse(R"({"s":"x","e":"","n":4,"b":false,"z":null})");
  ObjectReader r("answer", "item", object);
  EXPECT_EQ(*r.String("s"), "x");
  EXPECT_EQ(r.String("e").status().message(),
            "answer: item.e: expected a non-empty string, got a string \"\"");
  EXPECT_EQ(*r.String("e", /*allow_empty=*/true), "");
  EXPECT_EQ(*r.OptionalString("z"), "");
  EXPECT_EQ(*r.OptionalString("missing"), "");
  EXPECT_EQ(r.OptionalString("n").status().message(),
            "answer: item.n: expected a string or null, got 4");
  EXPECT_EQ(*r.Integer("n", 1), 4);
  EXPECT_EQ(r.Integer("n", 5).status().message(), "answer: item.n: expected an integer >= 5, got 4");
  EXPECT_FALSE(*r.Bool("b"));
  EXPECT_TRUE(*r.OptionalBool("missing", true));
  EXPECT_EQ(r.OptionalBool("n", false).status().message(),
            "answer: item.n: expected a boolean, got 4");
  EXPECT_EQ(ObjectReader("a", "", object).Path("s"), "s");
}

}  // namespace
}  // namespace syncagent::wire
