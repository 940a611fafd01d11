// sync_bench: end-to-end sync figures of the Agent beside their physical floor, measured in the
// same run (issue: benchmarks against the physical floor). Run by bench/run.
//
// Scenarios (each prints one JSON object on stdout):
//   pull  --docs N   an empty store pulls N seeded documents (~200 B, pages of 1000) with one
//                    SyncNow; floor = a bare libcurl loop fetching the same pages + a bare SQLite
//                    loop upserting the same rows (one transaction per page), times added.
//   push  --docs N   N writes queued with Agent::Write (batches of 1000), then SyncNow until the
//                    outbox is empty (push_batch_size 1000); floor = a bare libcurl loop POSTing
//                    the same request bodies pre-encoded (and pre-gzipped, as the agent sends
//                    them) + a bare SQLite delete of the same outbox rows.
//   idle  --cycles C after a sync, C warm SyncNow calls with nothing to do: requests, bytes on
//                    the wire and wall time per cycle.
//   cold  --cli PATH --runs R   `syncagent --config C run` process start -> exit, beside a bare
//                    `curl -s -o /dev/null URL` process fetching one pull page.
//   feed  --docs N --runs R   the change feed's cost on a pull: the pull's agent side by an
//                    app that read the change feed first (the store keeps the feed's seq index,
//                    built on the first read) and by one that never did (each row still gets its
//                    seq, but there is no index), alternated R times against one server;
//                    ratio = median of the rounds' with/without (target <= 1.10).
//   proxy --docs N   the pull's agent side straight to the mock server and through
//                    syncagent-fault-proxy (no faults) in front of the same server, alternated
//                    twice; ratio = the proxy's best / the direct best (target <= 1.3).
//
// Every measured side runs in its own child process (fork + exec of this binary in a worker
// role), against its own mock server process, so the peak RSS (ru_maxrss from wait4) is that
// side's alone and a 1M run does not inherit a 100k run's heap. The parent only orchestrates.
// This file holds the scenarios (the parent) and the agent's roles; the floor roles are in
// sync_floor_roles.cc, the process plumbing in bench_process.cc.
//
// Usage: sync_bench pull|push|idle|cold|proxy|feed [--docs N] [--cycles C] [--runs R] [--cli PATH]
//                   [--server PATH] [--proxy PATH] [--dir DIR]
#include <curl/curl.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "bench/bench_process.h"
#include "bench/sync_roles.h"
#include "net/curl_http_client.h"
#include "net/protocol_codec.h"
#include "net/sync_client.h"
#include "storage/store.h"

namespace syncagent::bench {
namespace {

// The mock server every scenario runs against: a free port, its admin API, and request bodies up
// to 64 MiB (the agent's push_batch_bytes in AgentConfig).
const std::vector<std::string> kServerFlags = {"--port", "0", "--admin", "--max-body-bytes",
                                               "67108864"};

void StartServer(ServerProcess& server, const std::string& path) {
  if (!server.Start(path, kServerFlags)) Fail("could not start the mock server " + path);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::string MakeTempDir(const std::string& base) {
  std::string templ = (base.empty() ? std::filesystem::temp_directory_path().string() : base) +
                      "/sync_bench.XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) Fail("mkdtemp");
  return templ;
}

// ---------------------------------------------------------------------------------------------
// Worker roles (child processes): the seed and the agent's sides (the floor's sides are in
// sync_floor_roles.cc).

// Pushes `docs` documents to the server as another client would (the pull's source).
int RoleSeed(const std::string& url, int docs) {
  RealClock clock;
  CurlHttpClientOptions options;
  options.allow_insecure_http = true;
  auto http = CurlHttpClient::Create(options, &clock);
  Check(http.status(), "http client");
  SyncClientOptions sync_options;
  sync_options.base_url = url;
  SyncClient client(http->get(), &clock, nullptr, sync_options, 1);
  for (int start = 0; start < docs; start += 1000) {
    PushRequest request;
    request.client_id = "seed";
    request.batch_id = "seed-" + std::to_string(start);
    for (int i = start; i < std::min(docs, start + 1000); ++i) {
      WireMutation m;
      m.mutation_id = "seed-" + std::to_string(i);
      m.seq = i + 1;
      m.collection = "notes";
      m.key = "note-" + std::to_string(i);
      m.data = MakeDoc(i);
      m.hlc = "000001767225600000-00000000-seed";
      request.mutations.push_back(std::move(m));
    }
    Check(client.Push(request, {}).status(), "seeding");
  }
  std::printf("{\"seeded\":%d}\n", docs);
  return 0;
}

std::string AgentConfig(const std::string& url, const std::string& db) {
  nlohmann::json config = {
      {"server",
       {{"base_url", url}, {"allow_insecure_http", true}, {"max_response_bytes", 67108864}}},
      {"storage", {{"path", db}}},
      {"schedule", {{"time_budget_seconds", 600}}},
      {"sync",
       {{"pull_page_size", 1000}, {"push_batch_size", 1000}, {"push_batch_bytes", 67108864}}},
      {"logging", {{"level", "warn"}}}};
  return config.dump(2);
}

std::unique_ptr<Agent> OpenAgent(const std::string& url, const std::string& dir) {
  auto agent = Agent::OpenJson(AgentConfig(url, dir + "/agent.db"));
  Check(agent.status(), "opening the agent");
  return std::move(*agent);
}

int RolePullAgent(const std::string& url, int docs, const std::string& dir,
                  bool feed_read = false) {
  auto agent = OpenAgent(url, dir);
  // The feed scenario's "with" side: an app that reads the change feed, so the store keeps the
  // feed's seq index (built on the first read) on every write of the pull.
  if (feed_read) Check(agent->Changes(0, 1).status(), "reading the change feed");
  const double start = Now();
  CycleReport report = agent->SyncNow(Millis(600000));
  const double took = Now() - start;
  if (report.outcome != CycleOutcome::kDone || report.pulled != docs) {
    Fail("pull cycle: " + report.ToJson().dump());
  }
  nlohmann::json out = {{"seconds", took},           {"docs", report.pulled},
                        {"requests", report.requests}, {"bytes_down", report.bytes_down},
                        {"bytes_up", report.bytes_up}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

void QueueWrites(Agent& agent, int docs) {
  std::vector<WriteOp> ops;
  for (int first = 0; first < docs; first += 1000) {
    ops.clear();
    for (int i = first; i < std::min(docs, first + 1000); ++i) {
      ops.push_back(WriteOp::Put("notes", "note-" + std::to_string(i), MakeDoc(i)));
    }
    Check(agent.Write(ops), "queueing writes");
  }
}

int RolePushAgent(const std::string& url, int docs, const std::string& dir) {
  auto agent = OpenAgent(url, dir);
  const double queue_start = Now();
  QueueWrites(*agent, docs);
  const double queue_s = Now() - queue_start;
  int64_t pushed = 0, requests = 0, bytes_up = 0, bytes_down = 0;
  int cycles = 0;
  const double start = Now();
  while (pushed < docs) {
    CycleReport report = agent->SyncNow(Millis(600000));
    ++cycles;
    pushed += report.pushed;
    requests += report.requests;
    bytes_up += report.bytes_up;
    bytes_down += report.bytes_down;
    if (report.outcome != CycleOutcome::kDone && report.outcome != CycleOutcome::kPartial) {
      Fail("push cycle: " + report.ToJson().dump());
    }
    if (cycles > 100) Fail("the outbox does not drain");
  }
  const double took = Now() - start;
  auto stats = agent->store().Stats();
  Check(stats.status(), "stats");
  nlohmann::json out = {{"seconds", took},        {"docs", pushed},          {"cycles", cycles},
                        {"requests", requests},   {"bytes_up", bytes_up},    {"bytes_down", bytes_down},
                        {"queue_seconds", queue_s}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

int RoleIdle(const std::string& url, int cycles, const std::string& dir) {
  auto agent = OpenAgent(url, dir);
  CycleReport first = agent->SyncNow(Millis(600000));
  if (first.outcome != CycleOutcome::kDone) Fail("first cycle: " + first.ToJson().dump());
  for (int i = 0; i < 5; ++i) agent->SyncNow(Millis(600000));  // warm-up
  std::vector<double> ms;
  int64_t requests = 0, up = 0, down = 0, pulled = 0, pushed = 0;
  for (int i = 0; i < cycles; ++i) {
    const double start = Now();
    CycleReport r = agent->SyncNow(Millis(600000));
    ms.push_back((Now() - start) * 1000.0);
    if (r.outcome != CycleOutcome::kDone) Fail("idle cycle: " + r.ToJson().dump());
    requests += r.requests;
    up += r.bytes_up;
    down += r.bytes_down;
    pulled += r.pulled;
    pushed += r.pushed;
  }
  std::sort(ms.begin(), ms.end());
  nlohmann::json out = {{"cycles", cycles},
                        {"first_cycle_pulled", first.pulled},
                        {"requests_per_cycle", static_cast<double>(requests) / cycles},
                        {"bytes_up_per_cycle", static_cast<double>(up) / cycles},
                        {"bytes_down_per_cycle", static_cast<double>(down) / cycles},
                        {"pulled", pulled},
                        {"pushed", pushed},
                        {"median_ms", ms[ms.size() / 2]},
                        {"p90_ms", ms[ms.size() * 9 / 10]},
                        {"min_ms", ms.front()}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

int RoleNoop() {
  std::printf("{}\n");
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Scenarios (the parent).

struct Args {
  std::string scenario;
  int docs = 100000;
  int cycles = 200;
  int runs = 20;
  std::string server = SYNCAGENT_MOCK_SERVER_BINARY;
  std::string cli = SYNCAGENT_CLI_BINARY;
  std::string proxy = SYNCAGENT_FAULT_PROXY_BINARY;
  std::string dir;
  std::string url;
};

void Seed(const std::string& url, int docs) {
  RunWorker({"--role", "seed", "--url", url, "--docs", std::to_string(docs)});
}

int ScenarioPull(const Args& args) {
  const long base_rss = RunWorker({"--role", "noop"}).maxrss_kb;
  // A pull changes nothing on the server: both sides read the same seeded server, the floor
  // first (so neither side benefits from the other having warmed the server's pages).
  ChildResult agent, floor;
  ServerProcess server;
  StartServer(server, args.server);
  Seed(server.base_url(), args.docs);
  {
    const std::string dir = MakeTempDir(args.dir);
    floor = RunWorker({"--role", "pull-floor", "--url", server.base_url(), "--docs",
                       std::to_string(args.docs), "--dir", dir});
    std::filesystem::remove_all(dir);
  }
  {
    const std::string dir = MakeTempDir(args.dir);
    agent = RunWorker({"--role", "pull-agent", "--url", server.base_url(), "--docs",
                       std::to_string(args.docs), "--dir", dir});
    std::filesystem::remove_all(dir);
  }
  const double ours = agent.out["seconds"], bare = floor.out["seconds"];
  nlohmann::json out = {{"scenario", "pull"},
                        {"docs", args.docs},
                        {"agent_seconds", ours},
                        {"agent_docs_per_s", args.docs / ours},
                        {"agent_requests", agent.out["requests"]},
                        {"agent_bytes_down", agent.out["bytes_down"]},
                        {"agent_maxrss_kb", agent.maxrss_kb},
                        {"floor_seconds", bare},
                        {"floor_curl_seconds", floor.out["curl_seconds"]},
                        {"floor_sqlite_seconds", floor.out["sqlite_seconds"]},
                        {"floor_docs_per_s", args.docs / bare},
                        {"floor_maxrss_kb", floor.maxrss_kb},
                        {"noop_maxrss_kb", base_rss},
                        {"ratio", ours / bare}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

int ScenarioPush(const Args& args) {
  ChildResult agent, floor;
  {
    ServerProcess server;
    StartServer(server, args.server);
    const std::string dir = MakeTempDir(args.dir);
    agent = RunWorker({"--role", "push-agent", "--url", server.base_url(), "--docs",
                       std::to_string(args.docs), "--dir", dir});
    std::filesystem::remove_all(dir);
  }
  {
    ServerProcess server;
    StartServer(server, args.server);
    const std::string dir = MakeTempDir(args.dir);
    floor = RunWorker({"--role", "push-floor", "--url", server.base_url(), "--docs",
                       std::to_string(args.docs), "--dir", dir});
    std::filesystem::remove_all(dir);
  }
  const double ours = agent.out["seconds"], bare = floor.out["seconds"];
  nlohmann::json out = {{"scenario", "push"},
                        {"docs", args.docs},
                        {"agent_seconds", ours},
                        {"agent_docs_per_s", args.docs / ours},
                        {"agent_queue_seconds", agent.out["queue_seconds"]},
                        {"agent_cycles", agent.out["cycles"]},
                        {"agent_requests", agent.out["requests"]},
                        {"agent_bytes_up", agent.out["bytes_up"]},
                        {"agent_maxrss_kb", agent.maxrss_kb},
                        {"floor_seconds", bare},
                        {"floor_curl_seconds", floor.out["curl_seconds"]},
                        {"floor_sqlite_seconds", floor.out["sqlite_seconds"]},
                        {"floor_requests", floor.out["requests"]},
                        {"floor_wire_bytes", floor.out["wire_bytes"]},
                        {"floor_docs_per_s", args.docs / bare},
                        {"floor_maxrss_kb", floor.maxrss_kb},
                        {"ratio", ours / bare}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

int ScenarioIdle(const Args& args) {
  ServerProcess server;
  StartServer(server, args.server);
  Seed(server.base_url(), 1000);
  const std::string dir = MakeTempDir(args.dir);
  ChildResult idle = RunWorker({"--role", "idle", "--url", server.base_url(), "--cycles",
                                std::to_string(args.cycles), "--dir", dir});
  std::filesystem::remove_all(dir);
  nlohmann::json out = idle.out;
  out["scenario"] = "idle";
  out["maxrss_kb"] = idle.maxrss_kb;
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

int ScenarioCold(const Args& args) {
  ServerProcess server;
  StartServer(server, args.server);
  Seed(server.base_url(), 1000);
  const std::string dir = MakeTempDir(args.dir);
  const std::string config_path = dir + "/syncagent.json";
  std::ofstream(config_path) << AgentConfig(server.base_url(), dir + "/agent.db");
  const std::vector<std::string> cli = {args.cli, "--config", config_path, "run"};
  // The first run pulls the 1000 seeded documents; the timed runs are warm-store cold-process
  // wake-ups (one pull request, nothing new), the usual case for a periodic task.
  auto [first_s, first_rc] = TimeProcess(cli);
  if (first_rc != 0) Fail("syncagent run exited " + std::to_string(first_rc));
  const std::string curl_path = "/usr/bin/curl";
  const std::vector<std::string> curl = {curl_path, "-s", "-o", "/dev/null",
                                         server.base_url() + "/v1/pull?limit=1000"};
  std::vector<double> ours, bare;
  for (int i = 0; i < args.runs; ++i) {
    auto [s, rc] = TimeProcess(cli);
    if (rc != 0) Fail("syncagent run exited " + std::to_string(rc));
    ours.push_back(s * 1000);
    auto [cs, crc] = TimeProcess(curl);
    if (crc != 0) Fail("curl exited " + std::to_string(crc));
    bare.push_back(cs * 1000);
  }
  std::filesystem::remove_all(dir);
  const double ours_ms = Median(ours), bare_ms = Median(bare);
  nlohmann::json out = {{"scenario", "cold"},         {"runs", args.runs},
                        {"first_run_ms", first_s * 1000}, {"cli_median_ms", ours_ms},
                        {"curl_median_ms", bare_ms},  {"ratio", ours_ms / bare_ms}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

// One pull of the seeded documents by a fresh agent from `url`, in its own process: seconds.
double TimedPull(const Args& args, const std::string& url) {
  const std::string dir = MakeTempDir(args.dir);
  ChildResult agent = RunWorker(
      {"--role", "pull-agent", "--url", url, "--docs", std::to_string(args.docs), "--dir", dir});
  std::filesystem::remove_all(dir);
  return agent.out["seconds"];
}

int ScenarioFeed(const Args& args) {
  ServerProcess server;
  StartServer(server, args.server);
  Seed(server.base_url(), args.docs);
  auto pull = [&](bool feed) {
    const std::string dir = MakeTempDir(args.dir);
    ChildResult agent =
        RunWorker({"--role", feed ? "pull-agent-feed" : "pull-agent", "--url",
                   server.base_url(), "--docs", std::to_string(args.docs), "--dir", dir});
    std::filesystem::remove_all(dir);
    return static_cast<double>(agent.out["seconds"]);
  };
  std::vector<double> with_feed, without, ratios;
  for (int round = 0; round < args.runs; ++round) {
    const bool feed_first = round % 2 == 0;  // alternate, so that drift favours neither
    const double first = pull(feed_first), second = pull(!feed_first);
    with_feed.push_back(feed_first ? first : second);
    without.push_back(feed_first ? second : first);
    ratios.push_back(with_feed.back() / without.back());
  }
  nlohmann::json out = {{"scenario", "feed"},
                        {"docs", args.docs},
                        {"with_feed_seconds", with_feed},
                        {"without_index_seconds", without},
                        {"median_with", Median(with_feed)},
                        {"median_without", Median(without)},
                        {"ratio_of_medians", Median(with_feed) / Median(without)},
                        {"median_ratio", Median(ratios)}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

int ScenarioProxy(const Args& args) {
  ServerProcess server;
  StartServer(server, args.server);
  Seed(server.base_url(), args.docs);
  ServerProcess proxy;
  if (!proxy.Start(args.proxy, {"--upstream", server.base_url(), "--port", "0"})) {
    Fail("could not start the fault proxy " + args.proxy);
  }
  std::vector<double> direct, proxied;
  for (int round = 0; round < 2; ++round) {
    direct.push_back(TimedPull(args, server.base_url()));
    proxied.push_back(TimedPull(args, proxy.base_url()));
  }
  const double best_direct = *std::min_element(direct.begin(), direct.end());
  const double best_proxied = *std::min_element(proxied.begin(), proxied.end());
  nlohmann::json out = {{"scenario", "proxy"},
                        {"docs", args.docs},
                        {"direct_seconds", direct},
                        {"proxy_seconds", proxied},
                        {"direct_docs_per_s", args.docs / best_direct},
                        {"proxy_docs_per_s", args.docs / best_proxied},
                        {"ratio", best_proxied / best_direct}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

int Main(int argc, char** argv) {
  SetProgramName("sync_bench");
  Args args;
  std::string role;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--role" && has_value) role = argv[++i];
    else if (a == "--docs" && has_value) args.docs = std::atoi(argv[++i]);
    else if (a == "--cycles" && has_value) args.cycles = std::max(1, std::atoi(argv[++i]));
    else if (a == "--runs" && has_value) args.runs = std::max(1, std::atoi(argv[++i]));
    else if (a == "--server" && has_value) args.server = argv[++i];
    else if (a == "--cli" && has_value) args.cli = argv[++i];
    else if (a == "--proxy" && has_value) args.proxy = argv[++i];
    else if (a == "--dir" && has_value) args.dir = argv[++i];
    else if (a == "--url" && has_value) args.url = argv[++i];
    else if (args.scenario.empty() && a[0] != '-') args.scenario = a;
    else {
      std::fprintf(stderr,
                   "usage: sync_bench pull|push|idle|cold|proxy|feed [--docs N] [--cycles C] "
                   "[--runs R] [--cli PATH] [--server PATH] [--proxy PATH] [--dir DIR]\n");
      return 2;
    }
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  if (role == "noop") return RoleNoop();
  if (role == "seed") return RoleSeed(args.url, args.docs);
  if (role == "pull-agent") return RolePullAgent(args.url, args.docs, args.dir);
  if (role == "pull-agent-feed") return RolePullAgent(args.url, args.docs, args.dir, true);
  if (role == "pull-floor") return RolePullFloor(args.url, args.docs, args.dir);
  if (role == "push-agent") return RolePushAgent(args.url, args.docs, args.dir);
  if (role == "push-floor") return RolePushFloor(args.url, args.docs, args.dir);
  if (role == "idle") return RoleIdle(args.url, args.cycles, args.dir);
  if (!role.empty()) Fail("unknown role " + role);
  if (args.scenario == "pull") return ScenarioPull(args);
  if (args.scenario == "push") return ScenarioPush(args);
  if (args.scenario == "idle") return ScenarioIdle(args);
  if (args.scenario == "cold") return ScenarioCold(args);
  if (args.scenario == "proxy") return ScenarioProxy(args);
  if (args.scenario == "feed") return ScenarioFeed(args);
  std::fprintf(stderr, "sync_bench: name a scenario: pull, push, idle, cold, proxy or feed\n");
  return 2;
}

}  // namespace
}  // namespace syncagent::bench

int main(int argc, char** argv) { return syncagent::bench::Main(argc, argv); }
