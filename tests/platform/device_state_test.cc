#include "platform/device_state.h"

#include <gtest/gtest.h>

#include <string>

#include "tools/simulators/fake_device_state.h"

namespace syncagent {
namespace {

DeviceSnapshot Online(NetworkKind network) {
  DeviceSnapshot snapshot;
  snapshot.network = network;
  snapshot.battery_percent = 50;
  return snapshot;
}

TEST(DeviceStateTest, NetworkRequirementMatrix) {
  struct Case {
    NetworkRequirement required;
    NetworkKind have;
    bool ok;
  };
  const Case cases[] = {
      {NetworkRequirement::kNone, NetworkKind::kNone, true},
      {NetworkRequirement::kAny, NetworkKind::kNone, false},
      {NetworkRequirement::kAny, NetworkKind::kRoaming, true},
      {NetworkRequirement::kUnmetered, NetworkKind::kUnmetered, true},
      {NetworkRequirement::kUnmetered, NetworkKind::kMetered, false},
      {NetworkRequirement::kNotRoaming, NetworkKind::kMetered, true},
      {NetworkRequirement::kNotRoaming, NetworkKind::kRoaming, false},
      {NetworkRequirement::kNotRoaming, NetworkKind::kNone, false},
  };
  for (const Case& c : cases) {
    TaskConstraints constraints;
    constraints.network = c.required;
    EXPECT_EQ(Satisfies(constraints, Online(c.have), nullptr), c.ok)
        << ToString(c.required) << " vs " << ToString(c.have);
  }
}

TEST(DeviceStateTest, WhyNotNamesEveryUnmetConstraint) {
  TaskConstraints constraints;
  constraints.network = NetworkRequirement::kUnmetered;
  constraints.requires_charging = true;
  constraints.requires_battery_not_low = true;
  constraints.requires_storage_not_low = true;
  constraints.requires_device_idle = true;
  DeviceSnapshot snapshot = Online(NetworkKind::kMetered);
  snapshot.battery_low = true;
  snapshot.storage_low = true;
  std::string why;
  EXPECT_FALSE(Satisfies(constraints, snapshot, &why));
  EXPECT_EQ(why,
            "network unmetered required, have metered; charging required; battery low; storage "
            "low; device idle required");
  snapshot = Online(NetworkKind::kUnmetered);
  snapshot.charging = true;
  snapshot.device_idle = true;
  EXPECT_TRUE(Satisfies(constraints, snapshot, &why));
  EXPECT_EQ(why, "");
}

TEST(DeviceStateTest, BatteryLowIsBelow15PercentAndNotCharging) {
  EXPECT_TRUE(IsBatteryLow(14, false));
  EXPECT_FALSE(IsBatteryLow(15, false));
  EXPECT_FALSE(IsBatteryLow(5, true));
  EXPECT_FALSE(IsBatteryLow(std::nullopt, false));
}

TEST(DeviceStateTest, SnapshotToString) {
  DeviceSnapshot snapshot = Online(NetworkKind::kRoaming);
  snapshot.charging = true;
  EXPECT_EQ(snapshot.ToString(),
            "network=roaming battery=50% charging=yes battery_low=no storage_low=no idle=no");
  snapshot.battery_percent.reset();
  EXPECT_NE(snapshot.ToString().find("battery=none"), std::string::npos);
}

TEST(FakeDeviceStateTest, SettersKeepBatteryLowConsistent) {
  FakeDeviceState device;
  EXPECT_EQ(device.Snapshot().network, NetworkKind::kUnmetered);
  device.SetBatteryPercent(10);
  EXPECT_TRUE(device.Snapshot().battery_low);
  device.SetCharging(true);
  EXPECT_FALSE(device.Snapshot().battery_low);
  device.SetCharging(false);
  EXPECT_TRUE(device.Snapshot().battery_low);
  device.SetNetwork(NetworkKind::kNone);
  device.SetStorageLow(true);
  device.SetDeviceIdle(true);
  const DeviceSnapshot snapshot = device.Snapshot();
  EXPECT_EQ(snapshot.network, NetworkKind::kNone);
  EXPECT_TRUE(snapshot.storage_low);
  EXPECT_TRUE(snapshot.device_idle);
  EXPECT_EQ(device.snapshot_count(), 5);
}

}  // namespace
}  // namespace syncagent
