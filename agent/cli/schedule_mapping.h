// The config's `schedule` section mapped onto the platform layer's option structs (platform/ does
// not read config/; the agent side owns the translation).
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_AGENT_CLI_SCHEDULE_MAPPING_H_
#define SYNCAGENT_AGENT_CLI_SCHEDULE_MAPPING_H_

#include <string>

#include "config/agent_config.h"
#include "platform/scheduler.h"
#include "platform/systemd_units.h"

namespace syncagent::cli {

TaskConstraints ToTaskConstraints(const Constraints& constraints);
ScheduleOptions ToScheduleOptions(const ScheduleConfig& schedule);
// `executable` and `config_path` are made absolute; the store directory is the store file's.
SystemdOptions ToSystemdOptions(const AgentConfig& config, const std::string& executable,
                                const std::string& config_path);

// The absolute path of the running executable (/proc/self/exe), or "" when unknown.
std::string SelfExecutable();

}  // namespace syncagent::cli

#endif  // SYNCAGENT_AGENT_CLI_SCHEDULE_MAPPING_H_
