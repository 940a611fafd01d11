#include "storage/hybrid_logical_clock.h"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace syncagent {

namespace {

constexpr int64_t kMaxWallMs = 999999999999999;  // 15 digits

// Writes "%015lld-%08x-" into buf (25 chars + NUL).
int FormatPrefix(char* buf, size_t size, int64_t wall_ms, uint32_t logical) {
  return std::snprintf(buf, size, "%015lld-%08x-", static_cast<long long>(wall_ms),
                       static_cast<unsigned>(logical));
}

int ParseHexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string HlcStamp::ToString() const {
  char buf[32];
  const int n = FormatPrefix(buf, sizeof(buf), wall_ms, logical);
  std::string out(buf, static_cast<size_t>(n));
  out += node;
  return out;
}

HybridLogicalClock::HybridLogicalClock(Clock& clock, std::string node_id)
    : clock_(clock), node_(std::move(node_id)) {
  SYNCAGENT_CHECK(!node_.empty());
}

void HybridLogicalClock::Restore(const HlcStamp& last) {
  if (last.wall_ms > wall_ms_ || (last.wall_ms == wall_ms_ && last.logical > logical_)) {
    wall_ms_ = last.wall_ms;
    logical_ = last.logical;
  }
}

void HybridLogicalClock::Tick() {
  const int64_t physical = std::clamp<int64_t>(clock_.WallMs(), 0, kMaxWallMs);
  if (physical > wall_ms_) {
    wall_ms_ = physical;
    logical_ = 0;
  } else if (logical_ == std::numeric_limits<uint32_t>::max()) {
    ++wall_ms_;  // counter exhausted within one ms: borrow the next millisecond
    logical_ = 0;
  } else {
    ++logical_;
  }
}

HlcStamp HybridLogicalClock::Now() {
  Tick();
  return Last();
}

const std::string& HybridLogicalClock::NowText() {
  Tick();
  return LastText();
}

const std::string& HybridLogicalClock::LastText() {
  char buf[32];
  const int n = FormatPrefix(buf, sizeof(buf), wall_ms_, logical_);
  text_.assign(buf, static_cast<size_t>(n));
  text_ += node_;
  return text_;
}

HlcStamp HybridLogicalClock::Observe(const HlcStamp& remote) {
  const int64_t physical = std::clamp<int64_t>(clock_.WallMs(), 0, kMaxWallMs);
  const int64_t remote_wall = std::clamp<int64_t>(remote.wall_ms, 0, kMaxWallMs);
  const int64_t wall = std::max({wall_ms_, remote_wall, physical});
  int64_t logical = -1;  // stays -1 when only the physical clock reached `wall`
  if (wall == wall_ms_) logical = std::max<int64_t>(logical, logical_);
  if (wall == remote_wall) logical = std::max<int64_t>(logical, remote.logical);
  if (logical >= std::numeric_limits<uint32_t>::max()) {
    wall_ms_ = wall + 1;
    logical_ = 0;
  } else {
    wall_ms_ = wall;
    logical_ = static_cast<uint32_t>(logical + 1);
  }
  return Last();
}

StatusOr<HlcStamp> HybridLogicalClock::Parse(std::string_view text) {
  auto bad = [&](const char* why) {
    std::string shown(text.substr(0, 80));
    return InvalidArgumentError("invalid HLC stamp \"" + shown + "\": " + why);
  };
  // 15 digits, '-', 8 hex digits, '-', node (at least one char).
  if (text.size() < 15 + 1 + 8 + 1 + 1) return bad("too short");
  HlcStamp stamp;
  for (size_t i = 0; i < 15; ++i) {
    if (text[i] < '0' || text[i] > '9') return bad("wall time must be 15 decimal digits");
    stamp.wall_ms = stamp.wall_ms * 10 + (text[i] - '0');
  }
  if (text[15] != '-' || text[24] != '-') return bad("expected '-' separators");
  uint32_t logical = 0;
  for (size_t i = 16; i < 24; ++i) {
    const int digit = ParseHexDigit(text[i]);
    if (digit < 0) return bad("logical counter must be 8 lowercase hex digits");
    logical = (logical << 4) | static_cast<uint32_t>(digit);
  }
  stamp.logical = logical;
  stamp.node = std::string(text.substr(25));
  return stamp;
}

int HybridLogicalClock::Compare(const HlcStamp& a, const HlcStamp& b) {
  if (a.wall_ms != b.wall_ms) return a.wall_ms < b.wall_ms ? -1 : 1;
  if (a.logical != b.logical) return a.logical < b.logical ? -1 : 1;
  const int c = a.node.compare(b.node);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace syncagent
