// Fuzzes the Mango selector parser and its SQL compiler (storage/query/selector.h,
// selector_sql.h). The input is one JSON document (a selector), optionally followed by
// "\n---\n" and a sort (a JSON array). Properties:
//   - parsing never crashes; a refusal is kInvalidArgument naming the JSON path ("selector...");
//   - the SQL of an accepted selector holds no input text: only characters of the compiler's own
//     vocabulary (no '"', '$', ';', '-', '\\' ...), so no path or value can be spliced into it;
//   - every placeholder ?N has a parameter, and every parameter a placeholder.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "storage/query/query_spec.h"
#include "storage/query/selector_sql.h"

namespace {

using syncagent::StatusCode;

bool OwnVocabulary(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view(" _?.,()=<>!'").find(c) != std::string_view::npos;
}

// The highest ?N in `sql`, after checking that every one of 1..N occurs.
size_t Placeholders(const std::string& sql, const std::string& detail) {
  std::vector<bool> seen;
  for (size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] != '?') continue;
    size_t n = 0;
    while (i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      n = n * 10 + static_cast<size_t>(sql[++i] - '0');
    }
    if (n == 0) syncagent::fuzz::PropertyViolated("a placeholder without a number", detail);
    if (seen.size() < n) seen.resize(n, false);
    seen[n - 1] = true;
  }
  for (bool used : seen) {
    if (!used) syncagent::fuzz::PropertyViolated("a parameter without a placeholder", detail);
  }
  return seen.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parts = syncagent::fuzz::SplitInput(input, 2);
  auto selector_json = syncagent::fuzz::ParseBounded(parts[0]);
  if (!selector_json) return 0;
  auto selector = syncagent::query::ParseSelector(*selector_json);
  if (!selector.ok()) {
    if (selector.status().code() != StatusCode::kInvalidArgument ||
        selector.status().message().rfind("selector", 0) != 0) {
      syncagent::fuzz::PropertyViolated("a refusal names the JSON path",
                                        selector.status().ToString());
    }
    return 0;
  }
  syncagent::query::SqlBuilder builder(nullptr);
  std::string sql = builder.Condition(*selector);
  if (parts.size() == 2) {
    auto sort_json = syncagent::fuzz::ParseBounded(parts[1]);
    if (sort_json) {
      auto sort = syncagent::query::ParseSort(*sort_json, "sort");
      if (sort.ok()) {
        for (const auto& key : *sort) sql += " " + builder.Field(key.field).value;
      }
    }
  }
  for (char c : sql) {
    if (!OwnVocabulary(c)) {
      syncagent::fuzz::PropertyViolated("the SQL holds only the compiler's own text", sql);
    }
  }
  if (Placeholders(sql, sql) != builder.params().size()) {
    syncagent::fuzz::PropertyViolated("one parameter per placeholder", sql);
  }
  return 0;
}
