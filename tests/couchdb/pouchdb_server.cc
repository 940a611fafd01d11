#include "tests/couchdb/pouchdb_server.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;

namespace syncagent::couch_testing {
namespace {

constexpr std::string_view kAdminVariable = "POUCHDB_SERVER_ADMIN";

std::string SourceDir() { return SYNCAGENT_SOURCE_DIR; }
std::string DefaultModulesDir() { return SourceDir() + "/third_party/node/node_modules"; }
std::string ScriptPath() { return SourceDir() + "/tests/couchdb/pouchdb_server.js"; }

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

// The test's environment without POUCHDB_SERVER_ADMIN, plus `admin` when not empty.
std::vector<std::string> ChildEnvironment(const std::string& admin) {
  std::vector<std::string> env;
  const std::string prefix = std::string(kAdminVariable) + "=";
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::string_view(*entry).substr(0, prefix.size()) != prefix) env.emplace_back(*entry);
  }
  if (!admin.empty()) env.push_back(prefix + admin);
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

struct Child {
  pid_t pid = -1;
  int stdin_fd = -1;
  int stdout_fd = -1;
};

// Spawns `argv` with stdin and stdout on pipes and stderr into the file `stderr_path`.
StatusOr<Child> Spawn(std::vector<std::string> argv, std::vector<std::string> env,
                      const std::string& stderr_path) {
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return IoError("pipe failed");
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return IoError("pipe failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_TRUNC, 0);
  auto args = Pointers(argv);
  auto vars = Pointers(env);
  Child child;
  const int rc = posix_spawn(&child.pid, args[0], &actions, nullptr, args.data(), vars.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  if (rc != 0) {
    ::close(in[1]);
    ::close(out[0]);
    return IoError("cannot spawn " + argv[0] + ": " + std::to_string(rc));
  }
  child.stdin_fd = in[1];
  child.stdout_fd = out[0];
  return child;
}

// The first line on `fd`, up to end of file or `limit` (a safety net for a hung node).
std::string ReadFirstLine(int fd, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::string line;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return line;
    char c;
    if (::read(fd, &c, 1) != 1 || c == '\n') return line;
    line += c;
  }
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

StatusOr<std::string> NewStderrFile() {
  std::string path = "/tmp/pouchdb-server-stderr-XXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd < 0) return IoError("cannot create a file for the server's stderr");
  ::close(fd);
  return path;
}

}  // namespace

StatusOr<std::unique_ptr<PouchDbServer>> PouchDbServer::Start(PouchDbServerOptions options) {
  const auto node = FindOnPath("node");
  if (!node) return FailedPreconditionError(std::string("node is not on PATH; ") + kInstallPeersHint);
  if (::access(ScriptPath().c_str(), R_OK) != 0) {
    return FailedPreconditionError("missing " + ScriptPath());
  }
  const std::string modules =
      options.modules_dir.empty() ? DefaultModulesDir() : options.modules_dir;
  if (::access((modules + "/express-pouchdb/package.json").c_str(), R_OK) != 0) {
    return FailedPreconditionError("the CouchDB test peers are not installed in " + modules +
                                   "; " + kInstallPeersHint);
  }
  SYNCAGENT_ASSIGN_OR_RETURN(std::string stderr_path, NewStderrFile());
  auto child = Spawn({*node, ScriptPath(), "--modules", modules, "--port",
                      std::to_string(options.port)},
                     ChildEnvironment(options.admin), stderr_path);
  if (!child.ok()) {
    ::unlink(stderr_path.c_str());
    return child.status();
  }
  const std::string line = ReadFirstLine(child->stdout_fd, std::chrono::seconds(60));
  ::close(child->stdout_fd);
  static const std::regex kListening(R"(listening on (http://127\.0\.0\.1:[0-9]+))");
  std::smatch match;
  if (!std::regex_match(line, match, kListening)) {
    ::kill(child->pid, SIGKILL);
    WaitForExit(child->pid, std::chrono::seconds(30));
    ::close(child->stdin_fd);
    const std::string err = ReadFile(stderr_path);
    ::unlink(stderr_path.c_str());
    return UnavailableError("PouchDB Server did not start (first line \"" + line +
                            "\"); its stderr: " + err + "; " + kInstallPeersHint);
  }
  return std::unique_ptr<PouchDbServer>(
      new PouchDbServer(child->pid, child->stdin_fd, stderr_path, match[1].str()));
}

PouchDbServer::PouchDbServer(pid_t pid, int stdin_fd, std::string stderr_path, std::string url)
    : pid_(pid), stdin_fd_(stdin_fd), stderr_path_(std::move(stderr_path)), url_(std::move(url)) {}

PouchDbServer::~PouchDbServer() {
  if (pid_ > 0) Stop();
  ::unlink(stderr_path_.c_str());
}

int PouchDbServer::Stop() {
  ::kill(pid_, SIGTERM);
  const int code = WaitForExit(pid_, std::chrono::seconds(30));
  pid_ = -1;
  ::close(stdin_fd_);
  stdin_fd_ = -1;
  return code;
}

std::string PouchDbServer::Stderr() const { return ReadFile(stderr_path_); }

int PouchDbServer::port() const { return std::stoi(url_.substr(url_.rfind(':') + 1)); }

}  // namespace syncagent::couch_testing
