#include "storage/validation.h"

#include <cstdint>
#include <cstdio>

#include "common/json_limits.h"

namespace syncagent {

namespace {

// Escapes control and non-ASCII bytes and truncates to ~80 bytes for error messages.
std::string Shown(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size() && out.size() < 80; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f || c >= 0x80 || c == '"' || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (out.size() >= 80) out += "...";
  return out;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t j = 1; j < len; ++j) {
      const auto cc = static_cast<unsigned char>(s[i + j]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    const uint32_t min_cp = len == 2 ? 0x80 : (len == 3 ? 0x800 : 0x10000);
    if (cp < min_cp || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

}  // namespace

std::string DocName(std::string_view collection, std::string_view key) {
  return "\"" + Shown(collection) + "/" + Shown(key) + "\"";
}

Status ValidateCollection(std::string_view collection) {
  if (collection.empty() || collection.size() > kMaxCollectionBytes) {
    return InvalidArgumentError("invalid collection \"" + Shown(collection) + "\": length " +
                                std::to_string(collection.size()) +
                                ", must be 1..64 bytes of [A-Za-z0-9_.-]");
  }
  for (char c : collection) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) {
      return InvalidArgumentError("invalid collection \"" + Shown(collection) +
                                  "\": must match [A-Za-z0-9_.-]{1,64}");
    }
  }
  return Status::Ok();
}

Status ValidateDocumentId(std::string_view collection, std::string_view key) {
  SYNCAGENT_RETURN_IF_ERROR(ValidateCollection(collection));
  if (key.empty() || key.size() > kMaxKeyBytes) {
    return InvalidArgumentError("invalid key in collection \"" + Shown(collection) + "\": key \"" +
                                Shown(key) + "\" has " + std::to_string(key.size()) +
                                " bytes, must be 1..512");
  }
  for (char c : key) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return InvalidArgumentError("invalid key in collection \"" + Shown(collection) +
                                  "\": key \"" + Shown(key) +
                                  "\" contains a control character");
    }
  }
  if (!IsValidUtf8(key)) {
    return InvalidArgumentError("invalid key in collection \"" + Shown(collection) + "\": key \"" +
                                Shown(key) + "\" is not valid UTF-8");
  }
  return Status::Ok();
}

Status ValidateObject(std::string_view collection, std::string_view key,
                      const nlohmann::json& data, std::string_view what) {
  if (!data.is_object()) {
    return InvalidArgumentError(std::string(what) + " for " + DocName(collection, key) +
                                " must be a JSON object, got " + data.type_name());
  }
  if (std::string problem = DocumentDepthProblem(data); !problem.empty()) {
    return InvalidArgumentError(std::string(what) + " for " + DocName(collection, key) + " is " +
                                problem + " (the document limit)");
  }
  return Status::Ok();
}

Status CheckDocumentSize(std::string_view text, std::string_view collection, std::string_view key,
                         std::string_view what) {
  if (static_cast<int64_t>(text.size()) <= kMaxDocumentBytes) return Status::Ok();
  return InvalidArgumentError(std::string(what) + " for " + DocName(collection, key) + " has " +
                              std::to_string(text.size()) + " bytes, over the document limit of " +
                              std::to_string(kMaxDocumentBytes) + " bytes");
}

Status DumpJson(const nlohmann::json& value, std::string_view collection, std::string_view key,
                std::string* out) {
  try {
    *out = value.dump();
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgumentError("data for " + DocName(collection, key) +
                                " cannot be serialised: " + e.what());
  }
  return Status::Ok();
}

StatusOr<nlohmann::json> ParseStoredJson(std::string_view text, std::string_view collection,
                                         std::string_view key, std::string_view what) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return DataLossError("stored " + std::string(what) + " of " + DocName(collection, key) +
                         " is not valid JSON");
  }
  return value;
}

}  // namespace syncagent
