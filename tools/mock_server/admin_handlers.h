// AdminHandlers: the mock server's /_admin/* endpoints (docs/mock-server.md).
//
// Test control over HTTP, mirroring MockServer's in-process accessors: fault rules and the request
// log (the fault engine's endpoints, tools/faults/fault_admin.h), exactly-once statistics, writing
// and deleting documents "as another client", dumping all documents for convergence checks, and a
// full reset. Only served when admin is enabled; never authenticated, never subject to faults,
// never logged.
//
// Thread safety: Handle() may run concurrently (the components are thread-safe).
#ifndef SYNCAGENT_TOOLS_MOCK_SERVER_ADMIN_HANDLERS_H_
#define SYNCAGENT_TOOLS_MOCK_SERVER_ADMIN_HANDLERS_H_

#include <httplib.h>

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>

#include "syncagent/status.h"
#include "tools/faults/fault_injector.h"
#include "tools/faults/request_log.h"
#include "tools/mock_server/sync_state.h"

namespace syncagent::mock {

// {"applied":{id:n},"replayed":{id:n},"head":n,"documents":n,"requests":n}
nlohmann::json StatsToJson(const SyncState::Stats& stats, int64_t requests);
// A document as the admin endpoints show it: the change form plus "change_seq".
nlohmann::json AdminDocumentJson(const DocumentState& document);

class AdminHandlers {
 public:
  // `reset` resets the whole server (state, faults, log).
  AdminHandlers(SyncState* state, faults::FaultInjector* faults, faults::RequestLog* log,
                std::function<Status()> reset)
      : state_(state), faults_(faults), log_(log), reset_(std::move(reset)) {}

  void Handle(const httplib::Request& req, httplib::Response& res) const;

 private:
  void Docs(const httplib::Request& req, httplib::Response& res) const;
  void Document(const httplib::Request& req, httplib::Response& res) const;

  SyncState* state_;
  faults::FaultInjector* faults_;
  faults::RequestLog* log_;
  std::function<Status()> reset_;
};

}  // namespace syncagent::mock

#endif  // SYNCAGENT_TOOLS_MOCK_SERVER_ADMIN_HANDLERS_H_
