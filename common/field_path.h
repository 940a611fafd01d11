// FieldPath: a field of a JSON document named the Mango way (CouchDB's _find), by a dotted path:
// "address.city" is the member "city" of the member "address"; "a\\.b" is the member "a.b".
// Queries (storage/query/) and the config's storage.indexes name fields so.
//
// Thread safety: plain values and pure functions.
#ifndef SYNCAGENT_COMMON_FIELD_PATH_H_
#define SYNCAGENT_COMMON_FIELD_PATH_H_

#include <string>
#include <string_view>
#include <vector>

#include "syncagent/status.h"

namespace syncagent {

// A field of a document: the member names from the top, e.g. {"address", "city"}.
struct FieldPath {
  std::vector<std::string> segments;

  std::string Dotted() const;  // "address.city" (a dot inside a name written "\.")
  friend bool operator==(const FieldPath&, const FieldPath&) = default;
};

// Splits a Mango field name ("a.b", "a\.b" for the member "a.b"); `where` prefixes errors.
// Errors: an empty part, a '"' or a '\' (other than in "\.") in a name (SQLite's JSON paths
// cannot address such a member), a control character, more than kMaxFieldDepth parts.
StatusOr<FieldPath> ParseFieldPath(std::string_view name, std::string_view where);
inline constexpr int kMaxFieldDepth = 32;

}  // namespace syncagent

#endif  // SYNCAGENT_COMMON_FIELD_PATH_H_
