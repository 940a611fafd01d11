// FaultProxyMain: the command line of the fault proxy (docs/fault-proxy.md).
//
// Used by the `syncagent-fault-proxy` executable and by the CLI's `fault-proxy` subcommand.
// Flags: --upstream URL (required), --port N, --faults FILE, --admin, --tls-cert FILE
// --tls-key FILE, --upstream-ca FILE, --error-body syncagent|couchdb, --max-body-bytes N,
// --help. A bad flag prints one line to stderr and returns 2; a start failure (port in use, bad
// certificate) returns 1. Once serving, the first stdout line is exactly
// "listening on http://127.0.0.1:PORT" (https with TLS); an unreachable upstream is reported on
// stderr, one line per request. SIGINT or SIGTERM stop the proxy cleanly (returns 0).
//
// Thread safety: call from the main thread (see ServeUntilSignal).
#ifndef SYNCAGENT_TOOLS_FAULT_PROXY_FAULT_PROXY_MAIN_H_
#define SYNCAGENT_TOOLS_FAULT_PROXY_FAULT_PROXY_MAIN_H_

#include <string>
#include <vector>

#include "syncagent/status.h"
#include "tools/fault_proxy/fault_proxy.h"

namespace syncagent::faults {

// Parses the flags (argv without the program name). Sets *help when --help was given.
StatusOr<FaultProxyOptions> ParseFaultProxyFlags(const std::vector<std::string>& args, bool* help);

// The usage text printed by --help.
std::string FaultProxyUsage(const std::string& program);

int FaultProxyMain(int argc, char** argv);

}  // namespace syncagent::faults

#endif  // SYNCAGENT_TOOLS_FAULT_PROXY_FAULT_PROXY_MAIN_H_
