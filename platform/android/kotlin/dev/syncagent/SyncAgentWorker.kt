package dev.syncagent

import android.content.Context
import android.util.Log
import androidx.work.Data
import androidx.work.Worker
import androidx.work.WorkerParameters

/**
 * The WorkManager body of syncagent's periodic sync: one headless run per doWork().
 *
 * doWork() opens the agent from the config file named in the input data, runs
 * [SyncAgentNative.runHeadless] with the configured budget and maps the result:
 * SUCCESS -> Result.success(), RETRY -> Result.retry() (WorkManager applies the backoff criteria
 * set by [SyncAgentScheduler]), FAILURE -> Result.failure() (periodic work moves on to the next
 * period). onStopped() (10-minute limit, constraints lost, work cancelled) calls
 * [SyncAgentNative.cancel]: the cycle stops promptly and checkpointed, runHeadless returns RETRY.
 *
 * Duplicate starts of the same work (a WorkManager quirk) are harmless: the agent's single-flight
 * lease makes the second one return SUCCESS at once, logged as `skipped`.
 *
 * Threading: WorkManager calls doWork() on its background executor and onStopped() on another
 * thread; the handle is guarded by [lock] so onStopped never races open/close.
 */
class SyncAgentWorker(context: Context, params: WorkerParameters) : Worker(context, params) {

  private val lock = Any()
  private var handle: Long = 0L   // guarded by lock; 0 = not open
  private var stopped = false     // guarded by lock

  override fun doWork(): Result {
    val configPath = inputData.getString(KEY_CONFIG_PATH)
      ?: return Result.failure(errorData("no $KEY_CONFIG_PATH in the work's input data"))
    val taskId = inputData.getString(KEY_TASK_ID) ?: ""
    val budgetMs = inputData.getLong(KEY_BUDGET_MS, 0L)  // 0: schedule.time_budget_seconds

    val opened = try {
      SyncAgentNative.openFile(configPath)
    } catch (e: SyncAgentException) {
      Log.e(TAG, "cannot open the agent: ${e.message}")
      // A config error will not fix itself by retrying.
      return Result.failure(errorData(e.message ?: "open failed", e.code))
    }
    synchronized(lock) {
      if (stopped) {  // onStopped came before we were ready
        SyncAgentNative.close(opened)
        return Result.retry()
      }
      handle = opened
    }

    try {
      val run = SyncAgentNative.runHeadless(opened, taskId, budgetMs)
      Log.i(TAG, "headless run (attempt $runAttemptCount): ${run.json}")
      val output = Data.Builder().putString(KEY_RESULT_JSON, run.json).build()
      return when (run.result) {
        HeadlessRun.SUCCESS -> Result.success(output)
        HeadlessRun.RETRY -> Result.retry()
        else -> Result.failure(output)
      }
    } catch (e: SyncAgentException) {
      Log.e(TAG, "headless run failed: ${e.message}")
      return if (e.code == SyncAgentException.INVALID_ARGUMENT) {
        Result.failure(errorData(e.message ?: "failed", e.code))
      } else {
        Result.retry()
      }
    } finally {
      synchronized(lock) {
        handle = 0L
        SyncAgentNative.close(opened)
      }
    }
  }

  override fun onStopped() {
    super.onStopped()
    synchronized(lock) {
      stopped = true
      if (handle != 0L) SyncAgentNative.cancel(handle)
    }
  }

  private fun errorData(message: String, code: Int = SyncAgentException.INVALID_ARGUMENT): Data =
    Data.Builder().putString(KEY_ERROR, message).putInt(KEY_ERROR_CODE, code).build()

  companion object {
    const val TAG = "SyncAgentWorker"
    const val KEY_CONFIG_PATH = "syncagent.config_path"
    const val KEY_TASK_ID = "syncagent.task_id"
    const val KEY_BUDGET_MS = "syncagent.budget_ms"
    const val KEY_RESULT_JSON = "syncagent.result_json"
    const val KEY_ERROR = "syncagent.error"
    const val KEY_ERROR_CODE = "syncagent.error_code"
  }
}
