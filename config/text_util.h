// Small text helpers shared by the config validator, the JSON reader and the lint: JSON paths,
// quoting values for messages, describing what was found, and did-you-mean suggestions.
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_CONFIG_TEXT_UTIL_H_
#define SYNCAGENT_CONFIG_TEXT_UTIL_H_

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace syncagent::config_internal {

// "a.b" for (a, b); "b" for ("", b). Keys that are not plain words ([A-Za-z0-9_$-]) are written
// as `a["x.y"]` so the path stays unambiguous.
std::string JoinPath(std::string_view parent, std::string_view key);
// "a[3]".
std::string IndexPath(std::string_view parent, size_t index);
// The parent of a table path ("server.auth" for "server.auth.token", "" for "server").
std::string_view ParentPath(std::string_view path);
// The last component of a table path ("token" for "server.auth.token").
std::string_view LeafName(std::string_view path);

// `"text"` with JSON escapes, cut to about 60 bytes ("...") so messages stay short.
std::string Quote(std::string_view text);

// What a JSON value is, for "got ..." messages: `a string "15"`, `15.5`, `true`, `null`,
// `an array`, `an object`. With `secret` the value itself is never shown (`a string`, `an
// integer`).
std::string Describe(const nlohmann::json& value, bool secret);

// "a string", "an integer", "a number", "a boolean", "null", "an array", "an object".
std::string KindName(const nlohmann::json& value);

// Optimal-string-alignment edit distance (a transposition counts as one edit), case-insensitive.
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a plausible typo, else nullopt.
std::optional<std::string> Suggest(std::string_view word,
                                   const std::vector<std::string>& candidates);

// "a, b, c".
std::string JoinList(const std::vector<std::string>& items, std::string_view separator = ", ");

}  // namespace syncagent::config_internal

#endif  // SYNCAGENT_CONFIG_TEXT_UTIL_H_
