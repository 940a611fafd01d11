// bench_process: see bench_process.h.
#include "bench/bench_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace syncagent::bench {
namespace {

std::string& ProgramName() {
  static std::string name = "bench";
  return name;
}

// argv for execv: pointers into `args` (which must outlive the exec), null-terminated.
std::vector<char*> ArgvOf(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

}  // namespace

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void SetProgramName(std::string name) { ProgramName() = std::move(name); }

void Fail(const std::string& what) {
  std::fprintf(stderr, "%s: %s\n", ProgramName().c_str(), what.c_str());
  std::exit(1);
}

bool ServerProcess::Start(const std::string& path, const std::vector<std::string>& flags) {
  std::vector<std::string> args = {path};
  args.insert(args.end(), flags.begin(), flags.end());
  std::vector<char*> argv = ArgvOf(args);
  int fds[2];
  if (pipe(fds) != 0) return false;
  pid_ = fork();
  if (pid_ == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execv(path.c_str(), argv.data());
    _exit(127);
  }
  close(fds[1]);
  std::string line;
  char c;
  while (read(fds[0], &c, 1) == 1 && c != '\n') line += c;
  close(fds[0]);
  const std::string prefix = "listening on ";
  if (line.rfind(prefix, 0) != 0) return false;
  base_url_ = line.substr(prefix.size());
  return true;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
}

ChildResult RunWorker(const std::vector<std::string>& args) {
  int fds[2];
  if (pipe(fds) != 0) Fail("pipe");
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::vector<std::string> self_args = {"/proc/self/exe"};
    self_args.insert(self_args.end(), args.begin(), args.end());
    std::vector<char*> argv = ArgvOf(self_args);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  close(fds[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) text.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  struct rusage usage {};
  if (wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    Fail("worker " + args.front() + " failed");
  }
  ChildResult result;
  result.out = nlohmann::json::parse(text, nullptr, false);
  if (result.out.is_discarded()) Fail("worker " + args.front() + " printed no JSON: " + text);
  result.maxrss_kb = usage.ru_maxrss;
  return result;
}

std::pair<double, int> TimeProcess(const std::vector<std::string>& args) {
  const double start = Now();
  const pid_t pid = fork();
  if (pid == 0) {
    const int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, STDOUT_FILENO);
    dup2(devnull, STDERR_FILENO);
    std::vector<char*> argv = ArgvOf(args);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return {Now() - start, WIFEXITED(status) ? WEXITSTATUS(status) : 128};
}

}  // namespace syncagent::bench
