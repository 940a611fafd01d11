// bench_process: the child-process plumbing the benchmarks share (sync_bench, net_bench).
//
// A benchmark measures syncagent against a mock server in its own process (as a real server
// would be), and sync_bench also runs each measured side in its own child process so that the
// peak RSS it reports is that side's alone. The helpers here start those processes and collect
// what they print: the mock server (ServerProcess), a worker role of the running binary
// (RunWorker), and a timed external command (TimeProcess).
#ifndef SYNCAGENT_BENCH_BENCH_PROCESS_H_
#define SYNCAGENT_BENCH_BENCH_PROCESS_H_

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace syncagent::bench {

// Monotonic seconds (steady_clock), for timing.
double Now();

// The name Fail's messages start with; a program calls this first thing in main.
void SetProgramName(std::string name);

// Prints "<program>: <what>" on stderr and exits 1.
[[noreturn]] void Fail(const std::string& what);

// A syncagent-mock-server child process, stopped (SIGTERM + wait) on destruction.
class ServerProcess {
 public:
  ServerProcess() = default;
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess();

  // Starts `path` with `flags` (each benchmark chooses them; include "--port 0" to let the
  // server pick a free port) and reads its first stdout line, "listening on URL". Returns false
  // when the process could not be started or did not print that line.
  bool Start(const std::string& path, const std::vector<std::string>& flags);

  // The URL the server printed, e.g. "http://127.0.0.1:40123"; empty before Start succeeds.
  const std::string& base_url() const { return base_url_; }

 private:
  pid_t pid_ = -1;
  std::string base_url_;
};

// What a worker child process left behind.
struct ChildResult {
  nlohmann::json out;  // the child's JSON line
  long maxrss_kb = 0;  // the child's peak RSS
};

// Runs this binary again (/proc/self/exe) with `args`, which name the worker role, and collects
// its stdout (one JSON line) and its rusage. Fails unless the child exits 0 and printed JSON.
ChildResult RunWorker(const std::vector<std::string>& args);

// Runs `args` (args[0] is the executable's path) with stdout and stderr to /dev/null; returns
// (wall seconds, exit code, or 128 when it did not exit normally).
std::pair<double, int> TimeProcess(const std::vector<std::string>& args);

}  // namespace syncagent::bench

#endif  // SYNCAGENT_BENCH_BENCH_PROCESS_H_
