// PouchDbServer: a PouchDB Server (pouchdb_server.js: express-pouchdb over in-memory PouchDB) run
// with `node` for one test, as the CouchDB peer of the tests in tests/couchdb/ and tests/net/.
//
// The peers come from npm (scripts/install-couch-peers puts them in third_party/node/); when node
// is not on PATH or the peers are not installed, Start() fails with a message that says to run
// that script, and the test that asked fails with it (it is never skipped). The process is a
// NodeChild (node_child.h).
//
// Every start is an empty server; stopping it loses everything (an in-memory server).
//
// Thread safety: one thread uses an instance; distinct instances are independent.
#ifndef SYNCAGENT_TESTS_COUCHDB_POUCHDB_SERVER_H_
#define SYNCAGENT_TESTS_COUCHDB_POUCHDB_SERVER_H_

#include <memory>
#include <string>

#include "syncagent/status.h"
#include "tests/couchdb/node_child.h"

namespace syncagent::couch_testing {

struct PouchDbServerOptions {
  // "name:password" makes `name` the server admin (the server leaves "admin party"); empty: none.
  std::string admin;
  // The peers' node_modules folder; empty: third_party/node/node_modules of this source tree
  // (third_party/node-auth/node_modules with complete_package).
  std::string modules_dir;
  // True: the complete pouchdb-server 4.2.0 package (PouchDB 7, `_users`; pouchdb_server_auth.js
  // over third_party/node-auth/, which `scripts/install-couch-peers --auth` fills), as the basic
  // auth tests need; false: express-pouchdb 4.2.0 over PouchDB 9 (pouchdb_server.js).
  bool complete_package = false;
  // The port to listen on; 0: one the OS picks. (A stopped server's port, to restart "the same"
  // server: it comes back empty.)
  int port = 0;
};

class PouchDbServer {
 public:
  // Spawns node on pouchdb_server.js (or pouchdb_server_auth.js) and waits for its
  // "listening on URL" line.
  static StatusOr<std::unique_ptr<PouchDbServer>> Start(PouchDbServerOptions options = {});

  PouchDbServer(const PouchDbServer&) = delete;
  PouchDbServer& operator=(const PouchDbServer&) = delete;
  // Stops the server when it still runs (as Stop()).
  ~PouchDbServer();

  // "http://127.0.0.1:PORT" (no trailing slash).
  const std::string& url() const { return url_; }
  int port() const;

  // Sends SIGTERM and waits for the exit; returns the exit code (-signal when killed; a server
  // that has not exited 30 s after SIGTERM is killed). REQUIRES: not stopped yet.
  int Stop();
  // What the server wrote on stderr so far.
  std::string Stderr() const;

 private:
  PouchDbServer(std::unique_ptr<NodeChild> child, std::string url);

  std::unique_ptr<NodeChild> child_;  // stops it when destroyed
  std::string url_;
};

}  // namespace syncagent::couch_testing

#endif  // SYNCAGENT_TESTS_COUCHDB_POUCHDB_SERVER_H_
