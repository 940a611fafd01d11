// SyncProgress: the CLI's listener for the sync engine's events.
//
// What: logs conflicts and dead letters (info/warn), every event at trace level, and — when
// stderr is a terminal and the level is info or more verbose — keeps a live progress line for
// cycles that last longer than half a second: documents pushed and pulled so far and the rate.
// Finish() clears the line; Summary() is the cycle's one-line report (with bytes up/down).
//
// Thread safety: the callback runs on the cycle's thread; Finish/Summary on any thread after it.
#ifndef SYNCAGENT_AGENT_CLI_SYNC_PROGRESS_H_
#define SYNCAGENT_AGENT_CLI_SYNC_PROGRESS_H_

#include <chrono>
#include <mutex>
#include <string>

#include "agent/cli/console.h"
#include "agent/cycle_report.h"
#include "agent/sync_events.h"

namespace syncagent::cli {

class SyncProgress {
 public:
  explicit SyncProgress(Console* console) : console_(console) {}

  EventCallback Callback();
  void OnEvent(const SyncEvent& event);
  void Finish();

  static std::string Summary(const CycleReport& report);

 private:
  Console* console_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point started_;
  int64_t pushed_ = 0;
  int64_t pulled_ = 0;
};

// "1.2 KiB", "3.4 MiB".
std::string FormatBytes(int64_t bytes);
// "250ms", "4s", "2m 3s", "1h 5m".
std::string FormatDuration(int64_t ms);

}  // namespace syncagent::cli

#endif  // SYNCAGENT_AGENT_CLI_SYNC_PROGRESS_H_
