// ProtocolCodec: encodes push batches and decodes push results, pull pages and error bodies, with
// strict validation. A malformed, truncated or unexpected reply becomes a Status that names the
// field and the item (e.g. `push response: results[3].version: expected an integer, got "x"`),
// never a crash and never an escaping exception. Bodies larger than `max_body_bytes` and JSON
// nested deeper than `max_depth` are refused before or while parsing.
//
// Thread safety: stateless apart from its limits; safe to share.
#ifndef SYNCAGENT_NET_PROTOCOL_CODEC_H_
#define SYNCAGENT_NET_PROTOCOL_CODEC_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "net/protocol_types.h"
#include "syncagent/status.h"

namespace syncagent {

struct CodecLimits {
  int64_t max_body_bytes = 32 << 20;
  int max_depth = 64;
};

class ProtocolCodec {
 public:
  explicit ProtocolCodec(CodecLimits limits = {}) : limits_(limits) {}

  std::string EncodePushRequest(const PushRequest& request) const;

  // Decodes a 200 push reply and checks it answers `request`: one result per mutation, in order,
  // with matching mutation ids.
  StatusOr<PushResponse> DecodePushResponse(std::string_view body,
                                            const PushRequest& request) const;

  // Decodes a 200 pull reply.
  StatusOr<PullPage> DecodePullPage(std::string_view body) const;
  // The same reply, with every document body as compact JSON text (WireDocument::data_text;
  // `data` stays null), read without building a DOM (net/json_scanner.h): what the sync client
  // uses, since the store keeps text. Anything the scanner does not accept as a well-formed page
  // goes through DecodePullPage, so results and errors are the same as DecodePullPage's.
  StatusOr<PullPage> DecodePullPageText(std::string_view body) const;

  // Decodes an error body; nullopt when it is not one (errors bodies are advisory).
  std::optional<WireError> DecodeError(std::string_view body) const;

  // Parses JSON under the limits; `what` prefixes errors.
  StatusOr<nlohmann::json> ParseJson(std::string_view body, std::string_view what) const;

  // Parses a reply whose items (the values of its top-level array member `items_member`) carry
  // a document body in their member `body_member`. Containers nested deeper than `max_level`
  // (or limits' max_depth) are dropped while parsing (which is iterative: any depth is safe);
  // when one was inside an item's body, the item's index is added to *deep_items, so one deep
  // document costs its own body, not the reply. Only size and syntax fail the reply.
  StatusOr<nlohmann::json> ParseReply(std::string_view body, std::string_view what,
                                      std::string_view items_member, std::string_view body_member,
                                      int max_level, std::set<size_t>* deep_items) const;

 private:
  CodecLimits limits_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_NET_PROTOCOL_CODEC_H_
