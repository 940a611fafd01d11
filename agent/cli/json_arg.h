// ParseJsonObjectArg: a command-line argument that must be a JSON object (`put`, `patch`,
// `conflicts resolve --use`), with a one-line message saying what was wrong.
//
//   ParseJsonObjectArg("JSON", "[1]") -> "argument JSON: expected a JSON object, got an array: [1]"
//
// Every failure is kInvalidArgument (the CLI's exit 2): invalid JSON, a value that is not an
// object, text nested deeper than the document limit (checked on the text before the parser
// runs) and numbers that do not fit in a double ("{"n":1e400}").
//
// Thread safety: pure function.
#ifndef SYNCAGENT_AGENT_CLI_JSON_ARG_H_
#define SYNCAGENT_AGENT_CLI_JSON_ARG_H_

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "syncagent/status.h"

namespace syncagent::cli {

StatusOr<nlohmann::json> ParseJsonObjectArg(std::string_view name, std::string_view text);
// The same for `want` (value_t::object or value_t::array: `query --sort`).
StatusOr<nlohmann::json> ParseJsonArg(std::string_view name, std::string_view text,
                                      nlohmann::json::value_t want);

// `text` cut to `max` characters with "..." (for messages quoting user input).
std::string Abbreviate(std::string_view text, size_t max = 40);

}  // namespace syncagent::cli

#endif  // SYNCAGENT_AGENT_CLI_JSON_ARG_H_
