// Query indexes declared in the config (storage.indexes; docs/queries.md) as SQLite objects.
//
// Each field path gets two VIRTUAL generated columns on `documents`, "qf_<hash of the path>_r"
// (its collation rank) and "_v" (its json_extract value), the expressions query/selector_sql.h
// compiles a field to; each declared index becomes
//   CREATE INDEX qidx_<hash of collection and fields> ON documents (collection, f1_r, f1_v,
//     f2_r, f2_v, ..., key) WHERE deleted = 0
// (the collection is the leading column, not a partial predicate: a query binds the collection,
// and SQLite matches a bound value to a partial index's predicate only by re-preparing the
// statement on every run, which cost 6x on an indexed page of 20).
// Queries read a field through its columns (QueryRunner's `columns`), which lets SQLite use the
// index. DDL cannot take parameters: the paths are SQL literals here, validated (field names by
// ParseFieldPath) and quoted.
//
// SyncIndexes makes the database hold exactly the declared ones: it drops every qidx_ index and
// qf_ column not declared, and creates the missing ones, in ONE IMMEDIATE transaction — and only
// when something differs (an unchanged config opens without a write).
//
// Thread safety: not thread-safe; called by Store::Open before the Store is shared.
#ifndef SYNCAGENT_STORAGE_QUERY_INDEX_SYNC_H_
#define SYNCAGENT_STORAGE_QUERY_INDEX_SYNC_H_

#include <map>
#include <string>
#include <vector>

#include "storage/sqlite_db.h"
#include "storage/store_types.h"
#include "syncagent/status.h"

namespace syncagent::query {

// What the declared indexes need.
struct IndexPlan {
  std::map<std::string, std::string> columns;     // SQLite JSON path -> column base name
  std::map<std::string, std::string> column_ddl;  // column name -> its ALTER TABLE ... ADD
  std::map<std::string, std::string> index_ddl;   // index name -> its CREATE INDEX
};

// kInvalidArgument naming the index ("indexes[1].fields[0]: ...") for a bad collection or field.
StatusOr<IndexPlan> PlanIndexes(const std::vector<QueryIndex>& indexes);

// Makes the database match `plan` (see above).
Status SyncIndexes(SqliteDb& db, const IndexPlan& plan);

}  // namespace syncagent::query

#endif  // SYNCAGENT_STORAGE_QUERY_INDEX_SYNC_H_
