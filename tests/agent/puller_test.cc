// Puller (agent/puller.h) against FakeRemote: pages and has_more, the cursor and its tag stored
// and sent back, the one-request idle cycle, a refused cursor (server reset), oversized replies,
// documents the client cannot take, conflicts with local edits, failures and the deadline.
// Real SQLite store, virtual time.
#include "agent/puller.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/agent/phase_harness.h"

namespace syncagent {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::FakeRemote;
using testing::Key;
using testing::PhaseHarness;
using testing::PhaseHarnessOptions;
using testing::Rev;

PhaseHarnessOptions Options(int page_size) {
  PhaseHarnessOptions options;
  options.engine.pull_page_size = page_size;
  return options;
}

// Another device writes notes/n0 .. n(count-1) on the server.
void ServerNotes(PhaseHarness& h, int count, size_t padding = 0) {
  for (int i = 0; i < count; ++i) {
    h.remote().ServerPut("notes", Key(i), {{"i", i}, {"text", std::string(padding, 'x')}});
  }
}

// The next scripted pull fails as a 503 that asks for a 42 s wait.
void FailAPullWith503(PhaseHarness& h) {
  h.remote().FailNext(FakeRemote::CallKind::kPull, UnavailableError("503 unavailable"),
                      RemoteFailure::Kind::kOther, 42s);
}

std::vector<const FakeRemote::Call*> Pulls(PhaseHarness& h) {
  return h.remote().CallsOf(FakeRemote::CallKind::kPull);
}

// The engine ends the remote's cycle after its last call, whatever ended the cycle, so that
// work the remote started on its own (CouchdbRemote's page requested ahead) stops and is counted.
TEST(PullerTest, EveryCycleEndsTheRemotesCycleAfterItsLastCall) {
  PhaseHarness h(Options(2));
  ServerNotes(h, 5);
  EXPECT_EQ(h.RunCycle().outcome, CycleOutcome::kDone);
  EXPECT_EQ(h.remote().cycles_begun(), 1);
  EXPECT_EQ(h.remote().cycles_ended(), 1);
  EXPECT_EQ(h.remote().calls_at_cycle_end(), h.remote().calls().size());
  EXPECT_GE(Pulls(h).size(), 3u);
  FailAPullWith503(h);
  ServerNotes(h, 1);
  EXPECT_EQ(h.RunCycle().outcome, CycleOutcome::kRetry);
  EXPECT_EQ(h.remote().cycles_ended(), 2);
  EXPECT_EQ(h.remote().calls_at_cycle_end(), h.remote().calls().size());
  EXPECT_EQ(h.remote().overlapping_uses(), 0);
}

TEST(PullerTest, PagesUntilTheServerHasNoMore) {
  PhaseHarness h(Options(2));
  ServerNotes(h, 5);
  h.NewCycle();
  EXPECT_EQ(h.Pull(), PhaseEnd::kComplete);
  const auto pulls = Pulls(h);
  ASSERT_EQ(pulls.size(), 3u);
  EXPECT_EQ(pulls[0]->page.changes.size(), 2u);
  EXPECT_TRUE(pulls[0]->page.has_more);
  EXPECT_TRUE(pulls[1]->page.has_more);
  EXPECT_EQ(pulls[2]->page.changes.size(), 1u);
  EXPECT_FALSE(pulls[2]->page.has_more);
  // Each request starts where the page before it ended.
  EXPECT_EQ(pulls[0]->query.cursor, "");
  EXPECT_EQ(pulls[1]->query.cursor, pulls[0]->page.cursor);
  EXPECT_EQ(pulls[2]->query.cursor, pulls[1]->page.cursor);
  EXPECT_EQ(h.report().pulled, 5);
  EXPECT_EQ(h.EventsOf(SyncEventType::kPagePulled).size(), 3u);
  for (int i = 0; i < 5; ++i) {
    auto doc = h.Doc("notes", Key(i));
    ASSERT_TRUE(doc.has_value()) << Key(i);
    EXPECT_EQ(doc->rev, Rev(1));
    EXPECT_EQ(doc->data, json({{"i", i}, {"text", ""}}));
  }
}

TEST(PullerTest, StoresTheCursorAndItsTagAndSendsThemBackNextCycle) {
  PhaseHarness h(Options(2));
  ServerNotes(h, 3);
  h.NewCycle();
  ASSERT_EQ(h.Pull(), PhaseEnd::kComplete);
  const RemotePage last = Pulls(h).back()->page;
  const auto checkpoint = h.PullCheckpoint();
  ASSERT_TRUE(checkpoint.has_value());
  EXPECT_EQ(checkpoint->value, last.cursor);
  EXPECT_EQ(checkpoint->etag, last.cursor_tag);
  EXPECT_FALSE(last.cursor_tag.empty());
  // Within a cycle only the first request carries a tag.
  EXPECT_EQ(Pulls(h)[1]->query.cursor_tag, "");

  h.remote().ServerPut("notes", "n9", {{"new", true}});
  h.NewCycle();
  ASSERT_EQ(h.Pull(), PhaseEnd::kComplete);
  const auto pulls = Pulls(h);
  ASSERT_EQ(pulls.size(), 3u);
  EXPECT_EQ(pulls[2]->query.cursor, last.cursor);
  EXPECT_EQ(pulls[2]->query.cursor_tag, last.cursor_tag);
  EXPECT_EQ(pulls[2]->page.changes.size(), 1u);
  EXPECT_EQ(h.PullCheckpoint()->value, pulls[2]->page.cursor);
}

TEST(PullerTest, AnIdleCycleCostsOneRequest) {
  PhaseHarness h(Options(10));
  ServerNotes(h, 2);
  h.NewCycle();
  ASSERT_EQ(h.Pull(), PhaseEnd::kComplete);
  const auto before = h.PullCheckpoint();
  const size_t calls = Pulls(h).size();

  h.NewCycle();
  EXPECT_EQ(h.Pull(), PhaseEnd::kComplete);
  const auto pulls = Pulls(h);
  ASSERT_EQ(pulls.size(), calls + 1);
  EXPECT_TRUE(pulls.back()->page.unchanged);
  EXPECT_EQ(h.report().pulled, 0);
  EXPECT_TRUE(h.EventsOf(SyncEventType::kPagePulled).empty());
  ASSERT_TRUE(h.PullCheckpoint().has_value());
  EXPECT_EQ(h.PullCheckpoint()->value, before->value);
  EXPECT_EQ(h.PullCheckpoint()->etag, before->etag);
}

TEST(PullerTest, ARefusedCursorAppliesTheServerResetOnceAndPullsFromTheBeginning) {
  PhaseHarness h(Options(10));
  ServerNotes(h, 2);
  h.NewCycle();
  ASSERT_EQ(h.Pull(), PhaseEnd::kComplete);
  h.remote().LoseAllData();
  h.remote().ServerPut("notes", "fresh", {{"after", "reset"}});

  h.NewCycle();
  int queued = 0;
  EXPECT_EQ(h.Pull(&queued), PhaseEnd::kComplete);
  const auto pulls = Pulls(h);
  ASSERT_EQ(pulls.size(), 3u);
  EXPECT_FALSE(pulls[1]->ok);  // the stored cursor, refused
  EXPECT_EQ(pulls[2]->query.cursor, "");
  EXPECT_EQ(pulls[2]->query.cursor_tag, "");
  EXPECT_TRUE(h.report().server_reset);
  const auto resets = h.EventsOf(SyncEventType::kServerReset);
  ASSERT_EQ(resets.size(), 1u);
  EXPECT_NE(resets[0].detail.find("reupload"), std::string::npos) << resets[0].detail;
  // Reupload: both documents the server lost are queued again.
  EXPECT_EQ(queued, 2);
  EXPECT_EQ(h.QueueDepth(), 2);
  EXPECT_TRUE(h.Doc("notes", "fresh").has_value());
}

TEST(PullerTest, ACursorRefusedAgainAfterTheRestartFailsTheCycle) {
  PhaseHarness h(Options(10));
  ServerNotes(h, 1);
  h.NewCycle();
  ASSERT_EQ(h.Pull(), PhaseEnd::kComplete);
  for (int i = 0; i < 2; ++i) {
    h.remote().FailNext(FakeRemote::CallKind::kPull,
                        Status(StatusCode::kInvalidArgument, "invalid_cursor", RetryClass::kPermanent),
                        RemoteFailure::Kind::kCursorRefused);
  }
  h.NewCycle();
  EXPECT_EQ(h.Pull(), PhaseEnd::kFailed);
  EXPECT_EQ(h.report().outcome, CycleOutcome::kFailed);
  EXPECT_EQ(h.EventsOf(SyncEventType::kServerReset).size(), 1u);
  EXPECT_EQ(Pulls(h).size(), 3u);
}

TEST(PullerTest, AReplyTooLargeHalvesThePageForTheRestOfTheCycle) {
  PhaseHarness h(Options(8));
  // Pages of at most two changes fit in the client's cap (the fake ignores max_bytes).
  ServerNotes(h, 6, 100);
  h.remote().set_max_reply_bytes(2 * (FakeRemote::kItemBytes + 130));
  h.NewCycle();
  EXPECT_EQ(h.Pull(), PhaseEnd::kComplete);
  EXPECT_EQ(h.remote().PullLimits(), (std::vector<int>{8, 4, 2, 2, 2}));
  EXPECT_EQ(h.report().pulled, 6);
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(h.Doc("notes", Key(i)).has_value()) << Key(i);
}

TEST(PullerTest, ASingleChangeTooLargeForTheClientIsARetryAfterHalvingToOne) {
  PhaseHarness h(Options(4));
  h.remote().ServerPut("notes", "big", {{"text", std::string(5000, 'x')}});
  h.remote().set_max_reply_bytes(1000);
  h.NewCycle();
  EXPECT_EQ(h.Pull(), PhaseEnd::kFailed);
  EXPECT_EQ(h.remote().PullLimits(), (std::vector<int>{4, 2, 1}));
  EXPECT_EQ(h.report().outcome, CycleOutcome::kRetry);
  EXPECT_NE(h.report().error.message().find("max_response_bytes"), std::string::npos)
      << h.report().error.ToString();
  EXPECT_FALSE(h.PullCheckpoint().has_value());  // the cursor did not move past it
}

TEST(PullerTest, AChangeTheClientCannotTakeIsRecordedAsARemoteSkipAndPassed) {
  PhaseHarness h(Options(10));
  h.remote().ServerPut("notes", "ok", {{"fine", true}});
  h.remote().SetUnusable("notes", "deep", "nested deeper than 32 levels");
  h.NewCycle();
  EXPECT_EQ(h.Pull(), PhaseEnd::kComplete);
  EXPECT_EQ(h.report().pulled, 2);
  EXPECT_EQ(h.report().remote_skipped, 1);
  auto skips = h.store().ListRemoteSkips();
  ASSERT_OK(skips.status());
  ASSERT_EQ(skips->size(), 1u);
  EXPECT_EQ((*skips)[0].key, "deep");
  EXPECT_EQ((*skips)[0].rev, Rev(1));
  EXPECT_EQ((*skips)[0].reason, "nested deeper than 32 levels");
  const auto events = h.EventsOf(SyncEventType::kRemoteSkipped);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].key, "deep");
  EXPECT_FALSE(h.Doc("notes", "deep").has_value());
  EXPECT_TRUE(h.Doc("notes", "ok").has_value());

  h.NewCycle();  // passed by the cursor: nothing new
  EXPECT_EQ(h.Pull(), PhaseEnd::kComplete);
  EXPECT_TRUE(Pulls(h).back()->page.unchanged);
}

TEST(PullerTest, ARemoteChangeToALocallyEditedDocumentIsAConflictSettledWithThePage) {
  PhaseHarnessOptions options = Options(10);
  options.policy = ResolutionPolicy::kServerWins;
  PhaseHarness h(options);
  ASSERT_OK(h.store().Put("notes", "n1", {{"title", "local"}}));  // never pushed
  h.remote().ServerPut("notes", "n1", {{"title", "server"}});
  h.NewCycle();
  EXPECT_EQ(h.Pull(), PhaseEnd::kComplete);
  EXPECT_EQ(h.report().conflicts, 1);
  EXPECT_EQ(h.report().resolved, 1);
  const auto settled = h.Conflicts(/*open_only=*/false);
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_EQ(settled[0].origin, ConflictOrigin::kPull);
  EXPECT_EQ(settled[0].status, ConflictStatus::kResolved);
  EXPECT_EQ(h.Doc("notes", "n1")->data, json({{"title", "server"}}));
  EXPECT_EQ(h.QueueDepth(), 0);
}

TEST(PullerTest, ATransientFailureIsARetryWithTheFailuresDelay) {
  PhaseHarness h(Options(10));
  ServerNotes(h, 1);
  FailAPullWith503(h);
  h.NewCycle();
  EXPECT_EQ(h.Pull(), PhaseEnd::kFailed);
  EXPECT_EQ(h.report().outcome, CycleOutcome::kRetry);
  EXPECT_EQ(h.report().retry_after, 42s);
  EXPECT_EQ(h.report().error.code(), StatusCode::kUnavailable);
  EXPECT_FALSE(h.Doc("notes", Key(0)).has_value());
  EXPECT_FALSE(h.PullCheckpoint().has_value());
}

TEST(PullerTest, StopsBeforeTheDeadlineWithThePagesSoFarCommitted) {
  PhaseHarnessOptions options = Options(2);
  options.engine.min_margin = 500ms;
  options.engine.rtt_factor = 3.0;
  PhaseHarness h(options);
  h.remote().set_latency(1s);  // see PusherDeadlineTest: two requests fit in 5 s
  ServerNotes(h, 6);
  h.NewCycle(5s);
  EXPECT_EQ(h.Pull(), PhaseEnd::kStopped);
  EXPECT_EQ(h.report().outcome, CycleOutcome::kPartial);
  EXPECT_EQ(h.report().stop, StopKind::kDeadline);
  ASSERT_EQ(Pulls(h).size(), 2u);
  EXPECT_EQ(h.report().pulled, 4);
  EXPECT_EQ(h.PullCheckpoint()->value, Pulls(h)[1]->page.cursor);

  h.NewCycle(60s);
  EXPECT_EQ(h.Pull(), PhaseEnd::kComplete);
  EXPECT_EQ(Pulls(h)[2]->query.cursor, Pulls(h)[1]->page.cursor);
  EXPECT_EQ(h.report().pulled, 2);
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(h.Doc("notes", Key(i)).has_value()) << Key(i);
}

// Prefetching (SyncEngineOptions::prefetch_pull, on by default): the next page is requested
// while the current one is applied.
PhaseHarnessOptions PrefetchOptions(int page_size, bool prefetch) {
  PhaseHarnessOptions options = Options(page_size);
  options.engine.prefetch_pull = prefetch;
  return options;
}

TEST(PullerTest, APageRequestedAheadIsThrownAwayWhenTheCurrentPageIsRefused) {
  for (const bool prefetch : {false, true}) {
    SCOPED_TRACE(prefetch ? "prefetch" : "one step after the other");
    PhaseHarness h(PrefetchOptions(2, prefetch));
    h.remote().ServerPut("notes", "n0", {{"i", 0}});
    h.remote().ServerPut("notes", "n1", {{"i", 1}});
    h.remote().ServerPut("notes", std::string("bad\x01key"), {{"i", 2}});  // the store refuses it
    h.remote().ServerPut("notes", "n3", {{"i", 3}});
    h.remote().ServerPut("notes", "n4", {{"i", 4}});
    h.NewCycle();
    EXPECT_EQ(h.Pull(), PhaseEnd::kFailed);
    EXPECT_EQ(h.report().outcome, CycleOutcome::kFailed);
    // Prefetching asked for the page after each page it applied: the third page was requested
    // while the refused second one was applied, and thrown away.
    EXPECT_EQ(Pulls(h).size(), prefetch ? 3u : 2u);
    EXPECT_EQ(h.PullCheckpoint()->value, Pulls(h)[0]->page.cursor);
    EXPECT_TRUE(h.Doc("notes", "n1").has_value());
    EXPECT_FALSE(h.Doc("notes", "n3").has_value());
    EXPECT_FALSE(h.Doc("notes", "n4").has_value());
    EXPECT_EQ(h.remote().overlapping_uses(), 0);
  }
}

TEST(PullerTest, ConflictsSettledWithAPageWaitForThePageRequestedAhead) {
  PhaseHarnessOptions options = PrefetchOptions(2, true);
  options.policy = ResolutionPolicy::kServerWins;
  PhaseHarness h(options);
  h.remote().set_latency(10ms);
  ASSERT_OK(h.store().Put("notes", Key(1), {{"title", "local"}}));  // never pushed
  ASSERT_OK(h.store().Put("notes", Key(4), {{"title", "local"}}));
  ServerNotes(h, 7);
  h.NewCycle();
  EXPECT_EQ(h.Pull(), PhaseEnd::kComplete);
  EXPECT_EQ(h.remote().overlapping_uses(), 0);
  EXPECT_EQ(h.report().conflicts, 2);
  EXPECT_EQ(h.report().resolved, 2);
  const auto pulls = Pulls(h);
  ASSERT_EQ(pulls.size(), 4u);
  for (size_t i = 1; i < pulls.size(); ++i) {
    EXPECT_EQ(pulls[i]->query.cursor, pulls[i - 1]->page.cursor);
  }
  EXPECT_EQ(h.PullCheckpoint()->value, pulls.back()->page.cursor);
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(h.Doc("notes", Key(i))->data, json({{"i", i}, {"text", ""}})) << Key(i);
  }
}

TEST(PullerTest, AFailedPageRequestedAheadIsReportedWithItsOwnRetryDelay) {
  PhaseHarnessOptions options = PrefetchOptions(2, true);
  options.policy = ResolutionPolicy::kServerWins;
  PhaseHarness h(options);
  ASSERT_OK(h.store().Put("notes", Key(0), {{"title", "local"}}));  // a conflict on page one
  ServerNotes(h, 4);
  h.remote().PassNext(FakeRemote::CallKind::kPull);
  FailAPullWith503(h);
  h.NewCycle();
  EXPECT_EQ(h.Pull(), PhaseEnd::kFailed);
  // The page requested ahead failed while page one and its conflict were settled: its own
  // failure (and delay) is reported, whatever the remote did since.
  EXPECT_EQ(h.report().outcome, CycleOutcome::kRetry);
  EXPECT_EQ(h.report().retry_after, 42s);
  EXPECT_EQ(h.report().resolved, 1);
  EXPECT_EQ(h.PullCheckpoint()->value, Pulls(h)[0]->page.cursor);
  EXPECT_FALSE(h.Doc("notes", Key(2)).has_value());
}

TEST(PullerTest, PullsOnlyTheConfiguredCollections) {
  PhaseHarnessOptions options = Options(10);
  options.engine.collections = {"notes"};
  PhaseHarness h(options);
  h.remote().ServerPut("notes", "n1", {{"a", 1}});
  h.remote().ServerPut("tasks", "t1", {{"b", 2}});
  h.NewCycle();
  EXPECT_EQ(h.Pull(), PhaseEnd::kComplete);
  EXPECT_EQ(Pulls(h)[0]->query.collections, std::vector<std::string>{"notes"});
  EXPECT_TRUE(h.Doc("notes", "n1").has_value());
  EXPECT_FALSE(h.Doc("tasks", "t1").has_value());
}

}  // namespace
}  // namespace syncagent
