// The value rules of the config key table that a type, range or pattern cannot express: URL shape,
// bearer token and basic-auth characters, HTTP header names and values, TLS pins. Each returns why the text is
// wrong, or nullopt. Messages never quote the text (it may be a secret or carry one).
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_CONFIG_KEY_CHECKS_H_
#define SYNCAGENT_CONFIG_KEY_CHECKS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace syncagent::config_internal {

// An absolute http(s) URL with a host, no credentials, no spaces.
std::optional<std::string> CheckBaseUrl(std::string_view text);
// Non-empty printable ASCII without spaces (it goes into an HTTP header).
std::optional<std::string> CheckBearerToken(std::string_view text);
// A basic-auth user name: no ':' (it separates the name from the password) and no control
// characters.
std::optional<std::string> CheckBasicUsername(std::string_view text);
// A basic-auth password: no control characters.
std::optional<std::string> CheckBasicPassword(std::string_view text);
// Any header name except Authorization (which server.auth owns). The token syntax is the pattern.
std::optional<std::string> CheckHeaderName(std::string_view text);
// No CR, LF or other control characters (tab is allowed).
std::optional<std::string> CheckHeaderValue(std::string_view text);
// "sha256//" + the standard base64 of exactly 32 bytes.
std::optional<std::string> CheckPin(std::string_view text);
// A file path: no NUL character.
std::optional<std::string> CheckPathText(std::string_view text);

// Strict standard base64 (with padding); nullopt when malformed.
std::optional<std::vector<uint8_t>> DecodeBase64(std::string_view text);

}  // namespace syncagent::config_internal

#endif  // SYNCAGENT_CONFIG_KEY_CHECKS_H_
