#include "common/field_path.h"

namespace syncagent {

std::string FieldPath::Dotted() const {
  std::string out;
  for (const std::string& segment : segments) {
    if (!out.empty()) out += '.';
    for (char c : segment) {
      if (c == '.') out += '\\';
      out += c;
    }
  }
  return out;
}

StatusOr<FieldPath> ParseFieldPath(std::string_view name, std::string_view where) {
  FieldPath path;
  std::string current;
  auto finish = [&]() -> Status {
    if (current.empty()) {
      return InvalidArgumentError(std::string(where) + ": field name \"" + std::string(name) +
                                  "\" has an empty part");
    }
    path.segments.push_back(std::move(current));
    current.clear();
    return Status::Ok();
  };
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '\\' && i + 1 < name.size() && name[i + 1] == '.') {
      current += '.';
      ++i;
    } else if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      return InvalidArgumentError(std::string(where) + ": field name \"" + std::string(name) +
                                  "\": a double quote, a backslash (other than in \"\\.\") or a "
                                  "control character cannot be part of a field name");
    } else if (c == '.') {
      SYNCAGENT_RETURN_IF_ERROR(finish());
    } else {
      current += c;
    }
  }
  SYNCAGENT_RETURN_IF_ERROR(finish());
  if (static_cast<int>(path.segments.size()) > kMaxFieldDepth) {
    return InvalidArgumentError(std::string(where) + ": field path deeper than " +
                                std::to_string(kMaxFieldDepth) + " names");
  }
  return path;
}

}  // namespace syncagent
