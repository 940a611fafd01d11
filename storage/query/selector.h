// Selector: a Mango selector (as in CouchDB's _find, PouchDB-find and Cloudant Query), parsed into
// a typed tree that query/selector_sql.h compiles to SQL.
//
// The subset: implicit equality ({"done": false}), $eq $ne $gt $gte $lt $lte (any JSON operand,
// compared by the collation of docs/queries.md), $in $nin (an array), $exists (a boolean), and
// the combinators $and $or $nor (a non-empty array of selectors) and $not (one selector). Fields
// are dotted paths ("address.city"; "a\.b" is the field "a.b"); an object value nests fields
// ({"address": {"city": "Oslo"}} is {"address.city": "Oslo"}) unless it is empty ({} is an
// equality with {}); operators may also sit under a field ({"n": {"$or": [1, {"$gt": 9}]}}).
// Several members of one object must all hold (an implicit $and).
//
// Errors are kInvalidArgument naming the JSON path of the offending member and the operator:
//   selector.n.$in: wrong operand type for $in: expected an array, got a string
//   selector.$foo: unknown operator $foo
//   selector.$or[0].$or[0]...: too deep at $or: a selector nests at most 16 levels
//   selector.tags.$in: too many clauses: a selector holds at most 1000 conditions and $in/$nin
//   values
//
// Thread safety: pure functions over plain values.
#ifndef SYNCAGENT_STORAGE_QUERY_SELECTOR_H_
#define SYNCAGENT_STORAGE_QUERY_SELECTOR_H_

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/field_path.h"
#include "syncagent/status.h"

namespace syncagent::query {

enum class CompareOp { kEq, kNe, kGt, kGte, kLt, kLte };
std::string_view CompareOpName(CompareOp op);  // "$eq", "$ne", ...

struct Selector;

// {field: {$op: operand}}; the field must exist (a missing field matches no comparison, $ne
// included, as in CouchDB).
struct FieldCompare {
  FieldPath field;
  CompareOp op = CompareOp::kEq;
  nlohmann::json operand;
};

// $in (negated = false) or $nin: the field exists and equals one (none) of the operands.
struct FieldIn {
  FieldPath field;
  bool negated = false;
  std::vector<nlohmann::json> operands;
};

// $exists: true or false.
struct FieldExists {
  FieldPath field;
  bool exists = true;
};

enum class Combinator { kAnd, kOr, kNor };

// $and / $or / $nor over clauses; an $and without clauses (the selector {}) matches everything.
struct Combination {
  Combinator op = Combinator::kAnd;
  std::vector<Selector> clauses;
};

// $not: exactly one clause (a vector only because Selector is incomplete here).
struct Negation {
  std::vector<Selector> clause;
};

struct Selector {
  std::variant<Combination, Negation, FieldCompare, FieldIn, FieldExists> node;
};

struct SelectorLimits {
  int max_depth = 16;      // nesting of selector objects and combinator arrays
  int max_clauses = 1000;  // conditions plus $in/$nin values, over the whole selector
};

// Parses `selector` (a JSON object); `json_path` names it in errors ("selector").
StatusOr<Selector> ParseSelector(const nlohmann::json& selector,
                                 std::string_view json_path = "selector",
                                 const SelectorLimits& limits = {});

}  // namespace syncagent::query

#endif  // SYNCAGENT_STORAGE_QUERY_SELECTOR_H_
