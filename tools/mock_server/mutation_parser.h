// Validation of the pieces of a syncagent/1 push request: names, keys and single mutations.
//
// A push request is validated mutation by mutation: a malformed mutation becomes a `rejected`
// result (code `invalid_mutation`, the message names the field) and never stops the others.
// ParseMutation also computes the canonical payload used for exactly-once detection, even for a
// mutation that fails validation, so a replayed invalid mutation is recognised too.
//
// Thread safety: pure functions.
#ifndef SYNCAGENT_TOOLS_MOCK_SERVER_MUTATION_PARSER_H_
#define SYNCAGENT_TOOLS_MOCK_SERVER_MUTATION_PARSER_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace syncagent::mock {

inline constexpr size_t kMaxMutationIdBytes = 128;
inline constexpr size_t kMaxCollectionBytes = 64;
inline constexpr size_t kMaxKeyBytes = 512;

enum class MutationOp { kPut, kPatch, kDelete };

// A mutation that passed validation.
struct Mutation {
  std::string mutation_id;
  std::string collection;
  std::string key;
  MutationOp op = MutationOp::kPut;
  std::optional<int64_t> base_version;  // nullopt = JSON null
  nlohmann::json data;                  // object for put/patch, null for delete
  nlohmann::json hlc;                   // string or null
};

// The outcome of parsing one element of `mutations`.
struct ParsedMutation {
  nlohmann::json id_echo;                  // the mutation_id as sent (null when absent)
  std::optional<std::string> mutation_id;  // set when the id itself is valid
  std::string canonical;                   // canonical payload (valid or not)
  std::optional<Mutation> mutation;        // set when the whole mutation is valid
  std::string error;                       // why it is invalid ("<field>: <reason>")
  std::string error_code = "invalid_mutation";  // the rejected result's code
};

// [A-Za-z0-9_.-]{1,64}
bool IsValidCollectionName(std::string_view name);
// 1..512 bytes of well-formed UTF-8 without control characters (U+0000-U+001F, U+007F).
bool IsValidDocumentKey(std::string_view key);
// 1..128 bytes of printable ASCII (0x21-0x7E).
bool IsValidMutationId(std::string_view id);
// A push envelope's `origin` / a pull's `skip_origin`: [A-Za-z0-9_.-]{1,64}.
bool IsValidOrigin(std::string_view origin);
inline constexpr const char* kOriginRule = "1 to 64 letters, digits, '_', '.' or '-'";

ParsedMutation ParseMutation(const nlohmann::json& raw);

// A canonical payload stored by an older server, in today's form: without its `force` member
// (the protocol dropped it), so that replays of mutations recorded before still match.
std::string CurrentCanonical(const std::string& stored);

std::string_view MutationOpName(MutationOp op);

}  // namespace syncagent::mock

#endif  // SYNCAGENT_TOOLS_MOCK_SERVER_MUTATION_PARSER_H_
