// The limits every side of syncagent agrees on for a document, and the depth checks that enforce
// them without recursion.
//
// One rule everywhere (local writes, the C API, the CLI, the codec, the mock server): a document's
// data is a JSON object nested at most kMaxDocumentDepth levels (the object itself is level 1)
// whose compact JSON text is at most kMaxDocumentBytes. A write that breaks it is refused when it
// is made, naming the document; a server that sends one anyway has it isolated by the client
// (docs/protocol.md §2.3), so one bad document never blocks the others.
//
// Why the depth checks exist: nlohmann/json parses iteratively, but dumping, copying and comparing
// are recursive, so a value of depth 70,000 overflows any thread's stack. Every boundary checks
// depth first, with these functions, which use constant stack.
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_COMMON_JSON_LIMITS_H_
#define SYNCAGENT_COMMON_JSON_LIMITS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace syncagent {

// Deepest nesting of a document's data; `{}` is depth 1, `{"a":[1]}` depth 2.
inline constexpr int kMaxDocumentDepth = 32;
// Deepest nesting of a whole request or reply body (a document plus its envelope); what a
// parser that builds a tree accepts.
inline constexpr int kMaxWireDepth = 64;
// Largest compact JSON text of a document's data (8 MiB, CouchDB's default document limit).
inline constexpr int64_t kMaxDocumentBytes = 8 << 20;

// The deepest bracket nesting of JSON text, scanning bytes (strings and their escapes skipped);
// stops scanning once the depth exceeds `stop_at` and returns that depth. Text that is not JSON
// gives a number too: the caller's parser rejects it afterwards.
int JsonTextDepth(std::string_view text, int stop_at);

// The offset of the bracket that opens level `max_depth` + 1 in JSON text, or npos.
size_t JsonDeepestOpening(std::string_view text, int max_depth);

// The nesting depth of a parsed value (a scalar is 0), walked with an explicit stack; stops
// once the depth exceeds `stop_at` and returns that depth.
template <typename BasicJson>
int JsonValueDepth(const BasicJson& value, int stop_at);

// What is wrong with a document's data under the limits above, as a phrase for a message
// ("nested deeper than 32 levels"), or "" when nothing is. The text form also checks the size.
std::string DocumentDepthProblem(const nlohmann::json& data);
std::string DocumentTextProblem(std::string_view compact_text);

extern template int JsonValueDepth(const nlohmann::json&, int);
extern template int JsonValueDepth(const nlohmann::ordered_json&, int);

}  // namespace syncagent

#endif  // SYNCAGENT_COMMON_JSON_LIMITS_H_
