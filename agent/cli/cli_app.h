// CliMain: the `syncagent` command line (see `syncagent --help` and README.md).
//
// What: parses argv with CLI11 into exactly one command, then runs it. Parse errors (unknown
// command or option, missing argument) are ONE line on stderr and exit 2; `--help` on any command
// prints its usage and exits 0. Nothing is opened or written before the whole command line is
// valid.
//
// Thread safety: call once, from the main thread.
#ifndef SYNCAGENT_AGENT_CLI_CLI_APP_H_
#define SYNCAGENT_AGENT_CLI_CLI_APP_H_

#include <cstdio>

namespace syncagent::cli {

int CliMain(int argc, char** argv, std::FILE* out = stdout, std::FILE* err = stderr);

}  // namespace syncagent::cli

#endif  // SYNCAGENT_AGENT_CLI_CLI_APP_H_
