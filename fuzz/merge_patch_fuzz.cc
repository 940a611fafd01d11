// Fuzzes the JSON Merge Patch functions (storage/json_merge_patch.h). The input is two JSON
// documents a and b separated by "\n---\n". Properties:
//   - ApplyMergePatch(a, b) never crashes;
//   - applying a patch twice is the same as applying it once (RFC 7396 patches are idempotent);
//   - round trip: MergePatched(a, CreateMergePatch(a, b)) == b when b holds no null member.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "storage/json_equal.h"
#include "storage/json_merge_patch.h"

namespace {

using nlohmann::json;

// True when some object member anywhere in `v` is null (a merge patch cannot express it).
bool HasNullMember(const json& v) {
  if (v.is_object()) {
    for (const auto& [key, member] : v.items()) {
      if (member.is_null() || HasNullMember(member)) return true;
    }
  } else if (v.is_array()) {
    for (const json& element : v) {
      if (HasNullMember(element)) return true;
    }
  }
  return false;
}

std::string Show(const json& a, const json& b, const json& got) {
  auto dump = [](const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); };
  return "a=" + dump(a) + "\nb=" + dump(b) + "\ngot=" + dump(got);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parts = syncagent::fuzz::SplitInput(input, 2);
  if (parts.size() != 2) return 0;
  auto a = syncagent::fuzz::ParseBounded(parts[0]);
  auto b = syncagent::fuzz::ParseBounded(parts[1]);
  if (!a || !b) return 0;

  json once = syncagent::MergePatched(*a, *b);
  json twice = syncagent::MergePatched(once, *b);
  if (!syncagent::JsonEqual(once, twice)) syncagent::fuzz::PropertyViolated("merge patch is idempotent", Show(*a, *b, twice));

  if (!HasNullMember(*b)) {
    json patch = syncagent::CreateMergePatch(*a, *b);
    json round_trip = syncagent::MergePatched(*a, patch);
    if (!syncagent::JsonEqual(round_trip, *b)) {
      syncagent::fuzz::PropertyViolated("MergePatched(a, CreateMergePatch(a, b)) == b",
                                        Show(*a, *b, round_trip) + "\npatch=" + patch.dump());
    }
  }
  return 0;
}
