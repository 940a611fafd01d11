// CheckpointKey: every checkpoint the agent keeps (the store's `checkpoints` table, small named
// values that survive a restart), named in this one registry. Code above the store names a
// checkpoint only through these factories, never by building the string itself, so a key cannot
// be misspelled in one file or drift between the writer and a reader (the CLI's `status`).
//
// Thread safety: a value type; the factories are pure.
#ifndef SYNCAGENT_STORAGE_CHECKPOINT_KEY_H_
#define SYNCAGENT_STORAGE_CHECKPOINT_KEY_H_

#include <string>
#include <string_view>

namespace syncagent {

class CheckpointKey {
 public:
  // The pull: its opaque cursor, and the collection set that cursor covers (pull_scope.h).
  static constexpr std::string_view kPullName = "pull";
  static constexpr std::string_view kPullCollectionsName = "pull.collections";
  static CheckpointKey PullCursor() { return CheckpointKey(std::string(kPullName)); }
  static CheckpointKey PullCollections() {
    return CheckpointKey(std::string(kPullCollectionsName));
  }

  // The engine's last cycle (SyncEngine::GetStatus): wall-clock ms, outcome name, error message.
  static CheckpointKey LastSuccess() { return CheckpointKey("engine.last_success"); }
  static CheckpointKey LastAttempt() { return CheckpointKey("engine.last_attempt"); }
  static CheckpointKey LastOutcome() { return CheckpointKey("engine.last_outcome"); }
  static CheckpointKey LastError() { return CheckpointKey("engine.last_error"); }

  // Device-wide quiet period: no request to the server before this wall-clock instant (ms; "0"
  // when none; agent/retry_plan.h rule 2).
  static CheckpointKey QuietUntil() { return CheckpointKey("headless.not_before"); }
  // A headless task's retries since its last success (decimal; the OS backoff's attempt - 1).
  static CheckpointKey HeadlessRetries(std::string_view task_id) {
    return CheckpointKey("headless." + std::string(task_id) + ".retries");
  }

  std::string_view name() const { return name_; }
  bool operator==(const CheckpointKey&) const = default;

 private:
  explicit CheckpointKey(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_CHECKPOINT_KEY_H_
