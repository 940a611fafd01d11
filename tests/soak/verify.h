// The soak's final accounting: the clients' models of what they wrote against the server's
// documents and exactly-once statistics, and every replica against the server.
#ifndef SYNCAGENT_TESTS_SOAK_VERIFY_H_
#define SYNCAGENT_TESTS_SOAK_VERIFY_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/soak/client.h"

namespace syncagent::soak {

struct Verdict {
  int64_t issued = 0;         // writes whose command exited 0, or found committed after a crash
  int64_t on_server = 0;      // issued writes whose effect the server holds
  int64_t lost = 0;           // issued - on_server
  int64_t unchecked = 0;      // writes to a document with a write of unknown outcome
  int64_t duplicates = 0;     // applied_twice + single_write_versions
  int64_t applied_twice = 0;  // mutation ids the server applied more than once
  int64_t single_write_versions = 0;  // documents written once whose server version is not 1
  int64_t phantoms = 0;  // writes found NOT committed locally that the server has anyway
  int64_t bad_last = 0;  // shared documents whose "last" names no marker they hold
  int64_t replays = 0;   // answers the server served from its exactly-once memory
  int64_t mutations_applied = 0;
  int64_t server_documents = 0, server_tombstones = 0;
  bool converged = false;
  int64_t replica_mismatches = 0;  // (client, document) pairs that differ from the server
  int64_t queued = 0, dead_letters = 0, open_conflicts = 0;  // summed over the clients
  std::vector<std::string> problems;  // the first few, for the log and the report
};

// `docs`: GET /_admin/docs; `stats`: GET /_admin/stats; `replicas` and `statuses` in the order
// of `clients` (a null status or a replica that could not be read counts as not converged).
Verdict Verify(const std::vector<Client*>& clients, const nlohmann::json& docs,
               const nlohmann::json& stats, const std::vector<Replica>& replicas,
               const std::vector<bool>& replica_ok, const std::vector<nlohmann::json>& statuses);

}  // namespace syncagent::soak

#endif  // SYNCAGENT_TESTS_SOAK_VERIFY_H_
