// A server program run by a test (syncagent-mock-server, syncagent-fault-proxy): spawned with its
// stdout and stderr on pipes, its first line read, signalled, and its exit code collected.
#ifndef SYNCAGENT_TESTS_TOOLS_SPAWNED_SERVER_H_
#define SYNCAGENT_TESTS_TOOLS_SPAWNED_SERVER_H_

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace syncagent::testing_tools {

// A child process with its stdout and stderr on pipes; killed (SIGKILL) and reaped when destroyed.
class SpawnedServer {
 public:
  SpawnedServer(const std::string& binary, std::vector<std::string> args) {
    args.insert(args.begin(), binary);
    int out[2], err[2];
    EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(err, O_CLOEXEC), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    EXPECT_EQ(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    ::close(err[1]);
    out_ = out[0];
    err_ = err[0];
  }
  virtual ~SpawnedServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
    ::close(out_);
    ::close(err_);
  }

  // Reads stdout up to the first newline (or EOF / 10 s).
  std::string FirstLine() {
    std::string line;
    char c;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline && ::read(out_, &c, 1) == 1 && c != '\n') {
      line += c;
    }
    return line;
  }
  std::string Stderr() {
    std::string text;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(err_, buffer, sizeof(buffer))) > 0)
      text.append(buffer, static_cast<size_t>(n));
    return text;
  }
  void Signal(int sig) { ::kill(pid_, sig); }
  pid_t pid() const { return pid_; }
  // The exit code, or -signal when killed; -1000 when it does not exit within 10 s.
  int Wait() {
    int status = 0;
    for (int i = 0; i < 1000; ++i) {
      const pid_t done = ::waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1000;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int err_ = -1;
};

// The port of a "listening on http(s)://127.0.0.1:PORT" line, or -1.
inline int PortOf(const std::string& line) {
  std::smatch match;
  static const std::regex kListening(R"(listening on https?://127\.0\.0\.1:(\d+))");
  return std::regex_match(line, match, kListening) ? std::stoi(match[1]) : -1;
}

}  // namespace syncagent::testing_tools

#endif  // SYNCAGENT_TESTS_TOOLS_SPAWNED_SERVER_H_
