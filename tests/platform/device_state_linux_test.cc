#include "platform/device_state_linux.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace syncagent {
namespace {

namespace fs = std::filesystem;

constexpr char kRouteHeader[] =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";

// A fake procfs/sysfs tree in a temp dir.
class FakeSysTree {
 public:
  FakeSysTree() {
    std::string pattern = (fs::temp_directory_path() / "syncagent-sysfs-XXXXXX").string();
    root_ = ::mkdtemp(pattern.data());
    fs::create_directories(root_ / "proc/net");
    fs::create_directories(root_ / "sys/class/net");
    fs::create_directories(root_ / "sys/class/power_supply");
    Write("proc/net/route", kRouteHeader);
    Write("proc/net/ipv6_route", "");
    Interface("lo", "772", "unknown");
  }
  ~FakeSysTree() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  void Write(const std::string& relative, const std::string& text) {
    fs::create_directories((root_ / relative).parent_path());
    std::ofstream(root_ / relative) << text;
  }
  void Interface(const std::string& name, const std::string& type, const std::string& operstate) {
    Write("sys/class/net/" + name + "/type", type + "\n");
    Write("sys/class/net/" + name + "/operstate", operstate + "\n");
    Write("sys/class/net/" + name + "/uevent", "INTERFACE=" + name + "\n");
  }
  void DefaultRoute(const std::string& iface, int metric) {
    std::ifstream in(root_ / "proc/net/route");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text += iface + "\t00000000\t0102A8C0\t0003\t0\t0\t" + std::to_string(metric) +
            "\t00000000\t0\t0\t0\n";
    text += iface + "\t0002A8C0\t00000000\t0001\t0\t0\t" + std::to_string(metric) +
            "\t00FFFFFF\t0\t0\t0\n";
    Write("proc/net/route", text);
  }
  void Supply(const std::string& name, const std::string& type,
              std::initializer_list<std::pair<std::string, std::string>> files) {
    Write("sys/class/power_supply/" + name + "/type", type + "\n");
    for (const auto& [file, value] : files) {
      Write("sys/class/power_supply/" + name + "/" + file, value + "\n");
    }
  }
  std::string root() const { return root_.string(); }

 private:
  fs::path root_;
};

TEST(LinuxDeviceStateTest, NoDefaultRouteIsOffline) {
  FakeSysTree tree;
  tree.Interface("eth0", "1", "up");
  LinuxDeviceState state(tree.root(), "");
  EXPECT_EQ(state.ReadNetwork(), NetworkKind::kNone);
}

TEST(LinuxDeviceStateTest, EthernetIsUnmetered) {
  FakeSysTree tree;
  tree.Interface("eth0", "1", "up");
  tree.DefaultRoute("eth0", 100);
  LinuxDeviceState state(tree.root(), "");
  EXPECT_EQ(state.DefaultRouteInterface(), "eth0");
  EXPECT_EQ(state.ReadNetwork(), NetworkKind::kUnmetered);
}

TEST(LinuxDeviceStateTest, RouteOnADownInterfaceDoesNotCount) {
  FakeSysTree tree;
  tree.Interface("eth0", "1", "down");
  tree.DefaultRoute("eth0", 100);
  EXPECT_EQ(LinuxDeviceState(tree.root(), "").ReadNetwork(), NetworkKind::kNone);
}

TEST(LinuxDeviceStateTest, WifiIsUnmeteredAndWwanIsMetered) {
  FakeSysTree tree;
  tree.Interface("wlp2s0", "1", "up");
  fs::create_directories(tree.root() + "/sys/class/net/wlp2s0/wireless");
  tree.Interface("wwan0", "519", "up");
  tree.DefaultRoute("wwan0", 700);
  LinuxDeviceState state(tree.root(), "");
  EXPECT_EQ(state.ReadNetwork(), NetworkKind::kMetered);
  tree.DefaultRoute("wlp2s0", 600);  // lower metric wins
  EXPECT_EQ(state.DefaultRouteInterface(), "wlp2s0");
  EXPECT_EQ(state.ReadNetwork(), NetworkKind::kUnmetered);
}

TEST(LinuxDeviceStateTest, WwanDevtypeIsMeteredWhateverTheName) {
  FakeSysTree tree;
  tree.Interface("usb0", "1", "up");
  tree.Write("sys/class/net/usb0/uevent", "DEVTYPE=wwan\nINTERFACE=usb0\n");
  tree.DefaultRoute("usb0", 100);
  EXPECT_EQ(LinuxDeviceState(tree.root(), "").ReadNetwork(), NetworkKind::kMetered);
}

TEST(LinuxDeviceStateTest, Ipv6OnlyDefaultRoute) {
  FakeSysTree tree;
  tree.Interface("eth0", "1", "up");
  const std::string zeros(32, '0');
  tree.Write("proc/net/ipv6_route",
             zeros + " 00 " + zeros + " 00 " + zeros + " ffffffff 00000001 00000000 00200200 lo\n" +
                 zeros + " 00 " + zeros + " 00 fe800000000000000000000000000001 00000400 " +
                 "00000001 00000000 00000003 eth0\n");
  LinuxDeviceState state(tree.root(), "");
  EXPECT_EQ(state.DefaultRouteInterface(), "eth0");
  EXPECT_EQ(state.ReadNetwork(), NetworkKind::kUnmetered);
}

TEST(LinuxDeviceStateTest, TunnelInUnknownStateWithCarrierCounts) {
  FakeSysTree tree;
  tree.Interface("tun0", "65534", "unknown");
  tree.Write("sys/class/net/tun0/flags", "0x1091\n");
  tree.Write("sys/class/net/tun0/carrier", "1\n");
  tree.DefaultRoute("tun0", 50);
  EXPECT_EQ(LinuxDeviceState(tree.root(), "").ReadNetwork(), NetworkKind::kUnmetered);
}

TEST(LinuxDeviceStateTest, LaptopOnBattery) {
  FakeSysTree tree;
  tree.Supply("AC", "Mains", {{"online", "0"}});
  tree.Supply("BAT0", "Battery", {{"capacity", "12"}, {"status", "Discharging"}});
  tree.Supply("hidpp_battery_0", "Battery",
              {{"capacity", "100"}, {"status", "Full"}, {"scope", "Device"}});  // a mouse
  DeviceSnapshot snapshot;
  LinuxDeviceState(tree.root(), "").ReadPower(&snapshot);
  EXPECT_EQ(snapshot.battery_percent, 12);
  EXPECT_FALSE(snapshot.charging);
  EXPECT_TRUE(snapshot.battery_low);
}

TEST(LinuxDeviceStateTest, LaptopOnAc) {
  FakeSysTree tree;
  tree.Supply("AC", "Mains", {{"online", "1"}});
  tree.Supply("BAT0", "Battery", {{"capacity", "12"}, {"status", "Not charging"}});
  DeviceSnapshot snapshot;
  LinuxDeviceState(tree.root(), "").ReadPower(&snapshot);
  EXPECT_EQ(snapshot.battery_percent, 12);
  EXPECT_TRUE(snapshot.charging);
  EXPECT_FALSE(snapshot.battery_low);
}

TEST(LinuxDeviceStateTest, ChargingBatteryWithoutMainsEntry) {
  FakeSysTree tree;
  tree.Supply("BAT1", "Battery", {{"capacity", "60"}, {"status", "Charging"}});
  tree.Supply("BAT0", "Battery", {{"capacity", "80"}, {"status", "Discharging"}});
  DeviceSnapshot snapshot;
  LinuxDeviceState(tree.root(), "").ReadPower(&snapshot);
  EXPECT_EQ(snapshot.battery_percent, 70);
  EXPECT_TRUE(snapshot.charging);
}

TEST(LinuxDeviceStateTest, DesktopWithoutBatteryIsOnExternalPower) {
  FakeSysTree tree;
  tree.Interface("enp3s0", "1", "up");
  tree.DefaultRoute("enp3s0", 100);
  LinuxDeviceState state(tree.root(), "");
  const DeviceSnapshot snapshot = state.Snapshot();
  EXPECT_FALSE(snapshot.battery_percent.has_value());
  EXPECT_TRUE(snapshot.charging);
  EXPECT_FALSE(snapshot.battery_low);
  EXPECT_FALSE(snapshot.device_idle);
  EXPECT_EQ(snapshot.network, NetworkKind::kUnmetered);
}

TEST(LinuxDeviceStateTest, StorageThresholdOnARealFilesystem) {
  FakeSysTree tree;
  const std::string store = tree.root() + "/store/not-yet-created.db";  // nearest ancestor used
  EXPECT_FALSE(LinuxDeviceState(tree.root(), store, {0, 0}).ReadStorageLow());
  EXPECT_TRUE(LinuxDeviceState(tree.root(), store, {0, int64_t{1} << 62}).ReadStorageLow());
  EXPECT_TRUE(LinuxDeviceState(tree.root(), store, {101, 0}).ReadStorageLow());
  EXPECT_FALSE(LinuxDeviceState(tree.root(), "", {101, 0}).ReadStorageLow());
}

}  // namespace
}  // namespace syncagent
