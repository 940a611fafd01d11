#include "storage/revision.h"

#include <charconv>
#include <cstdint>
#include <optional>

namespace syncagent {
namespace {

std::optional<int64_t> Generation(std::string_view rev) {
  int64_t value = 0;
  const char* end = rev.data() + rev.size();
  auto [ptr, ec] = std::from_chars(rev.data(), end, value);
  if (ec != std::errc() || value < 0 || (ptr != end && *ptr != '-')) return std::nullopt;
  return value;
}

}  // namespace

RevisionOrder CompareGenerations(std::string_view local, std::string_view remote) {
  if (local == remote) return RevisionOrder::kSame;
  const auto a = Generation(local);
  const auto b = Generation(remote);
  if (!a || !b || *a == *b) return RevisionOrder::kDiverged;
  return *a < *b ? RevisionOrder::kRemoteNewer : RevisionOrder::kLocalNewer;
}

RevisionOrder OrderRevisions(const RevisionComparator& compare, std::string_view local,
                             std::string_view remote) {
  if (local.empty() || remote.empty()) {
    if (local.empty() && remote.empty()) return RevisionOrder::kSame;
    return local.empty() ? RevisionOrder::kRemoteNewer : RevisionOrder::kLocalNewer;
  }
  return compare ? compare(local, remote) : CompareGenerations(local, remote);
}

}  // namespace syncagent
