// MetaTable: the store's own key/value facts (`meta` table): the client id (generated once,
// never changed) and the last HLC stamp issued or observed.
//
// The HLC stamp is written with `UPDATE ... WHERE value < ?`: stamp texts sort in stamp order,
// so the stored value only ever grows, even when two processes write through two Stores.
//
// Thread safety: not thread-safe; used under the Store's lock.
#ifndef SYNCAGENT_STORAGE_META_TABLE_H_
#define SYNCAGENT_STORAGE_META_TABLE_H_

#include <optional>
#include <string>
#include <string_view>

#include "storage/sqlite_db.h"
#include "syncagent/status.h"

namespace syncagent {

class MetaTable {
 public:
  static constexpr std::string_view kClientId = "client_id";
  static constexpr std::string_view kHlc = "hlc";

  explicit MetaTable(SqliteDb& db) : db_(db) {}

  StatusOr<std::optional<std::string>> Get(std::string_view name);
  // Inserts name = value unless the name exists (then keeps the old value).
  Status InsertIfMissing(std::string_view name, std::string_view value);
  // Raises the stored HLC stamp to `stamp` when it is greater.
  // REQUIRES: the `hlc` row exists (InsertIfMissing at open).
  Status RaiseHlc(std::string_view stamp);

 private:
  SqliteDb& db_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_META_TABLE_H_
