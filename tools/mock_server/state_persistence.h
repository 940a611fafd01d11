// SQLite persistence of the mock server's state (`--data FILE`).
//
// Write-through: SyncState calls the Save* methods inside Begin()/Commit() for every request
// that changes state, so the file always holds the state after the last answered request, and
// Load() at start-up restores documents, the change sequence and the exactly-once memory.
// The file is created with mode 0600 (it holds user documents).
//
// Thread safety: not thread-safe; SyncState calls it under its own mutex.
#ifndef SYNCAGENT_TOOLS_MOCK_SERVER_STATE_PERSISTENCE_H_
#define SYNCAGENT_TOOLS_MOCK_SERVER_STATE_PERSISTENCE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "syncagent/status.h"
#include "tools/mock_server/sync_types.h"

struct sqlite3;

namespace syncagent::mock {

class StatePersistence {
 public:
  struct Snapshot {
    std::string epoch;  // empty when the file is new
    int64_t head = 0;
    std::vector<DocumentState> documents;
    std::vector<std::pair<std::string, MutationRecord>> mutations;
  };

  // Opens (creating when missing) the database at `path`.
  static StatusOr<std::unique_ptr<StatePersistence>> Open(const std::string& path);
  ~StatePersistence();
  StatePersistence(const StatePersistence&) = delete;
  StatePersistence& operator=(const StatePersistence&) = delete;

  StatusOr<Snapshot> Load();

  Status Begin();
  Status Commit();
  void Rollback();

  Status SaveDocument(const DocumentState& document);
  Status SaveMutation(const std::string& mutation_id, const MutationRecord& record);
  Status SaveMeta(const std::string& epoch, int64_t head);
  // Deletes every document and mutation record (POST /_admin/reset).
  Status Clear();

 private:
  StatePersistence(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status Exec(const char* sql);
  Status Error(const char* what) const;

  sqlite3* db_;
  std::string path_;
};

}  // namespace syncagent::mock

#endif  // SYNCAGENT_TOOLS_MOCK_SERVER_STATE_PERSISTENCE_H_
