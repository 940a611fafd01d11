// HybridLogicalClock: stamps every local write so that stamps order causally and never go
// backwards, even when the wall clock does.
//
// A stamp is (physical wall ms, logical counter, node id). Its text form
//   "%015lld-%08x-<node>"   e.g. "001767225600000-00000003-c-5f0e..."
// is fixed width before the node, so comparing the strings byte-wise gives the same order as
// Compare(): wall ms, then logical counter, then node id (the deterministic tie-break between two
// nodes that issued the same (wall, logical)).
//
// Rules (Kulkarni et al., "Logical Physical Clocks"):
//   Now():        wall' = max(last.wall, clock.WallMs()); logical' = (wall' == last.wall)
//                 ? last.logical + 1 : 0.
//   Observe(r):   wall' = max(last.wall, r.wall, clock.WallMs()); logical' = the max logical of
//                 the inputs whose wall equals wall', plus one (0 when only the clock reached it).
// The Store persists the last issued stamp in its `meta` table in the same transaction as the
// write that used it, and Restore()s it at open, so stamps keep increasing across restarts even
// with a wall clock set back.
//
// Thread safety: not thread-safe; owned by one Store and used under its lock.
#ifndef SYNCAGENT_STORAGE_HYBRID_LOGICAL_CLOCK_H_
#define SYNCAGENT_STORAGE_HYBRID_LOGICAL_CLOCK_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "platform/clock.h"
#include "syncagent/status.h"

namespace syncagent {

struct HlcStamp {
  int64_t wall_ms = 0;   // 0 <= wall_ms < 10^15
  uint32_t logical = 0;
  std::string node;      // non-empty for issued stamps

  // "%015lld-%08x-<node>"
  std::string ToString() const;
  friend bool operator==(const HlcStamp&, const HlcStamp&) = default;
};

class HybridLogicalClock {
 public:
  // REQUIRES: `clock` outlives this object; node_id is non-empty.
  HybridLogicalClock(Clock& clock, std::string node_id);

  // Never lets the clock go below `last` (used at startup with the persisted stamp). The node of
  // `last` is ignored; stamps issued later carry this clock's node id.
  void Restore(const HlcStamp& last);

  // Issues a new stamp, strictly greater than every stamp issued or observed before.
  HlcStamp Now();
  // Same as Now() but returns the text form in a buffer owned by the clock (valid until the next
  // call); allocation-free on the write path.
  const std::string& NowText();

  // Merges a remote stamp (HLC receive rule); returns the resulting local stamp.
  HlcStamp Observe(const HlcStamp& remote);

  // The last stamp issued or observed.
  HlcStamp Last() const { return {wall_ms_, logical_, node_}; }
  // Its text form, in the clock's buffer (valid until the next call).
  const std::string& LastText();
  const std::string& node_id() const { return node_; }

  // Parses the text form. kInvalidArgument names the text when it does not match.
  static StatusOr<HlcStamp> Parse(std::string_view text);
  // <0, 0, >0 as a is before, equal to or after b (wall, logical, then node byte-wise).
  static int Compare(const HlcStamp& a, const HlcStamp& b);

 private:
  void Tick();

  Clock& clock_;
  std::string node_;
  int64_t wall_ms_ = 0;
  uint32_t logical_ = 0;
  std::string text_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_HYBRID_LOGICAL_CLOCK_H_
