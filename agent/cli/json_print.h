// How the CLI prints documents: `get` (with or without --meta) and `ls`.
//
// `get` indents with two spaces, which makes the text grow with the nesting depth times the
// number of values; past the document limit that is quadratic (a 120 KB document nested 60,000
// levels would print 7.2 GB) and nlohmann/json's dump recurses once per level. So a value nested
// deeper than kMaxPrettyDepth is printed compact on one line instead, by a writer with its own
// stack. Either way the output is at most about (2 * kMaxPrettyDepth + 2) times the compact text.
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_AGENT_CLI_JSON_PRINT_H_
#define SYNCAGENT_AGENT_CLI_JSON_PRINT_H_

#include <string>

#include <nlohmann/json.hpp>

#include "common/json_limits.h"
#include "common/json_text.h"  // CompactJson

namespace syncagent::cli {

// The deepest value `get` indents: a document at the limit inside `get --meta`'s envelope.
inline constexpr int kMaxPrettyDepth = kMaxDocumentDepth + 1;

// Two-space indented JSON when `value` nests at most kMaxPrettyDepth levels, else CompactJson
// (common/json_text.h).
std::string PrintableJson(const nlohmann::json& value);

}  // namespace syncagent::cli

#endif  // SYNCAGENT_AGENT_CLI_JSON_PRINT_H_
