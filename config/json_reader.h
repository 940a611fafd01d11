// ReadJson: parses config text with nlohmann/json and turns every failure into ConfigIssues.
//
// Why a wrapper: nlohmann throws, keeps the last of duplicate keys silently and reports positions
// in its own wording. ReadJson catches every nlohmann exception, reports a syntax error as
// "line L, column C: <what>" (computed from the parser's byte offset) without quoting the input
// (it may hold a secret), and reports each duplicate key with its JSON path.
//
// Thread safety: pure function.
#ifndef SYNCAGENT_CONFIG_JSON_READER_H_
#define SYNCAGENT_CONFIG_JSON_READER_H_

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config_issue.h"

namespace syncagent::config_internal {

// Config documents nested deeper than this are refused before parsing (the deepest key,
// sync.conflict.per_collection.<name>, is at depth 4). Without a limit a small file of brackets
// costs memory quadratic in its depth (every open container keeps its path) and overflows the
// stack in the recursive conversions that follow.
inline constexpr int kMaxJsonDepth = 32;

struct JsonReadResult {
  bool parsed = false;              // false on a syntax error: `value` is null
  nlohmann::ordered_json value;     // keeps the document's key order
  std::vector<ConfigIssue> errors;  // the syntax error, or the duplicate keys
};

JsonReadResult ReadJson(std::string_view text);

// The 1-based line and column of the byte at 0-based `offset` in `text` (clamped to the end).
std::pair<size_t, size_t> LineAndColumn(std::string_view text, size_t offset);

}  // namespace syncagent::config_internal

#endif  // SYNCAGENT_CONFIG_JSON_READER_H_
