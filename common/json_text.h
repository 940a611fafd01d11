// Compact JSON text of a parsed value, written without recursion.
//
// nlohmann/json's dump() recurses once per nesting level, so dumping a value nested tens of
// thousands of levels (stored by an older version, before the document limit of
// common/json_limits.h) overflows a thread's stack. CompactJson writes the same text with an
// explicit stack, for every place that prints data it did not check itself (the C API's JSON out,
// the CLI's get and ls).
//
// Thread safety: pure function.
#ifndef SYNCAGENT_COMMON_JSON_TEXT_H_
#define SYNCAGENT_COMMON_JSON_TEXT_H_

#include <string>

#include <nlohmann/json.hpp>

namespace syncagent {

// The same text as value.dump(-1, ' ', false, error_handler_t::replace) (invalid UTF-8 becomes
// U+FFFD), in constant native stack at any depth.
std::string CompactJson(const nlohmann::json& value);

}  // namespace syncagent

#endif  // SYNCAGENT_COMMON_JSON_TEXT_H_
