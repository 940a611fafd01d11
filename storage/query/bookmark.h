// Bookmarks: the continuation token of a query page (CouchDB's name for it). A bookmark holds the
// position after the page's last row — the collation keys of its sort fields and its key — and a
// tag of the collection and sort it belongs to, as hex text. It is opaque to the app; the next
// page starts strictly after that position (keyset paging: a write between two pages neither
// repeats nor skips the rows that did not move).
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_STORAGE_QUERY_BOOKMARK_H_
#define SYNCAGENT_STORAGE_QUERY_BOOKMARK_H_

#include <string>
#include <string_view>
#include <vector>

#include "storage/query/query_spec.h"
#include "storage/sqlite_statement.h"
#include "syncagent/status.h"

namespace syncagent::query {

// `position`: rank and value of each sort key, then the document key (2 * sort.size() + 1).
std::string EncodeBookmark(std::string_view collection, const std::vector<SortKey>& sort,
                           const std::vector<SqlValue>& position);

// The position; kInvalidArgument ("bookmark: ...") when `bookmark` is not one EncodeBookmark
// made for this collection and sort.
StatusOr<std::vector<SqlValue>> DecodeBookmark(std::string_view bookmark,
                                               std::string_view collection,
                                               const std::vector<SortKey>& sort);

}  // namespace syncagent::query

#endif  // SYNCAGENT_STORAGE_QUERY_BOOKMARK_H_
