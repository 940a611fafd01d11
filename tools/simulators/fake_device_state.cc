#include "tools/simulators/fake_device_state.h"

namespace syncagent {

namespace {
DeviceSnapshot DefaultSnapshot() {
  DeviceSnapshot snapshot;
  snapshot.network = NetworkKind::kUnmetered;
  snapshot.battery_percent = 80;
  return snapshot;
}
}  // namespace

FakeDeviceState::FakeDeviceState() : snapshot_(DefaultSnapshot()) {}

FakeDeviceState::FakeDeviceState(const DeviceSnapshot& initial) : snapshot_(initial) {}

DeviceSnapshot FakeDeviceState::Snapshot() {
  std::lock_guard<std::mutex> lock(mu_);
  ++snapshot_count_;
  return snapshot_;
}

void FakeDeviceState::Set(const DeviceSnapshot& snapshot) {
  std::lock_guard<std::mutex> lock(mu_);
  snapshot_ = snapshot;
}

void FakeDeviceState::SetNetwork(NetworkKind network) {
  std::lock_guard<std::mutex> lock(mu_);
  snapshot_.network = network;
}

void FakeDeviceState::SetBatteryPercent(std::optional<int> percent) {
  std::lock_guard<std::mutex> lock(mu_);
  snapshot_.battery_percent = percent;
  snapshot_.battery_low = IsBatteryLow(percent, snapshot_.charging);
}

void FakeDeviceState::SetCharging(bool charging) {
  std::lock_guard<std::mutex> lock(mu_);
  snapshot_.charging = charging;
  snapshot_.battery_low = IsBatteryLow(snapshot_.battery_percent, charging);
}

void FakeDeviceState::SetBatteryLow(bool low) {
  std::lock_guard<std::mutex> lock(mu_);
  snapshot_.battery_low = low;
}

void FakeDeviceState::SetStorageLow(bool low) {
  std::lock_guard<std::mutex> lock(mu_);
  snapshot_.storage_low = low;
}

void FakeDeviceState::SetDeviceIdle(bool idle) {
  std::lock_guard<std::mutex> lock(mu_);
  snapshot_.device_idle = idle;
}

int64_t FakeDeviceState::snapshot_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return snapshot_count_;
}

}  // namespace syncagent
