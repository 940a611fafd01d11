// sync_roles: what sync_bench's worker roles share across its two files — the document every
// scenario syncs, the status check — and the floor roles (sync_floor_roles.cc) that the
// scenarios in sync_bench.cc run beside the agent's roles.
//
// A role runs in its own child process (bench_process.h: RunWorker), prints one JSON object on
// stdout and returns the process's exit code.
#ifndef SYNCAGENT_BENCH_SYNC_ROLES_H_
#define SYNCAGENT_BENCH_SYNC_ROLES_H_

#include <nlohmann/json.hpp>
#include <string>

#include "bench/bench_process.h"
#include "syncagent/status.h"

namespace syncagent::bench {

inline void Check(const Status& status, const char* what) {
  if (!status.ok()) Fail(std::string(what) + ": " + status.ToString());
}

inline const std::string kFiller(120, 'x');

// The document every scenario syncs: ~200 bytes once framed as a change.
inline nlohmann::json MakeDoc(int i) {
  return {{"title", "Note " + std::to_string(i)}, {"n", i}, {"body", kFiller}};
}

// The floor of a pull of `docs` seeded documents from `url`: a bare libcurl loop fetching the
// agent's pages, then a bare SQLite loop upserting the same rows into the Store's schema in
// `dir`. Prints {"curl_seconds", "sqlite_seconds", "seconds", "pages", "bytes"}.
int RolePullFloor(const std::string& url, int docs, const std::string& dir);

// The floor of a push of `docs` queued writes to `url`: a bare libcurl loop POSTing the agent's
// request bodies (pre-encoded, pre-gzipped), then a bare SQLite delete of the same outbox rows
// in `dir`. Prints {"curl_seconds", "sqlite_seconds", "seconds", "requests", "raw_bytes",
// "wire_bytes"}.
int RolePushFloor(const std::string& url, int docs, const std::string& dir);

}  // namespace syncagent::bench

#endif  // SYNCAGENT_BENCH_SYNC_ROLES_H_
