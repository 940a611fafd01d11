// NameHash: 16 hex digits of the FNV-1a 64-bit hash of a text, for names the store derives
// (index and generated-column names, bookmark tags). Not a security boundary: a name only has to
// differ when its text does, which 64 bits make a practical certainty for the few texts involved.
//
// Thread safety: pure function.
#ifndef SYNCAGENT_STORAGE_QUERY_NAME_HASH_H_
#define SYNCAGENT_STORAGE_QUERY_NAME_HASH_H_

#include <string>
#include <string_view>

namespace syncagent::query {

std::string NameHash(std::string_view text);

}  // namespace syncagent::query

#endif  // SYNCAGENT_STORAGE_QUERY_NAME_HASH_H_
