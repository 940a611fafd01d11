#include "tests/cli/cli_test_support.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tools/faults/fault_scenario.h"

extern char** environ;

namespace syncagent::cli::testing {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<std::string> BuildEnv(const EnvChanges& changes) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    if (changes.count(name) == 0) env.push_back(entry);
  }
  for (const auto& [name, value] : changes) {
    if (value) env.push_back(name + "=" + *value);
  }
  return env;
}

pid_t Spawn(const std::vector<std::string>& args, const EnvChanges& changes, int* out_fd,
            int* err_fd) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) return -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::vector<std::string> argv_store = {CliBinary()};
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_store = BuildEnv(changes);
  std::vector<char*> envp;
  for (std::string& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (rc != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    return -1;
  }
  *out_fd = out_pipe[0];
  *err_fd = err_pipe[0];
  return pid;
}

// Reads what is available from the fds (waiting up to timeout_ms); closes and sets to -1 at EOF.
void PumpFds(int* out_fd, int* err_fd, std::string* out, std::string* err, int timeout_ms) {
  pollfd fds[2] = {{*out_fd, POLLIN, 0}, {*err_fd, POLLIN, 0}};
  if (::poll(fds, 2, timeout_ms) <= 0) return;
  int* fd_ptrs[2] = {out_fd, err_fd};
  std::string* sinks[2] = {out, err};
  for (int i = 0; i < 2; ++i) {
    if (*fd_ptrs[i] < 0 || fds[i].revents == 0) continue;
    char buffer[4096];
    const ssize_t n = ::read(*fd_ptrs[i], buffer, sizeof(buffer));
    if (n > 0) {
      sinks[i]->append(buffer, static_cast<size_t>(n));
    } else {
      ::close(*fd_ptrs[i]);
      *fd_ptrs[i] = -1;
    }
  }
}

}  // namespace

std::string CliBinary() { return SYNCAGENT_CLI_BINARY; }

std::vector<std::string> ProcResult::ErrLines() const {
  std::vector<std::string> lines;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::string ProcResult::Describe() const {
  return "exit " + std::to_string(exit_code) + (timed_out ? " (timed out)" : "") +
         "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
}

ProcResult RunCli(const std::vector<std::string>& args, const EnvChanges& env,
                  std::chrono::milliseconds timeout) {
  ProcResult result;
  int out_fd = -1, err_fd = -1;
  const auto start = Clock::now();
  const pid_t pid = Spawn(args, env, &out_fd, &err_fd);
  if (pid < 0) {
    result.err = "spawn failed";
    return result;
  }
  while (out_fd >= 0 || err_fd >= 0) {
    if (Clock::now() - start > timeout) {
      ::kill(pid, SIGKILL);
      result.timed_out = true;
      break;
    }
    int fd_out = out_fd < 0 ? -1 : out_fd, fd_err = err_fd < 0 ? -1 : err_fd;
    if (fd_out < 0 && fd_err < 0) break;
    PumpFds(&out_fd, &err_fd, &result.out, &result.err, 100);
  }
  if (out_fd >= 0) ::close(out_fd);
  if (err_fd >= 0) ::close(err_fd);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  if (!result.timed_out && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

BackgroundCli::BackgroundCli(const std::vector<std::string>& args, const EnvChanges& env) {
  pid_ = Spawn(args, env, &out_fd_, &err_fd_);
}

BackgroundCli::~BackgroundCli() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status_, 0);
  }
  if (out_fd_ >= 0) ::close(out_fd_);
  if (err_fd_ >= 0) ::close(err_fd_);
}

void BackgroundCli::Pump(int timeout_ms) {
  if (out_fd_ < 0 && err_fd_ < 0) {
    ::usleep(static_cast<useconds_t>(timeout_ms) * 1000);
    return;
  }
  PumpFds(&out_fd_, &err_fd_, &out_, &err_, timeout_ms);
}

std::optional<std::string> BackgroundCli::ReadStdoutLine(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (const auto nl = out_.find('\n'); nl != std::string::npos) {
      std::string line = out_.substr(0, nl);
      out_.erase(0, nl + 1);
      return line;
    }
    if (out_fd_ < 0 || Clock::now() >= deadline) return std::nullopt;
    Pump(20);
  }
}

bool BackgroundCli::WaitForStderr(const std::string& text, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (err_.find(text) == std::string::npos) {
    if (Clock::now() >= deadline || err_fd_ < 0) return err_.find(text) != std::string::npos;
    Pump(20);
  }
  return true;
}

void BackgroundCli::Signal(int signo) {
  if (pid_ > 0 && !reaped_) ::kill(pid_, signo);
}

std::optional<int> BackgroundCli::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!reaped_) {
    const pid_t r = ::waitpid(pid_, &status_, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      break;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    Pump(10);
  }
  while (out_fd_ >= 0 || err_fd_ >= 0) Pump(50);
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  return -WTERMSIG(status_);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, const std::string& text, int mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
  }
  fs::permissions(path, static_cast<fs::perms>(mode));
}

void CliTest::SetUp() {
  char pattern[] = "/tmp/syncagent-cli-test-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  dir_ = pattern;
  server_options_.admin = true;
  server_options_.token = kToken;
  auto server = mock::MockServer::Start(server_options_);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  server_ = std::move(*server);
}

void CliTest::TearDown() {
  if (server_) server_->Stop();
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

std::string CliTest::WriteConfig(const std::string& name, const json& patch) {
  json config = {
      {"server",
       {{"base_url", server_->base_url()},
        {"allow_insecure_http", true},
        {"auth", {{"type", "bearer"}, {"token_env", kTokenEnv}}},
        {"timeouts", {{"connect_ms", 2000}, {"request_ms", 5000}}}}},
      {"storage", {{"path", name + ".db"}}},
      {"retry", {{"initial_delay_ms", 10}, {"max_delay_ms", 50}, {"max_attempts_per_cycle", 1}}},
      {"schedule", {{"time_budget_seconds", 20}}},
  };
  config.merge_patch(patch);
  const std::string path = dir_ + "/" + name + ".json";
  WriteFile(path, config.dump(2));
  return path;
}

ProcResult CliTest::Cli(const std::vector<std::string>& args, EnvChanges env,
                        std::chrono::milliseconds timeout) {
  env.emplace(kTokenEnv, std::string(kToken));
  return RunCli(args, env, timeout);
}

json CliTest::ServerDoc(const std::string& collection, const std::string& key) {
  for (const auto& doc : server_->Documents()) {
    if (doc.collection == collection && doc.key == key && !doc.deleted) return doc.data;
  }
  return nullptr;
}

void CliTest::SetFaults(const json& scenario) {
  auto rules = faults::ParseFaultScenario(scenario);
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  server_->faults().Replace(std::move(*rules));
}

}  // namespace syncagent::cli::testing
