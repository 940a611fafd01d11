// The syncagent/1 wire types (docs/protocol.md): what a push batch, a push result and a pull page
// hold once decoded. Plain values; the codec turns them into and out of JSON.
#ifndef SYNCAGENT_NET_PROTOCOL_TYPES_H_
#define SYNCAGENT_NET_PROTOCOL_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace syncagent {

enum class WireOp { kPut, kPatch, kDelete };
std::string_view WireOpName(WireOp op);

struct WireMutation {
  std::string mutation_id;
  int64_t seq = 0;
  std::string collection;
  std::string key;
  WireOp op = WireOp::kPut;
  std::optional<int64_t> base_version;  // nullopt = create
  nlohmann::json data;                  // object for put/patch, null for delete
  std::string hlc;
};

struct PushRequest {
  std::string client_id;
  std::string batch_id;
  std::vector<WireMutation> mutations;
  std::string origin;  // docs/protocol.md §4.5; empty = not sent
};

// The server's copy of a document, as sent in conflicts and pull pages.
struct WireDocument {
  int64_t version = 0;
  bool deleted = false;
  nlohmann::json data;  // null when deleted or never existed
  std::string hlc;      // empty when the server has none
  // ProtocolCodec::DecodePullPageText only: `data` as compact JSON text ("" when deleted).
  std::string data_text;
  // Non-empty when the body cannot be taken (docs/protocol.md §2.3): nested deeper than the
  // document limit, over the size limit, or left out by the server ("omitted"). `data` and
  // `data_text` are then empty; the version and the address are still valid.
  std::string unusable;

  // The server never had this document (a conflict's `current` for a missing document).
  bool never_existed() const { return version == 0; }
};

struct PushResult {
  enum class Kind { kApplied, kConflict, kRejected };
  std::string mutation_id;
  Kind kind = Kind::kApplied;
  int64_t version = 0;     // kApplied
  std::string hlc;         // kApplied
  WireDocument current;  // kConflict
  std::string code;        // kRejected
  std::string message;     // kRejected
};

struct PushResponse {
  std::vector<PushResult> results;  // one per mutation, in request order
};

struct WireChange {
  std::string collection;
  std::string key;
  WireDocument document;
};

struct PullRequest {
  std::string cursor;  // empty = from the beginning
  int limit = 100;
  std::vector<std::string> collections;  // empty = all
  std::string if_none_match;             // ETag of the previous page at this cursor
  std::string skip_origin;               // docs/protocol.md §4.5; empty = not sent
  // docs/protocol.md §4.6: the largest page body the client can take; 0 = not sent. A server
  // that knows the parameter fills the page up to it and sends a document too large for it
  // alone as an `omitted` stub.
  int64_t max_bytes = 0;
};

struct PullPage {
  bool not_modified = false;  // 304: nothing new since `cursor`; the other fields are empty
  std::vector<WireChange> changes;
  std::string cursor;
  bool has_more = false;
  std::string etag;
};

// The body of a non-2xx reply: {"error": {"code": "...", "message": "..."}}.
struct WireError {
  std::string code;
  std::string message;
  std::string mutation_id;  // set with 422 mutation_id_reused
};

}  // namespace syncagent

#endif  // SYNCAGENT_NET_PROTOCOL_TYPES_H_
