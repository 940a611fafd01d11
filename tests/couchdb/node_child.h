// NodeChild: a node script run for a test (PouchDB Server, the PouchDB device), with its stdin
// and stdout on pipes and its stderr in a temporary file. The scripts and the npm peers they load
// come from this source tree (tests/couchdb/, third_party/node/); when node is not on PATH or
// the peers are not installed, Start() fails with a message that says to run
// scripts/install-couch-peers, so the test that asked fails instead of being skipped.
//
// Thread safety: one thread uses an instance; distinct instances are independent.
#ifndef SYNCAGENT_TESTS_COUCHDB_NODE_CHILD_H_
#define SYNCAGENT_TESTS_COUCHDB_NODE_CHILD_H_

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "syncagent/status.h"

namespace syncagent::couch_testing {

// The command that installs the peers, for messages.
inline constexpr const char kInstallPeersHint[] =
    "run scripts/install-couch-peers --auth (after scripts/install-deps for node and npm)";

// third_party/node/node_modules of this source tree.
std::string DefaultModulesDir();
// third_party/node-auth/node_modules of this source tree: the complete pouchdb-server package,
// which `scripts/install-couch-peers --auth` installs.
std::string DefaultAuthModulesDir();

class NodeChild {
 public:
  // Runs `node tests/couchdb/<script> --modules <modules_dir> <args...>` with the test's
  // environment minus the variables named in `env_drop`, plus `env_add` ("NAME=value").
  // kFailedPrecondition when node, the script or `required_package` in `modules_dir` is
  // missing (naming it, with kInstallPeersHint).
  static StatusOr<std::unique_ptr<NodeChild>> Start(
      std::string_view script, const std::string& modules_dir,
      std::string_view required_package, const std::vector<std::string>& args,
      const std::vector<std::string>& env_drop = {},
      const std::vector<std::string>& env_add = {});

  NodeChild(const NodeChild&) = delete;
  NodeChild& operator=(const NodeChild&) = delete;
  // Stops the child when it still runs (as Stop()) and removes its stderr file.
  ~NodeChild();

  // The next line on the child's stdout, without its newline; kUnavailable (with the child's
  // stderr) at end of file, or when no line came within `limit` (a safety net for a hung child,
  // not a timing assumption).
  StatusOr<std::string> ReadLine(std::chrono::milliseconds limit = std::chrono::seconds(120));
  // Writes `line` and a newline to the child's stdin.
  Status WriteLine(std::string_view line);
  // Sends SIGTERM and waits for the exit; returns the exit code (-signal when killed; a child
  // that has not exited 30 s after SIGTERM is killed). Once stopped, returns the same code.
  int Stop();
  bool running() const { return pid_ > 0; }
  // What the child wrote on stderr so far.
  std::string Stderr() const;

 private:
  NodeChild(pid_t pid, int stdin_fd, int stdout_fd, std::string stderr_path);

  pid_t pid_;
  int stdin_fd_;   // node scripts exit when this closes (the test process died)
  int stdout_fd_;
  std::string stderr_path_;
  int exit_code_ = 0;
  std::string buffered_;  // read from stdout, not yet returned as a line
};

}  // namespace syncagent::couch_testing

#endif  // SYNCAGENT_TESTS_COUCHDB_NODE_CHILD_H_
