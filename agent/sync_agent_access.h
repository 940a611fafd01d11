// SyncAgentAccess: what the library's own shims over the public SyncAgent (include/syncagent/
// agent.h) may reach that an embedder may not — opening with a custom open function and the
// internal Agent behind the pimpl (for the C API's secret redaction and the CLI's commands).
//
// Thread safety: as SyncAgent.
#ifndef SYNCAGENT_AGENT_SYNC_AGENT_ACCESS_H_
#define SYNCAGENT_AGENT_SYNC_AGENT_ACCESS_H_

#include <memory>
#include <string_view>

#include "agent/agent.h"
#include "syncagent/agent.h"

namespace syncagent {

struct SyncAgentAccess {
  // A SyncAgent over `open_fn(arg, options)`, where options carry the SyncAgent's callback slots.
  static StatusOr<std::unique_ptr<SyncAgent>> Open(
      StatusOr<std::unique_ptr<Agent>> (*open_fn)(std::string_view, AgentOptions),
      std::string_view arg);
  // The Agent behind `sync_agent`; lives as long as it (or longer, see ~SyncAgent).
  static Agent& agent(SyncAgent& sync_agent);
};

}  // namespace syncagent

#endif  // SYNCAGENT_AGENT_SYNC_AGENT_ACCESS_H_
