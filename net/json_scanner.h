// JsonScanner: a strict JSON (RFC 8259) reader over a byte buffer that builds no tree.
//
// What: it reads one value at a time from the current position — strings (escapes decoded),
// 64-bit integers, booleans, null — and validates any value while copying it to a compact text
// (insignificant whitespace dropped, everything else byte for byte). Used by the pull page fast
// path (ProtocolCodec::DecodePullPageText): a document body goes from the HTTP reply to the store
// as text, without being parsed into a DOM and serialised again.
//
// Why strict: it must never accept what nlohmann::json::parse refuses (the store parses the
// text again later). It therefore rejects, besides malformed JSON: invalid UTF-8 (overlong
// forms, surrogates, > U+10FFFF), unpaired \u surrogates, control characters in strings,
// numbers outside double's range, nesting deeper than `max_depth`, and a byte order mark.
// Callers treat a failure as "use the full parser", which gives the detailed error.
//
// Thread safety: a value type over a borrowed buffer; one thread at a time.
#ifndef SYNCAGENT_NET_JSON_SCANNER_H_
#define SYNCAGENT_NET_JSON_SCANNER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace syncagent {

class JsonScanner {
 public:
  JsonScanner(std::string_view text, int max_depth) : text_(text), max_depth_(max_depth) {}

  // Skips whitespace, then reports the next byte ('\0' at the end).
  char Peek();
  // Skips whitespace; consumes `c` if it is next.
  bool Consume(char c);
  // True when only whitespace is left.
  bool AtEnd();

  // Each reader skips leading whitespace and returns false (position unspecified) on anything
  // but a well-formed value of its type.
  bool ReadString(std::string* out);  // decoded; *out replaced
  bool ReadInt64(int64_t* out);       // an integer literal that fits int64 (no fraction/exponent)
  bool ReadBool(bool* out);
  bool ReadNull();
  // Validates any value at nesting level `depth` (the enclosing containers' count) and appends
  // its compact text to *out when out is not null.
  bool CopyValue(std::string* out, int depth);

  enum class Bounded { kCopied, kTooDeep, kMalformed };
  // CopyValue for one value whose own nesting (the value itself is level 1) may be at most
  // `max_levels`. A deeper value that is otherwise well-formed is skipped without recursion —
  // any depth is safe — and reported as kTooDeep, with *out unchanged and the position after it.
  Bounded CopyBounded(std::string* out, int max_levels);

 private:
  bool ScanString(std::string* raw_out);  // validates; appends the raw quoted text to raw_out
  bool ScanNumber(std::string* out);
  bool Literal(std::string_view word, std::string* out);
  bool Utf8Sequence();  // at a byte >= 0x80: validates one sequence and advances past it
  bool Hex4(uint32_t* out);
  // Skips one well-formed value of any depth with an explicit stack; false when malformed.
  bool SkipNested();

  std::string_view text_;
  size_t pos_ = 0;
  int max_depth_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_NET_JSON_SCANNER_H_
