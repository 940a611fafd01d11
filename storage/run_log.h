// RunLog: the `runs` table, one row per headless run (requested, started, finished, outcome
// and counters), so an app can show what background sync did and when.
//
// Thread safety: not thread-safe; used under the Store's lock.
#ifndef SYNCAGENT_STORAGE_RUN_LOG_H_
#define SYNCAGENT_STORAGE_RUN_LOG_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "storage/store_context.h"
#include "storage/sync_records.h"
#include "syncagent/status.h"

namespace syncagent {

class RunLog {
 public:
  explicit RunLog(const StoreContext& context) : ctx_(context) {}

  // Logs a run as "running" with started_at = now; returns its id.
  StatusOr<int64_t> Begin(const RunStart& start);
  // Sets the outcome and finished_at = now. kNotFound for an unknown id; kInvalidArgument when
  // finish.result is kRunning.
  Status Finish(int64_t id, const RunFinish& finish);
  // Newest first.
  StatusOr<std::vector<RunRecord>> List(int64_t limit);

 private:
  StoreContext ctx_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_RUN_LOG_H_
