// RunLog: the `runs` table, one row per headless run (requested, started, finished, outcome
// and counters), so an app can show what background sync did and when.
//
// When the disk (or the database's size cap) is full, a new row cannot be written, and even a
// row's final UPDATE may need a page the database cannot grow. So the log also keeps ONE
// fallback slot: a `meta` row ('unlogged_run') created by Begin while there is room, whose
// value always has the same length (kUnloggedSlotBytes, space-padded JSON). NoteUnlogged
// rewrites it in place, which needs no new page, and List reads it back (RunRecord::unlogged).
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
  // Newest first. Includes the outcome kept by NoteUnlogged while it is still the latest news:
  // a run that could not be logged at all (id 0) comes first when no row was logged after it;
  // a run whose Finish could not be recorded shows that outcome instead of "running".
  StatusOr<std::vector<RunRecord>> List(int64_t limit);

  // Records, in the fallback slot, the outcome of a run the log could not record: `run_id` is
  // the run's row when Begin succeeded (0 when it failed), finished_at = now (and started_at =
  // now when run_id is 0). Long reason/error texts are shortened to fit the slot.
  // REQUIRES: finish.result != kRunning.
  // Errors: the store's (e.g. kResourceExhausted when Begin never created the slot and the
  // database cannot grow).
  Status NoteUnlogged(int64_t run_id, const RunStart& start, const RunFinish& finish);

  // Size of the fallback slot's value; fits in one page next to other meta rows.
  static constexpr size_t kUnloggedSlotBytes = 640;

 private:
  // Applies the slot (when it has news) to `runs`, newest first, at most `limit` long.
  Status MergeUnlogged(std::vector<RunRecord>& runs, int64_t limit);

  StoreContext ctx_;
};

}  // namespace syncagent

#endif  // SYNCAGENT_STORAGE_RUN_LOG_H_
