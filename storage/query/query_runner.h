// QueryRunner: runs a QuerySpec (query/query_spec.h) over the live documents of one collection as
// ONE SQL statement:
//   SELECT key, rev, data, dirty, the sort keys FROM documents d
//   WHERE collection = ? AND deleted = 0 AND <every sort field exists> AND <selector>
//     [AND <strictly after the bookmark's position>]
//   ORDER BY <each sort field's rank and value, asc or desc>, key LIMIT ? OFFSET ?
// (query/selector_sql.h compiles the selector; every path and value is a bound parameter). The
// key breaks ties in the direction of the last sort field (ascending without a sort). A field
// with generated columns of a declared index (query/index_columns.h) is read through them, so
// SQLite can use the index for the selector and the sort.
//
// The rows' sync state (storage/sync_state.h) comes from their dirty flag, and only when an open
// conflict or a dead letter exists is it looked up, for the returned rows only, after the
// statement: callers run Run inside a read transaction so that both agree.
//
// Thread safety: not thread-safe; used under the Store's lock.
#ifndef SYNCAGENT_STORAGE_QUERY_QUERY_RUNNER_H_
#define SYNCAGENT_STORAGE_QUERY_QUERY_RUNNER_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "storage/query/query_spec.h"
#include "storage/sqlite_db.h"
#include "syncagent/status.h"

namespace syncagent::query {

// The statement a query runs: its SQL and its parameters (?1 is params[0]).
struct QuerySql {
  std::string sql;
  std::vector<SqlValue> params;
};

class QueryRunner {
 public:
  // `columns`: the generated columns of declared indexes (JSON path -> base name); may be null.
  // REQUIRES: both outlive the runner.
  QueryRunner(SqliteDb& db, const std::map<std::string, std::string>* columns)
      : db_(db), columns_(columns) {}

  // REQUIRES: `collection` is valid (storage/validation.h). kInvalidArgument for a bookmark of
  // another query.
  StatusOr<QueryResult> Run(std::string_view collection, const QuerySpec& spec);

  // The statement Run would execute.
  StatusOr<QuerySql> Build(std::string_view collection, const QuerySpec& spec) const;

  // SQLite's EXPLAIN QUERY PLAN of that statement, its lines joined by "; " (for tests and
  // diagnostics: which index a query uses).
  StatusOr<std::string> Explain(std::string_view collection, const QuerySpec& spec);

 private:
  SqliteDb& db_;
  const std::map<std::string, std::string>* columns_;
};

}  // namespace syncagent::query

#endif  // SYNCAGENT_STORAGE_QUERY_QUERY_RUNNER_H_
