#include "storage/query/bookmark.h"

#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "common/json_limits.h"
#include "common/json_text.h"
#include "storage/query/name_hash.h"

namespace syncagent::query {

namespace {

// A hash of the collection and the sort.
std::string Tag(std::string_view collection, const std::vector<SortKey>& sort) {
  std::string text(collection);
  for (const SortKey& key : sort) {
    text += '\0';
    text += key.descending ? '-' : '+';
    text += key.field.Dotted();
  }
  return NameHash(text);
}

nlohmann::json ToJson(const SqlValue& value) {
  if (const auto* i = std::get_if<int64_t>(&value)) return *i;
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return nullptr;
}

std::optional<SqlValue> FromJson(const nlohmann::json& value) {
  if (value.is_null()) return SqlValue{};
  if (value.is_number_float()) return SqlValue{value.get<double>()};
  if (value.is_number_integer() && !value.is_number_unsigned()) return SqlValue{value.get<int64_t>()};
  if (value.is_number_unsigned() && value.get<uint64_t>() <= INT64_MAX) {
    return SqlValue{static_cast<int64_t>(value.get<uint64_t>())};
  }
  if (value.is_string()) return SqlValue{value.get<std::string>()};
  return std::nullopt;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
  }
  return out;
}

std::optional<std::string> Unhex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = digit(hex[i]);
    const int lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace

std::string EncodeBookmark(std::string_view collection, const std::vector<SortKey>& sort,
                           const std::vector<SqlValue>& position) {
  nlohmann::json array = nlohmann::json::array({Tag(collection, sort)});
  for (const SqlValue& value : position) array.push_back(ToJson(value));
  return Hex(CompactJson(array));
}

StatusOr<std::vector<SqlValue>> DecodeBookmark(std::string_view bookmark,
                                               std::string_view collection,
                                               const std::vector<SortKey>& sort) {
  const Status invalid = InvalidArgumentError(
      "bookmark: not a bookmark of this query (a bookmark is only valid with the collection and "
      "sort of the query that returned it)");
  constexpr size_t kMaxBookmark = 1 << 20;
  if (bookmark.size() > kMaxBookmark) return invalid;
  std::optional<std::string> text = Unhex(bookmark);
  if (!text || JsonTextDepth(*text, 1) > 1) return invalid;  // a flat array, parsed flat
  const nlohmann::json array = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  const size_t expected = 2 + 2 * sort.size();
  if (!array.is_array() || array.size() != expected || array[0] != Tag(collection, sort) ||
      !array.back().is_string()) {
    return invalid;
  }
  std::vector<SqlValue> position;
  for (size_t i = 1; i < array.size(); ++i) {
    std::optional<SqlValue> value = FromJson(array[i]);
    const bool rank = i % 2 == 1 && i + 1 < array.size();
    if (!value || (rank && !array[i].is_number_integer())) return invalid;
    position.push_back(std::move(*value));
  }
  return position;
}

}  // namespace syncagent::query
