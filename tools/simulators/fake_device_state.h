// FakeDeviceState: a DeviceState whose answers the test or the simulation script sets.
//
// What: holds one DeviceSnapshot; setters change single fields and keep `battery_low` consistent
// with Android's rule (below 15 % and not charging) unless SetBatteryLow overrides it.
// Why: tests of the schedulers and the simulators' scripted timelines (offline for hours, a
// charging window at night) need a device they control.
//
// Threading contract: every method is safe from any thread (a mutex guards the snapshot), so a
// test thread may flip the network while the in-process scheduler's thread polls it.
#ifndef SYNCAGENT_TOOLS_SIMULATORS_FAKE_DEVICE_STATE_H_
#define SYNCAGENT_TOOLS_SIMULATORS_FAKE_DEVICE_STATE_H_

#include <cstdint>
#include <mutex>
#include <optional>

#include "platform/device_state.h"

namespace syncagent {

class FakeDeviceState final : public DeviceState {
 public:
  // Starts online (unmetered), battery 80 %, not charging, nothing low, not idle.
  FakeDeviceState();
  explicit FakeDeviceState(const DeviceSnapshot& initial);

  DeviceSnapshot Snapshot() override;

  void Set(const DeviceSnapshot& snapshot);
  void SetNetwork(NetworkKind network);
  void SetBatteryPercent(std::optional<int> percent);
  void SetCharging(bool charging);
  void SetBatteryLow(bool low);
  void SetStorageLow(bool low);
  void SetDeviceIdle(bool idle);

  // How many times Snapshot() was called (tests of constraint polling).
  int64_t snapshot_count() const;

 private:
  mutable std::mutex mu_;
  DeviceSnapshot snapshot_;
  int64_t snapshot_count_ = 0;
};

}  // namespace syncagent

#endif  // SYNCAGENT_TOOLS_SIMULATORS_FAKE_DEVICE_STATE_H_
