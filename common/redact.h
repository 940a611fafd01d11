// Secret redaction shared by every layer that turns outside text into a message: the sync client
// (server error bodies), the C API (error messages) and the CLI.
//
// A secret is replaced by "***" wherever it occurs, longest secret first (so a secret containing
// another is replaced whole). Secrets shorter than kMinRedactedSecretBytes are left alone: a
// one-byte "secret" such as "1" would turn every digit of a message into "***" and cannot be
// kept secret anyway.
//
// Only messages are redacted. Document data, keys and other values the app stored are returned as
// they are, even when they happen to contain a secret's text.
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_COMMON_REDACT_H_
#define SYNCAGENT_COMMON_REDACT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace syncagent {

inline constexpr size_t kMinRedactedSecretBytes = 4;

// `text` with every occurrence of each secret (at least kMinRedactedSecretBytes long) replaced by
// "***".
std::string RedactSecrets(std::string_view text, const std::vector<std::string>& secrets);

}  // namespace syncagent

#endif  // SYNCAGENT_COMMON_REDACT_H_
