#include "config/json_reader.h"

#include <algorithm>
#include <exception>
#include <set>
#include <string>

#include "common/json_limits.h"
#include "config/text_util.h"

namespace syncagent::config_internal {
namespace {

using Json = nlohmann::ordered_json;

// One open object or array while parsing, to know the path of each key.
struct Frame {
  bool is_array = false;
  std::string path;  // the path of this container
  std::string key;   // objects: the key being read
  size_t index = 0;  // arrays: the index of the next element
  std::set<std::string> keys;
};

// The path of a value that starts now inside `top`.
std::string ChildPath(const Frame& top) {
  return top.is_array ? IndexPath(top.path, top.index) : JoinPath(top.path, top.key);
}

// Turns nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error
// while parsing value - invalid literal; last read: 'tru,'; expected ..." into "syntax error while
// parsing value - invalid literal; expected ...": no position (we compute our own) and no
// "last read" excerpt, which can contain part of a secret.
std::string CleanParseMessage(std::string message) {
  const size_t colon = message.find(": ");
  if (message.rfind("[json.exception.", 0) == 0 && colon != std::string::npos) {
    message = message.substr(colon + 2);
  }
  const std::string last_read = "; last read: '";
  const size_t start = message.find(last_read);
  if (start != std::string::npos) {
    const std::string expected = "'; expected ";
    const size_t end = message.rfind(expected);
    if (end != std::string::npos && end >= start + last_read.size() - 1) {
      message = message.substr(0, start) + message.substr(end + 1);
    } else {
      message = message.substr(0, start);
    }
  }
  return message;
}

}  // namespace

std::pair<size_t, size_t> LineAndColumn(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  const std::string_view before = text.substr(0, offset);
  const size_t line = 1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
  const size_t newline = before.rfind('\n');
  const size_t line_start = newline == std::string_view::npos ? 0 : newline + 1;
  return {line, offset - line_start + 1};
}

JsonReadResult ReadJson(std::string_view text) {
  JsonReadResult result;
  if (const size_t offset = JsonDeepestOpening(text, kMaxJsonDepth); offset != std::string_view::npos) {
    auto [line, column] = LineAndColumn(text, offset);
    result.errors.push_back({"", "line " + std::to_string(line) + ", column " +
                                     std::to_string(column) + ": nested deeper than " +
                                     std::to_string(kMaxJsonDepth) + " levels"});
    return result;
  }
  std::vector<Frame> stack;
  std::vector<std::string> duplicates;

  auto finish_element = [&stack] {
    if (!stack.empty() && stack.back().is_array) ++stack.back().index;
  };
  Json::parser_callback_t callback = [&](int /*depth*/, Json::parse_event_t event,
                                         Json& parsed) -> bool {
    switch (event) {
      case Json::parse_event_t::object_start:
      case Json::parse_event_t::array_start: {
        Frame frame;
        frame.is_array = event == Json::parse_event_t::array_start;
        frame.path = stack.empty() ? std::string() : ChildPath(stack.back());
        stack.push_back(std::move(frame));
        break;
      }
      case Json::parse_event_t::key: {
        Frame& top = stack.back();
        top.key = parsed.get<std::string>();
        if (!top.keys.insert(top.key).second) duplicates.push_back(ChildPath(top));
        break;
      }
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        stack.pop_back();
        finish_element();
        break;
      case Json::parse_event_t::value:
        finish_element();
        break;
    }
    return true;
  };

  try {
    result.value = Json::parse(text.begin(), text.end(), callback);
    result.parsed = true;
  } catch (const Json::parse_error& e) {
    // `byte` counts the characters read, so the offending character is at byte - 1.
    const size_t offset = e.byte == 0 ? 0 : e.byte - 1;
    auto [line, column] = LineAndColumn(text, offset);
    result.errors.push_back({"", "line " + std::to_string(line) + ", column " +
                                     std::to_string(column) + ": " + CleanParseMessage(e.what())});
    return result;
  } catch (const std::exception& e) {
    result.errors.push_back({"", std::string("cannot parse the JSON text: ") + e.what()});
    return result;
  }
  for (const std::string& path : duplicates) {
    result.errors.push_back({path, "duplicate key (each key may appear once in an object)"});
  }
  return result;
}

}  // namespace syncagent::config_internal
