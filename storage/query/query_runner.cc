#include "storage/query/query_runner.h"

#include <utility>

#include "storage/query/bookmark.h"
#include "storage/query/selector_sql.h"
#include "storage/sync_state.h"
#include "storage/validation.h"

namespace syncagent::query {

namespace {

// The columns the statement orders by, in order, each with its direction.
struct OrderColumn {
  std::string sql;
  bool descending = false;
};

std::vector<OrderColumn> OrderColumns(SqlBuilder& builder, const std::vector<SortKey>& sort) {
  std::vector<OrderColumn> columns;
  for (const SortKey& key : sort) {
    FieldKeySql field = builder.Field(key.field);
    columns.push_back({std::move(field.rank), key.descending});
    columns.push_back({std::move(field.value), key.descending});
  }
  columns.push_back({"d.key", !sort.empty() && sort.back().descending});
  return columns;
}

// Rows strictly after `position` in the order of `columns`: for some i, the columns before i
// equal the position and column i is past it. A NULL position value (the value of a JSON null,
// whose rank already ties) cannot be passed, so it adds no alternative.
std::string AfterPosition(SqlBuilder& builder, const std::vector<OrderColumn>& columns,
                          const std::vector<SqlValue>& position) {
  std::vector<std::string> alternatives;
  std::string equal_prefix;
  for (size_t i = 0; i < columns.size(); ++i) {
    const bool is_null = std::holds_alternative<std::monostate>(position[i]);
    if (!is_null) {
      const std::string past = columns[i].sql + (columns[i].descending ? " < " : " > ") +
                               builder.Param(position[i]);
      alternatives.push_back("(" + equal_prefix + past + ")");
    }
    equal_prefix += columns[i].sql + " IS " + builder.Param(position[i]) + " AND ";
  }
  if (alternatives.empty()) return "0";
  std::string any;
  for (const std::string& alternative : alternatives) {
    any += (any.empty() ? "" : " OR ") + alternative;
  }
  return "(" + any + ")";
}

std::string OrderBy(const std::vector<OrderColumn>& columns) {
  std::string out;
  for (const OrderColumn& column : columns) {
    out += (out.empty() ? "" : ", ") + column.sql + (column.descending ? " DESC" : " ASC");
  }
  return out;
}

}  // namespace

StatusOr<QuerySql> QueryRunner::Build(std::string_view collection, const QuerySpec& spec) const {
  SqlBuilder builder(columns_);
  std::string where = "d.collection = " + builder.Param(std::string(collection)) +
                      " AND d.deleted = 0";
  const std::vector<OrderColumn> order = OrderColumns(builder, spec.sort);
  std::string select = "SELECT d.key, d.rev, d.data, d.dirty";
  for (size_t i = 0; i + 1 < order.size(); ++i) {
    select += ", " + order[i].sql;
    if (i % 2 == 0) where += " AND " + order[i].sql + " IS NOT NULL";  // a rank: the field exists
  }
  const std::string condition = builder.Condition(spec.selector);
  if (condition != "1") where += " AND " + condition;
  if (!spec.bookmark.empty()) {
    SYNCAGENT_ASSIGN_OR_RETURN(std::vector<SqlValue> position,
                               DecodeBookmark(spec.bookmark, collection, spec.sort));
    where += " AND " + AfterPosition(builder, order, position);
  }
  std::string sql = select + " FROM documents d WHERE " + where + " ORDER BY " + OrderBy(order);
  sql += " LIMIT " + builder.Param(int64_t{spec.limit}) + " OFFSET " + builder.Param(spec.skip);
  return QuerySql{std::move(sql), builder.params()};
}

StatusOr<QueryResult> QueryRunner::Run(std::string_view collection, const QuerySpec& spec) {
  SYNCAGENT_ASSIGN_OR_RETURN(QuerySql query, Build(collection, spec));
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.PrepareDynamic(query.sql));
  BindAll(stmt, query.params);
  QueryResult result;
  std::vector<SqlValue> position;
  const int sort_columns = 2 * static_cast<int>(spec.sort.size());
  while (true) {
    SYNCAGENT_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    QueryRow row;
    row.key = stmt.Text(0);
    row.rev = stmt.Text(1);
    SYNCAGENT_ASSIGN_OR_RETURN(row.data, ParseStoredJson(stmt.TextView(2), collection, row.key,
                                                         "data"));
    row.sync_state = stmt.Int(3) != 0 ? SyncState::kPending : SyncState::kSynced;
    position.clear();
    for (int i = 0; i < sort_columns; ++i) position.push_back(stmt.Value(4 + i));
    position.push_back(row.key);
    result.rows.push_back(std::move(row));
  }
  // Conflicts and dead letters, when there are any, for the returned rows only (in the SELECT,
  // a sorted scan would look them up for every match).
  SYNCAGENT_ASSIGN_OR_RETURN(bool lookup, AnyConflictOrDeadLetter(db_));
  for (QueryRow& row : result.rows) {
    if (!lookup) break;
    SYNCAGENT_ASSIGN_OR_RETURN(row.sync_state, LoadSyncState(db_, collection, row.key));
  }
  if (static_cast<int>(result.rows.size()) == spec.limit) {
    result.bookmark = EncodeBookmark(collection, spec.sort, position);
  }
  return result;
}

StatusOr<std::string> QueryRunner::Explain(std::string_view collection, const QuerySpec& spec) {
  SYNCAGENT_ASSIGN_OR_RETURN(QuerySql query, Build(collection, spec));
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db_.PrepareDynamic("EXPLAIN QUERY PLAN " + query.sql));
  BindAll(stmt, query.params);
  std::string plan;
  while (true) {
    SYNCAGENT_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    plan += (plan.empty() ? "" : "; ") + stmt.Text(3);
  }
  return plan;
}

}  // namespace syncagent::query
