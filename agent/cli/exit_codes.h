// The CLI's exit codes (documented in `syncagent --help` and README.md).
#ifndef SYNCAGENT_AGENT_CLI_EXIT_CODES_H_
#define SYNCAGENT_AGENT_CLI_EXIT_CODES_H_

namespace syncagent::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the operation failed (or `get`: no such document)
inline constexpr int kExitUsage = 2;    // bad command line, bad argument, missing or invalid config
inline constexpr int kExitRetry = 75;   // `run`: try again later (EX_TEMPFAIL)

}  // namespace syncagent::cli

#endif  // SYNCAGENT_AGENT_CLI_EXIT_CODES_H_
