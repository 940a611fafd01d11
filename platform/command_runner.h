// CommandRunner: how platform code runs an external command (systemctl), injectable for tests.
//
// What: a function taking argv (argv[0] looked up on PATH) and returning OK on exit status 0, or a
// Status naming the command, its exit status and the first lines of its output.
// RunCommand is the real implementation (posix_spawnp + waitpid, output captured).
// Why: installing systemd units must be testable without touching the real systemd.
//
// Threading contract: RunCommand is safe from any thread (no shared state).
#ifndef SYNCAGENT_PLATFORM_COMMAND_RUNNER_H_
#define SYNCAGENT_PLATFORM_COMMAND_RUNNER_H_

#include <functional>
#include <string>
#include <vector>

#include "syncagent/status.h"

namespace syncagent {

using CommandRunner = std::function<Status(const std::vector<std::string>& argv)>;

// Runs argv, waits for it. Output (stdout + stderr) goes to `output` when non-null.
Status RunCommand(const std::vector<std::string>& argv, std::string* output = nullptr);

// "systemctl --user enable --now 'a b'" for messages.
std::string FormatCommand(const std::vector<std::string>& argv);

}  // namespace syncagent

#endif  // SYNCAGENT_PLATFORM_COMMAND_RUNNER_H_
