// syncagent-soak: a long fault soak of real processes (scripts/soak; docs/security.md, "Soak").
//
// It starts the mock server (`syncagent-mock-server --admin --token T --data FILE`, next to this
// binary) and N clients, each a config + SQLite store driven only through the `syncagent` CLI:
// a writer loop (`put` / `patch` / `delete`, some SIGKILLed mid-command) and a syncer loop
// (`run --json`, some SIGKILLed mid-cycle) per client. Every few seconds a new random fault
// episode replaces the server's faults (or clears them); every minute or two the server itself is
// SIGKILLed and restarted on the same port from its data file. At the end the faults are cleared,
// every client syncs until a whole round moves nothing, and the clients' models of what they
// wrote are checked against the server (client.h, verify.h). The last lines on stdout are
//   writes issued: N / writes on the server: N / duplicates: N / lost: N / converged: yes|no /
//   result: PASS|FAIL
// and the exit code is 0 only on PASS (1 on FAIL, 2 on bad flags or a setup failure).
#include <curl/curl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/soak/client.h"
#include "tests/soak/event_log.h"
#include "tests/soak/faults.h"
#include "tests/soak/hostile.h"
#include "tests/soak/random.h"
#include "tests/soak/server.h"
#include "tests/soak/verify.h"

namespace syncagent::soak {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

volatile std::sig_atomic_t g_interrupted = 0;
void OnSignal(int) { g_interrupted = 1; }

struct Flags {
  int duration_seconds = 600;
  int clients = 4;
  uint64_t seed = 0;
  bool seed_set = false;
  bool keep = false;
  bool verbose = false;
  int run_kill_seconds = 60;
  bool serialize_writes = false;
  bool hostile = false;
  int shared_docs = 4;
  double kill_write_probability = 0.05;
  int server_restart_seconds = 90;
  int quiesce_seconds = 240;
  std::string bin_dir;
};

constexpr const char* kUsage =
    "usage: syncagent-soak [--duration-seconds N] [--clients N] [--seed N] [--keep] [--verbose]\n"
    "                      [--run-kill-seconds N] [--kill-write-probability P]\n"
    "                      [--server-restart-seconds N] [--quiesce-seconds N] "
    "[--serialize-writes]\n"
    "                      [--shared-docs N] [--bin-dir DIR] [--hostile]\n"
    "\n"
    "A fault soak of real processes: the mock server and N `syncagent` clients (writers and\n"
    "sync runs as separate processes, some SIGKILLed), random server faults every 2-6 s, server\n"
    "crashes and restarts; then every client syncs until quiet and the writes are accounted.\n"
    "  --duration-seconds N        how long writes and faults go on (default 600)\n"
    "  --clients N                 number of clients (default 4)\n"
    "  --seed N                    random seed (default: random; printed)\n"
    "  --keep                      keep the work directory (it is always kept on FAIL)\n"
    "  --verbose                   echo every event to stderr (always in <dir>/soak.log)\n"
    "  --run-kill-seconds N        SIGKILL a client's `run` at a random moment every ~N s\n"
    "                              (default 60; 0: never; the lease then holds ~35 s)\n"
    "  --kill-write-probability P  share of writes SIGKILLed at a random moment (default 0.05)\n"
    "  --server-restart-seconds N  SIGKILL + restart the server every ~N s (default 90; 0: never)\n"
    "  --quiesce-seconds N         limit of the final sync (default 240)\n"
    "  --serialize-writes          a client never writes while its own `run` is in progress\n"
    "  --shared-docs N             documents every client patches (default 4; 0: no conflicts)\n"
    "  --bin-dir DIR               where syncagent and syncagent-mock-server are (default: here)\n"
    "  --hostile                   also plant documents past the document limits and 10 of\n"
    "                              3.5 MB (tests/soak/hostile.h), try a deep local write on every\n"
    "                              client, and reset the server's data at 40% of the run\n"
    "Exit 0: PASS; 1: FAIL; 2: bad flags or setup failure.\n";

// Whole-string numbers (std::sto* alone would read "8ee9" as 8); throw on anything else.
template <typename T, typename Parse>
T Whole(const std::string& text, Parse parse) {
  size_t used = 0;
  const T value = parse(text, &used);
  if (used != text.size()) throw std::invalid_argument(text);
  return value;
}
int ToInt(const std::string& t) {
  return Whole<int>(t, [](const std::string& s, size_t* n) { return std::stoi(s, n); });
}
uint64_t ToU64(const std::string& t) {
  return Whole<uint64_t>(t, [](const std::string& s, size_t* n) { return std::stoull(s, n); });
}
double ToReal(const std::string& t) {
  return Whole<double>(t, [](const std::string& s, size_t* n) { return std::stod(s, n); });
}

bool ParseFlags(int argc, char** argv, Flags* f, std::string* error) {
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i], value;
    bool has_value = false;
    if (const auto eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      has_value = true;
    }
    auto next = [&]() -> bool {
      if (has_value) return true;
      if (i + 1 >= argc) return false;
      value = argv[++i];
      return true;
    };
    try {
      if (flag == "--keep") {
        f->keep = true;
      } else if (flag == "--serialize-writes") {
        f->serialize_writes = true;
      } else if (flag == "--hostile") {
        f->hostile = true;
      } else if (flag == "--verbose" || flag == "-v") {
        f->verbose = true;
      } else if (flag == "--help" || flag == "-h") {
        std::cout << kUsage;
        std::exit(0);
      } else if (!next()) {
        *error = flag.rfind("--", 0) == 0 ? flag + ": missing value" : "unexpected: " + flag;
        return false;
      } else if (flag == "--duration-seconds") {
        f->duration_seconds = ToInt(value);
      } else if (flag == "--clients") {
        f->clients = ToInt(value);
      } else if (flag == "--seed") {
        f->seed = ToU64(value);
        f->seed_set = true;
      } else if (flag == "--run-kill-seconds") {
        f->run_kill_seconds = ToInt(value);
      } else if (flag == "--kill-write-probability") {
        f->kill_write_probability = ToReal(value);
      } else if (flag == "--server-restart-seconds") {
        f->server_restart_seconds = ToInt(value);
      } else if (flag == "--shared-docs") {
        f->shared_docs = ToInt(value);
      } else if (flag == "--quiesce-seconds") {
        f->quiesce_seconds = ToInt(value);
      } else if (flag == "--bin-dir") {
        f->bin_dir = value;
      } else {
        *error = "unknown flag: " + flag;
        return false;
      }
    } catch (const std::exception&) {
      *error = flag + ": bad value \"" + value + "\"";
      return false;
    }
  }
  if (f->duration_seconds < 1 || f->clients < 1 || f->clients > 64 || f->run_kill_seconds < 0 ||
      f->kill_write_probability < 0 || f->kill_write_probability > 1 ||
      f->server_restart_seconds < 0 || f->quiesce_seconds < 10 || f->shared_docs < 0 ||
      f->shared_docs > 100) {
    *error = "a value is out of range";
    return false;
  }
  return true;
}

// Sleeps up to `d`, waking early when `stop` is set or the driver is interrupted.
void SleepUnless(const std::atomic<bool>& stop, Millis d) {
  const auto until = Clock::now() + d;
  while (!stop.load() && !g_interrupted && Clock::now() < until) {
    std::this_thread::sleep_for(std::min(
        Millis(100), std::chrono::duration_cast<Millis>(until - Clock::now() + Millis(1))));
  }
}

// Faults and server restarts share the admin endpoint; counters are collected before each
// replacement and before each crash (a restarted server forgets its rules).
struct FaultState {
  std::mutex mu;
  std::map<std::string, int64_t> fired;
  int64_t episodes = 0, clears = 0, restarts = 0;

  void Collect(const ServerProcess& server) {  // REQUIRES: mu held
    if (auto reply = server.Admin("GET", "/_admin/faults")) AddFired(*reply, &fired);
  }
};

void FaultLoop(ServerProcess& server, FaultState& state, std::mt19937_64 rng,
               const std::atomic<bool>& stop, int max_request_ms, EventLog& log) {
  while (!stop.load() && !g_interrupted) {
    SleepUnless(stop, Millis(Uniform(rng, 2000, 6000)));
    if (stop.load() || g_interrupted) break;
    std::lock_guard<std::mutex> lock(state.mu);
    state.Collect(server);
    std::string error;
    if (Uniform(rng, 0, 99) < 20) {
      ++state.clears;
      if (!server.Admin("DELETE", "/_admin/faults", nullptr, &error)) log.Line("faults: " + error);
      log.Line("faults: cleared");
      continue;
    }
    const FaultEpisode episode = RandomFaultEpisode(rng, max_request_ms);
    ++state.episodes;
    if (!server.Admin("POST", "/_admin/faults", &episode.scenario, &error)) {
      log.Line("faults: " + error);
    }
    log.Line("faults: " + episode.label);
  }
}

std::string Join(const std::map<std::string, int64_t>& m) {
  std::string s;
  for (const auto& [k, n] : m) s += (s.empty() ? "" : ", ") + k + " " + std::to_string(n);
  return s.empty() ? "none" : s;
}

int64_t Sum(const std::vector<std::unique_ptr<Client>>& clients,
            std::atomic<int64_t> ClientCounters::*field) {
  int64_t total = 0;
  for (const auto& c : clients) total += (c->counters().*field).load();
  return total;
}

// Runs every client until one whole round succeeds with nothing pushed or pulled anywhere.
int Quiesce(std::vector<std::unique_ptr<Client>>& clients, int limit_seconds, EventLog& log,
            bool* quiet) {
  const auto deadline = Clock::now() + std::chrono::seconds(limit_seconds);
  int rounds = 0;
  *quiet = false;
  while (!*quiet && Clock::now() < deadline && !g_interrupted) {
    ++rounds;
    *quiet = true;
    bool skipped = false;
    for (auto& c : clients) {
      const RunOutcome o = c->RunOnce(20, std::nullopt, "final");
      const bool moved = o.Cycle("pushed") > 0 || o.Cycle("pulled") > 0;
      const bool done = o.exit.exited && o.exit.code == 0 && !o.skipped() && o.result.is_object() &&
                        o.result.contains("cycle") &&
                        o.result["cycle"].value("outcome", "") == "done";
      skipped = skipped || o.skipped();
      if (!done || moved) *quiet = false;
      log.Line("final round " + std::to_string(rounds) + ": c" + std::to_string(c->index()) + ": " +
               (o.result.is_object() ? o.result.dump() : "exit " + std::to_string(o.exit.code)));
    }
    if (!*quiet) std::this_thread::sleep_for(skipped ? Millis(2000) : Millis(200));
  }
  return rounds;
}

// What a phase of writes, syncs and faults works on.
struct PhaseContext {
  std::vector<std::unique_ptr<Client>>& clients;
  ServerProcess& server;
  FaultState& faults;
  std::mt19937_64& rng;
  const Flags& flags;
  EventLog& log;
  int request_timeout_ms;
};

// Writers, syncers and fault episodes for `seconds`, with server crashes and restarts; returns
// true when the server could not be restarted.
bool RunPhase(PhaseContext& p, int seconds) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (auto& c : p.clients) {
    threads.emplace_back([&c, &stop] { c->WriterLoop(stop); });
    threads.emplace_back([&c, &stop] { c->SyncerLoop(stop); });
  }
  std::thread fault_thread(FaultLoop, std::ref(p.server), std::ref(p.faults),
                           std::mt19937_64(p.rng()), std::cref(stop), p.request_timeout_ms,
                           std::ref(p.log));
  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(seconds);
  auto next_progress = start + std::chrono::seconds(30);
  const int r = p.flags.server_restart_seconds;
  auto next_restart = start + std::chrono::seconds(r > 0 ? Uniform(p.rng, r / 2, r * 3 / 2) : 0);
  bool failed = false;
  std::string error;
  while (Clock::now() < end && !g_interrupted && !failed) {
    std::this_thread::sleep_for(Millis(100));
    const auto now = Clock::now();
    if (r > 0 && now >= next_restart) {
      std::lock_guard<std::mutex> lock(p.faults.mu);
      p.faults.Collect(p.server);
      p.server.Kill();
      p.log.Line("server: SIGKILL");
      std::this_thread::sleep_for(Millis(Uniform(p.rng, 0, 1500)));  // clients meet a dead port
      if (!p.server.Start(&error)) {
        p.log.Progress("cannot restart the mock server: " + error);
        failed = true;
      }
      ++p.faults.restarts;
      p.log.Line("server: restarted");
      next_restart = now + std::chrono::seconds(Uniform(p.rng, r / 2, r * 3 / 2));
    }
    if (now >= next_progress) {
      next_progress += std::chrono::seconds(30);
      std::lock_guard<std::mutex> lock(p.faults.mu);
      p.log.Progress(std::to_string(static_cast<int>(p.log.Seconds())) + " s: writes " +
                     std::to_string(Sum(p.clients, &ClientCounters::writes_issued)) + " issued (" +
                     std::to_string(Sum(p.clients, &ClientCounters::writes_killed)) +
                     " killed), runs " + std::to_string(Sum(p.clients, &ClientCounters::runs)) +
                     " (" + std::to_string(Sum(p.clients, &ClientCounters::runs_killed)) +
                     " killed), fault episodes " + std::to_string(p.faults.episodes) +
                     ", server restarts " + std::to_string(p.faults.restarts));
    }
  }
  stop.store(true);
  for (std::thread& t : threads) t.join();
  fault_thread.join();
  return failed;
}

// --hostile, between the phases: faults off, every client synced, then the server loses all its
// data (POST /_admin/reset) and the documents no client can take are planted again. Writes made
// from then on meet a server that acknowledged documents it no longer has (docs/protocol.md §6.8):
// every client must re-upload what it holds, and keep its offline edits.
bool ResetServerData(PhaseContext& p, std::string* error) {
  {
    std::lock_guard<std::mutex> lock(p.faults.mu);
    p.faults.Collect(p.server);
    p.server.Admin("DELETE", "/_admin/faults");
  }
  bool quiet = false;
  Quiesce(p.clients, p.flags.quiesce_seconds, p.log, &quiet);
  const json no_options = json::object();
  if (!p.server.Admin("POST", "/_admin/reset", &no_options, error)) return false;
  p.log.Progress(std::string("server: data reset (") + (quiet ? "after a quiet sync" : "NOT quiet") +
                 ")");
  return PlantHostileDocuments(p.server, /*big=*/false, error);
}

int Main(int argc, char** argv) {
  Flags flags;
  std::string error;
  if (!ParseFlags(argc, argv, &flags, &error)) {
    std::cerr << "syncagent-soak: " << error << "\n" << kUsage;
    return 2;
  }
  const auto wall_start = Clock::now();
  curl_global_init(CURL_GLOBAL_DEFAULT);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);

  std::string bin_dir = flags.bin_dir;
  if (bin_dir.empty()) bin_dir = fs::read_symlink("/proc/self/exe").parent_path().string();
  const std::string cli = bin_dir + "/syncagent";
  const std::string server_bin = bin_dir + "/syncagent-mock-server";
  for (const std::string& b : {cli, server_bin}) {
    if (::access(b.c_str(), X_OK) != 0) {
      std::cerr << "syncagent-soak: " << b << " is not an executable (build syncagent-cli and "
                << "syncagent-mock-server, or pass --bin-dir)\n";
      return 2;
    }
  }
  if (!flags.seed_set) flags.seed = std::random_device{}() * 4294967296ull + std::random_device{}();
  std::mt19937_64 rng(flags.seed);

  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/syncagent-soak.XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::cerr << "syncagent-soak: mkdtemp: " << std::strerror(errno) << "\n";
    return 2;
  }
  const std::string dir = pattern;
  EventLog log(dir + "/soak.log", flags.verbose);
  log.Progress("seed " + std::to_string(flags.seed) + ", " + std::to_string(flags.clients) +
               " clients, " + std::to_string(flags.duration_seconds) + " s, work dir " + dir);

  const std::string token = "soak-" + std::to_string(rng());
  ServerProcess server(server_bin, dir + "/server.db", token, dir);
  if (!server.Start(&error)) {
    std::cerr << "syncagent-soak: cannot start the mock server: " << error << "\n";
    return 2;
  }
  log.Line("server: " + server.base_url());
  const int shared_docs = flags.shared_docs;
  for (int k = 0; k < shared_docs; ++k) {
    const json seed_doc = {{"seed", k}};
    if (!server.Admin("PUT", "/_admin/docs/shared/s" + std::to_string(k), &seed_doc, &error)) {
      std::cerr << "syncagent-soak: " << error << "\n";
      return 2;
    }
  }

  const int request_timeout_ms = 4000;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 1; i <= flags.clients; ++i) {
    ClientSettings s;
    s.index = i;
    s.dir = dir + "/c" + std::to_string(i);
    s.cli = cli;
    s.base_url = server.base_url();
    s.token = token;
    s.shared_docs = shared_docs;
    s.kill_write_probability = flags.kill_write_probability;
    s.run_kill_seconds = flags.run_kill_seconds;
    s.serialize_writes = flags.serialize_writes;
    s.request_timeout_ms = request_timeout_ms;
    s.seed = rng();
    s.log = &log;
    fs::create_directories(s.dir);
    clients.push_back(std::make_unique<Client>(s));
    if (!clients.back()->WriteConfig(&error)) {
      std::cerr << "syncagent-soak: " << error << "\n";
      return 2;
    }
    // A first clean sync, so every client holds the shared documents before it patches them.
    const RunOutcome o = clients.back()->RunOnce(20, std::nullopt, "setup");
    if (!o.exit.exited || o.exit.code != 0 || o.Cycle("pulled") < shared_docs) {
      std::cerr << "syncagent-soak: the first sync of c" << i << " failed: "
                << (o.result.is_object() ? o.result.dump() : "exit " + std::to_string(o.exit.code))
                << " (see " << s.dir << "/client.log)\n";
      return 2;
    }
  }

  // The soak: one phase, or (--hostile) two around a reset of the server's data.
  bool setup_failed = false;
  FaultState faults;
  PhaseContext phase{clients, server, faults, rng, flags, log, request_timeout_ms};
  if (flags.hostile) {
    if (!PlantHostileDocuments(server, /*big=*/true, &error)) {
      std::cerr << "syncagent-soak: " << error << "\n";
      return 2;
    }
    for (auto& c : clients) {
      if (!RefusesDeepWrite(*c, &error)) {
        log.Progress(error);
        setup_failed = true;
      }
    }
    const int first = flags.duration_seconds * 2 / 5;
    setup_failed = setup_failed || RunPhase(phase, first);
    if (!setup_failed && !g_interrupted) setup_failed = !ResetServerData(phase, &error);
    if (!setup_failed && !g_interrupted) {
      setup_failed = RunPhase(phase, flags.duration_seconds - first);
    }
  } else {
    setup_failed = RunPhase(phase, flags.duration_seconds);
  }
  if (g_interrupted || setup_failed) {
    server.Stop();
    std::cerr << "syncagent-soak: " << (g_interrupted ? "interrupted" : "server restart failed")
              << "; work dir kept: " << dir << "\n";
    return g_interrupted ? 130 : 2;
  }

  // Final sync without faults, then the accounting.
  {
    std::lock_guard<std::mutex> lock(faults.mu);
    faults.Collect(server);
    server.Admin("DELETE", "/_admin/faults");
  }
  log.Progress("writes and faults stopped; final sync");
  bool quiet = false;
  const int rounds = Quiesce(clients, flags.quiesce_seconds, log, &quiet);
  const auto docs = server.Admin("GET", "/_admin/docs", nullptr, &error);
  const auto stats = docs ? server.Admin("GET", "/_admin/stats", nullptr, &error) : std::nullopt;
  if (!docs || !stats) {
    std::cerr << "syncagent-soak: " << error << "; work dir kept: " << dir << "\n";
    return 2;
  }
  std::vector<Client*> raw;
  std::vector<Replica> replicas(clients.size());
  std::vector<bool> replica_ok(clients.size());
  std::vector<json> statuses;
  for (size_t i = 0; i < clients.size(); ++i) {
    raw.push_back(clients[i].get());
    replica_ok[i] = clients[i]->ReadReplica(&replicas[i], &error);
    if (!replica_ok[i]) log.Line(error);
    statuses.push_back(clients[i]->Status());
  }
  Verdict v = Verify(raw, flags.hostile ? WithoutIsolated(*docs) : *docs, *stats, replicas,
                     replica_ok, statuses);
  int64_t isolation_failures = 0;
  if (flags.hostile) {
    // After the reset several replicas re-create the same document, so a document written once
    // may legitimately end at a version above 1 (the versions restarted): not a duplicate here.
    v.duplicates -= v.single_write_versions;
    for (size_t i = 0; i < statuses.size(); ++i) {
      const int64_t skips =
          statuses[i].is_object() ? statuses[i].value("remote_skips", int64_t{-1}) : -1;
      if (skips != kIsolatedDocuments) {
        ++isolation_failures;
        log.Progress("c" + std::to_string(clients[i]->index()) + ": remote_skips " +
                     std::to_string(skips) + ", expected " + std::to_string(kIsolatedDocuments));
      }
    }
  }
  server.Stop();
  for (const std::string& p : v.problems) log.Progress(p);

  const int64_t timed_out = Sum(clients, &ClientCounters::runs_timed_out);
  const bool pass = v.duplicates == 0 && v.lost == 0 && v.converged && quiet && v.phantoms == 0 &&
                    v.bad_last == 0 && v.dead_letters == 0 && timed_out == 0 && v.issued > 0 &&
                    isolation_failures == 0;
  const auto wall = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - wall_start);
  std::ostringstream out;
  out << "soak: seed " << flags.seed << ", " << flags.clients << " clients, "
      << flags.duration_seconds << " s of writes and faults"
      << (flags.serialize_writes ? " (writes serialized with runs)" : "")
      << (flags.hostile ? " (hostile: documents past the limits, a server data reset)" : "")
      << ", wall time "
      << wall.count() << " s\n"
      << "writes attempted: " << Sum(clients, &ClientCounters::writes_attempted) << " (SIGKILLed "
      << Sum(clients, &ClientCounters::writes_killed) << ", failed "
      << Sum(clients, &ClientCounters::writes_failed) << "; of these not committed "
      << Sum(clients, &ClientCounters::writes_not_committed) << ", outcome unknown "
      << Sum(clients, &ClientCounters::writes_uncertain) << ")\n"
      << "runs: " << Sum(clients, &ClientCounters::runs) << " (done "
      << Sum(clients, &ClientCounters::runs_done) << ", retry later "
      << Sum(clients, &ClientCounters::runs_retry) << ", failed "
      << Sum(clients, &ClientCounters::runs_failed) << ", skipped on the lease "
      << Sum(clients, &ClientCounters::runs_skipped) << ", SIGKILLed "
      << Sum(clients, &ClientCounters::runs_killed) << ", past their budget " << timed_out
      << ", other " << Sum(clients, &ClientCounters::runs_other) << "); pushed "
      << Sum(clients, &ClientCounters::pushed) << ", pulled "
      << Sum(clients, &ClientCounters::pulled) << ", conflicts "
      << Sum(clients, &ClientCounters::conflicts) << "\n"
      << "fault episodes: " << faults.episodes << " (+" << faults.clears
      << " quiet), server crashes + restarts: " << faults.restarts << "\n"
      << "faults fired: " << Join(faults.fired) << "\n"
      << "server: " << v.server_documents << " live documents, " << v.server_tombstones
      << " tombstones, " << v.mutations_applied << " mutations applied, " << v.replays
      << " answers replayed from the exactly-once memory\n"
      << "final sync: " << rounds << " round(s), " << (quiet ? "quiet" : "NOT quiet") << "; queued "
      << v.queued << ", dead letters " << v.dead_letters << ", open conflicts " << v.open_conflicts
      << ", replica differences " << v.replica_mismatches << "\n"
      << (flags.hostile ? "hostile: documents not taken, per client, expected " +
                              std::to_string(kIsolatedDocuments) + ": " +
                              (isolation_failures == 0 ? "all as expected" : "MISMATCH") +
                              "; versions above 1 after the reset " +
                              std::to_string(v.single_write_versions) + "\n"
                        : std::string())
      << "other checks: phantom writes " << v.phantoms << ", bad \"last\" fields " << v.bad_last
      << ", writes not checked (outcome unknown) " << v.unchecked << "\n"
      << "writes issued: " << v.issued << "\n"
      << "writes on the server: " << v.on_server << "\n"
      << "duplicates: " << v.duplicates << "\n"
      << "lost: " << v.lost << "\n"
      << "converged: " << (v.converged && quiet ? "yes" : "no") << "\n"
      << "result: " << (pass ? "PASS" : "FAIL") << "\n";
  std::cout << out.str() << std::flush;
  log.Line(out.str());
  if (pass && !flags.keep) {
    std::error_code ec;
    fs::remove_all(dir, ec);
  } else {
    std::cerr << "syncagent-soak: work dir kept: " << dir
              << " (soak.log, c*/client.log, server.db)\n";
  }
  curl_global_cleanup();
  return pass ? 0 : 1;
}

}  // namespace
}  // namespace syncagent::soak

int main(int argc, char** argv) { return syncagent::soak::Main(argc, argv); }
