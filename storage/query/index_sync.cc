#include "storage/query/index_sync.h"

#include <set>

#include "storage/query/name_hash.h"
#include "storage/query/selector_sql.h"
#include "storage/transaction.h"
#include "storage/validation.h"

namespace syncagent::query {

namespace {

constexpr char kExistingColumns[] =
    "SELECT name FROM pragma_table_xinfo('documents') WHERE name GLOB 'qf_*'";
constexpr char kExistingIndexes[] =
    "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'documents' AND "
    "name GLOB 'qidx_*'";

// `text` as an SQL string literal.
std::string Quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

StatusOr<std::set<std::string>> Names(SqliteDb& db, const char* sql) {
  SYNCAGENT_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
  std::set<std::string> names;
  while (true) {
    SYNCAGENT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    names.insert(stmt.Text(0));
  }
  return names;
}

// Adds the columns of `field` to the plan; returns their base name.
std::string PlanColumns(const FieldPath& field, IndexPlan* plan) {
  const std::string path = SqliteJsonPath(field);
  const std::string base = "qf_" + NameHash(path);
  plan->columns[path] = base;
  plan->column_ddl[base + "_r"] = "ALTER TABLE documents ADD COLUMN " + base + "_r INTEGER AS " +
                                  RankSql("data", Quoted(path)) + " VIRTUAL";
  plan->column_ddl[base + "_v"] = "ALTER TABLE documents ADD COLUMN " + base +
                                  "_v ANY AS (json_extract(data, " + Quoted(path) + ")) VIRTUAL";
  return base;
}

Status Apply(SqliteDb& db, const IndexPlan& plan, const std::set<std::string>& columns,
             const std::set<std::string>& indexes) {
  for (const std::string& index : indexes) {
    if (plan.index_ddl.count(index) != 0) continue;
    const std::string drop = "DROP INDEX " + index;
    SYNCAGENT_RETURN_IF_ERROR(db.Exec(drop.c_str(), "dropping an undeclared query index"));
  }
  for (const std::string& column : columns) {
    if (plan.column_ddl.count(column) != 0) continue;
    const std::string drop = "ALTER TABLE documents DROP COLUMN " + column;
    SYNCAGENT_RETURN_IF_ERROR(db.Exec(drop.c_str(), "dropping an undeclared index column"));
  }
  for (const auto& [column, ddl] : plan.column_ddl) {
    if (columns.count(column) != 0) continue;
    SYNCAGENT_RETURN_IF_ERROR(db.Exec(ddl.c_str(), "adding the index column " + column));
  }
  for (const auto& [index, ddl] : plan.index_ddl) {
    if (indexes.count(index) != 0) continue;
    SYNCAGENT_RETURN_IF_ERROR(db.Exec(ddl.c_str(), "creating the query index " + index));
  }
  return Status::Ok();
}

bool Matches(const IndexPlan& plan, const std::set<std::string>& columns,
             const std::set<std::string>& indexes) {
  if (columns.size() != plan.column_ddl.size() || indexes.size() != plan.index_ddl.size()) {
    return false;
  }
  for (const auto& [column, ddl] : plan.column_ddl) {
    if (columns.count(column) == 0) return false;
  }
  for (const auto& [index, ddl] : plan.index_ddl) {
    if (indexes.count(index) == 0) return false;
  }
  return true;
}

}  // namespace

StatusOr<IndexPlan> PlanIndexes(const std::vector<QueryIndex>& indexes) {
  IndexPlan plan;
  for (size_t i = 0; i < indexes.size(); ++i) {
    const std::string where = "indexes[" + std::to_string(i) + "]";
    const QueryIndex& index = indexes[i];
    SYNCAGENT_RETURN_IF_ERROR(ValidateCollection(index.collection).WithContext(where));
    if (index.fields.empty()) return InvalidArgumentError(where + ".fields: empty");
    std::string key = index.collection;
    std::string columns;
    for (size_t f = 0; f < index.fields.size(); ++f) {
      SYNCAGENT_ASSIGN_OR_RETURN(
          FieldPath field,
          ParseFieldPath(index.fields[f], where + ".fields[" + std::to_string(f) + "]"));
      const std::string base = PlanColumns(field, &plan);
      key += '\0' + SqliteJsonPath(field);
      columns += (columns.empty() ? "" : ", ") + base + "_r, " + base + "_v";
    }
    const std::string name = "qidx_" + NameHash(key);
    // The collection first, as a column: a partial predicate on it would only match a query's
    // bound collection by SQLite re-preparing the statement on every run. The key last: a
    // query's tie-break on the key is then the index's order too.
    plan.index_ddl[name] = "CREATE INDEX " + name + " ON documents (collection, " + columns +
                           ", key) WHERE deleted = 0";
  }
  return plan;
}

Status SyncIndexes(SqliteDb& db, const IndexPlan& plan) {
  SYNCAGENT_ASSIGN_OR_RETURN(std::set<std::string> columns, Names(db, kExistingColumns));
  SYNCAGENT_ASSIGN_OR_RETURN(std::set<std::string> indexes, Names(db, kExistingIndexes));
  if (Matches(plan, columns, indexes)) return Status::Ok();
  Transaction txn(db);
  SYNCAGENT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  // Another process may have changed them while we waited for the lock.
  SYNCAGENT_ASSIGN_OR_RETURN(columns, Names(db, kExistingColumns));
  SYNCAGENT_ASSIGN_OR_RETURN(indexes, Names(db, kExistingIndexes));
  SYNCAGENT_RETURN_IF_ERROR(Apply(db, plan, columns, indexes));
  return txn.Commit();
}

}  // namespace syncagent::query
