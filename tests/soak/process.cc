#include "tests/soak/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace syncagent::soak {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> BuildEnv(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const std::string& x : extra) replaced = replaced || x.rfind(name + "=", 0) == 0;
    if (!replaced) env.push_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

}  // namespace

pid_t Spawn(const SpawnOptions& options, std::string* error) {
  if (options.argv.empty()) {
    *error = "no program";
    return -1;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  if (options.stdout_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  } else {
    posix_spawn_file_actions_addopen(&actions, 1, options.stdout_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
  }
  if (options.stderr_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  } else {
    posix_spawn_file_actions_addopen(&actions, 2, options.stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0600);
  }
  std::vector<std::string> argv_store = options.argv;
  std::vector<char*> argv;
  for (std::string& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_store = BuildEnv(options.env_extra);
  std::vector<char*> envp;
  for (std::string& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    *error = options.argv[0] + ": " + std::strerror(rc);
    return -1;
  }
  return pid;
}

ExitInfo WaitFor(pid_t pid, Clock::time_point started, std::optional<Millis> kill_after,
                 Millis timeout) {
  ExitInfo info;
  bool sent_kill = false;
  int status = 0;
  for (;;) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) break;
    const Clock::time_point now = Clock::now();
    Millis step(5);
    if (!sent_kill) {
      if (kill_after && now >= started + *kill_after) {
        ::kill(pid, SIGKILL);
        sent_kill = true;
        info.killed = true;
      } else if (now >= started + timeout) {
        ::kill(pid, SIGKILL);
        sent_kill = true;
        info.timed_out = true;
      } else if (kill_after) {
        const auto left = std::chrono::duration_cast<Millis>(started + *kill_after - now);
        step = std::max(Millis(1), std::min(step, left));
      }
    }
    std::this_thread::sleep_for(step);
  }
  info.elapsed = std::chrono::duration_cast<Millis>(Clock::now() - started);
  if (WIFEXITED(status)) {
    info.exited = true;
    info.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    info.signal = WTERMSIG(status);
  }
  return info;
}

ProcessResult RunProcess(const SpawnOptions& options, std::optional<Millis> kill_after,
                         Millis timeout) {
  ProcessResult result;
  const Clock::time_point started = Clock::now();
  const pid_t pid = Spawn(options, &result.error);
  if (pid < 0) return result;
  result.spawned = true;
  result.exit = WaitFor(pid, started, kill_after, timeout);
  if (!options.stdout_path.empty()) result.out = ReadTextFile(options.stdout_path);
  return result;
}

std::string ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool WriteTextFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace syncagent::soak
