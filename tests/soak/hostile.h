// The soak's --hostile mode (issue 13, items 1-3): documents that one side cannot take, and a
// server that loses its data mid-run.
//
// Into collection "hostile" the soak plants, as another client (admin writes):
//   big0..big9  350 KB each: together larger than one pull response may be (the soak clients'
//               server.max_response_bytes is 1 MiB: issue 13's 10 x 3.5 MB against 32 MiB,
//               scaled), each small enough, so every client must end up holding all ten;
//   huge        1.5 MB: within the document limit but larger than any response a client takes,
//               so the server sends it as an `omitted` stub and every client isolates it;
//   deep40, deep62  nested past the document limit (deep62 makes its page 65 levels deep, past
//               the wire limit): every client must isolate both.
// Every client must end with remote_skips = 3 and keep syncing everything else.
// Every client also tries a local write past the limit through the CLI, which must be refused
// (exit 2) without changing anything. The server reset itself is driven by soak_main.cc.
#ifndef SYNCAGENT_TESTS_SOAK_HOSTILE_H_
#define SYNCAGENT_TESTS_SOAK_HOSTILE_H_

#include <nlohmann/json.hpp>
#include <string>

#include "tests/soak/client.h"
#include "tests/soak/server.h"

namespace syncagent::soak {

// Documents of kHostileCollection that no client can take (planted again after a reset).
inline constexpr int kIsolatedDocuments = 3;

// Plants the documents no client can take and, with `big`, the ten large ones. False (with
// *error) on failure.
bool PlantHostileDocuments(const ServerProcess& server, bool big, std::string* error);

// The CLI refuses a local write past the document limit: exit 2, nothing stored or queued.
bool RefusesDeepWrite(Client& client, std::string* error);

// `docs` (GET /_admin/docs) without the documents no client can take, for the replica check.
nlohmann::json WithoutIsolated(const nlohmann::json& docs);

}  // namespace syncagent::soak

#endif  // SYNCAGENT_TESTS_SOAK_HOSTILE_H_
