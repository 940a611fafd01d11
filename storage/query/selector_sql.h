// Compiles a parsed selector (query/selector.h) to an SQL condition over the `documents` row
// aliased `d`, with every JSON path and every value bound as a parameter, never spliced: the SQL
// text holds only operators, parameter numbers and the names of the generated columns of
// declared indexes (query/index_columns.h), which the store derives itself.
//
// Collation (docs/queries.md): a field's value compares as the pair (rank, value):
//   rank   0 null, 1 false, 2 true, 3 number, 4 string, 5 array, 6 object; NULL when missing
//   value  json_extract(): NULL, 0, 1, the number, the string, the compact JSON text
// so mixed types order as CouchDB orders them, numbers numerically, strings by code point, and
// two arrays (or two objects) by their compact JSON text. Every condition is NULL-free (a
// missing field makes a comparison false, never NULL), so $not and $nor negate it exactly.
//
// Thread safety: a SqlBuilder is a plain value; one per statement being built.
#ifndef SYNCAGENT_STORAGE_QUERY_SELECTOR_SQL_H_
#define SYNCAGENT_STORAGE_QUERY_SELECTOR_SQL_H_

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/query/selector.h"
#include "storage/sqlite_statement.h"

namespace syncagent::query {

// A field's collation key as SQL: its rank and value expressions.
struct FieldKeySql {
  std::string rank;
  std::string value;
};

// A JSON value's collation key: its rank and the value to compare json_extract() with.
struct CollationKey {
  int64_t rank = 0;
  SqlValue value;
};
CollationKey CollationKeyOf(const nlohmann::json& value);

// SQLite's JSON path for a field: $."a"."b".
std::string SqliteJsonPath(const FieldPath& field);

// The SQL of the rank of the JSON value at `json_path_sql` (an SQL expression: a parameter or a
// quoted literal) inside `data_sql`.
std::string RankSql(const std::string& data_sql, const std::string& json_path_sql);

class SqlBuilder {
 public:
  // `columns`: JSON path -> the base name of its generated columns ("qf_..."; "<base>_r" is the
  // rank, "<base>_v" the value); may be null.
  explicit SqlBuilder(const std::map<std::string, std::string>* columns) : columns_(columns) {}

  // Adds a parameter; returns its placeholder ("?7").
  std::string Param(SqlValue value);
  // The field's rank and value: its generated columns, or expressions with the path bound once.
  FieldKeySql Field(const FieldPath& field);
  // The selector as a condition.
  std::string Condition(const Selector& selector);

  // The parameters, in placeholder order (?1 is params()[0]).
  const std::vector<SqlValue>& params() const { return params_; }

 private:
  std::string Compare(const FieldKeySql& key, CompareOp op, const nlohmann::json& operand);
  std::string Equal(const FieldKeySql& key, const nlohmann::json& operand);
  std::string In(const FieldIn& in);
  std::string Combine(const Combination& combination);
  // The operand's value as SQL (arrays and objects through json(), as SQLite renders them).
  std::string ValueParam(const CollationKey& key);

  const std::map<std::string, std::string>* columns_;
  std::vector<SqlValue> params_;
  std::map<std::string, std::string> path_params_;  // JSON path -> its placeholder
};

// Binds `params` to `stmt` from ?1 on.
void BindAll(Statement& stmt, const std::vector<SqlValue>& params);

}  // namespace syncagent::query

#endif  // SYNCAGENT_STORAGE_QUERY_SELECTOR_SQL_H_
