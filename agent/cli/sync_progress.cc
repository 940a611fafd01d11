#include "agent/cli/sync_progress.h"

#include <cstdio>

namespace syncagent::cli {

std::string FormatBytes(int64_t bytes) {
  char buffer[32];
  if (bytes < 1024) {
    std::snprintf(buffer, sizeof(buffer), "%lld B", static_cast<long long>(bytes));
  } else if (bytes < 1024 * 1024) {
    std::snprintf(buffer, sizeof(buffer), "%.1f KiB", static_cast<double>(bytes) / 1024.0);
  } else {
    std::snprintf(buffer, sizeof(buffer), "%.1f MiB", static_cast<double>(bytes) / 1048576.0);
  }
  return buffer;
}

std::string FormatDuration(int64_t ms) {
  if (ms < 1000) return std::to_string(ms) + "ms";
  const int64_t s = ms / 1000;
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m " + std::to_string(s % 60) + "s";
  return std::to_string(s / 3600) + "h " + std::to_string((s % 3600) / 60) + "m";
}

EventCallback SyncProgress::Callback() {
  return [this](const SyncEvent& event) { OnEvent(event); };
}

void SyncProgress::OnEvent(const SyncEvent& event) {
  // Only when traced: a documents_changed event of a large pull carries many keys.
  if (console_->Enabled(LogLevel::kTrace)) {
    console_->Log(LogLevel::kTrace, "event " + event.ToJson().dump());
  }
  const std::string doc = event.collection + "/" + event.key;
  switch (event.type) {
    case SyncEventType::kCycleStarted: {
      std::lock_guard<std::mutex> lock(mu_);
      started_ = std::chrono::steady_clock::now();
      pushed_ = pulled_ = 0;
      console_->Log(LogLevel::kDebug, "sync cycle started");
      return;
    }
    case SyncEventType::kConflict:
      console_->Log(LogLevel::kWarn, "conflict on " + doc +
                                         " left open for you: see `syncagent conflicts list`");
      return;
    case SyncEventType::kConflictResolved:
      console_->Log(LogLevel::kInfo, "conflict on " + doc + " resolved (" + event.detail + ")");
      return;
    case SyncEventType::kDeadLetter:
      console_->Log(LogLevel::kWarn, "the server rejected the change to " + doc + " (" +
                                         event.detail + "): see `syncagent deadletters list`");
      return;
    case SyncEventType::kRemoteSkipped:
      console_->Log(LogLevel::kWarn, "the server's version of " + doc +
                                         " cannot be taken here (" + event.detail +
                                         "): kept as it was, see `syncagent status`");
      return;
    case SyncEventType::kServerReset:
      console_->Log(LogLevel::kWarn, "the server lost data it had acknowledged; " +
                                         event.detail + " (" + std::to_string(event.count) +
                                         " document(s))");
      return;
    case SyncEventType::kDocumentsChanged:
      console_->Log(LogLevel::kDebug, std::to_string(event.count) + " document(s) changed");
      return;
    case SyncEventType::kCycleFinished:
      Finish();
      console_->Log(LogLevel::kDebug, "sync cycle finished: " + event.detail);
      return;
    case SyncEventType::kBatchPushed:
    case SyncEventType::kPagePulled:
      break;
  }
  std::string line;
  {
    std::lock_guard<std::mutex> lock(mu_);
    (event.type == SyncEventType::kBatchPushed ? pushed_ : pulled_) += event.count;
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - started_)
                             .count();
    console_->Log(LogLevel::kDebug, std::string(SyncEventTypeName(event.type)) + ": " +
                                        std::to_string(event.count) + " document(s)");
    if (elapsed < 500 || !console_->Enabled(LogLevel::kInfo)) return;
    char rate[32];
    std::snprintf(rate, sizeof(rate), "%.0f",
                  static_cast<double>(pushed_ + pulled_) * 1000.0 / static_cast<double>(elapsed));
    line = "syncing: " + std::to_string(pushed_) + " pushed, " + std::to_string(pulled_) +
           " pulled (" + rate + " docs/s, " + FormatDuration(elapsed) + ")";
  }
  console_->SetProgress(line);
}

void SyncProgress::Finish() { console_->ClearProgress(); }

std::string SyncProgress::Summary(const CycleReport& r) {
  std::string s = std::string(CycleOutcomeName(r.outcome)) + ": pushed " +
                  std::to_string(r.pushed) + " (applied " + std::to_string(r.applied) +
                  "), pulled " + std::to_string(r.pulled);
  if (r.conflicts) {
    s += ", conflicts " + std::to_string(r.conflicts) + " (resolved " +
         std::to_string(r.resolved) + ")";
  }
  if (r.rejected) s += ", dead-lettered " + std::to_string(r.rejected);
  s += ", " + FormatBytes(r.bytes_up) + " up / " + FormatBytes(r.bytes_down) + " down in " +
       std::to_string(r.requests) + " request(s), " + FormatDuration(r.duration.count());
  if (r.stop != StopKind::kNone) s += " (stopped: " + r.StopReason() + ")";
  if (!r.error.ok()) s += " - " + r.error.message();
  return s;
}

}  // namespace syncagent::cli
