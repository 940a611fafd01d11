// PouchDbDevice: PouchDB itself (pouchdb_device.js: pouchdb-core, in-memory adapter, HTTP adapter
// and replication, from the npm peers) run with node as a second device of the CouchDB interop
// tests: it writes documents offline and replicates with a database on the server, as an
// offline-first app built on PouchDB does.
//
// Every call is one command line to the script and its one answer line back; a failure (the
// script's {"error"}, a dead or missing node, missing peers) is a Status naming it, so a machine
// without the peers fails the test instead of skipping it (kInstallPeersHint).
//
// Thread safety: one thread uses an instance.
#ifndef SYNCAGENT_TESTS_COUCHDB_POUCHDB_DEVICE_H_
#define SYNCAGENT_TESTS_COUCHDB_POUCHDB_DEVICE_H_

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "syncagent/status.h"
#include "tests/couchdb/node_child.h"

namespace syncagent::couch_testing {

// One document as the device sees it.
struct DeviceDocument {
  nlohmann::json data;  // null when absent or deleted
  std::string rev;      // its winning revision ("" when absent)
  std::vector<std::string> conflicts;  // the losing leaves the device holds
};

class PouchDbDevice {
 public:
  // Spawns node on pouchdb_device.js and waits for its "ready" line. `modules_dir` empty:
  // DefaultModulesDir().
  static StatusOr<std::unique_ptr<PouchDbDevice>> Start(std::string modules_dir = "");

  // Writes `data` on the document's winning revision (creates it); returns the new revision.
  StatusOr<std::string> Put(const std::string& id, const nlohmann::json& data);
  StatusOr<std::string> Delete(const std::string& id);
  StatusOr<DeviceDocument> Get(const std::string& id);
  // Creates documents prefix0..prefix(count-1) with data {"n": i}.
  Status PutMany(const std::string& prefix, int count);
  // Every live document's data by id; `conflicted` (may be null) gets the ids with conflicts.
  StatusOr<nlohmann::json> All(std::vector<std::string>* conflicted = nullptr);
  // One-shot replication to, then from, the database at `database_url`.
  Status Sync(const std::string& database_url);

  // Stops node; returns its exit code.
  int Stop() { return child_->Stop(); }

 private:
  explicit PouchDbDevice(std::unique_ptr<NodeChild> child) : child_(std::move(child)) {}

  // Sends `command`, returns the answer (without "ok"); the script's error as kInternal.
  StatusOr<nlohmann::json> Call(const nlohmann::json& command);

  std::unique_ptr<NodeChild> child_;
};

}  // namespace syncagent::couch_testing

#endif  // SYNCAGENT_TESTS_COUCHDB_POUCHDB_DEVICE_H_
