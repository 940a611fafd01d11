// Crash test over CouchDB: a child process (this binary, re-executed with CouchCrashChild.Run
// selected) opens an Agent with "protocol": "couchdb" on a real store file and loops — a few local
// writes, one sync cycle against a PouchDB Server that lives in the parent, repeat — while the
// parent SIGKILLs it at random moments (during writes, pushes, pulls, opening) and restarts it on
// the same file (tests/agent/crash_rig.h). The parent writes other documents as another client
// between runs, so pulls bring real pages.
// After one clean child run to quiescence the parent checks: the store file passes Verify with
// nothing queued, dead-lettered or in conflict and equals the server; no acknowledged write is
// lost; and every write is at most one revision on the server (writes queued together may be
// one): each document has at most one live leaf (open_revs=all), no more revisions than writes
// journaled for it nor tombstones than deletes, no two live revisions with the same body (a
// replayed write that became a second revision would repeat its body, since every write's value
// is unique), and the database's update_seq counts each revision once.
//
//   SYNCAGENT_CRASH_ITERATIONS=<n>  kills (default kDefaultIterations)
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <set>

#include "tests/agent/crash_rig.h"
#include "tests/couchdb/agent_fixture.h"

namespace syncagent {
namespace {

using nlohmann::json;
namespace crash = testing::crash;

constexpr int kDefaultIterations = 120;
constexpr char kCollection[] = "crash";

// Selected only in the re-executed child; skipped in a normal run.
TEST(CouchCrashChild, Run) {
  crash::RunChildOrSkip(
      kCollection,
      {{"server",
        {{"protocol", "couchdb"},
         {"couchdb", {{"databases", {{kCollection, kCollection}}}, {"create_databases", true}}}}},
       {"sync", {{"collections", {kCollection}}}}});
}

class CouchCrashTest : public couch_testing::CouchAgentTest {
 protected:
  std::string Db() const { return std::string("/") + kCollection; }

  // Another client's write of `key` (on its current revision).
  void OtherClientPut(const std::string& key, const json& data) {
    json doc = data;
    const json current = Server(Db() + "/" + key);
    if (current.contains("_rev")) doc["_rev"] = current["_rev"];
    const json answer = Server(Db() + "/" + key, "PUT", doc.dump());
    EXPECT_EQ(answer.value("ok", false), true) << answer.dump();
  }

  std::map<std::string, json> ServerLive() {
    std::map<std::string, json> live;
    const json all = Server(Db() + "/_all_docs?include_docs=true");
    for (const json& row : all.value("rows", json::array())) live[row["id"]] = DataOf(row["doc"]);
    return live;
  }

  // Checks the revision tree of `key` against the writes journaled for it: at most one live
  // leaf, every revision of every branch (a put after a delete starts a new root, leaving the
  // deleted branch as a deleted leaf, as replicated writes do in CouchDB) read back with its
  // body, no live body twice, no more tombstones than deletes nor revisions than writes.
  // Returns its number of revisions.
  int64_t ExpectOneRevisionPerWrite(const std::string& key, const crash::KeyHistory& writes);
};

int64_t CouchCrashTest::ExpectOneRevisionPerWrite(const std::string& key,
                                                  const crash::KeyHistory& writes) {
  const json leaves = Server(Db() + "/" + key + "?open_revs=all&revs=true");
  EXPECT_TRUE(leaves.is_array() && !leaves.empty()) << key << ": " << leaves.dump();
  std::set<std::string> revs;
  int live_leaves = 0;
  for (const json& leaf : leaves.is_array() ? leaves : json::array()) {
    const json& doc = leaf.value("ok", json::object());
    live_leaves += doc.value("_deleted", false) ? 0 : 1;
    const json& history = doc.value("_revisions", json::object());
    const int64_t start = history.value("start", int64_t{0});
    const json ids = history.value("ids", json::array());
    EXPECT_EQ(ids.size(), static_cast<size_t>(start)) << key << ": a truncated history";
    for (size_t i = 0; i < ids.size(); ++i) {
      revs.insert(std::to_string(start - static_cast<int64_t>(i)) + "-" +
                  ids[i].get<std::string>());
    }
  }
  EXPECT_LE(live_leaves, 1) << key << " has conflicting leaves: " << leaves.dump();
  json wanted = json::array();
  for (const std::string& rev : revs) wanted.push_back({{"id", key}, {"rev", rev}});
  const json bodies = Server(Db() + "/_bulk_get", "POST", json{{"docs", wanted}}.dump());
  std::set<std::string> live_bodies;
  int64_t tombstones = 0, read = 0;
  for (const json& result : bodies.value("results", json::array())) {
    for (const json& one : result.value("docs", json::array())) {
      EXPECT_TRUE(one.contains("ok")) << key << ": a revision without its body: " << one.dump();
      if (!one.contains("ok")) continue;
      ++read;
      if (one["ok"].value("_deleted", false)) {
        ++tombstones;
        continue;
      }
      const std::string body = DataOf(one["ok"]).dump();
      EXPECT_TRUE(live_bodies.insert(body).second)
          << key << ": two revisions with one body (a write made twice): " << body;
    }
  }
  EXPECT_EQ(read, static_cast<int64_t>(revs.size())) << key << ": " << bodies.dump();
  EXPECT_LE(tombstones, writes.deletes) << key << ": more tombstones than deletes";
  EXPECT_LE(static_cast<int64_t>(revs.size()), writes.writes)
      << key << ": more revisions than writes";
  return static_cast<int64_t>(revs.size());
}

TEST_F(CouchCrashTest, RandomKillsLoseNothingAndMakeNoSecondRevision) {
  crash::CrashRig rig("CouchCrashChild.Run");
  const int64_t iterations = crash::Iterations(kDefaultIterations);
  const auto start = std::chrono::steady_clock::now();
  Server(Db(), "PUT");
  const int64_t ready_kills = rig.KillLoop(iterations, server_->url(), 20261203, [&](int64_t run) {
    OtherClientPut("srv" + std::to_string(run % 5), {{"run", run}});
  });
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(rig.FinalRun(iterations + 1, server_->url()));

  const crash::JournalReplay replay = rig.Replay();
  for (const std::string& e : replay.errors) ADD_FAILURE() << e;
  const std::map<std::string, json> server_live = ServerLive();
  EXPECT_EQ(rig.CheckStore(kCollection), server_live);
  const int64_t resolved_in_flight = crash::CrashRig::ExpectNoLostWrite(replay, server_live, "srv");
  EXPECT_EQ(server_live.count("srv0") + server_live.count("srv4"), 2u);

  // Every revision on the server, the other client's included, is counted once by update_seq.
  int64_t revisions = 0;
  for (const auto& [key, h] : replay.keys) revisions += ExpectOneRevisionPerWrite(key, h);
  crash::KeyHistory other_client;  // at most one write per run, never a delete
  other_client.writes = iterations;
  for (int i = 0; i < 5; ++i) {
    revisions += ExpectOneRevisionPerWrite("srv" + std::to_string(i), other_client);
  }
  EXPECT_EQ(Server(Db())["update_seq"], revisions);

  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  std::cout << crash::StatsLine(iterations, ready_kills, replay, resolved_in_flight) << revisions
            << " revisions on the server, " << replay.conflict_cycles << " cycles with a conflict, "
            << ms << " ms\n";
  // A ready child writes 0-3 documents at once (1.5 on average) before its first cycle.
  EXPECT_GT(replay.acks, ready_kills / 2)
      << "the children barely wrote anything: the test is too weak";
}

}  // namespace
}  // namespace syncagent
