#include "storage/query/query_spec.h"

#include <limits>
#include <utility>

namespace syncagent::query {

namespace {

// A JSON integer in [min, max] at `where`.
StatusOr<int64_t> IntegerIn(const nlohmann::json& value, const std::string& where, int64_t min,
                            int64_t max) {
  const bool integral = value.is_number_integer();
  if (!integral || (value.is_number_unsigned() &&
                    value.get<uint64_t>() > static_cast<uint64_t>(max)) ||
      value.get<int64_t>() < min || value.get<int64_t>() > max) {
    std::string range = std::to_string(min) + "..";
    if (max < std::numeric_limits<int64_t>::max()) range += std::to_string(max);
    return InvalidArgumentError(where + ": expected an integer " + range + ", got " +
                                (integral ? value.dump() : std::string(value.type_name())));
  }
  return value.get<int64_t>();
}

StatusOr<SortKey> ParseSortEntry(const nlohmann::json& entry, const std::string& where) {
  if (entry.is_string()) {
    SYNCAGENT_ASSIGN_OR_RETURN(FieldPath field, ParseFieldPath(entry.get<std::string>(), where));
    return SortKey{std::move(field), false};
  }
  if (!entry.is_object() || entry.size() != 1) {
    return InvalidArgumentError(where + ": expected a field name or {\"FIELD\": \"asc\"|\"desc\"}");
  }
  const auto member = entry.begin();  // (not items(): its proxy would die with the statement)
  const std::string& name = member.key();
  const nlohmann::json& direction = member.value();
  const std::string at = where + "." + name;
  if (!direction.is_string() || (direction != "asc" && direction != "desc")) {
    return InvalidArgumentError(at + ": expected \"asc\" or \"desc\"");
  }
  SYNCAGENT_ASSIGN_OR_RETURN(FieldPath field, ParseFieldPath(name, at));
  return SortKey{std::move(field), direction == "desc"};
}

}  // namespace

StatusOr<std::vector<SortKey>> ParseSort(const nlohmann::json& sort, std::string_view where) {
  const std::string at(where);
  if (!sort.is_array()) {
    return InvalidArgumentError(at + ": expected an array of fields, got " +
                                std::string(sort.type_name()));
  }
  constexpr size_t kMaxSortKeys = 16;
  if (sort.size() > kMaxSortKeys) {
    return InvalidArgumentError(at + ": at most " + std::to_string(kMaxSortKeys) + " fields");
  }
  std::vector<SortKey> keys;
  for (size_t i = 0; i < sort.size(); ++i) {
    SYNCAGENT_ASSIGN_OR_RETURN(SortKey key,
                               ParseSortEntry(sort[i], at + "[" + std::to_string(i) + "]"));
    keys.push_back(std::move(key));
  }
  return keys;
}

StatusOr<QuerySpec> ParseQuery(const nlohmann::json& query, std::string_view where) {
  const std::string at(where);
  if (!query.is_object()) {
    return InvalidArgumentError(at + ": expected an object, got " + std::string(query.type_name()));
  }
  QuerySpec spec;
  for (const auto& [name, value] : query.items()) {
    const std::string here = at + "." + name;
    if (name == "selector") {
      SYNCAGENT_ASSIGN_OR_RETURN(spec.selector, ParseSelector(value, here));
    } else if (name == "sort") {
      SYNCAGENT_ASSIGN_OR_RETURN(spec.sort, ParseSort(value, here));
    } else if (name == "limit") {
      SYNCAGENT_ASSIGN_OR_RETURN(int64_t limit, IntegerIn(value, here, 1, kMaxQueryLimit));
      spec.limit = static_cast<int>(limit);
    } else if (name == "skip") {
      SYNCAGENT_ASSIGN_OR_RETURN(spec.skip,
                                 IntegerIn(value, here, 0, std::numeric_limits<int64_t>::max()));
    } else if (name == "bookmark") {
      if (!value.is_string()) {
        return InvalidArgumentError(here + ": expected a string (a previous result's bookmark)");
      }
      spec.bookmark = value.get<std::string>();
    } else {
      return InvalidArgumentError(here + ": unknown member (expected selector, sort, limit, skip "
                                         "or bookmark)");
    }
  }
  return spec;
}

}  // namespace syncagent::query
