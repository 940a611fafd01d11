// HttpUrl: the small amount of URL parsing the config needs for server.base_url: scheme, host
// (IPv6 literals keep their brackets), port, and whether the host is a loopback address.
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_CONFIG_HTTP_URL_H_
#define SYNCAGENT_CONFIG_HTTP_URL_H_

#include <optional>
#include <string>
#include <string_view>

namespace syncagent::config_internal {

struct HttpUrl {
  std::string scheme;  // "http" or "https", lower case
  std::string host;    // lower case; "[::1]" for IPv6 literals
  std::string port;    // digits, or empty
  bool has_userinfo = false;
};

// Parses an absolute http(s) URL. On failure returns nullopt and sets `*why` to a message that
// does not quote the URL.
std::optional<HttpUrl> ParseHttpUrl(std::string_view text, std::string* why);

// localhost (and *.localhost), 127.0.0.0/8 and [::1].
bool IsLoopbackHost(std::string_view host);

}  // namespace syncagent::config_internal

#endif  // SYNCAGENT_CONFIG_HTTP_URL_H_
