// JsonEqual: exact equality of JSON values, for deciding whether a document or a field changed.
//
// nlohmann's operator== compares an integer with a floating-point number after converting the
// integer to double, so 9007199254740993 == 9007199254740992.0 and equality is not transitive:
// a change from 9007199254740992.0 to 9007199254740993 looks like "no change", and a three-way
// merge then drops that edit without reporting a conflict. JsonEqual compares numbers by their
// exact mathematical value (1 == 1.0, but 2^53 + 1 != 2^53), everything else as operator== does.
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_STORAGE_JSON_EQUAL_H_
#define SYNCAGENT_STORAGE_JSON_EQUAL_H_

#include <cmath>
#include <cstdint>

#include <nlohmann/json.hpp>

namespace syncagent {
namespace json_equal_internal {

// An integer JSON number as sign + magnitude (covers both int64 and uint64).
struct Integer {
  bool negative;
  uint64_t magnitude;
};

inline Integer AsInteger(const nlohmann::json& v) {
  if (v.is_number_unsigned()) return {false, v.get<uint64_t>()};
  const int64_t i = v.get<int64_t>();
  return {i < 0, i < 0 ? uint64_t{0} - static_cast<uint64_t>(i) : static_cast<uint64_t>(i)};
}

// Exact comparison of a double with an integer (no rounding of the integer to double).
inline bool DoubleEqualsInteger(double d, Integer i) {
  if (!std::isfinite(d) || d != std::trunc(d)) return false;
  if ((d < 0) != i.negative) return d == 0 && i.magnitude == 0;
  const double magnitude = std::fabs(d);
  if (magnitude >= 18446744073709551616.0) return false;  // 2^64: beyond any JSON integer
  return static_cast<uint64_t>(magnitude) == i.magnitude;
}

}  // namespace json_equal_internal

inline bool JsonEqual(const nlohmann::json& a, const nlohmann::json& b) {
  namespace internal = json_equal_internal;
  if (a.is_number() && b.is_number()) {
    if (a.is_number_float() && b.is_number_float()) return a.get<double>() == b.get<double>();
    if (a.is_number_float()) return internal::DoubleEqualsInteger(a.get<double>(), internal::AsInteger(b));
    if (b.is_number_float()) return internal::DoubleEqualsInteger(b.get<double>(), internal::AsInteger(a));
    const internal::Integer x = internal::AsInteger(a), y = internal::AsInteger(b);
    return x.magnitude == y.magnitude && (x.negative == y.negative || x.magnitude == 0);
  }
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto found = b.find(it.key());
      if (found == b.end() || !JsonEqual(it.value(), *found)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!JsonEqual(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_JSON_EQUAL_H_
