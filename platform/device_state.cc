#include "platform/device_state.h"

#include <vector>

namespace syncagent {

std::string_view ToString(NetworkKind value) {
  switch (value) {
    case NetworkKind::kNone:
      return "none";
    case NetworkKind::kUnmetered:
      return "unmetered";
    case NetworkKind::kMetered:
      return "metered";
    case NetworkKind::kRoaming:
      return "roaming";
  }
  return "unknown";
}

namespace {
const char* YesNo(bool value) { return value ? "yes" : "no"; }

bool NetworkMeets(NetworkRequirement required, NetworkKind have) {
  switch (required) {
    case NetworkRequirement::kNone:
      return true;
    case NetworkRequirement::kAny:
      return have != NetworkKind::kNone;
    case NetworkRequirement::kUnmetered:
      return have == NetworkKind::kUnmetered;
    case NetworkRequirement::kNotRoaming:
      return have == NetworkKind::kUnmetered || have == NetworkKind::kMetered;
  }
  return false;
}
}  // namespace

std::string DeviceSnapshot::ToString() const {
  std::string out = "network=";
  out += syncagent::ToString(network);
  out += " battery=";
  out += battery_percent ? std::to_string(*battery_percent) + "%" : std::string("none");
  out += " charging=";
  out += YesNo(charging);
  out += " battery_low=";
  out += YesNo(battery_low);
  out += " storage_low=";
  out += YesNo(storage_low);
  out += " idle=";
  out += YesNo(device_idle);
  return out;
}

bool IsBatteryLow(std::optional<int> battery_percent, bool charging) {
  return battery_percent.has_value() && *battery_percent < kBatteryLowPercent && !charging;
}

bool Satisfies(const TaskConstraints& constraints, const DeviceSnapshot& snapshot,
               std::string* why_not) {
  std::vector<std::string> unmet;
  if (!NetworkMeets(constraints.network, snapshot.network)) {
    unmet.push_back("network " + std::string(ToString(constraints.network)) + " required, have " +
                    std::string(ToString(snapshot.network)));
  }
  if (constraints.requires_charging && !snapshot.charging) unmet.push_back("charging required");
  if (constraints.requires_battery_not_low && snapshot.battery_low) unmet.push_back("battery low");
  if (constraints.requires_storage_not_low && snapshot.storage_low) unmet.push_back("storage low");
  if (constraints.requires_device_idle && !snapshot.device_idle) {
    unmet.push_back("device idle required");
  }
  if (why_not != nullptr) {
    why_not->clear();
    for (const std::string& reason : unmet) {
      if (!why_not->empty()) *why_not += "; ";
      *why_not += reason;
    }
  }
  return unmet.empty();
}

}  // namespace syncagent
