#include "platform/device_state_linux.h"

#include <sys/statvfs.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string_view>
#include <system_error>
#include <vector>

namespace syncagent {

namespace {

constexpr unsigned long kRtfUp = 0x1;  // RTF_UP in route flags
constexpr unsigned long kIffUp = 0x1;  // IFF_UP in /sys/class/net/<if>/flags
constexpr int kArphrdLoopback = 772;
constexpr int kArphrdRawIp = 519;

// The first line of a file without its newline, or "" when unreadable.
std::string ReadLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return "";
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == ' ')) {
    line.pop_back();
  }
  return line;
}

bool ParseLong(const std::string& text, int base, long long* out) {
  if (text.empty()) return false;
  try {
    size_t used = 0;
    *out = std::stoll(text, &used, base);
    return used == text.size();
  } catch (...) {
    return false;
  }
}

struct Route {
  std::string iface;
  long long metric = 0;
};

}  // namespace

LinuxDeviceState::LinuxDeviceState(std::string root, std::string storage_path,
                                   StorageThresholds thresholds)
    : root_(std::move(root)), storage_path_(std::move(storage_path)), thresholds_(thresholds) {
  if (root_.empty()) root_ = "/";
  if (root_.back() != '/') root_ += '/';
}

std::string LinuxDeviceState::Path(const std::string& relative) const { return root_ + relative; }

bool LinuxDeviceState::InterfaceUp(const std::string& name) const {
  const std::string base = Path("sys/class/net/" + name + "/");
  long long type = 0;
  if (ParseLong(ReadLine(base + "type"), 10, &type) && type == kArphrdLoopback) return false;
  const std::string operstate = ReadLine(base + "operstate");
  if (operstate == "up") return true;
  if (operstate != "unknown") return false;
  // Point-to-point and tunnel devices report "unknown": trust IFF_UP plus carrier.
  long long flags = 0;
  if (!ParseLong(ReadLine(base + "flags"), 0, &flags)) return false;
  return (static_cast<unsigned long>(flags) & kIffUp) != 0 && ReadLine(base + "carrier") == "1";
}

NetworkKind LinuxDeviceState::InterfaceKind(const std::string& name) const {
  const std::string base = Path("sys/class/net/" + name + "/");
  if (name.rfind("wwan", 0) == 0) return NetworkKind::kMetered;
  long long type = 0;
  if (ParseLong(ReadLine(base + "type"), 10, &type) && type == kArphrdRawIp) {
    return NetworkKind::kMetered;
  }
  std::ifstream uevent(base + "uevent");
  std::string line;
  while (std::getline(uevent, line)) {
    if (line == "DEVTYPE=wwan") return NetworkKind::kMetered;
  }
  // wireless/ (or phy80211/) = wifi; ethernet and the rest: unmetered.
  return NetworkKind::kUnmetered;
}

std::string LinuxDeviceState::DefaultRouteInterface() const {
  std::vector<Route> routes;
  {
    // Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT (hex fields)
    std::ifstream in(Path("proc/net/route"));
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string iface, dest, gateway, flags_text, refcnt, use, metric_text, mask;
      if (!(fields >> iface >> dest >> gateway >> flags_text >> refcnt >> use >> metric_text >>
            mask)) {
        continue;
      }
      long long flags = 0, metric = 0;
      if (dest != "00000000" || mask != "00000000" || !ParseLong(flags_text, 16, &flags) ||
          (static_cast<unsigned long>(flags) & kRtfUp) == 0 || iface == "lo") {
        continue;
      }
      ParseLong(metric_text, 10, &metric);
      routes.push_back({iface, metric});
    }
  }
  {
    // dest dest_plen src src_plen next_hop metric refcnt use flags iface (hex fields)
    std::ifstream in(Path("proc/net/ipv6_route"));
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string dest, plen, src, src_plen, next_hop, metric_text, refcnt, use, flags_text, iface;
      if (!(fields >> dest >> plen >> src >> src_plen >> next_hop >> metric_text >> refcnt >> use >>
            flags_text >> iface)) {
        continue;
      }
      long long flags = 0, metric = 0;
      if (dest != std::string(32, '0') || plen != "00" || !ParseLong(flags_text, 16, &flags) ||
          (static_cast<unsigned long>(flags) & kRtfUp) == 0 || iface == "lo") {
        continue;
      }
      ParseLong(metric_text, 16, &metric);
      routes.push_back({iface, metric});
    }
  }
  const Route* best = nullptr;
  for (const Route& route : routes) {
    if (!InterfaceUp(route.iface)) continue;
    if (best == nullptr || route.metric < best->metric) best = &route;
  }
  return best ? best->iface : std::string();
}

NetworkKind LinuxDeviceState::ReadNetwork() const {
  const std::string iface = DefaultRouteInterface();
  if (iface.empty()) return NetworkKind::kNone;
  return InterfaceKind(iface);
}

void LinuxDeviceState::ReadPower(DeviceSnapshot* snapshot) const {
  std::error_code ec;
  const std::filesystem::path dir(Path("sys/class/power_supply"));
  long long capacity_sum = 0;
  int batteries = 0;
  bool external_power = false;
  bool battery_charging = false;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string base = entry.path().string() + "/";
    const std::string type = ReadLine(base + "type");
    if (type == "Battery") {
      if (ReadLine(base + "scope") == "Device") continue;  // a mouse or a headset
      long long capacity = 0;
      if (!ParseLong(ReadLine(base + "capacity"), 10, &capacity)) continue;
      capacity_sum += capacity;
      ++batteries;
      const std::string status = ReadLine(base + "status");
      if (status == "Charging" || status == "Full") battery_charging = true;
    } else if (type == "Mains" || type == "USB" || type == "USB_C" || type == "USB_PD") {
      if (ReadLine(base + "online") == "1") external_power = true;
    }
  }
  if (batteries == 0) {
    snapshot->battery_percent.reset();
    snapshot->charging = true;  // no battery: always on external power
  } else {
    snapshot->battery_percent = static_cast<int>(capacity_sum / batteries);
    snapshot->charging = external_power || battery_charging;
  }
  snapshot->battery_low = IsBatteryLow(snapshot->battery_percent, snapshot->charging);
}

bool LinuxDeviceState::ReadStorageLow() const {
  if (storage_path_.empty()) return false;
  std::filesystem::path path(storage_path_);
  std::error_code ec;
  while (!path.empty() && !std::filesystem::exists(path, ec)) {
    if (path == path.parent_path()) break;
    path = path.parent_path();
  }
  struct statvfs info {};
  if (path.empty() || ::statvfs(path.c_str(), &info) != 0) return false;
  const unsigned long long block = info.f_frsize ? info.f_frsize : info.f_bsize;
  const unsigned long long free_bytes = static_cast<unsigned long long>(info.f_bavail) * block;
  const unsigned long long total = static_cast<unsigned long long>(info.f_blocks) * block;
  if (free_bytes < static_cast<unsigned long long>(thresholds_.storage_low_bytes)) return true;
  return total > 0 && free_bytes * 100 <
                          total * static_cast<unsigned long long>(thresholds_.storage_low_percent);
}

DeviceSnapshot LinuxDeviceState::Snapshot() {
  DeviceSnapshot snapshot;
  snapshot.network = ReadNetwork();
  ReadPower(&snapshot);
  snapshot.storage_low = ReadStorageLow();
  snapshot.device_idle = false;
  return snapshot;
}

}  // namespace syncagent
