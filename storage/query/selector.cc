#include "storage/query/selector.h"

#include <utility>

namespace syncagent::query {

namespace {

// "a string", "an array", ... for messages.
std::string Described(const nlohmann::json& value) {
  const std::string name = value.type_name();
  const bool vowel = !name.empty() && std::string_view("aeiou").find(name[0]) != std::string::npos;
  return (vowel ? "an " : "a ") + name;
}

Status WrongOperand(const std::string& where, std::string_view op, std::string_view expected,
                    const nlohmann::json& got) {
  return InvalidArgumentError(where + ": wrong operand type for " + std::string(op) +
                              ": expected " + std::string(expected) + ", got " + Described(got));
}

struct FieldOp {
  std::string_view name;
  enum Kind { kCompare, kIn, kNin, kExists } kind;
  CompareOp compare;
};

constexpr FieldOp kFieldOps[] = {
    {"$eq", FieldOp::kCompare, CompareOp::kEq},   {"$ne", FieldOp::kCompare, CompareOp::kNe},
    {"$gt", FieldOp::kCompare, CompareOp::kGt},   {"$gte", FieldOp::kCompare, CompareOp::kGte},
    {"$lt", FieldOp::kCompare, CompareOp::kLt},   {"$lte", FieldOp::kCompare, CompareOp::kLte},
    {"$in", FieldOp::kIn, CompareOp::kEq},        {"$nin", FieldOp::kNin, CompareOp::kEq},
    {"$exists", FieldOp::kExists, CompareOp::kEq},
};

const FieldOp* FindFieldOp(std::string_view name) {
  for (const FieldOp& op : kFieldOps) {
    if (op.name == name) return &op;
  }
  return nullptr;
}

Selector All(std::vector<Selector> clauses) {
  if (clauses.size() == 1) return std::move(clauses.front());
  return Selector{Combination{Combinator::kAnd, std::move(clauses)}};
}

class Parser {
 public:
  explicit Parser(const SelectorLimits& limits) : limits_(limits) {}

  // An object of members (fields, operators); `field` is the field it sits under (none at the
  // top: then field operators are refused).
  StatusOr<Selector> Object(const nlohmann::json& value, const std::string& where,
                            const FieldPath& field, int depth);

 private:
  StatusOr<Selector> Member(const std::string& key, const nlohmann::json& value,
                            const std::string& where, const FieldPath& field, int depth);
  // A field's value: an operator object or nested fields; any other value is an equality.
  StatusOr<Selector> FieldValue(const nlohmann::json& value, const std::string& where,
                                const FieldPath& field, int depth);
  StatusOr<Selector> Combine(std::string_view op, const nlohmann::json& value,
                             const std::string& where, const FieldPath& field, int depth);
  StatusOr<Selector> Leaf(const FieldOp& op, const nlohmann::json& value, const std::string& where,
                          const FieldPath& field);
  Status Count(int clauses, const std::string& where);

  const SelectorLimits& limits_;
  int clauses_ = 0;
};

Status Parser::Count(int clauses, const std::string& where) {
  clauses_ += clauses;
  if (clauses_ <= limits_.max_clauses) return Status::Ok();
  return InvalidArgumentError(where + ": too many clauses: a selector holds at most " +
                              std::to_string(limits_.max_clauses) +
                              " conditions and $in/$nin values");
}

StatusOr<Selector> Parser::Object(const nlohmann::json& value, const std::string& where,
                                  const FieldPath& field, int depth) {
  if (!value.is_object()) {
    return InvalidArgumentError(where + ": expected an object (a selector), got " +
                                Described(value));
  }
  std::vector<Selector> clauses;
  for (const auto& [key, member] : value.items()) {
    SYNCAGENT_ASSIGN_OR_RETURN(Selector clause, Member(key, member, where, field, depth));
    clauses.push_back(std::move(clause));
  }
  return All(std::move(clauses));
}

StatusOr<Selector> Parser::Member(const std::string& key, const nlohmann::json& value,
                                  const std::string& where, const FieldPath& field, int depth) {
  const std::string here = where + "." + key;
  if (key.empty() || key[0] != '$') {
    SYNCAGENT_ASSIGN_OR_RETURN(FieldPath sub, ParseFieldPath(key, here));
    FieldPath nested = field;
    nested.segments.insert(nested.segments.end(), sub.segments.begin(), sub.segments.end());
    if (static_cast<int>(nested.segments.size()) > kMaxFieldDepth) {
      return InvalidArgumentError(here + ": field path deeper than " +
                                  std::to_string(kMaxFieldDepth) + " names");
    }
    return FieldValue(value, here, nested, depth);
  }
  if (key == "$and" || key == "$or" || key == "$nor" || key == "$not") {
    return Combine(key, value, here, field, depth);
  }
  const FieldOp* op = FindFieldOp(key);
  if (op == nullptr) return InvalidArgumentError(here + ": unknown operator " + key);
  if (field.segments.empty()) {
    return InvalidArgumentError(here + ": operator " + key + " needs a field ({\"FIELD\": {\"" +
                                key + "\": ...}})");
  }
  return Leaf(*op, value, here, field);
}

StatusOr<Selector> Parser::FieldValue(const nlohmann::json& value, const std::string& where,
                                      const FieldPath& field, int depth) {
  if (value.is_object() && !value.empty()) {
    if (depth + 1 > limits_.max_depth) {
      return InvalidArgumentError(where + ": too deep: a selector nests at most " +
                                  std::to_string(limits_.max_depth) + " levels");
    }
    return Object(value, where, field, depth + 1);
  }
  SYNCAGENT_RETURN_IF_ERROR(Count(1, where));
  return Selector{FieldCompare{field, CompareOp::kEq, value}};
}

StatusOr<Selector> Parser::Combine(std::string_view op, const nlohmann::json& value,
                                   const std::string& where, const FieldPath& field, int depth) {
  if (depth + 1 > limits_.max_depth) {
    return InvalidArgumentError(where + ": too deep at " + std::string(op) +
                                ": a selector nests at most " + std::to_string(limits_.max_depth) +
                                " levels");
  }
  SYNCAGENT_RETURN_IF_ERROR(Count(1, where));
  // Under a field, each clause is about that field (operators or a value); at the top, a selector.
  auto clause = [&](const nlohmann::json& v, const std::string& at) -> StatusOr<Selector> {
    if (field.segments.empty()) return Object(v, at, field, depth + 1);
    return FieldValue(v, at, field, depth + 1);
  };
  if (op == "$not") {
    if (!value.is_object()) return WrongOperand(where, op, "an object (a selector)", value);
    SYNCAGENT_ASSIGN_OR_RETURN(Selector inner, clause(value, where));
    Negation negation;
    negation.clause.push_back(std::move(inner));
    return Selector{std::move(negation)};
  }
  if (!value.is_array() || value.empty()) {
    return WrongOperand(where, op, "a non-empty array of selectors", value);
  }
  Combination combination;
  combination.op = op == "$and" ? Combinator::kAnd : op == "$or" ? Combinator::kOr : Combinator::kNor;
  for (size_t i = 0; i < value.size(); ++i) {
    SYNCAGENT_ASSIGN_OR_RETURN(Selector inner, clause(value[i], where + "[" + std::to_string(i) + "]"));
    combination.clauses.push_back(std::move(inner));
  }
  return Selector{std::move(combination)};
}

StatusOr<Selector> Parser::Leaf(const FieldOp& op, const nlohmann::json& value,
                                const std::string& where, const FieldPath& field) {
  switch (op.kind) {
    case FieldOp::kCompare:
      SYNCAGENT_RETURN_IF_ERROR(Count(1, where));
      return Selector{FieldCompare{field, op.compare, value}};
    case FieldOp::kExists:
      if (!value.is_boolean()) return WrongOperand(where, op.name, "a boolean", value);
      SYNCAGENT_RETURN_IF_ERROR(Count(1, where));
      return Selector{FieldExists{field, value.get<bool>()}};
    case FieldOp::kIn:
    case FieldOp::kNin: {
      if (!value.is_array()) return WrongOperand(where, op.name, "an array", value);
      SYNCAGENT_RETURN_IF_ERROR(Count(1 + static_cast<int>(value.size()), where));
      FieldIn in{field, op.kind == FieldOp::kNin, {}};
      in.operands.assign(value.begin(), value.end());
      return Selector{std::move(in)};
    }
  }
  return InternalError(where + ": unhandled operator");
}

}  // namespace

std::string_view CompareOpName(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return "$eq";
    case CompareOp::kNe: return "$ne";
    case CompareOp::kGt: return "$gt";
    case CompareOp::kGte: return "$gte";
    case CompareOp::kLt: return "$lt";
    case CompareOp::kLte: return "$lte";
  }
  return "$eq";
}

StatusOr<Selector> ParseSelector(const nlohmann::json& selector, std::string_view json_path,
                                 const SelectorLimits& limits) {
  Parser parser(limits);
  return parser.Object(selector, std::string(json_path), FieldPath{}, 1);
}

}  // namespace syncagent::query
