#include "storage/query/selector_sql.h"

#include <limits>
#include <utility>

#include "common/json_text.h"

namespace syncagent::query {

namespace {

constexpr int64_t kRankNull = 0;
constexpr int64_t kRankArray = 5;
constexpr int64_t kRankObject = 6;

std::string_view SqlOperator(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return "=";
    case CompareOp::kNe: return "!=";
    case CompareOp::kGt: return ">";
    case CompareOp::kGte: return ">=";
    case CompareOp::kLt: return "<";
    case CompareOp::kLte: return "<=";
  }
  return "=";
}

std::string Joined(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

}  // namespace

CollationKey CollationKeyOf(const nlohmann::json& value) {
  using Type = nlohmann::json::value_t;
  switch (value.type()) {
    case Type::null: return {kRankNull, std::monostate{}};
    case Type::boolean: return value.get<bool>() ? CollationKey{2, int64_t{1}} : CollationKey{1, int64_t{0}};
    case Type::number_integer: return {3, value.get<int64_t>()};
    case Type::number_unsigned: {
      const uint64_t u = value.get<uint64_t>();
      if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return {3, static_cast<int64_t>(u)};
      }
      return {3, static_cast<double>(u)};  // as SQLite reads such a number from JSON
    }
    case Type::number_float: return {3, value.get<double>()};
    case Type::string: return {4, value.get<std::string>()};
    case Type::array: return {kRankArray, CompactJson(value)};
    default: return {kRankObject, CompactJson(value)};
  }
}

std::string SqliteJsonPath(const FieldPath& field) {
  std::string path = "$";
  for (const std::string& segment : field.segments) path += ".\"" + segment + "\"";
  return path;
}

std::string RankSql(const std::string& data_sql, const std::string& json_path_sql) {
  return "(CASE json_type(" + data_sql + ", " + json_path_sql +
         ") WHEN 'null' THEN 0 WHEN 'false' THEN 1 WHEN 'true' THEN 2 WHEN 'integer' THEN 3 "
         "WHEN 'real' THEN 3 WHEN 'text' THEN 4 WHEN 'array' THEN 5 WHEN 'object' THEN 6 END)";
}

std::string SqlBuilder::Param(SqlValue value) {
  params_.push_back(std::move(value));
  return "?" + std::to_string(params_.size());
}

FieldKeySql SqlBuilder::Field(const FieldPath& field) {
  const std::string path = SqliteJsonPath(field);
  if (columns_ != nullptr) {
    auto it = columns_->find(path);
    if (it != columns_->end()) return {"d." + it->second + "_r", "d." + it->second + "_v"};
  }
  auto [it, inserted] = path_params_.try_emplace(path);
  if (inserted) it->second = Param(path);
  return {RankSql("d.data", it->second), "json_extract(d.data, " + it->second + ")"};
}

std::string SqlBuilder::ValueParam(const CollationKey& key) {
  const std::string param = Param(key.value);
  return key.rank >= kRankArray ? "json(" + param + ")" : param;
}

std::string SqlBuilder::Equal(const FieldKeySql& key, const nlohmann::json& operand) {
  const CollationKey collation = CollationKeyOf(operand);
  const std::string rank = Param(collation.rank);
  return "(" + key.rank + " IS " + rank + " AND " + key.value + " IS " +
         ValueParam(collation) + ")";
}

std::string SqlBuilder::Compare(const FieldKeySql& key, CompareOp op, const nlohmann::json& operand) {
  const std::string exists = key.rank + " IS NOT NULL";
  if (op == CompareOp::kEq) return Equal(key, operand);
  if (op == CompareOp::kNe) return "(" + exists + " AND NOT " + Equal(key, operand) + ")";
  const CollationKey collation = CollationKeyOf(operand);
  const std::string sql_op(SqlOperator(op));
  if (collation.rank == kRankNull) {  // every null ties with null: the rank decides
    return "(" + exists + " AND " + key.rank + " " + sql_op + " " + Param(collation.rank) + ")";
  }
  const std::string rank = Param(collation.rank);
  return "(" + exists + " AND (" + key.rank + ", " + key.value + ") " + sql_op + " (" + rank +
         ", " + ValueParam(collation) + "))";
}

std::string SqlBuilder::In(const FieldIn& in) {
  // An empty $in matches nothing and reads no field: no parameter without its placeholder.
  if (in.operands.empty() && !in.negated) return "0";
  const FieldKeySql key = Field(in.field);
  std::vector<std::string> equals;
  for (const nlohmann::json& operand : in.operands) equals.push_back(Equal(key, operand));
  const std::string any = equals.empty() ? "0" : "(" + Joined(equals, " OR ") + ")";
  if (!in.negated) return any;
  return "(" + key.rank + " IS NOT NULL AND NOT " + any + ")";
}

std::string SqlBuilder::Combine(const Combination& combination) {
  std::vector<std::string> parts;
  for (const Selector& clause : combination.clauses) parts.push_back(Condition(clause));
  switch (combination.op) {
    case Combinator::kAnd: return parts.empty() ? "1" : "(" + Joined(parts, " AND ") + ")";
    case Combinator::kOr: return parts.empty() ? "0" : "(" + Joined(parts, " OR ") + ")";
    case Combinator::kNor: return parts.empty() ? "1" : "(NOT (" + Joined(parts, " OR ") + "))";
  }
  return "0";
}

std::string SqlBuilder::Condition(const Selector& selector) {
  if (const auto* combination = std::get_if<Combination>(&selector.node)) {
    return Combine(*combination);
  }
  if (const auto* negation = std::get_if<Negation>(&selector.node)) {
    return "(NOT " + Condition(negation->clause.front()) + ")";
  }
  if (const auto* compare = std::get_if<FieldCompare>(&selector.node)) {
    return Compare(Field(compare->field), compare->op, compare->operand);
  }
  if (const auto* in = std::get_if<FieldIn>(&selector.node)) return In(*in);
  const auto& exists = std::get<FieldExists>(selector.node);
  return "(" + Field(exists.field).rank + (exists.exists ? " IS NOT NULL)" : " IS NULL)");
}

void BindAll(Statement& stmt, const std::vector<SqlValue>& params) {
  for (size_t i = 0; i < params.size(); ++i) stmt.Bind(static_cast<int>(i) + 1, params[i]);
}

}  // namespace syncagent::query
