// LintConfig: warnings about a valid config that is probably not what its author wants.
//
// Each warning is a ConfigIssue {path, message} explaining the consequence (e.g. iOS will not
// honour a 15-minute interval). Which warnings apply depends on the target platform: kAny reports
// the platform-independent ones plus those about Android-only keys; kIos and kAndroid add their
// OS's limits. Warnings never quote secret values.
//
// Thread safety: pure function.
#ifndef SYNCAGENT_CONFIG_CONFIG_LINT_H_
#define SYNCAGENT_CONFIG_CONFIG_LINT_H_

#include <vector>

#include "config/agent_config.h"
#include "config/config_issue.h"

namespace syncagent {

std::vector<ConfigIssue> LintConfig(const AgentConfig& config,
                                    TargetPlatform platform = TargetPlatform::kAny);

}  // namespace syncagent

#endif  // SYNCAGENT_CONFIG_CONFIG_LINT_H_
