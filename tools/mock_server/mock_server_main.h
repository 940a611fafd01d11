// MockServerMain: the command line of the mock sync server.
//
// Used by the `syncagent-mock-server` executable and by the CLI's `mock-server` subcommand.
// Flags: --port N, --tls-cert FILE --tls-key FILE, --token T, --data FILE, --faults FILE,
// --admin, --max-body-bytes N, --help. A bad flag prints one line to stderr and returns 2; a
// start failure (port in use, bad certificate) returns 1. Once serving, the first line on stdout
// is exactly "listening on http://127.0.0.1:PORT" (https with TLS), flushed. SIGINT or SIGTERM
// stop the server cleanly and MockServerMain returns 0.
//
// Thread safety: call from the main thread; it blocks SIGINT/SIGTERM while serving (so the
// server's threads inherit the mask) and restores the previous mask before returning.
#ifndef SYNCAGENT_TOOLS_MOCK_SERVER_MOCK_SERVER_MAIN_H_
#define SYNCAGENT_TOOLS_MOCK_SERVER_MOCK_SERVER_MAIN_H_

#include <string>
#include <vector>

#include "syncagent/status.h"
#include "tools/mock_server/mock_server.h"

namespace syncagent::mock {

// Parses the flags (argv without the program name). Sets *help when --help was given.
StatusOr<MockServerOptions> ParseMockServerFlags(const std::vector<std::string>& args, bool* help);

// The usage text printed by --help.
std::string MockServerUsage(const std::string& program);

int MockServerMain(int argc, char** argv);

}  // namespace syncagent::mock

#endif  // SYNCAGENT_TOOLS_MOCK_SERVER_MOCK_SERVER_MAIN_H_
