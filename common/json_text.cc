#include "common/json_text.h"

#include <vector>

namespace syncagent {
namespace {

constexpr auto kReplace = nlohmann::json::error_handler_t::replace;

// A container being written: the next member to write.
struct Open {
  const nlohmann::json* node;
  nlohmann::json::const_iterator next;
};

// Writes a scalar, or the opening bracket of a container (pushed on `stack`).
void Begin(const nlohmann::json& value, std::vector<Open>* stack, std::string* out) {
  if (value.is_object()) {
    *out += '{';
  } else if (value.is_array()) {
    *out += '[';
  } else {
    *out += value.dump(-1, ' ', false, kReplace);  // a scalar: no recursion
    return;
  }
  stack->push_back(Open{&value, value.cbegin()});
}

}  // namespace

std::string CompactJson(const nlohmann::json& value) {
  std::string out;
  std::vector<Open> stack;
  Begin(value, &stack, &out);
  while (!stack.empty()) {
    Open& top = stack.back();
    if (top.next == top.node->cend()) {
      out += top.node->is_object() ? '}' : ']';
      stack.pop_back();
      continue;
    }
    if (top.next != top.node->cbegin()) out += ',';
    const nlohmann::json& child = *top.next;
    if (top.node->is_object()) {
      out += nlohmann::json(top.next.key()).dump(-1, ' ', false, kReplace);
      out += ':';
    }
    ++top.next;
    Begin(child, &stack, &out);  // may reallocate `stack`: `top` is not used afterwards
  }
  return out;
}

}  // namespace syncagent
