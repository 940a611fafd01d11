// Wall-clock formatting for people: "2026-01-01 12:00:05 UTC" and "5s ago" / "in 2m 3s".
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_AGENT_CLI_TIME_FORMAT_H_
#define SYNCAGENT_AGENT_CLI_TIME_FORMAT_H_

#include <cstdint>
#include <string>

namespace syncagent::cli {

std::string FormatWallTime(int64_t wall_ms);
// "<time> (5s ago)" or "<time> (in 2m 3s)" relative to now_ms.
std::string FormatWallRelative(int64_t wall_ms, int64_t now_ms);

}  // namespace syncagent::cli

#endif  // SYNCAGENT_AGENT_CLI_TIME_FORMAT_H_
