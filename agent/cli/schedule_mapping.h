// The config mapped onto the systemd units (platform/ does not read config/; the agent side owns
// the translation). ToScheduleOptions and ToTaskConstraints live in agent/schedule_options.h
// (the agent library), so that what is not the CLI can use them too.
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_AGENT_CLI_SCHEDULE_MAPPING_H_
#define SYNCAGENT_AGENT_CLI_SCHEDULE_MAPPING_H_

#include <string>

#include "agent/schedule_options.h"
#include "config/agent_config.h"
#include "platform/systemd_units.h"

namespace syncagent::cli {

// `executable` and `config_path` are made absolute; the store directory is the store file's.
SystemdOptions ToSystemdOptions(const AgentConfig& config, const std::string& executable,
                                const std::string& config_path);

// The absolute path of the running executable (/proc/self/exe), or "" when unknown.
std::string SelfExecutable();

}  // namespace syncagent::cli

#endif  // SYNCAGENT_AGENT_CLI_SCHEDULE_MAPPING_H_
