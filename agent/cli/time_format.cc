#include "agent/cli/time_format.h"

#include <ctime>

#include "agent/cli/sync_progress.h"

namespace syncagent::cli {

std::string FormatWallTime(int64_t wall_ms) {
  const std::time_t seconds = static_cast<std::time_t>(wall_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[40];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buffer;
}

std::string FormatWallRelative(int64_t wall_ms, int64_t now_ms) {
  const int64_t delta = wall_ms - now_ms;
  const std::string rel = delta >= 0 ? "in " + FormatDuration(delta) : FormatDuration(-delta) + " ago";
  return FormatWallTime(wall_ms) + " (" + rel + ")";
}

}  // namespace syncagent::cli
