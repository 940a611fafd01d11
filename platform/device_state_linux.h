// LinuxDeviceState: DeviceState read from the Linux kernel's procfs and sysfs, and statvfs.
//
// What:
//   network  - the default route with the lowest metric on an interface that is up (operstate
//              "up", or "unknown" with IFF_UP and carrier) from /proc/net/route, else from
//              /proc/net/ipv6_route. Loopback is ignored. Its kind from /sys/class/net/<if>/:
//              a `wwan*` name, DEVTYPE=wwan in `uevent` or type 519 (raw IP, QMI modems) is
//              metered; everything else (wireless/ subdirectory = wifi, ethernet, bridges, VPN
//              tunnels) is unmetered. Roaming cannot be seen from the kernel: never reported.
//   battery  - /sys/class/power_supply/*: `type` Battery (scope Device = a peripheral, ignored)
//              gives `capacity` (averaged over system batteries) and `status`; Mains/USB give
//              `online`. charging = any supply online, or a battery Charging/Full. A machine
//              without a battery (a desktop) counts as on external power: charging = true.
//   storage  - statvfs of the store's path (or its nearest existing ancestor): low when free
//              space < `storage_low_percent` % or < `storage_low_bytes`.
//   idle     - not knowable from the kernel: always false.
// Every path is under an injectable root, so tests build a fake /proc and /sys in a temp dir.
//
// Why: the in-process scheduler (desktop apps, daemons) gates runs on the same constraints as
// WorkManager.
//
// Threading contract: Snapshot() reads files only; safe from any thread.
#ifndef SYNCAGENT_PLATFORM_DEVICE_STATE_LINUX_H_
#define SYNCAGENT_PLATFORM_DEVICE_STATE_LINUX_H_

#include <cstdint>
#include <string>

#include "platform/device_state.h"

namespace syncagent {

struct StorageThresholds {
  int storage_low_percent = 5;
  int64_t storage_low_bytes = int64_t{500} * 1024 * 1024;
};

class LinuxDeviceState final : public DeviceState {
 public:
  // `root`: where "proc/" and "sys/" live ("/" on a real system). `storage_path`: the store file
  // or directory whose filesystem is checked; empty = storage is never reported low.
  LinuxDeviceState(std::string root, std::string storage_path, StorageThresholds thresholds = {});

  DeviceSnapshot Snapshot() override;

  // The parts of Snapshot(), exposed for tests and diagnostics.
  NetworkKind ReadNetwork() const;
  // The interface carrying the default route, or "" when offline.
  std::string DefaultRouteInterface() const;
  void ReadPower(DeviceSnapshot* snapshot) const;
  bool ReadStorageLow() const;

 private:
  std::string Path(const std::string& relative) const;
  bool InterfaceUp(const std::string& name) const;
  NetworkKind InterfaceKind(const std::string& name) const;

  std::string root_;
  std::string storage_path_;
  StorageThresholds thresholds_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_PLATFORM_DEVICE_STATE_LINUX_H_
