// ProtocolHandlers: the syncagent/1 endpoints (/v1/push, /v1/pull) over SyncState.
//
// Turns HTTP requests into SyncState calls and the outcomes into HTTP answers exactly as
// docs/protocol.md specifies: bearer authentication, envelope validation, size limits, the
// Idempotency-Key requirement, pull parameters, ETag / If-None-Match, and the JSON error body.
//
// Thread safety: Handle() may run concurrently (SyncState serialises state access).
#ifndef SYNCAGENT_TOOLS_MOCK_SERVER_PROTOCOL_HANDLERS_H_
#define SYNCAGENT_TOOLS_MOCK_SERVER_PROTOCOL_HANDLERS_H_

#include <httplib.h>

#include <cstddef>
#include <string>

#include "tools/mock_server/sync_state.h"

namespace syncagent::mock {

inline constexpr size_t kMaxMutationsPerPush = 1000;
inline constexpr size_t kDefaultPullLimit = 100;
inline constexpr size_t kMaxPullLimit = 1000;

class ProtocolHandlers {
 public:
  // `token`: required bearer token ("" = no authentication). `max_body_bytes`: request limit.
  ProtocolHandlers(SyncState* state, std::string token, size_t max_body_bytes)
      : state_(state), token_(std::move(token)), max_body_bytes_(max_body_bytes) {}

  // Answers any request outside /_admin/.
  void Handle(const httplib::Request& req, httplib::Response& res) const;

 private:
  bool Authorized(const httplib::Request& req) const;
  void Push(const httplib::Request& req, httplib::Response& res) const;
  void Pull(const httplib::Request& req, httplib::Response& res) const;

  SyncState* state_;
  std::string token_;
  size_t max_body_bytes_;
};

}  // namespace syncagent::mock

#endif  // SYNCAGENT_TOOLS_MOCK_SERVER_PROTOCOL_HANDLERS_H_
