// SyncState: the mock server's data model and the syncagent/1 rules (docs/protocol.md).
//
// Holds the documents (current state only), the global change sequence that orders them for
// pull (a compacted change feed: each document sits at the position of its last change), and the
// exactly-once memory: mutation_id -> (canonical payload, original result, applied count).
// Push applies mutations in order with optimistic concurrency; Pull pages through the feed with
// opaque cursors "c1.<epoch>.<seq>" (the epoch changes on reset, so old cursors become invalid).
// With a data file every state change is written through to SQLite before the answer is sent.
//
// Thread safety: all public methods are thread-safe (one mutex; requests are serialised).
#ifndef SYNCAGENT_TOOLS_MOCK_SERVER_SYNC_STATE_H_
#define SYNCAGENT_TOOLS_MOCK_SERVER_SYNC_STATE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "syncagent/status.h"
#include "tools/mock_server/mutation_parser.h"
#include "tools/mock_server/state_persistence.h"
#include "tools/mock_server/sync_types.h"

namespace syncagent::mock {

class SyncState {
 public:
  // The HTTP status and JSON body of a push (200 with results, or 422 mutation_id_reused).
  struct PushOutcome {
    int http_status = 200;
    nlohmann::json body;
  };
  struct PullPage {
    std::vector<std::string> changes;  // each change as compact JSON text
    std::string cursor;
    bool has_more = false;
    int64_t skipped = 0;  // changes passed over because their origin was `skip_origin`
  };
  struct Stats {
    std::map<std::string, int64_t> applied;   // mutation_id -> times it took effect
    std::map<std::string, int64_t> replayed;  // mutation_id -> times answered from memory
    int64_t head = 0;
    int64_t documents = 0;
  };

  // In memory when `data_file` is empty, else loaded from / written through to that SQLite file.
  static StatusOr<std::unique_ptr<SyncState>> Open(const std::string& data_file);

  // REQUIRES: `mutations` is an array (the envelope was validated by the caller). `origin` (the
  // envelope's, "" when absent) is recorded on every change the request makes.
  PushOutcome Push(const nlohmann::json& mutations, const std::string& origin = {});

  // Changes after `cursor` ("" = from the beginning), at most `limit`, restricted to
  // `collections` when not empty. Changes whose origin equals a non-empty `skip_origin` are not
  // returned but the cursor moves past them. With `max_bytes` > 0 the page's changes stay within
  // that many bytes of JSON text (with room for the envelope): the page ends early, and a change
  // too large on its own is sent as an `omitted` stub (docs/protocol.md §4.6). InvalidArgument
  // when the cursor is not one of ours.
  StatusOr<PullPage> Pull(const std::string& cursor, size_t limit,
                          const std::vector<std::string>& collections,
                          const std::string& skip_origin = {}, int64_t max_bytes = 0);

  // Writes as "another client" (admin endpoints): version+1 and a new change, no concurrency check.
  StatusOr<DocumentState> AdminPut(const std::string& collection, const std::string& key,
                                   const nlohmann::json& data, const nlohmann::json& hlc);
  // NotFound when there is no live document.
  StatusOr<DocumentState> AdminDelete(const std::string& collection, const std::string& key,
                                      const nlohmann::json& hlc);

  std::vector<DocumentState> Documents() const;  // sorted by (collection, key)
  std::optional<DocumentState> Find(const std::string& collection, const std::string& key) const;
  Stats GetStats() const;
  std::string HeadCursor() const;
  // Forgets everything (documents, feed, exactly-once memory) and starts a new cursor epoch.
  Status Reset();

 private:
  using DocKey = std::pair<std::string, std::string>;

  explicit SyncState(std::unique_ptr<StatePersistence> persistence)
      : persistence_(std::move(persistence)) {}

  // Each returns the result object of one mutation; they record what must be persisted.
  nlohmann::json ApplyLocked(const Mutation& m, const std::string& origin);
  DocumentState& CommitChangeLocked(DocumentState document);
  std::string EncodeCursorLocked(int64_t seq) const;
  StatusOr<int64_t> DecodeCursorLocked(const std::string& cursor) const;
  // Writes dirty documents/mutations and the head in one transaction.
  Status FlushLocked();

  mutable std::mutex mu_;
  std::unique_ptr<StatePersistence> persistence_;  // null: in memory only
  std::string epoch_;
  int64_t head_ = 0;
  std::map<DocKey, DocumentState> documents_;
  std::map<int64_t, DocKey> feed_;  // change_seq -> document
  std::map<std::string, MutationRecord> mutations_;
  std::vector<DocKey> dirty_documents_;
  std::vector<std::string> dirty_mutations_;
};

}  // namespace syncagent::mock

#endif  // SYNCAGENT_TOOLS_MOCK_SERVER_SYNC_STATE_H_
