// The config's `schedule` section mapped onto the platform layer's scheduling options (platform/
// does not read config/; the agent side owns the translation). Used by the CLI's daemon and
// `schedule` commands, and by anything else that schedules the agent from its config (an
// adapter, the simulated-week test).
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_AGENT_SCHEDULE_OPTIONS_H_
#define SYNCAGENT_AGENT_SCHEDULE_OPTIONS_H_

#include "config/agent_config.h"
#include "platform/scheduler.h"

namespace syncagent {

TaskConstraints ToTaskConstraints(const Constraints& constraints);
// Every field of `schedule`; backoff stays ScheduleOptions' default (the config has none).
ScheduleOptions ToScheduleOptions(const ScheduleConfig& schedule);

}  // namespace syncagent

#endif  // SYNCAGENT_AGENT_SCHEDULE_OPTIONS_H_
