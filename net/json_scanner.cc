#include "net/json_scanner.h"

#include <charconv>
#include <cmath>

namespace syncagent {
namespace {

bool IsWs(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

uint32_t HexValue(char c) {
  if (c >= '0' && c <= '9') return static_cast<uint32_t>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<uint32_t>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<uint32_t>(c - 'A' + 10);
  return 16;
}

}  // namespace

char JsonScanner::Peek() {
  while (pos_ < text_.size() && IsWs(text_[pos_])) ++pos_;
  return pos_ < text_.size() ? text_[pos_] : '\0';
}

bool JsonScanner::Consume(char c) {
  if (Peek() != c || pos_ >= text_.size()) return false;
  ++pos_;
  return true;
}

bool JsonScanner::AtEnd() {
  Peek();
  return pos_ == text_.size();
}

bool JsonScanner::Hex4(uint32_t* out) {
  if (text_.size() - pos_ < 4) return false;
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    const uint32_t h = HexValue(text_[pos_ + i]);
    if (h > 15) return false;
    v = v * 16 + h;
  }
  pos_ += 4;
  *out = v;
  return true;
}

// RFC 3629, as nlohmann's lexer: no overlong forms, no surrogates, nothing above U+10FFFF.
bool JsonScanner::Utf8Sequence() {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text_[i]); };
  const unsigned char b0 = byte(pos_);
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return false;
  }
  if (text_.size() - pos_ < n) return false;
  if (byte(pos_ + 1) < lo || byte(pos_ + 1) > hi) return false;
  for (size_t i = 2; i < n; ++i) {
    if (byte(pos_ + i) < 0x80 || byte(pos_ + i) > 0xBF) return false;
  }
  pos_ += n;
  return true;
}

bool JsonScanner::ScanString(std::string* raw_out) {
  if (Peek() != '"') return false;
  const size_t start = pos_++;
  while (pos_ < text_.size()) {
    const unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"') {
      ++pos_;
      if (raw_out) raw_out->append(text_.substr(start, pos_ - start));
      return true;
    }
    if (c < 0x20) return false;
    if (c == '\\') {
      if (++pos_ >= text_.size()) return false;
      const char e = text_[pos_++];
      if (e == 'u') {
        uint32_t cp;
        if (!Hex4(&cp)) return false;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a lone low surrogate
        if (cp >= 0xD800 && cp <= 0xDBFF) {               // must be followed by a low one
          uint32_t low;
          if (text_.size() - pos_ < 2 || text_[pos_] != '\\' || text_[pos_ + 1] != 'u') {
            return false;
          }
          pos_ += 2;
          if (!Hex4(&low) || low < 0xDC00 || low > 0xDFFF) return false;
        }
      } else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' &&
                 e != 'r' && e != 't') {
        return false;
      }
      continue;
    }
    if (c >= 0x80) {
      if (!Utf8Sequence()) return false;
      continue;
    }
    ++pos_;
  }
  return false;  // unterminated
}

bool JsonScanner::ReadString(std::string* out) {
  const size_t start = (Peek(), pos_);
  if (!ScanString(nullptr)) return false;
  const std::string_view body = text_.substr(start + 1, pos_ - start - 2);
  out->clear();
  if (body.find('\\') == std::string_view::npos) {
    out->assign(body);
    return true;
  }
  out->reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\') {
      out->push_back(body[i]);
      continue;
    }
    const char e = body[++i];
    switch (e) {
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'u': {
        auto hex = [&](size_t at) {
          uint32_t v = 0;
          for (size_t k = 0; k < 4; ++k) v = v * 16 + HexValue(body[at + k]);
          return v;
        };
        uint32_t cp = hex(i + 1);
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {  // validated: "\uDCxx" follows
          const uint32_t low = hex(i + 3);
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          i += 6;
        }
        AppendUtf8(cp, out);
        break;
      }
      default: out->push_back(e); break;  // " \ /
    }
  }
  return true;
}

bool JsonScanner::ScanNumber(std::string* out) {
  const size_t start = pos_;
  bool integral = true;
  if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
  if (pos_ >= text_.size()) return false;
  if (text_[pos_] == '0') {
    ++pos_;
  } else if (IsDigit(text_[pos_])) {
    while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
  } else {
    return false;
  }
  if (pos_ < text_.size() && text_[pos_] == '.') {
    integral = false;
    ++pos_;
    if (pos_ >= text_.size() || !IsDigit(text_[pos_])) return false;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
  }
  if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
    integral = false;
    ++pos_;
    if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
    if (pos_ >= text_.size() || !IsDigit(text_[pos_])) return false;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
  }
  const std::string_view number = text_.substr(start, pos_ - start);
  // Integers of up to 18 digits always fit; anything else must be a finite double (nlohmann
  // refuses overflow). from_chars also refuses underflow, which only sends such a page to the
  // full parser.
  if (!integral || number.size() > 18) {
    double value;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc() || end != number.data() + number.size() || !std::isfinite(value)) {
      return false;
    }
  }
  if (out) out->append(number);
  return true;
}

bool JsonScanner::ReadInt64(int64_t* out) {
  Peek();
  const size_t start = pos_;
  if (!ScanNumber(nullptr)) return false;
  const std::string_view number = text_.substr(start, pos_ - start);
  if (number.find_first_of(".eE") != std::string_view::npos) return false;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), *out);
  return ec == std::errc() && end == number.data() + number.size();
}

bool JsonScanner::Literal(std::string_view word, std::string* out) {
  if (text_.substr(pos_, word.size()) != word) return false;
  pos_ += word.size();
  if (out) out->append(word);
  return true;
}

bool JsonScanner::ReadBool(bool* out) {
  const char c = Peek();
  if (c == 't' && Literal("true", nullptr)) {
    *out = true;
    return true;
  }
  if (c == 'f' && Literal("false", nullptr)) {
    *out = false;
    return true;
  }
  return false;
}

bool JsonScanner::ReadNull() { return Peek() == 'n' && Literal("null", nullptr); }

bool JsonScanner::CopyValue(std::string* out, int depth) {
  const char c = Peek();
  switch (c) {
    case '"': return ScanString(out);
    case 't': return Literal("true", out);
    case 'f': return Literal("false", out);
    case 'n': return Literal("null", out);
    case '{':
    case '[': {
      if (depth + 1 > max_depth_) return false;
      const bool object = c == '{';
      const char close = object ? '}' : ']';
      ++pos_;
      if (out) out->push_back(c);
      if (Consume(close)) {
        if (out) out->push_back(close);
        return true;
      }
      for (bool first = true;; first = false) {
        if (!first && out) out->push_back(',');
        if (object) {
          if (!ScanString(out) || !Consume(':')) return false;
          if (out) out->push_back(':');
        }
        if (!CopyValue(out, depth + 1)) return false;
        if (Consume(',')) continue;
        if (!Consume(close)) return false;
        if (out) out->push_back(close);
        return true;
      }
    }
    default:
      if (c == '-' || IsDigit(c)) return ScanNumber(out);
      return false;
  }
}

JsonScanner::Bounded JsonScanner::CopyBounded(std::string* out, int max_levels) {
  const size_t start = pos_;
  const size_t out_size = out ? out->size() : 0;
  const int saved_max = max_depth_;
  max_depth_ = max_levels;
  const bool copied = CopyValue(out, 0);
  max_depth_ = saved_max;
  if (copied) return Bounded::kCopied;
  pos_ = start;
  if (out) out->resize(out_size);
  return SkipNested() ? Bounded::kTooDeep : Bounded::kMalformed;
}

bool JsonScanner::SkipNested() {
  std::string open;  // the closing bracket of every container entered, innermost last
  for (;;) {
    // A value is expected here.
    const char c = Peek();
    if (c == '{' || c == '[') {
      ++pos_;
      open.push_back(c == '{' ? '}' : ']');
      if (Consume(open.back())) {
        open.pop_back();
      } else {
        if (open.back() == '}' && (!ScanString(nullptr) || !Consume(':'))) return false;
        continue;
      }
    } else if (!CopyValue(nullptr, 0)) {
      return false;
    }
    // After a value: a separator (then the next value), or closing brackets.
    for (;;) {
      if (open.empty()) return true;
      if (Consume(',')) {
        if (open.back() == '}' && (!ScanString(nullptr) || !Consume(':'))) return false;
        break;
      }
      if (!Consume(open.back())) return false;
      open.pop_back();
    }
  }
}

}  // namespace syncagent
