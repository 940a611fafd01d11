#include "tests/soak/verify.h"

#include <map>
#include <utility>

namespace syncagent::soak {
namespace {

using nlohmann::json;
using DocKey = std::pair<std::string, std::string>;

constexpr size_t kMaxProblems = 40;

void Problem(Verdict* v, const std::string& text) {
  if (v->problems.size() < kMaxProblems) v->problems.push_back(text);
}

std::string Name(const DocKey& k) { return k.first + "/" + k.second; }

std::string Show(const json* doc) {
  if (doc == nullptr) return "absent";
  std::string s = "v" + std::to_string(doc->value("version", int64_t{0}));
  s += doc->value("deleted", false) ? " (deleted)" : " " + (*doc)["data"].dump();
  if (s.size() > 300) s = s.substr(0, 300) + "...";
  return s;
}

// The writes of one client checked against the server (see client.h for the model).
void CheckClient(const Client& client, const std::map<DocKey, json>& server, Verdict* v) {
  const std::string c = "c" + std::to_string(client.index());
  // The index of the last issued write per own document / shared document.
  std::map<std::string, size_t> last_own, last_shared;
  const auto& issued = client.issued();
  for (size_t i = 0; i < issued.size(); ++i) {
    (issued[i].op == WriteOp::kShared ? last_shared : last_own)[issued[i].key] = i;
  }
  for (size_t i = 0; i < issued.size(); ++i) {
    const IssuedWrite& w = issued[i];
    const auto found = server.find({w.collection, w.key});
    const json* doc = found == server.end() ? nullptr : &found->second;
    const bool live = doc != nullptr && !doc->value("deleted", false);
    bool ok = false;
    std::string expected;
    if (w.op == WriteOp::kShared) {
      const SharedSide& side = client.shared().at(w.key);
      ok = live && (*doc)["data"].contains(w.marker);
      expected = "marker " + w.marker;
      if (last_shared[w.key] == i && !side.uncertain) {
        ok = ok && (*doc)["data"].value(c, int64_t{-1}) == w.n;
        expected += " and " + c + " = " + std::to_string(w.n);
      }
    } else {
      const OwnDoc& own = client.own().at(w.key);
      if (own.uncertain) {
        ++v->unchecked;
        continue;
      }
      if (!own.live) {
        // The delete was the final write: a tombstone, or nothing when the document was deleted
        // before its create was ever sent (the outbox then drops both).
        ok = !live;
        expected = "a tombstone or nothing";
      } else {
        ok = live && (*doc)["data"].contains(w.marker);
        expected = "marker " + w.marker;
        if (last_own[w.key] == i) {
          ok = ok && (*doc)["data"] == own.data;
          expected = own.data.dump();
        }
      }
      if (own.writes == 1 && w.op == WriteOp::kCreate && doc != nullptr &&
          doc->value("version", int64_t{0}) != 1) {
        ++v->single_write_versions;
        Problem(v, "duplicate? " + Name({w.collection, w.key}) +
                       " was written once (a create) but the server has " + Show(doc));
      }
    }
    if (ok) {
      ++v->on_server;
    } else {
      ++v->lost;
      Problem(v, "lost: " + c + " " + WriteOpName(w.op) + " #" + std::to_string(w.n) + " " +
                     Name({w.collection, w.key}) +
                     (w.recovered ? " (recovered after a crash)" : "") + ": expected " + expected +
                     ", server has " + Show(doc));
    }
  }
  for (const IssuedWrite& w : client.not_committed()) {
    const auto found = server.find({w.collection, w.key});
    if (found == server.end() || found->second.value("deleted", false)) continue;
    const json& data = found->second["data"];
    const bool present = w.op == WriteOp::kCreate ? true : data.contains(w.marker);
    if (w.op != WriteOp::kDelete && present) {
      ++v->phantoms;
      Problem(v, "phantom: " + c + " " + WriteOpName(w.op) + " #" + std::to_string(w.n) + " " +
                     Name({w.collection, w.key}) +
                     " was not committed locally but the server has it: " + Show(&found->second));
    }
  }
}

}  // namespace

Verdict Verify(const std::vector<Client*>& clients, const json& docs, const json& stats,
               const std::vector<Replica>& replicas, const std::vector<bool>& replica_ok,
               const std::vector<json>& statuses) {
  Verdict v;
  std::map<DocKey, json> server;
  Replica server_live;
  static const json kEmpty = json::array();
  const json& documents = docs.contains("documents") ? docs["documents"] : kEmpty;
  for (const json& d : documents) {
    const DocKey k{d.value("collection", ""), d.value("key", "")};
    server[k] = d;
    if (d.value("deleted", false)) {
      ++v.server_tombstones;
    } else {
      ++v.server_documents;
      server_live[k] = d["data"];
    }
  }

  static const json kNone = json::object();
  const json& applied = stats.contains("applied") ? stats["applied"] : kNone;
  const json& replayed = stats.contains("replayed") ? stats["replayed"] : kNone;
  for (const auto& [id, n] : applied.items()) {
    const int64_t count = n.get<int64_t>();
    if (count > 0) ++v.mutations_applied;
    if (count > 1) {
      ++v.applied_twice;
      Problem(&v, "duplicate: mutation " + id + " applied " + std::to_string(count) + " times");
    }
  }
  for (const auto& [id, n] : replayed.items()) {
    v.replays += n.get<int64_t>();
  }

  for (const Client* client : clients) {
    CheckClient(*client, server, &v);
    v.issued += static_cast<int64_t>(client->issued().size());
  }
  v.issued -= v.unchecked;
  v.duplicates = v.applied_twice + v.single_write_versions;

  for (const auto& [k, d] : server_live) {
    if (k.first != kSharedCollection || !d.contains("last")) continue;
    if (!d["last"].is_string() || !d.contains(d["last"].get<std::string>())) {
      ++v.bad_last;
      Problem(&v, "shared " + Name(k) + ": \"last\" names no marker it holds: " + d["last"].dump());
    }
  }

  v.converged = true;
  for (size_t i = 0; i < clients.size(); ++i) {
    const std::string c = "c" + std::to_string(clients[i]->index());
    if (!statuses[i].is_object()) {
      v.converged = false;
      Problem(&v, c + ": no status");
    } else {
      const int64_t queued = statuses[i].value("queue_depth", int64_t{-1});
      v.queued += queued;
      v.dead_letters += statuses[i].value("dead_letters", int64_t{0});
      v.open_conflicts += statuses[i].value("open_conflicts", int64_t{0});
      if (queued != 0) {
        v.converged = false;
        Problem(&v, c + ": " + std::to_string(queued) + " change(s) still queued");
      }
    }
    if (!replica_ok[i]) {
      v.converged = false;
      Problem(&v, c + ": replica not readable");
      continue;
    }
    const Replica& r = replicas[i];
    for (const auto& [k, d] : server_live) {
      const auto it = r.find(k);
      if (it == r.end() || it->second != d) {
        ++v.replica_mismatches;
        Problem(&v, c + ": " + Name(k) + " differs: replica " +
                        (it == r.end() ? std::string("absent") : it->second.dump().substr(0, 200)) +
                        ", server " + d.dump().substr(0, 200));
      }
    }
    for (const auto& [k, d] : r) {
      if (server_live.count(k) == 0) {
        ++v.replica_mismatches;
        Problem(&v, c + ": " + Name(k) + " is live in the replica but not on the server");
      }
    }
  }
  if (v.replica_mismatches > 0) v.converged = false;
  return v;
}

}  // namespace syncagent::soak
