// Fuzzes ThreeWayMerge (agent/three_way_merge.h). The input is three JSON documents (base, local,
// remote) separated by "\n---\n"; `null` stands for a tombstone, any other non-object is skipped.
// Properties, for every tie rule:
//   - the result is an object unless it is deleted (and null when deleted);
//   - merging with an unchanged side returns the other side (local == base -> remote,
//     remote == base -> local), "==" being exact equality (storage/json_equal.h);
//   - the rules are symmetric: (local, remote, kClient) == (remote, local, kServer).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "agent/three_way_merge.h"
#include "fuzz/fuzz_util.h"
#include "storage/json_equal.h"

namespace {

using nlohmann::json;
using syncagent::MergeOutcome;
using syncagent::MergeSide;
using syncagent::TieRule;

std::string Dump(const MergeSide& s) {
  return s.deleted ? "<deleted>" : s.data.dump(-1, ' ', false, json::error_handler_t::replace);
}
std::string Dump(const MergeOutcome& o) {
  return o.deleted ? "<deleted>" : o.data.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool Same(const MergeOutcome& o, const MergeSide& s) {
  return o.deleted == s.deleted && (o.deleted || syncagent::JsonEqual(o.data, s.data));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parts = syncagent::fuzz::SplitInput(input, 3);
  if (parts.size() != 3) return 0;
  MergeSide sides[3];
  for (int i = 0; i < 3; ++i) {
    auto v = syncagent::fuzz::ParseBounded(parts[i]);
    if (!v) return 0;
    if (v->is_null()) {
      sides[i].deleted = true;
    } else if (v->is_object()) {
      sides[i].data = std::move(*v);
    } else {
      return 0;
    }
  }
  const MergeSide& base = sides[0];
  const MergeSide& local = sides[1];
  const MergeSide& remote = sides[2];
  auto context = [&](const MergeOutcome& o) {
    return "base=" + Dump(base) + "\nlocal=" + Dump(local) + "\nremote=" + Dump(remote) +
           "\ngot=" + Dump(o);
  };
  auto unchanged = [&](const MergeSide& s) {
    return s.deleted == base.deleted && (s.deleted || syncagent::JsonEqual(s.data, base.data));
  };

  for (TieRule tie : {TieRule::kServer, TieRule::kClient, TieRule::kNewer}) {
    for (bool local_is_newer : {false, true}) {
      MergeOutcome out = syncagent::ThreeWayMerge(base, local, remote, tie, local_is_newer);
      if (out.deleted ? !out.data.is_null() : !out.data.is_object()) {
        syncagent::fuzz::PropertyViolated("an object unless deleted", context(out));
      }
      if (unchanged(local) && !Same(out, remote)) {
        syncagent::fuzz::PropertyViolated("local unchanged -> remote", context(out));
      }
      if (unchanged(remote) && !Same(out, local)) {
        syncagent::fuzz::PropertyViolated("remote unchanged -> local", context(out));
      }
    }
  }
  MergeOutcome client = syncagent::ThreeWayMerge(base, local, remote, TieRule::kClient, false);
  MergeOutcome mirrored = syncagent::ThreeWayMerge(base, remote, local, TieRule::kServer, false);
  if (client.deleted != mirrored.deleted || !syncagent::JsonEqual(client.data, mirrored.data)) {
    syncagent::fuzz::PropertyViolated("symmetric under swapped sides and tie rule", context(client));
  }
  return 0;
}
