// DeviceState: what the device looks like right now (network, battery, storage, idle), and whether
// that satisfies a task's constraints.
//
// What: an interface with one call, Snapshot(), returning a DeviceSnapshot; and Satisfies(), the
// WorkManager-style constraint check shared by every scheduler adapter. Implementations: the Linux
// reader (device_state_linux.cc, sysfs/procfs/statvfs) and FakeDeviceState (tests, simulators).
//
// Why: the in-process scheduler and the simulators gate runs on constraints; reading the device is
// platform-specific, the decision is not.
//
// Threading contract: Snapshot() may be called from any thread; implementations synchronize.
#ifndef SYNCAGENT_PLATFORM_DEVICE_STATE_H_
#define SYNCAGENT_PLATFORM_DEVICE_STATE_H_

#include <optional>
#include <string>
#include <string_view>

#include "platform/scheduler.h"

namespace syncagent {

// The active network's kind. Roaming is cellular away from home (metered too).
enum class NetworkKind { kNone, kUnmetered, kMetered, kRoaming };

std::string_view ToString(NetworkKind value);

// Android's "battery low" threshold: below 15 % and not charging.
inline constexpr int kBatteryLowPercent = 15;

struct DeviceSnapshot {
  NetworkKind network = NetworkKind::kNone;
  std::optional<int> battery_percent;  // none on a machine without a battery
  bool charging = false;               // on external power (plugged in)
  bool battery_low = false;
  bool storage_low = false;
  bool device_idle = false;

  // "network=unmetered battery=80% charging=yes battery_low=no storage_low=no idle=no"
  std::string ToString() const;
};

// battery_low as Android defines it.
bool IsBatteryLow(std::optional<int> battery_percent, bool charging);

// True when `snapshot` meets every constraint. Otherwise false, and `why_not` (may be null) names
// every unmet constraint, e.g. "network unmetered required, have metered; charging required".
bool Satisfies(const TaskConstraints& constraints, const DeviceSnapshot& snapshot,
               std::string* why_not);

class DeviceState {
 public:
  virtual ~DeviceState() = default;
  virtual DeviceSnapshot Snapshot() = 0;
};

}  // namespace syncagent

#endif  // SYNCAGENT_PLATFORM_DEVICE_STATE_H_
