// Child processes for the soak driver: spawn a program with its output in files, wait for it with
// an optional deliberate SIGKILL at a chosen moment (the "crash") and a safety timeout.
#ifndef SYNCAGENT_TESTS_SOAK_PROCESS_H_
#define SYNCAGENT_TESTS_SOAK_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace syncagent::soak {

using Millis = std::chrono::milliseconds;

struct SpawnOptions {
  std::vector<std::string> argv;       // argv[0] is the program's path
  std::vector<std::string> env_extra;  // "NAME=value", added to (or replacing in) the environment
  std::string stdout_path;             // truncated; "" = /dev/null
  std::string stderr_path;             // appended; "" = /dev/null
};

// The child's pid, or -1 with *error set.
pid_t Spawn(const SpawnOptions& options, std::string* error);

struct ExitInfo {
  bool exited = false;  // exited normally (code is valid)
  int code = -1;
  int signal = 0;          // the terminating signal, if any
  bool killed = false;     // we sent the deliberate SIGKILL (kill_after)
  bool timed_out = false;  // we sent SIGKILL because `timeout` passed
  Millis elapsed{0};
};

// Waits for `pid`. SIGKILLs it `kill_after` after `started` (when set) or when `timeout` passes.
ExitInfo WaitFor(pid_t pid, std::chrono::steady_clock::time_point started,
                 std::optional<Millis> kill_after, Millis timeout);

struct ProcessResult {
  ExitInfo exit;
  std::string out;  // stdout (read from stdout_path when given)
  bool spawned = false;
  std::string error;  // why it could not be spawned
};

// Spawn + WaitFor + read stdout.
ProcessResult RunProcess(const SpawnOptions& options, std::optional<Millis> kill_after,
                         Millis timeout);

std::string ReadTextFile(const std::string& path);
bool WriteTextFile(const std::string& path, const std::string& text);

}  // namespace syncagent::soak

#endif  // SYNCAGENT_TESTS_SOAK_PROCESS_H_
