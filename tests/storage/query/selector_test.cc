// ParseSelector (storage/query/selector.h): the Mango subset's shapes and its errors, each naming
// the JSON path and the operator.
#include "storage/query/selector.h"

#include <gtest/gtest.h>

namespace syncagent::query {
namespace {

using nlohmann::json;

Selector MustParse(const json& j) {
  auto parsed = ParseSelector(j);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? std::move(*parsed) : Selector{};
}

std::string ErrorOf(const json& j, const SelectorLimits& limits = {}) {
  auto parsed = ParseSelector(j, "selector", limits);
  EXPECT_FALSE(parsed.ok()) << j.dump();
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  return parsed.status().message();
}

TEST(SelectorTest, ImplicitEqualityOnADottedField) {
  Selector s = MustParse({{"address.city", "Oslo"}});
  const auto* compare = std::get_if<FieldCompare>(&s.node);
  ASSERT_NE(compare, nullptr);
  EXPECT_EQ(compare->field.segments, (std::vector<std::string>{"address", "city"}));
  EXPECT_EQ(compare->op, CompareOp::kEq);
  EXPECT_EQ(compare->operand, "Oslo");
}

TEST(SelectorTest, NestedObjectsAreSubfieldsButAnEmptyObjectIsAValue) {
  Selector s = MustParse({{"address", {{"city", {{"$gt", "M"}}}}}});
  const auto* compare = std::get_if<FieldCompare>(&s.node);
  ASSERT_NE(compare, nullptr);
  EXPECT_EQ(compare->field.Dotted(), "address.city");
  EXPECT_EQ(compare->op, CompareOp::kGt);

  Selector empty = MustParse({{"meta", json::object()}});
  const auto* eq = std::get_if<FieldCompare>(&empty.node);
  ASSERT_NE(eq, nullptr);
  EXPECT_EQ(eq->operand, json::object());
}

TEST(SelectorTest, SeveralMembersAreAnImplicitAndAndTheEmptySelectorMatchesAll) {
  Selector s = MustParse({{"a", 1}, {"b", {{"$exists", false}}}});
  const auto* all = std::get_if<Combination>(&s.node);
  ASSERT_NE(all, nullptr);
  EXPECT_EQ(all->op, Combinator::kAnd);
  EXPECT_EQ(all->clauses.size(), 2u);
  EXPECT_NE(std::get_if<FieldExists>(&all->clauses[1].node), nullptr);

  Selector everything = MustParse(json::object());
  const auto* none = std::get_if<Combination>(&everything.node);
  ASSERT_NE(none, nullptr);
  EXPECT_TRUE(none->clauses.empty());
}

TEST(SelectorTest, CombinatorsAtTheTopAndUnderAField) {
  Selector s = MustParse(json::parse(R"({"$or": [{"a": 1}, {"$not": {"b": 2}}],
                                         "n": {"$nor": [1, {"$gt": 9}]}})"));
  const auto* all = std::get_if<Combination>(&s.node);
  ASSERT_NE(all, nullptr);
  const auto* any = std::get_if<Combination>(&all->clauses[0].node);
  ASSERT_NE(any, nullptr);
  EXPECT_EQ(any->op, Combinator::kOr);
  EXPECT_NE(std::get_if<Negation>(&any->clauses[1].node), nullptr);
  const auto* nor = std::get_if<Combination>(&all->clauses[1].node);
  ASSERT_NE(nor, nullptr);
  EXPECT_EQ(nor->op, Combinator::kNor);
  const auto* gt = std::get_if<FieldCompare>(&nor->clauses[1].node);
  ASSERT_NE(gt, nullptr);
  EXPECT_EQ(gt->field.Dotted(), "n");  // the clause is about the field it sits under
}

TEST(SelectorTest, InAndNinTakeArrays) {
  Selector s = MustParse({{"tag", {{"$nin", {"a", "b"}}}}});
  const auto* in = std::get_if<FieldIn>(&s.node);
  ASSERT_NE(in, nullptr);
  EXPECT_TRUE(in->negated);
  EXPECT_EQ(in->operands.size(), 2u);
}

TEST(SelectorTest, UnknownOperatorNamesPathAndOperator) {
  EXPECT_EQ(ErrorOf({{"a", {{"$regex", "x"}}}}), "selector.a.$regex: unknown operator $regex");
  EXPECT_EQ(ErrorOf({{"$where", "1"}}), "selector.$where: unknown operator $where");
}

TEST(SelectorTest, WrongOperandTypesNamePathAndOperator) {
  EXPECT_EQ(ErrorOf({{"a", {{"$in", "x"}}}}),
            "selector.a.$in: wrong operand type for $in: expected an array, got a string");
  EXPECT_EQ(ErrorOf({{"a", {{"$exists", 1}}}}),
            "selector.a.$exists: wrong operand type for $exists: expected a boolean, got a number");
  EXPECT_EQ(ErrorOf({{"$or", json::array()}}),
            "selector.$or: wrong operand type for $or: expected a non-empty array of selectors, "
            "got an array");
  EXPECT_EQ(ErrorOf({{"$not", {1}}}),
            "selector.$not: wrong operand type for $not: expected an object (a selector), got an "
            "array");
  EXPECT_EQ(ErrorOf({{"$and", {1}}}),
            "selector.$and[0]: expected an object (a selector), got a number");
}

TEST(SelectorTest, FieldOperatorWithoutAFieldIsRefused) {
  EXPECT_NE(ErrorOf({{"$gt", 1}}).find("selector.$gt: operator $gt needs a field"),
            std::string::npos);
}

TEST(SelectorTest, BadFieldNamesAreRefused) {
  EXPECT_NE(ErrorOf({{"a..b", 1}}).find("selector.a..b: field name \"a..b\" has an empty part"),
            std::string::npos);
  EXPECT_NE(ErrorOf({{"a\"b", 1}}).find("double quote"), std::string::npos);
}

TEST(SelectorTest, TooDeepNamesThePathAndTheOperator) {
  json deep = {{"a", 1}};
  for (int i = 0; i < 20; ++i) deep = {{"$or", {deep}}};
  const std::string error = ErrorOf(deep);
  EXPECT_NE(error.find("too deep at $or: a selector nests at most 16 levels"), std::string::npos)
      << error;
  EXPECT_EQ(error.rfind("selector.$or[0].$or[0].", 0), 0u) << error;
}

TEST(SelectorTest, TooManyClausesNamesWhereTheLimitWasPassed) {
  json values = json::array();
  for (int i = 0; i < 20; ++i) values.push_back(i);
  SelectorLimits limits;
  limits.max_clauses = 10;
  EXPECT_EQ(ErrorOf({{"tag", {{"$in", values}}}}, limits),
            "selector.tag.$in: too many clauses: a selector holds at most 10 conditions and "
            "$in/$nin values");
}

TEST(SelectorTest, ANonObjectSelectorIsRefused) {
  EXPECT_EQ(ErrorOf(json::array()), "selector: expected an object (a selector), got an array");
}

}  // namespace
}  // namespace syncagent::query
