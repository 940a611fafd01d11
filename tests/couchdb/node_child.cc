#include "tests/couchdb/node_child.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

extern char** environ;

namespace syncagent::couch_testing {
namespace {

std::string SourceDir() { return SYNCAGENT_SOURCE_DIR; }

bool IsExecutable(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
         ::access(path.c_str(), X_OK) == 0;
}

std::optional<std::string> FindOnPath(std::string_view name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path == nullptr ? "" : path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + std::string(name);
    if (IsExecutable(candidate)) return candidate;
  }
  return std::nullopt;
}

// The test's environment without the variables `drop` names, plus `add`.
std::vector<std::string> ChildEnvironment(const std::vector<std::string>& drop,
                                          const std::vector<std::string>& add) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view var(*entry);
    bool dropped = false;
    for (const std::string& name : drop) {
      dropped = dropped || var.substr(0, name.size() + 1) == name + "=";
    }
    if (!dropped) env.emplace_back(var);
  }
  env.insert(env.end(), add.begin(), add.end());
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

int WaitForExit(pid_t pid, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string DefaultModulesDir() { return SourceDir() + "/third_party/node/node_modules"; }

std::string DefaultAuthModulesDir() { return SourceDir() + "/third_party/node-auth/node_modules"; }

StatusOr<std::unique_ptr<NodeChild>> NodeChild::Start(std::string_view script,
                                                      const std::string& modules_dir,
                                                      std::string_view required_package,
                                                      const std::vector<std::string>& args,
                                                      const std::vector<std::string>& env_drop,
                                                      const std::vector<std::string>& env_add) {
  const auto node = FindOnPath("node");
  if (!node) return FailedPreconditionError(std::string("node is not on PATH; ") + kInstallPeersHint);
  const std::string script_path = SourceDir() + "/tests/couchdb/" + std::string(script);
  if (::access(script_path.c_str(), R_OK) != 0) {
    return FailedPreconditionError("missing " + script_path);
  }
  const std::string package = modules_dir + "/" + std::string(required_package);
  if (::access((package + "/package.json").c_str(), R_OK) != 0) {
    return FailedPreconditionError("the CouchDB test peers are not installed in " + modules_dir +
                                   " (no " + std::string(required_package) + "); " +
                                   kInstallPeersHint);
  }
  // A child that died makes a write to its stdin fail with EPIPE instead of killing the test.
  ::signal(SIGPIPE, SIG_IGN);
  std::string stderr_path = "/tmp/node-child-stderr-XXXXXX";
  const int stderr_fd = ::mkstemp(stderr_path.data());
  if (stderr_fd < 0) return IoError("cannot create a file for the child's stderr");
  ::close(stderr_fd);
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
    ::unlink(stderr_path.c_str());
    return IoError("pipe failed");
  }
  std::vector<std::string> argv = {*node, script_path, "--modules", modules_dir};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env = ChildEnvironment(env_drop, env_add);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_TRUNC, 0);
  auto arg_pointers = Pointers(argv);
  auto env_pointers = Pointers(env);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, arg_pointers[0], &actions, nullptr, arg_pointers.data(),
                             env_pointers.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  if (rc != 0) {
    ::close(in[1]);
    ::close(out[0]);
    ::unlink(stderr_path.c_str());
    return IoError("cannot spawn " + *node + ": " + std::to_string(rc));
  }
  return std::unique_ptr<NodeChild>(new NodeChild(pid, in[1], out[0], std::move(stderr_path)));
}

NodeChild::NodeChild(pid_t pid, int stdin_fd, int stdout_fd, std::string stderr_path)
    : pid_(pid), stdin_fd_(stdin_fd), stdout_fd_(stdout_fd), stderr_path_(std::move(stderr_path)) {}

NodeChild::~NodeChild() {
  if (pid_ > 0) Stop();
  ::close(stdout_fd_);
  ::unlink(stderr_path_.c_str());
}

StatusOr<std::string> NodeChild::ReadLine(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    const size_t newline = buffered_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffered_.substr(0, newline);
      buffered_.erase(0, newline + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{stdout_fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      return UnavailableError("no line from the node child within " +
                              std::to_string(limit.count()) + " ms; its stderr: " + Stderr());
    }
    char chunk[4096];
    const ssize_t n = ::read(stdout_fd_, chunk, sizeof chunk);
    if (n <= 0) {
      return UnavailableError("the node child closed its stdout" +
                              (buffered_.empty() ? "" : " after \"" + buffered_ + "\"") +
                              "; its stderr: " + Stderr());
    }
    buffered_.append(chunk, static_cast<size_t>(n));
  }
}

Status NodeChild::WriteLine(std::string_view line) {
  std::string text(line);
  text += '\n';
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(stdin_fd_, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return IoError("cannot write to the node child; its stderr: " + Stderr());
    written += static_cast<size_t>(n);
  }
  return Status::Ok();
}

int NodeChild::Stop() {
  if (pid_ <= 0) return exit_code_;
  ::kill(pid_, SIGTERM);
  exit_code_ = WaitForExit(pid_, std::chrono::seconds(30));
  pid_ = -1;
  ::close(stdin_fd_);
  stdin_fd_ = -1;
  return exit_code_;
}

std::string NodeChild::Stderr() const { return ReadFile(stderr_path_); }

}  // namespace syncagent::couch_testing
