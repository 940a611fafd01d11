// Plain value types shared by the mock server's state, persistence and HTTP layers.
//
// DocumentState is one document as the server holds it (the current state only: the change feed
// is compacted, one entry per document). MutationRecord is what the server remembers about a
// mutation_id for exactly-once replay.
//
// Thread safety: values; the owner (SyncState) serialises access.
#ifndef SYNCAGENT_TOOLS_MOCK_SERVER_SYNC_TYPES_H_
#define SYNCAGENT_TOOLS_MOCK_SERVER_SYNC_TYPES_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace syncagent::mock {

struct DocumentState {
  std::string collection;
  std::string key;
  int64_t version = 0;     // 1 on creation, +1 per change (deletion included)
  bool deleted = false;    // a tombstone keeps its version
  nlohmann::json data;     // an object, or null when deleted
  nlohmann::json hlc;      // the stamp of the mutation that produced `version` (string or null)
  int64_t change_seq = 0;  // position of the last change in the global change sequence
  // The push envelope's `origin` of the mutation that produced `version` ("" when none was sent,
  // and for admin writes).
  std::string origin;

  // {"collection","key","version","deleted","data","hlc"}: the wire form of a pulled change.
  nlohmann::json ToChangeJson() const {
    return {{"collection", collection}, {"key", key},   {"version", version},
            {"deleted", deleted},       {"data", data}, {"hlc", hlc}};
  }
  // {"version","deleted","data","hlc"}: the `current` member of a conflict result.
  nlohmann::json ToCurrentJson() const {
    return {{"version", version}, {"deleted", deleted}, {"data", data}, {"hlc", hlc}};
  }
};

struct MutationRecord {
  std::string canonical;      // canonical payload: collection, key, op, base_version, data
  nlohmann::json result;      // the original result object, returned verbatim on replay
  int64_t applied_count = 0;  // how many times the mutation took effect (0 or 1, by design)
  int64_t replay_count = 0;   // how many times it was answered from memory
};

}  // namespace syncagent::mock

#endif  // SYNCAGENT_TOOLS_MOCK_SERVER_SYNC_TYPES_H_
