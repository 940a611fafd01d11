#include "tools/mock_server/mutation_parser.h"

#include "common/json_limits.h"

namespace syncagent::mock {
namespace {

using nlohmann::json;

const json& MemberOrNull(const json& object, const char* name) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(name);
  return it == object.end() ? kNull : *it;
}

// Decodes one UTF-8 sequence at `i`; returns its length or 0 when malformed.
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* code_point) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  size_t length = 0;
  uint32_t cp = 0;
  if (lead < 0x80) {
    *code_point = lead;
    return 1;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2;
    cp = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    cp = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    cp = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinForLength[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  *code_point = cp;
  return length;
}

}  // namespace

bool IsValidCollectionName(std::string_view name) {
  if (name.empty() || name.size() > kMaxCollectionBytes) return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsValidOrigin(std::string_view origin) { return IsValidCollectionName(origin); }

bool IsValidDocumentKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyBytes) return false;
  for (size_t i = 0; i < key.size();) {
    uint32_t cp = 0;
    const size_t length = DecodeUtf8(key, i, &cp);
    if (length == 0) return false;
    if (cp < 0x20 || cp == 0x7F) return false;
    i += length;
  }
  return true;
}

bool IsValidMutationId(std::string_view id) {
  if (id.empty() || id.size() > kMaxMutationIdBytes) return false;
  for (char c : id) {
    if (c < 0x21 || c > 0x7E) return false;
  }
  return true;
}

std::string_view MutationOpName(MutationOp op) {
  switch (op) {
    case MutationOp::kPut:
      return "put";
    case MutationOp::kPatch:
      return "patch";
    case MutationOp::kDelete:
      return "delete";
  }
  return "?";
}

ParsedMutation ParseMutation(const json& raw) {
  ParsedMutation parsed;
  const json& id = MemberOrNull(raw, "mutation_id");
  parsed.id_echo = id;
  if (id.is_string() && IsValidMutationId(id.get_ref<const std::string&>())) {
    parsed.mutation_id = id.get<std::string>();
  }
  // The canonical payload: every member that decides the effect, nothing else (seq, hlc and
  // unknown members, `force` included, do not take part). nlohmann::json objects keep sorted
  // keys, so dump() is canonical.
  json canonical = {{"collection", MemberOrNull(raw, "collection")},
                    {"key", MemberOrNull(raw, "key")},
                    {"op", MemberOrNull(raw, "op")},
                    {"base_version", MemberOrNull(raw, "base_version")},
                    {"data", MemberOrNull(raw, "data")}};
  parsed.canonical = canonical.dump();

  auto fail = [&](std::string error) {
    parsed.error = std::move(error);
    return parsed;
  };
  if (!raw.is_object()) return fail("mutation: must be a JSON object");
  if (!id.is_string()) return fail("mutation_id: missing or not a string");
  if (!parsed.mutation_id) return fail("mutation_id: must be 1..128 printable ASCII characters");

  Mutation m;
  m.mutation_id = *parsed.mutation_id;
  const json& collection = MemberOrNull(raw, "collection");
  if (!collection.is_string() || !IsValidCollectionName(collection.get_ref<const std::string&>())) {
    return fail("collection: must be a string matching [A-Za-z0-9_.-]{1,64}");
  }
  m.collection = collection.get<std::string>();
  const json& key = MemberOrNull(raw, "key");
  if (!key.is_string() || !IsValidDocumentKey(key.get_ref<const std::string&>())) {
    return fail("key: must be 1..512 bytes of UTF-8 without control characters");
  }
  m.key = key.get<std::string>();
  const json& op = MemberOrNull(raw, "op");
  if (op == "put") {
    m.op = MutationOp::kPut;
  } else if (op == "patch") {
    m.op = MutationOp::kPatch;
  } else if (op == "delete") {
    m.op = MutationOp::kDelete;
  } else {
    return fail("op: must be \"put\", \"patch\" or \"delete\"");
  }
  const json& base = MemberOrNull(raw, "base_version");
  if (base.is_number_integer() && base.get<int64_t>() >= 0) {
    m.base_version = base.get<int64_t>();
  } else if (!base.is_null()) {
    return fail("base_version: must be a non-negative integer or null");
  }
  const json& data = MemberOrNull(raw, "data");
  if (m.op == MutationOp::kDelete) {
    if (!data.is_null()) return fail("data: must be null for a delete");
  } else if (!data.is_object()) {
    return fail(std::string("data: must be a JSON object for a ") +
                std::string(MutationOpName(m.op)));
  }
  if (!data.is_null()) {
    // The document limit every side shares (common/json_limits.h, docs/protocol.md §2.3).
    std::string problem = DocumentDepthProblem(data);
    if (problem.empty()) problem = DocumentTextProblem(data.dump());
    if (!problem.empty()) {
      parsed.error_code = "invalid_document";
      return fail("data: " + problem + " (the document limit)");
    }
  }
  m.data = data;
  const json& hlc = MemberOrNull(raw, "hlc");
  if (!hlc.is_string() && !hlc.is_null()) return fail("hlc: must be a string or null");
  m.hlc = hlc;
  parsed.mutation = std::move(m);
  return parsed;
}

std::string CurrentCanonical(const std::string& stored) {
  json canonical = json::parse(stored, nullptr, /*allow_exceptions=*/false);
  if (!canonical.is_object() || !canonical.contains("force")) return stored;
  canonical.erase("force");
  return canonical.dump();
}

}  // namespace syncagent::mock
