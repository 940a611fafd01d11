// Crash test: a child process (this binary, re-executed with CrashChild.Run selected) opens a
// store on a real file and loops — a few local writes, one sync cycle against the mock server
// that lives in the parent, repeat — while the parent SIGKILLs it at random moments and restarts
// it on the same file (tests/agent/crash_rig.h: the child, its journal of intents and acks, the
// kills and the checks shared with couchdb_crash_test.cc).
// At the end one clean child run syncs to quiescence, and the parent checks: the file passes
// Store::Verify (integrity_check + invariants), the outbox is empty, for every key the server and
// the store hold the latest acknowledged value (or the one write in flight at a kill, if it
// committed), and the server applied every mutation exactly once.
//
//   SYNCAGENT_CRASH_ITERATIONS=<n>  kills (default kDefaultIterations)
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>

#include "tests/agent/crash_rig.h"
#include "tests/agent/engine_harness.h"

namespace syncagent {
namespace {

using nlohmann::json;
using testing::ServerLive;
namespace crash = testing::crash;

constexpr int kDefaultIterations = 250;
constexpr char kCollection[] = "crash";

// Selected only in the re-executed child; skipped in a normal run.
TEST(CrashChild, Run) { crash::RunChildOrSkip(kCollection, nullptr); }

TEST(CrashTest, RandomKillsLoseNothingAndApplyNothingTwice) {
  auto server = mock::MockServer::Start({});
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  const std::string url = (*server)->base_url();
  crash::CrashRig rig("CrashChild.Run");
  const int64_t iterations = crash::Iterations(kDefaultIterations);
  const auto start = std::chrono::steady_clock::now();
  const int64_t ready_kills = rig.KillLoop(iterations, url, 20260101, [&](int64_t run) {
    // "Another client" changes other keys, so the child's pulls apply real pages too.
    ASSERT_TRUE((*server)
                    ->state()
                    .AdminPut(kCollection, "srv" + std::to_string(run % 5), {{"run", run}}, nullptr)
                    .ok());
  });
  ASSERT_FALSE(HasFailure());
  ASSERT_TRUE(rig.FinalRun(iterations + 1, url));

  const crash::JournalReplay replay = rig.Replay();
  for (const std::string& e : replay.errors) ADD_FAILURE() << e;
  const std::map<std::string, json> server_live = ServerLive(**server, kCollection);
  EXPECT_EQ(rig.CheckStore(kCollection), server_live);
  const int64_t resolved_in_flight = crash::CrashRig::ExpectNoLostWrite(replay, server_live, "srv");
  EXPECT_EQ(server_live.count("srv0") + server_live.count("srv4"), 2u);

  const json server_stats = (*server)->Stats();
  int64_t applied_ids = 0, replays = 0;
  for (const auto& [id, count] : server_stats["applied"].items()) {
    ++applied_ids;  // single writer per key, no conflicts: every mutation took effect once
    EXPECT_EQ(count.get<int64_t>(), 1) << "mutation " << id << " applied " << count << " times";
  }
  for (const auto& [id, count] : server_stats["replayed"].items()) replays += count.get<int64_t>();

  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  std::cout << crash::StatsLine(iterations, ready_kills, replay, resolved_in_flight) << applied_ids
            << " mutations applied, " << replays
            << " push replays answered from the server's memory, " << ms << " ms\n";
  // A ready child writes 0-3 documents at once (1.5 on average) before its first cycle.
  EXPECT_GT(replay.acks, ready_kills / 2)
      << "the children barely wrote anything: the test is too weak";
}

}  // namespace
}  // namespace syncagent
