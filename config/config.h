// The config module's public surface in one include: AgentConfig, ParseConfig / LoadConfigFile /
// CheckConfig, LintConfig and GenerateConfigSchema. See docs/config.md for the keys.
#ifndef SYNCAGENT_CONFIG_CONFIG_H_
#define SYNCAGENT_CONFIG_CONFIG_H_

#include "config/agent_config.h"    // IWYU pragma: export
#include "config/config_issue.h"    // IWYU pragma: export
#include "config/config_lint.h"     // IWYU pragma: export
#include "config/config_loader.h"   // IWYU pragma: export
#include "config/config_options.h"  // IWYU pragma: export
#include "config/config_schema.h"   // IWYU pragma: export
#include "config/secret.h"          // IWYU pragma: export

#endif  // SYNCAGENT_CONFIG_CONFIG_H_
