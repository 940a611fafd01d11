// ConfigIssue: one error or lint warning about a config, and the platform a lint targets.
//
// An issue is {path, message}: `path` is the dotted JSON path of the offending key
// (`sync.collections[2]`, `server.headers.X-Trace`), empty for a JSON syntax error (whose message
// starts with "line L, column C: ") and "(root)" for the document itself. Messages never contain a
// secret value.
//
// Thread safety: plain values.
#ifndef SYNCAGENT_CONFIG_CONFIG_ISSUE_H_
#define SYNCAGENT_CONFIG_CONFIG_ISSUE_H_

#include <string>
#include <string_view>

namespace syncagent {

struct ConfigIssue {
  std::string path;
  std::string message;

  friend bool operator==(const ConfigIssue&, const ConfigIssue&) = default;
};

// Which OS the config will run on; LintConfig adds that platform's warnings.
// kAny gives the platform-independent warnings plus those about Android-only keys.
enum class TargetPlatform { kAny, kAndroid, kIos, kLinux, kDesktop };

std::string_view ToString(TargetPlatform platform);

// "<file>: <path>: <message>"; the file and the path parts are left out when empty.
std::string FormatIssue(const ConfigIssue& issue, std::string_view file = {});

}  // namespace syncagent

#endif  // SYNCAGENT_CONFIG_CONFIG_ISSUE_H_
