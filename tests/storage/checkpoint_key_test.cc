// CheckpointKey: the registry's names are the ones stores already hold (renaming one would make
// every existing device forget that checkpoint), and per-task keys do not collide.
#include "storage/checkpoint_key.h"

#include <gtest/gtest.h>

#include "storage/store.h"

namespace syncagent {
namespace {

TEST(CheckpointKeyTest, NamesAreThoseExistingStoresHold) {
  EXPECT_EQ(CheckpointKey::PullCursor().name(), "pull");
  EXPECT_EQ(CheckpointKey::PullCursor().name(), Store::kPullCheckpoint);
  EXPECT_EQ(CheckpointKey::PullCollections().name(), "pull.collections");
  EXPECT_EQ(CheckpointKey::LastSuccess().name(), "engine.last_success");
  EXPECT_EQ(CheckpointKey::LastAttempt().name(), "engine.last_attempt");
  EXPECT_EQ(CheckpointKey::LastOutcome().name(), "engine.last_outcome");
  EXPECT_EQ(CheckpointKey::LastError().name(), "engine.last_error");
  EXPECT_EQ(CheckpointKey::QuietUntil().name(), "headless.not_before");
  EXPECT_EQ(CheckpointKey::HeadlessRetries("syncagent.refresh").name(),
            "headless.syncagent.refresh.retries");
}

TEST(CheckpointKeyTest, PerTaskKeysAreDistinct) {
  EXPECT_EQ(CheckpointKey::HeadlessRetries("a"), CheckpointKey::HeadlessRetries("a"));
  EXPECT_FALSE(CheckpointKey::HeadlessRetries("a") == CheckpointKey::HeadlessRetries("b"));
  EXPECT_FALSE(CheckpointKey::HeadlessRetries("a") == CheckpointKey::QuietUntil());
}

}  // namespace
}  // namespace syncagent
