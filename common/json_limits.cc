#include "common/json_limits.h"

#include <string>
#include <utility>
#include <vector>

namespace syncagent {
namespace {

// Calls `on_open(depth, offset)` for every '{' or '[' outside strings; stops when it returns
// false.
template <typename OnOpen>
void ScanOpenings(std::string_view text, OnOpen on_open) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (!on_open(++depth, i)) return;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
}

}  // namespace

int JsonTextDepth(std::string_view text, int stop_at) {
  int deepest = 0;
  ScanOpenings(text, [&](int depth, size_t) {
    if (depth > deepest) deepest = depth;
    return deepest <= stop_at;
  });
  return deepest;
}

size_t JsonDeepestOpening(std::string_view text, int max_depth) {
  size_t found = std::string_view::npos;
  ScanOpenings(text, [&](int depth, size_t offset) {
    if (depth <= max_depth) return true;
    found = offset;
    return false;
  });
  return found;
}

template <typename BasicJson>
int JsonValueDepth(const BasicJson& value, int stop_at) {
  if (!value.is_structured()) return 0;
  int deepest = 0;
  std::vector<std::pair<const BasicJson*, int>> pending{{&value, 1}};
  while (!pending.empty()) {
    auto [node, depth] = pending.back();
    pending.pop_back();
    if (depth > deepest) {
      deepest = depth;
      if (deepest > stop_at) return deepest;
    }
    for (const BasicJson& child : *node) {
      if (child.is_structured()) pending.emplace_back(&child, depth + 1);
    }
  }
  return deepest;
}

template int JsonValueDepth(const nlohmann::json&, int);
template int JsonValueDepth(const nlohmann::ordered_json&, int);

std::string DocumentDepthProblem(const nlohmann::json& data) {
  if (JsonValueDepth(data, kMaxDocumentDepth) <= kMaxDocumentDepth) return "";
  return "nested deeper than " + std::to_string(kMaxDocumentDepth) + " levels";
}

std::string DocumentTextProblem(std::string_view compact_text) {
  if (static_cast<int64_t>(compact_text.size()) > kMaxDocumentBytes) {
    return std::to_string(compact_text.size()) + " bytes, over the limit of " +
           std::to_string(kMaxDocumentBytes) + " bytes";
  }
  if (JsonTextDepth(compact_text, kMaxDocumentDepth) > kMaxDocumentDepth) {
    return "nested deeper than " + std::to_string(kMaxDocumentDepth) + " levels";
  }
  return "";
}

}  // namespace syncagent
