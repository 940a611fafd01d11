#include "config/key_checks.h"

#include <algorithm>
#include <cctype>

#include "config/http_url.h"

namespace syncagent::config_internal {
namespace {

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool HasControlCharacter(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](unsigned char c) { return c < 0x20 || c == 0x7F; });
}

}  // namespace

std::optional<std::string> CheckBaseUrl(std::string_view text) {
  std::string why;
  if (!ParseHttpUrl(text, &why)) return why;
  return std::nullopt;
}

std::optional<std::string> CheckBearerToken(std::string_view text) {
  if (text.empty()) return "the token is empty";
  const bool printable =
      std::all_of(text.begin(), text.end(), [](unsigned char c) { return c > 0x20 && c < 0x7F; });
  if (!printable) {
    return "the token must be printable ASCII without spaces (it is sent in an HTTP header)";
  }
  return std::nullopt;
}

std::optional<std::string> CheckBasicUsername(std::string_view text) {
  if (text.find(':') != std::string_view::npos) {
    return "a basic-auth user name must not contain ':' (it separates the name from the password)";
  }
  if (HasControlCharacter(text)) return "a basic-auth user name must not contain control characters";
  return std::nullopt;
}

std::optional<std::string> CheckBasicPassword(std::string_view text) {
  if (HasControlCharacter(text)) return "the password must not contain control characters";
  return std::nullopt;
}

std::optional<std::string> CheckHeaderName(std::string_view text) {
  if (EqualsIgnoreCase(text, "Authorization")) {
    return "the Authorization header is not allowed here; configure it with server.auth "
           "(type \"bearer\" with token or token_env, or \"basic\" with username and password)";
  }
  return std::nullopt;
}

std::optional<std::string> CheckHeaderValue(std::string_view text) {
  const bool clean = std::none_of(text.begin(), text.end(), [](unsigned char c) {
    return (c < 0x20 && c != '\t') || c == 0x7F;
  });
  if (!clean) return "a header value must not contain CR, LF or other control characters";
  return std::nullopt;
}

std::optional<std::string> CheckPin(std::string_view text) {
  constexpr std::string_view kPrefix = "sha256//";
  if (text.substr(0, kPrefix.size()) != kPrefix) {
    return "expected \"sha256//\" followed by the base64 SHA-256 of the public key";
  }
  std::optional<std::vector<uint8_t>> bytes = DecodeBase64(text.substr(kPrefix.size()));
  if (!bytes) return "the part after \"sha256//\" is not valid base64";
  if (bytes->size() != 32) {
    return "the part after \"sha256//\" decodes to " + std::to_string(bytes->size()) +
           " bytes; a SHA-256 digest is 32 bytes";
  }
  return std::nullopt;
}

std::optional<std::string> CheckPathText(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return "a path must not contain a NUL character";
  return std::nullopt;
}

std::optional<std::vector<uint8_t>> DecodeBase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  std::vector<uint8_t> out;
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < text.size() - padding; ++i) {
    const int value = Base64Value(text[i]);
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>((buffer >> bits) & 0xFF));
    }
  }
  // Canonical form: the bits left over after the last byte must be zero.
  if (bits > 0 && (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace syncagent::config_internal
