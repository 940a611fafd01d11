#include "config/http_url.h"

#include <algorithm>
#include <cctype>

namespace syncagent::config_internal {
namespace {

std::string Lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool AllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](unsigned char c) { return std::isdigit(c) != 0; });
}

// A registered name or an IPv4 address: letters, digits, '-', '.', '_'.
bool IsHostName(std::string_view host) {
  return !host.empty() && std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_';
  });
}

bool IsIpv6Literal(std::string_view host) {
  if (host.size() < 4 || host.front() != '[' || host.back() != ']') return false;
  const std::string_view inner = host.substr(1, host.size() - 2);
  return std::all_of(inner.begin(), inner.end(),
                     [](unsigned char c) { return std::isxdigit(c) || c == ':' || c == '.'; });
}

}  // namespace

std::optional<HttpUrl> ParseHttpUrl(std::string_view text, std::string* why) {
  HttpUrl url;
  const size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    *why = "expected an absolute http:// or https:// URL";
    return std::nullopt;
  }
  url.scheme = Lowered(text.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https") {
    *why = "expected an http:// or https:// URL";
    return std::nullopt;
  }
  if (std::any_of(text.begin(), text.end(),
                  [](unsigned char c) { return c <= 0x20 || c == 0x7F; })) {
    *why = "a URL must not contain spaces or control characters";
    return std::nullopt;
  }
  std::string_view rest = text.substr(scheme_end + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    url.has_userinfo = true;
    *why = "credentials in the URL are not allowed; use server.auth";
    return std::nullopt;
  }
  std::string_view host = authority;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    host = authority.substr(0, close == std::string_view::npos ? authority.size() : close + 1);
  } else {
    host = authority.substr(0, authority.find(':'));
  }
  std::string_view after_host = authority.substr(host.size());
  if (!after_host.empty()) {
    if (after_host.front() != ':' || !AllDigits(after_host.substr(1)) || after_host.size() > 6 ||
        std::stoi(std::string(after_host.substr(1))) > 65535) {
      *why = "the port must be a number from 0 to 65535";
      return std::nullopt;
    }
    url.port = std::string(after_host.substr(1));
  }
  if (host.empty()) {
    *why = "the URL has no host";
    return std::nullopt;
  }
  if (!IsHostName(host) && !IsIpv6Literal(host)) {
    *why = "the URL's host is not a valid host name or IP address";
    return std::nullopt;
  }
  url.host = Lowered(host);
  return url;
}

bool IsLoopbackHost(std::string_view host) {
  const std::string lowered = Lowered(host);
  std::string_view h = lowered;
  if (!h.empty() && h.back() == '.') h.remove_suffix(1);  // "localhost."
  if (h == "localhost" || h == "[::1]") return true;
  if (h.size() > 10 && h.substr(h.size() - 10) == ".localhost") return true;
  // 127.0.0.0/8: four decimal octets, the first 127.
  if (h.rfind("127.", 0) != 0) return false;
  int parts = 0;
  size_t start = 0;
  while (start <= h.size()) {
    size_t dot = h.find('.', start);
    if (dot == std::string_view::npos) dot = h.size();
    const std::string_view part = h.substr(start, dot - start);
    if (!AllDigits(part) || part.size() > 3 || std::stoi(std::string(part)) > 255) return false;
    ++parts;
    start = dot + 1;
  }
  return parts == 4;
}

}  // namespace syncagent::config_internal
