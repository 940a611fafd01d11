// `syncagent simulate --server URL`: every simulated wake-up runs a real HeadlessTask sync
// against URL (a mock server: `syncagent mock-server`), on the simulator's virtual clock.
//
// What: the config is copied with server.base_url = URL and storage.path = a fresh store in a new
// temporary directory (the config's own store is never opened: its sync state belongs to the real
// server), and an Agent is opened on the simulator's clock. The cycle's HTTP requests take real
// time but no virtual time; its retry waits are virtual. Outcome of a run: done -> ok; stopped at
// its deadline -> cut; a periodic wake in the server's quiet period or one that lost the lease ->
// skipped (no request); anything else -> failed; the reported result is HeadlessTask's.
// A run that starts while the simulated device is offline never reaches the server (sim_report.h).
//
// Thread safety: the factory and the body run on the simulator's thread.
#ifndef SYNCAGENT_AGENT_CLI_SIMULATE_SERVER_H_
#define SYNCAGENT_AGENT_CLI_SIMULATE_SERVER_H_

#include <string>

#include "config/agent_config.h"
#include "syncagent/status.h"
#include "tools/simulators/sim_report.h"

namespace syncagent::cli {

// InvalidArgument (message starting "--server: ") when URL is not an http(s) URL, or is plain
// http to a host that is not loopback (the config's token would travel in clear text).
Status CheckServerUrl(const std::string& url);

// The body factory for RunSimulation. REQUIRES: CheckServerUrl(url) is ok. The temp directory is
// created when the factory runs and removed when the body is destroyed.
SimBodyFactory ServerBodyFactory(const AgentConfig& config, const std::string& url);

}  // namespace syncagent::cli

#endif  // SYNCAGENT_AGENT_CLI_SIMULATE_SERVER_H_
