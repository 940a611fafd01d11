#include "tests/soak/client.h"

#include <sstream>
#include <thread>

#include "tests/soak/random.h"

namespace syncagent::soak {
namespace {

using nlohmann::json;

json ParseJson(const std::string& text) {
  return json::parse(text, nullptr, /*allow_exceptions=*/false);
}

// The last non-empty line of `text`.
std::string LastLine(const std::string& text) {
  std::string last;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) last = line;
  }
  return last;
}

std::string Describe(const ExitInfo& e) {
  if (e.killed) return "killed after " + std::to_string(e.elapsed.count()) + " ms";
  if (e.timed_out) return "timed out after " + std::to_string(e.elapsed.count()) + " ms";
  if (e.exited) return "exit " + std::to_string(e.code);
  return "signal " + std::to_string(e.signal);
}

}  // namespace

const char* WriteOpName(WriteOp op) {
  switch (op) {
    case WriteOp::kCreate:
      return "create";
    case WriteOp::kPatch:
      return "patch";
    case WriteOp::kPutUpdate:
      return "put-update";
    case WriteOp::kDelete:
      return "delete";
    case WriteOp::kShared:
      return "shared-patch";
  }
  return "?";
}

int64_t RunOutcome::Cycle(const char* field) const {
  if (!result.is_object() || !result.contains("cycle")) return 0;
  return result["cycle"].value(field, int64_t{0});
}

Client::Client(ClientSettings settings) : s_(std::move(settings)) {}

void Client::Log(const std::string& text) const {
  if (s_.log) s_.log->Line("c" + std::to_string(s_.index) + ": " + text);
}

bool Client::WriteConfig(std::string* error) {
  // Clients differ in batch and page sizes and in their conflict policies, so more paths run.
  static const int kBatch[] = {1, 5, 25, 100};
  static const int kPage[] = {3, 20, 100, 500};
  static const char* kOwnPolicy[] = {"merge", "client_wins", "last_writer_wins"};
  static const char* kTie[] = {"server", "client", "newer"};
  const int i = s_.index - 1;
  json config = {
      {"server",
       {{"base_url", s_.base_url},
        {"allow_insecure_http", true},
        {"auth", {{"type", "bearer"}, {"token_env", kTokenEnv}}},
        {"timeouts", {{"connect_ms", 2000}, {"request_ms", s_.request_timeout_ms}}},
        {"max_response_bytes", 1024 * 1024},
        {"gzip_request_min_bytes", i % 2 == 0 ? 0 : 4096}}},
      {"storage", {{"path", "store.db"}, {"busy_timeout_ms", 30000}}},
      {"schedule", {{"time_budget_seconds", 10}}},
      {"retry",
       {{"initial_delay_ms", 50},
        {"max_delay_ms", 1000},
        {"max_attempts_per_cycle", 3},
        {"max_retry_after_ms", 3000},
        {"max_wait_in_cycle_ms", 2000}}},
      {"sync",
       {{"push_batch_size", kBatch[i % 4]},
        {"pull_page_size", kPage[(i + 1) % 4]},
        {"conflict",
         {{"default", "merge"},
          {"per_collection", {{kOwnCollection, kOwnPolicy[i % 3]}, {kSharedCollection, "merge"}}},
          {"merge_tie", kTie[(i / 3 + i) % 3]}}}}},
      {"logging", {{"level", "info"}}},
  };
  if (!WriteTextFile(s_.dir + "/config.json", config.dump(2))) {
    *error = "cannot write " + s_.dir + "/config.json";
    return false;
  }
  return true;
}

ProcessResult Client::Cli(const std::vector<std::string>& args, std::optional<Millis> kill_after,
                          Millis timeout, const std::string& out_name, bool own_stderr) {
  SpawnOptions options;
  options.argv = {s_.cli, "--config", s_.dir + "/config.json"};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.env_extra = {std::string(kTokenEnv) + "=" + s_.token};
  options.stdout_path = s_.dir + "/" + out_name + ".out";
  if (own_stderr) {
    options.stderr_path = s_.dir + "/" + out_name + ".err";
    WriteTextFile(options.stderr_path, "");
  } else {
    options.stderr_path = s_.dir + "/client.log";
  }
  return RunProcess(options, kill_after, timeout);
}

RunOutcome Client::RunOnce(int budget_seconds, std::optional<Millis> kill_after,
                           const std::string& out_name) {
  RunOutcome outcome;
  ProcessResult r = Cli({"run", "--json", "--budget-seconds", std::to_string(budget_seconds)},
                        kill_after, Millis(budget_seconds * 1000 + 20000), out_name);
  outcome.spawned = r.spawned;
  outcome.exit = r.exit;
  if (r.exit.exited) outcome.result = ParseJson(LastLine(r.out));
  if (outcome.result.is_discarded()) outcome.result = nullptr;
  return outcome;
}

json Client::Status() {
  ProcessResult r =
      Cli({"--log-level", "warn", "status", "--json"}, std::nullopt, Millis(60000), "status");
  if (!r.exit.exited || r.exit.code != 0) return nullptr;
  json j = ParseJson(r.out);
  return j.is_discarded() ? json(nullptr) : j;
}

bool Client::ReadReplica(Replica* replica, std::string* error) {
  replica->clear();
  for (const char* collection : {kOwnCollection, kSharedCollection, kHostileCollection}) {
    ProcessResult r =
        Cli({"--log-level", "warn", "ls", collection}, std::nullopt, Millis(120000), "ls");
    if (!r.exit.exited || r.exit.code != 0) {
      *error = "c" + std::to_string(s_.index) + ": ls " + collection + ": " + Describe(r.exit);
      return false;
    }
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
      const auto tab = line.find('\t');
      if (tab == std::string::npos) continue;
      json data = ParseJson(line.substr(tab + 1));
      if (data.is_discarded()) {
        *error = "c" + std::to_string(s_.index) + ": ls " + collection + ": bad line: " + line;
        return false;
      }
      (*replica)[{collection, line.substr(0, tab)}] = std::move(data);
    }
  }
  return true;
}

void Client::SyncerLoop(const std::atomic<bool>& stop) {
  std::mt19937_64 rng(s_.seed * 7919 + 17);
  const int k = s_.run_kill_seconds;
  using Clock = std::chrono::steady_clock;
  auto next_kill = Clock::now() + std::chrono::seconds(k > 0 ? Uniform(rng, k / 2, k * 3 / 2) : 0);
  while (!stop.load()) {
    const int budget = Uniform(rng, 2, 8);
    std::optional<Millis> kill_after;
    if (k > 0 && Clock::now() >= next_kill) {
      // Most runs take tens of milliseconds; faulted ones take seconds.
      kill_after = Millis(Chance(rng, 0.6) ? Uniform(rng, 5, 80) : Uniform(rng, 80, 3000));
    }
    std::unique_lock<std::mutex> serial(serial_mu_, std::defer_lock);
    if (s_.serialize_writes) serial.lock();
    const RunOutcome o = RunOnce(budget, kill_after, "syncer");
    if (serial.owns_lock()) serial.unlock();
    ClientCounters& c = counters_;
    ++c.runs;
    c.pushed += o.Cycle("pushed");
    c.pulled += o.Cycle("pulled");
    c.conflicts += o.Cycle("conflicts");
    std::string what;
    if (o.exit.killed) {
      ++c.runs_killed;
      what = "SIGKILL";
      next_kill = Clock::now() + std::chrono::seconds(Uniform(rng, k / 2, k * 3 / 2));
    } else if (o.exit.timed_out) {
      ++c.runs_timed_out;
      what = "TIMED OUT";
    } else if (o.exit.exited && o.exit.code == 0 && o.skipped()) {
      ++c.runs_skipped;
      what = "skipped (lease held)";
    } else if (o.exit.exited && o.exit.code == 0) {
      ++c.runs_done;
      what = "ok";
    } else if (o.exit.exited && o.exit.code == 75) {
      ++c.runs_retry;
      what = "retry";
    } else if (o.exit.exited && o.exit.code == 1) {
      ++c.runs_failed;
      what = "failed";
    } else {
      ++c.runs_other;
      what = "unexpected " + Describe(o.exit);
    }
    std::string detail;
    if (o.result.is_object()) detail = " " + o.result.value("reason", std::string());
    Log("run (budget " + std::to_string(budget) + " s): " + what + " in " +
        std::to_string(o.exit.elapsed.count()) + " ms" + detail);
    std::this_thread::sleep_for(
        Millis(o.skipped() ? Uniform(rng, 500, 1500) : Uniform(rng, 20, 400)));
  }
}

void Client::WriterLoop(const std::atomic<bool>& stop) {
  std::mt19937_64 rng(s_.seed * 104729 + 3);
  while (!stop.load()) {
    std::this_thread::sleep_for(Millis(Uniform(rng, s_.write_min_ms, s_.write_max_ms)));
    if (stop.load()) break;
    std::unique_lock<std::mutex> serial(serial_mu_, std::defer_lock);
    if (s_.serialize_writes) serial.lock();
    WriteOnce(rng);
  }
}

void Client::WriteOnce(std::mt19937_64& rng) {
  const int64_t n = ++next_n_;
  const std::string c = "c" + std::to_string(s_.index);
  const std::string m = "m" + std::to_string(n);
  IssuedWrite w;
  w.n = n;
  w.collection = kOwnCollection;
  int dice = Uniform(rng, 0, 99);
  if (live_keys_.empty() && dice < 70) dice = 0;    // nothing to update yet: create
  if (s_.shared_docs == 0 && dice >= 70) dice = 0;  // no shared documents: create
  std::string live_key;
  if (!live_keys_.empty()) {
    live_key =
        live_keys_[static_cast<size_t>(Uniform(rng, 0, static_cast<int>(live_keys_.size()) - 1))];
  }
  json arg;       // the command's JSON argument
  json new_data;  // the document afterwards (own documents)
  std::vector<std::string> args;
  if (dice < 40) {
    w.op = WriteOp::kCreate;
    w.key = c + "-" + std::to_string(n);
    w.marker = m;
    arg = {{"client", s_.index},
           {"n", n},
           {"rev", n},
           {m, true},
           {"text", std::string(static_cast<size_t>(Uniform(rng, 0, 300)), 'a' + n % 26)}};
    new_data = arg;
    args = {"put", w.collection, w.key, arg.dump()};
  } else if (dice < 55) {
    w.op = WriteOp::kPatch;
    w.key = live_key;
    w.marker = m;
    arg = {{"rev", n}, {m, true}};
    new_data = own_[w.key].data;
    new_data.merge_patch(arg);
    args = {"patch", w.collection, w.key, arg.dump()};
  } else if (dice < 63) {
    w.op = WriteOp::kPutUpdate;
    w.key = live_key;
    w.marker = m;
    new_data = own_[w.key].data;
    new_data["rev"] = n;
    new_data[m] = true;
    if (Chance(rng, 0.5)) new_data.erase("text");
    arg = new_data;
    args = {"put", w.collection, w.key, arg.dump()};
  } else if (dice < 70) {
    w.op = WriteOp::kDelete;
    w.key = live_key;
    args = {"delete", w.collection, w.key};
  } else {
    w.op = WriteOp::kShared;
    w.collection = kSharedCollection;
    w.key = "s" + std::to_string(Uniform(rng, 0, s_.shared_docs - 1));
    w.marker = c + m;
    arg = {{c, n}, {w.marker, true}, {"last", w.marker}};
    args = {"patch", w.collection, w.key, arg.dump()};
  }
  args.insert(args.begin(), {"--log-level", "warn"});
  std::optional<Millis> kill_after;
  if (Chance(rng, s_.kill_write_probability)) kill_after = Millis(Uniform(rng, 0, 60));

  ++counters_.writes_attempted;
  const ProcessResult r = Cli(args, kill_after, Millis(60000), "writer");
  const std::string what =
      std::string(WriteOpName(w.op)) + " " + w.collection + "/" + w.key + " #" + std::to_string(n);
  if (r.exit.exited && r.exit.code == 0) {
    Log(what + ": ok in " + std::to_string(r.exit.elapsed.count()) + " ms");
    Commit(w, new_data);
    return;
  }
  if (r.exit.killed) {
    ++counters_.writes_killed;
  } else {
    ++counters_.writes_failed;
  }
  const int committed = Committed(w.op, w.collection, w.key, w.marker, new_data);
  Log(what + ": " + Describe(r.exit) + ", committed locally: " +
      (committed > 0    ? "yes"
       : committed == 0 ? "no"
                        : "UNKNOWN"));
  if (committed > 0) {
    w.recovered = true;
    Commit(w, new_data);
  } else if (committed == 0) {
    ++counters_.writes_not_committed;
    not_committed_.push_back(w);
  } else {
    ++counters_.writes_uncertain;
    if (w.op == WriteOp::kShared) {
      shared_[w.key].uncertain = true;
    } else {
      own_[w.key].uncertain = true;
      std::erase(live_keys_, w.key);  // never written again
    }
  }
}

int Client::Committed(WriteOp op, const std::string& collection, const std::string& key,
                      const std::string& marker, const json& new_data) {
  const ProcessResult r = Cli({"--log-level", "warn", "get", collection, key}, std::nullopt,
                              Millis(60000), "writer-get", /*own_stderr=*/true);
  if (!r.exit.exited) return -1;
  if (r.exit.code == 1) {
    const std::string err = ReadTextFile(s_.dir + "/writer-get.err");
    if (err.find("no such document") == std::string::npos) return -1;
    if (op == WriteOp::kDelete) return 1;
    return op == WriteOp::kCreate ? 0 : -1;  // an update's document cannot vanish
  }
  if (r.exit.code != 0) return -1;
  const json data = ParseJson(r.out);
  if (!data.is_object()) return -1;
  switch (op) {
    case WriteOp::kDelete:
      return 0;
    case WriteOp::kCreate:
    case WriteOp::kPatch:
    case WriteOp::kPutUpdate:
      if (data == new_data) return 1;
      return data.contains(marker) ? -1 : 0;  // marker but other data: the model is wrong
    case WriteOp::kShared:
      return data.contains(marker) ? 1 : 0;
  }
  return -1;
}

void Client::Commit(const IssuedWrite& w, const json& new_data) {
  ++counters_.writes_issued;
  issued_.push_back(w);
  switch (w.op) {
    case WriteOp::kCreate: {
      OwnDoc& doc = own_[w.key];
      doc.live = true;
      doc.data = new_data;
      doc.writes = 1;
      live_keys_.push_back(w.key);
      break;
    }
    case WriteOp::kPatch:
    case WriteOp::kPutUpdate: {
      OwnDoc& doc = own_[w.key];
      doc.data = new_data;
      ++doc.writes;
      break;
    }
    case WriteOp::kDelete: {
      OwnDoc& doc = own_[w.key];
      doc.live = false;
      doc.data = nullptr;
      ++doc.writes;
      std::erase(live_keys_, w.key);
      break;
    }
    case WriteOp::kShared:
      shared_[w.key].last_n = w.n;
      break;
  }
}

}  // namespace syncagent::soak
