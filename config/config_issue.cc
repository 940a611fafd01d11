#include "config/config_issue.h"

namespace syncagent {

std::string_view ToString(TargetPlatform platform) {
  switch (platform) {
    case TargetPlatform::kAny:
      return "any";
    case TargetPlatform::kAndroid:
      return "android";
    case TargetPlatform::kIos:
      return "ios";
    case TargetPlatform::kLinux:
      return "linux";
    case TargetPlatform::kDesktop:
      return "desktop";
  }
  return "unknown";
}

std::string FormatIssue(const ConfigIssue& issue, std::string_view file) {
  std::string out;
  if (!file.empty()) {
    out += file;
    out += ": ";
  }
  if (!issue.path.empty()) {
    out += issue.path;
    out += ": ";
  }
  out += issue.message;
  return out;
}

}  // namespace syncagent
