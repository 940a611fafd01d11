#include "tools/mock_server/http_util.h"

#include <cstdio>

#include "tools/faults/fault_admin.h"

namespace syncagent::mock {

void SetError(httplib::Response& res, int status, std::string_view code, std::string_view message) {
  faults::SetErrorBody(res, faults::ErrorStyle::kSyncagent, status, code, message);
}

void SetMethodNotAllowed(httplib::Response& res, const char* allowed) {
  faults::SetMethodNotAllowed(res, faults::ErrorStyle::kSyncagent, allowed);
}

bool RejectUnsupportedEncoding(const httplib::Request& req, httplib::Response& res) {
  if (!req.has_header("Content-Encoding")) return false;
  const std::string encoding = req.get_header_value("Content-Encoding");
  // Exactly what httplib decodes itself (gzip) or leaves alone (identity), nothing else.
  if (encoding == "gzip" || encoding == "identity") return false;
  SetError(res, 415, "unsupported_media_type",
           "Content-Encoding \"" + encoding + "\" is not supported: syncagent/1 defines gzip only");
  return true;
}

std::string PullEtag(const std::string& cursor, const std::vector<std::string>& collections) {
  // FNV-1a 64 over "cursor|c1,c2": opaque to clients, stable for equal inputs.
  uint64_t hash = 1469598103934665603ULL;
  auto mix = [&](std::string_view bytes) {
    for (unsigned char c : bytes) {
      hash ^= c;
      hash *= 1099511628211ULL;
    }
  };
  mix(cursor);
  mix("|");
  for (const auto& collection : collections) {
    mix(collection);
    mix(",");
  }
  char buffer[24];
  std::snprintf(buffer, sizeof(buffer), "\"%016llx\"", static_cast<unsigned long long>(hash));
  return buffer;
}

bool IfNoneMatchMatches(std::string_view if_none_match, std::string_view etag) {
  for (std::string tag : faults::SplitCommaList(if_none_match)) {
    const auto first = tag.find_first_not_of(" \t");
    const auto last = tag.find_last_not_of(" \t");
    if (first == std::string::npos) continue;
    tag = tag.substr(first, last - first + 1);
    if (tag == "*") return true;
    if (tag.rfind("W/", 0) == 0) tag = tag.substr(2);
    if (tag == etag) return true;
  }
  return false;
}

}  // namespace syncagent::mock
