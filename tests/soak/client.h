// One soak client: a config + SQLite store in its own directory, driven only through the real
// `syncagent` CLI as separate processes. Two loops run per client, like an app and its OS
// scheduler: the writer (`put` / `patch` / `delete`, sometimes SIGKILLed mid-command) and the
// syncer (`run --json`, sometimes SIGKILLed mid-cycle).
//
// The writer keeps the model of what the client wrote: every write whose command exited 0 — or,
// for a killed or failed command, that `get` shows committed locally — is "issued" and must reach
// the server. Writes carry unique marker fields so each one can be found on the server:
//   notes/c<C>-<N>   the client's own documents: created with marker m<N>, then patched (adds
//                    m<N>, sets rev), replaced by a put (all markers kept, rev set, text maybe
//                    dropped) or deleted (final). Only client C writes them, so the server must
//                    hold exactly the model's last state.
//   shared/s<K>      written by every client with a patch {"c<C>": N, "c<C>m<N>": true,
//                    "last": "c<C>m<N>"}: concurrent edits, conflicts settled by a field merge.
//                    Every marker must be on the server, c<C> must be client C's last N, and
//                    `last` must be one of the issued markers (or absent: the seed).
#ifndef SYNCAGENT_TESTS_SOAK_CLIENT_H_
#define SYNCAGENT_TESTS_SOAK_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tests/soak/event_log.h"
#include "tests/soak/process.h"

namespace syncagent::soak {

inline constexpr const char* kOwnCollection = "notes";
inline constexpr const char* kSharedCollection = "shared";
// Written only by the server's admin in --hostile mode (hostile.h); read back like the others.
inline constexpr const char* kHostileCollection = "hostile";
inline constexpr const char* kTokenEnv = "SYNCAGENT_SOAK_TOKEN";

struct ClientSettings {
  int index = 1;    // 1-based: the C in c<C>
  std::string dir;  // the client's directory (config, store, logs)
  std::string cli;  // the `syncagent` binary
  std::string base_url;
  std::string token;
  int shared_docs = 4;     // 0: no shared documents, hence no conflicts
  int write_min_ms = 100;  // pause between two writes
  int write_max_ms = 500;
  double kill_write_probability = 0.05;
  // Mean time between two SIGKILLed `run`s of this client (0: never). A killed run leaves the
  // sync lease behind, so the client's runs are skipped for budget + 30 s (the lease's grace):
  // kills are spaced in time rather than drawn per run.
  int run_kill_seconds = 60;
  // Never write while this client's `run` is in progress (a control run: the app and the sync
  // never overlap in time).
  bool serialize_writes = false;
  int request_timeout_ms = 4000;
  uint64_t seed = 1;
  EventLog* log = nullptr;
};

enum class WriteOp { kCreate, kPatch, kPutUpdate, kDelete, kShared };
const char* WriteOpName(WriteOp op);

struct IssuedWrite {
  WriteOp op = WriteOp::kCreate;
  std::string collection, key, marker;
  int64_t n = 0;
  bool recovered = false;  // its command was killed or failed; `get` showed it committed
};

struct OwnDoc {
  bool live = true;
  nlohmann::json data;  // null once deleted
  int writes = 0;
  bool uncertain = false;  // a write of unknown outcome: excluded from the checks
};

struct SharedSide {  // this client's writes to one shared document
  int64_t last_n = -1;
  bool uncertain = false;
};

struct ClientCounters {
  std::atomic<int64_t> writes_attempted{0}, writes_issued{0}, writes_killed{0}, writes_failed{0},
      writes_not_committed{0}, writes_uncertain{0};
  std::atomic<int64_t> runs{0}, runs_done{0}, runs_retry{0}, runs_failed{0}, runs_killed{0},
      runs_timed_out{0}, runs_skipped{0}, runs_other{0};
  std::atomic<int64_t> pushed{0}, pulled{0}, conflicts{0};
};

struct RunOutcome {
  ExitInfo exit;
  nlohmann::json result;  // the `run --json` object, or null
  bool spawned = false;
  bool skipped() const { return result.is_object() && result.value("skipped", false); }
  int64_t Cycle(const char* field) const;
};

// A client's replica: (collection, key) -> data of each live document.
using Replica = std::map<std::pair<std::string, std::string>, nlohmann::json>;

class Client {
 public:
  explicit Client(ClientSettings settings);

  bool WriteConfig(std::string* error);
  int index() const { return s_.index; }
  const std::string& dir() const { return s_.dir; }

  void WriterLoop(const std::atomic<bool>& stop);
  void SyncerLoop(const std::atomic<bool>& stop);

  // One `syncagent run --json`; `out_name` names its stdout file (one per calling thread).
  RunOutcome RunOnce(int budget_seconds, std::optional<Millis> kill_after,
                     const std::string& out_name);
  // `syncagent status --json`, or null.
  nlohmann::json Status();
  // `ls` of both collections; false with *error when a command failed.
  bool ReadReplica(Replica* replica, std::string* error);

  // One CLI command outside the loops (stdout in <dir>/<out_name>.out), e.g. a probe.
  ProcessResult Command(const std::vector<std::string>& args, const std::string& out_name) {
    return Cli(args, std::nullopt, Millis(60000), out_name);
  }

  // The model (read after the loops stopped).
  const std::vector<IssuedWrite>& issued() const { return issued_; }
  const std::map<std::string, OwnDoc>& own() const { return own_; }
  const std::map<std::string, SharedSide>& shared() const { return shared_; }
  const std::vector<IssuedWrite>& not_committed() const { return not_committed_; }
  ClientCounters& counters() { return counters_; }

 private:
  ProcessResult Cli(const std::vector<std::string>& args, std::optional<Millis> kill_after,
                    Millis timeout, const std::string& out_name, bool own_stderr = false);
  void WriteOnce(std::mt19937_64& rng);
  // After a killed or failed write: 1 committed, 0 not committed, -1 unknown.
  int Committed(WriteOp op, const std::string& collection, const std::string& key,
                const std::string& marker, const nlohmann::json& new_data);
  void Commit(const IssuedWrite& w, const nlohmann::json& new_data);
  void Log(const std::string& text) const;

  ClientSettings s_;
  ClientCounters counters_;
  std::mutex serial_mu_;  // with serialize_writes: held by a write or a run
  // Writer-thread state.
  int64_t next_n_ = 0;
  std::vector<IssuedWrite> issued_;
  std::map<std::string, OwnDoc> own_;
  std::vector<std::string> live_keys_;
  std::map<std::string, SharedSide> shared_;
  std::vector<IssuedWrite> not_committed_;  // failed or killed, and `get` showed no effect
};

}  // namespace syncagent::soak

#endif  // SYNCAGENT_TESTS_SOAK_CLIENT_H_
