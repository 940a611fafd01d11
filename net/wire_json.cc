#include "net/wire_json.h"

#include <utility>

namespace syncagent::wire {

using nlohmann::json;

std::string Describe(const json& v) {
  std::string text = v.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  switch (v.type()) {
    case json::value_t::string: return "a string " + text;
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::null: return "null";
    default: return text;
  }
}

Status FieldError(std::string_view what, const std::string& path, std::string_view expected,
                  const json* found) {
  std::string message(what);
  message += ": " + path + ": expected " + std::string(expected) + ", got ";
  message += found ? Describe(*found) : "nothing (missing)";
  return Status(StatusCode::kDataLoss, std::move(message), RetryClass::kTransient);
}

Status NotJson(std::string_view what, size_t bytes) {
  return Status(StatusCode::kDataLoss,
                std::string(what) + ": body is not valid JSON (" + std::to_string(bytes) +
                    " bytes; truncated or malformed)",
                RetryClass::kTransient);
}

std::string IndexPath(std::string_view parent, size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::string ServerText(std::string text) {
  constexpr size_t kMaxServerText = 200;
  for (char& c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) c = '?';
  }
  if (text.size() > kMaxServerText) {
    size_t cut = kMaxServerText;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
    text += "...";
  }
  return text;
}

const json* ObjectReader::Find(const char* name) const {
  auto it = object_.find(name);
  return it == object_.end() ? nullptr : &*it;
}

std::string ObjectReader::Path(const char* name) const {
  return path_.empty() ? name : path_ + "." + name;
}

StatusOr<std::string> ObjectReader::String(const char* name, bool allow_empty) const {
  const json* v = Find(name);
  if (!v || !v->is_string() || (!allow_empty && v->get_ref<const std::string&>().empty())) {
    return FieldError(what_, Path(name), allow_empty ? "a string" : "a non-empty string", v);
  }
  return v->get<std::string>();
}

StatusOr<std::string> ObjectReader::OptionalString(const char* name) const {
  const json* v = Find(name);
  if (!v || v->is_null()) return std::string();
  if (!v->is_string()) return FieldError(what_, Path(name), "a string or null", v);
  return v->get<std::string>();
}

StatusOr<int64_t> ObjectReader::Integer(const char* name, int64_t min) const {
  const json* v = Find(name);
  if (!v || !v->is_number_integer() || v->get<int64_t>() < min) {
    return FieldError(what_, Path(name), "an integer >= " + std::to_string(min), v);
  }
  return v->get<int64_t>();
}

StatusOr<bool> ObjectReader::Bool(const char* name) const {
  const json* v = Find(name);
  if (!v || !v->is_boolean()) return FieldError(what_, Path(name), "a boolean", v);
  return v->get<bool>();
}

StatusOr<bool> ObjectReader::OptionalBool(const char* name, bool fallback) const {
  if (Find(name) == nullptr) return fallback;
  return Bool(name);
}

}  // namespace syncagent::wire
