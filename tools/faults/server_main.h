// What the programs built on the fault engine (syncagent-mock-server, syncagent-fault-proxy and
// the CLI's commands of the same names) share on their command line: flag reading and the
// serve-until-a-signal life.
//
// Thread safety: call from the main thread.
#ifndef SYNCAGENT_TOOLS_FAULTS_SERVER_MAIN_H_
#define SYNCAGENT_TOOLS_FAULTS_SERVER_MAIN_H_

#include <cstddef>
#include <cstdio>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "syncagent/status.h"

namespace syncagent::faults {

// Walks "--name VALUE", "--name=VALUE" and boolean "--name" flags.
class FlagReader {
 public:
  FlagReader(std::vector<std::string> args, std::set<std::string> booleans,
             std::set<std::string> with_values)
      : args_(std::move(args)),
        booleans_(std::move(booleans)),
        with_values_(std::move(with_values)) {}

  // The next flag and its value ("" for a boolean); false after the last. Errors name the flag:
  // unknown, missing or empty value, a value given to a boolean.
  StatusOr<bool> Next(std::string* flag, std::string* value);

  // Calls `apply` with each flag and value in turn; the first error (the reader's or apply's)
  // ends the walk and is returned.
  Status ForEach(
      const std::function<Status(const std::string& flag, const std::string& value)>& apply);

 private:
  std::vector<std::string> args_;
  std::set<std::string> booleans_;
  std::set<std::string> with_values_;
  size_t next_ = 0;
};

// An integer flag value in [min, max]; the error names the flag and the range.
StatusOr<long long> ParseFlagNumber(const std::string& flag, const std::string& text, long long min,
                                    long long max);

// A started server: the URL it listens on, and how to stop it.
struct Serving {
  std::string url;
  std::function<void()> stop;
};

// Blocks SIGINT and SIGTERM (before any server thread exists, so only sigwait() sees them),
// starts the server, prints "listening on URL" as the first stdout line (flushed), waits for
// one of those signals and stops it. Returns 0, or 1 when starting failed (the reason on
// stderr, after "PROGRAM: "). The previous signal mask is restored.
int ServeUntilSignal(const std::string& program, const std::function<StatusOr<Serving>()>& start);

// argv without the program name.
std::vector<std::string> ArgsOf(int argc, char** argv);

// The whole main() of a server program: `parse` reads the flags (an error: one line on stderr,
// "PROGRAM: message (try --help)", exit 2); --help prints `usage(program)` (exit 0); otherwise
// ServeUntilSignal with `start`.
template <typename Options>
int RunServerProgram(
    int argc, char** argv, const std::string& default_program,
    const std::function<StatusOr<Options>(const std::vector<std::string>&, bool*)>& parse,
    const std::function<std::string(const std::string&)>& usage,
    const std::function<StatusOr<Serving>(Options)>& start) {
  const std::string program = argc > 0 ? argv[0] : default_program;
  bool help = false;
  StatusOr<Options> options = parse(ArgsOf(argc, argv), &help);
  if (!options.ok()) {
    std::fprintf(stderr, "%s: %s (try --help)\n", program.c_str(),
                 options.status().message().c_str());
    return 2;
  }
  if (help) {
    std::fputs(usage(program).c_str(), stdout);
    return 0;
  }
  return ServeUntilSignal(program, [&] { return start(std::move(options).value()); });
}

}  // namespace syncagent::faults

#endif  // SYNCAGENT_TOOLS_FAULTS_SERVER_MAIN_H_
