// QuerySpec: what Store::Query runs — a selector (query/selector.h), a sort, a limit, a skip and a
// bookmark (the continuation token of a previous page) — and its results; ParseQuery reads the
// JSON form that the C API, the C++ API and the CLI take:
//   {"selector": {...}, "sort": ["a", {"b": "desc"}], "limit": 20, "skip": 0, "bookmark": "..."}
// Every member is optional; an unknown member is an error. Errors are kInvalidArgument naming the
// JSON path ("query.limit: expected an integer 1..10000, got 0").
//
// Thread safety: plain values and pure functions.
#ifndef SYNCAGENT_STORAGE_QUERY_QUERY_SPEC_H_
#define SYNCAGENT_STORAGE_QUERY_QUERY_SPEC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/query/selector.h"
#include "storage/store_types.h"
#include "syncagent/status.h"

namespace syncagent::query {

inline constexpr int kDefaultQueryLimit = 25;  // as CouchDB's _find
inline constexpr int kMaxQueryLimit = 10000;

// One sort field. Documents without a sort field are not in the result (as in CouchDB, where
// such a document is not in the sort's index).
struct SortKey {
  FieldPath field;
  bool descending = false;
};

struct QuerySpec {
  Selector selector;          // default: an empty $and (every live document)
  std::vector<SortKey> sort;  // empty: by key; the key always breaks ties
  int limit = kDefaultQueryLimit;  // 1..kMaxQueryLimit
  int64_t skip = 0;                // rows passed over after the bookmark's position
  std::string bookmark;            // "" = from the start
};

// One result row.
struct QueryRow {
  std::string key;
  nlohmann::json data;
  std::string rev;  // "" = never seen by the server
  SyncState sync_state = SyncState::kSynced;
};

struct QueryResult {
  std::vector<QueryRow> rows;
  // The position after the last row, for the next page; "" when the page came back short (so
  // nothing follows). A full page's bookmark may lead to an empty page.
  std::string bookmark;
};

// The JSON form above; `where` names it in errors ("query").
StatusOr<QuerySpec> ParseQuery(const nlohmann::json& query, std::string_view where = "query");
// ["a", {"b": "desc"}, {"c": "asc"}]: a field name (ascending) or a one-member object.
StatusOr<std::vector<SortKey>> ParseSort(const nlohmann::json& sort, std::string_view where);

}  // namespace syncagent::query

#endif  // SYNCAGENT_STORAGE_QUERY_QUERY_SPEC_H_
