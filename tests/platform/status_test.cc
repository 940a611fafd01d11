#include "syncagent/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace syncagent {
namespace {

StatusOr<int> ParsePositive(int v) {
  if (v <= 0) return InvalidArgumentError("expected a positive number, got " + std::to_string(v));
  return v;
}

Status UsesMacros(int v, int* out) {
  SYNCAGENT_ASSIGN_OR_RETURN(int parsed, ParsePositive(v));
  *out = parsed * 2;
  return Status::Ok();
}

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_EQ(s.retry_class(), RetryClass::kNone);
}

TEST(StatusTest, CarriesCodeMessageAndRetryClass) {
  Status s = UnavailableError("connection reset", RetryClass::kNetwork);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.retry_class(), RetryClass::kNetwork);
  EXPECT_EQ(s.ToString(), "UNAVAILABLE [network]: connection reset");
}

TEST(StatusTest, ContextPrefixesMessageAndKeepsClass) {
  Status s = UnauthenticatedError("token rejected").WithContext("POST /v1/push");
  EXPECT_EQ(s.message(), "POST /v1/push: token rejected");
  EXPECT_EQ(s.retry_class(), RetryClass::kAuth);
  EXPECT_TRUE(Status::Ok().WithContext("x").ok());
}

TEST(StatusTest, WithRetryClassReplacesOnlyTheClass) {
  Status s = InvalidArgumentError("bad").WithRetryClass(RetryClass::kPermanent);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.retry_class(), RetryClass::kPermanent);
}

TEST(StatusOrTest, HoldsValueOrError) {
  StatusOr<int> good = ParsePositive(3);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  StatusOr<int> bad = ParsePositive(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.value_or(7), 7);
}

TEST(StatusOrTest, MoveOnlyValues) {
  StatusOr<std::unique_ptr<int>> p = std::make_unique<int>(5);
  ASSERT_TRUE(p.ok());
  std::unique_ptr<int> taken = std::move(p).value();
  EXPECT_EQ(*taken, 5);
}

TEST(StatusOrTest, MacrosPropagateErrors) {
  int out = 0;
  EXPECT_TRUE(UsesMacros(4, &out).ok());
  EXPECT_EQ(out, 8);
  Status s = UsesMacros(0, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "expected a positive number, got 0");
}

TEST(StatusOrDeathTest, ValueOnErrorAborts) {
  StatusOr<int> bad = ParsePositive(0);
  EXPECT_DEATH({ (void)bad.value(); }, "invariant failed.*positive");
}

TEST(StatusOrDeathTest, OkStatusWithoutValueAborts) {
  EXPECT_DEATH({ StatusOr<int> s(Status::Ok()); (void)s; }, "without a value");
}

}  // namespace
}  // namespace syncagent
