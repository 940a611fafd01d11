package dev.syncagent

import android.content.Context
import android.os.Build
import androidx.work.BackoffPolicy
import androidx.work.Constraints
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.NetworkType
import androidx.work.Operation
import androidx.work.PeriodicWorkRequest
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.workDataOf
import java.io.File
import java.util.concurrent.TimeUnit
import org.json.JSONObject

/**
 * Schedules syncagent's periodic background sync with WorkManager, from the agent's own config
 * file (docs/config.md, `schedule`):
 *
 *  - unique periodic work named `schedule.task_id`, ExistingPeriodicWorkPolicy.KEEP (calling
 *    [schedule] at every app start keeps the existing period and its counters);
 *  - interval `schedule.minimum_interval_minutes` (WorkManager's minimum is 15 min);
 *  - constraints from `schedule.constraints`: network none/any/unmetered/not_roaming ->
 *    NetworkType NOT_REQUIRED/CONNECTED/UNMETERED/NOT_ROAMING, requires_charging,
 *    requires_battery_not_low, requires_storage_not_low, requires_device_idle (API 23+);
 *  - backoff EXPONENTIAL from 30 s (WorkManager's default, and the HeadlessTask's own scheduler
 *    backoff, so the run log and WorkManager agree);
 *  - the budget `schedule.time_budget_seconds` (capped at WorkManager's 10 minutes) is passed
 *    to [SyncAgentWorker].
 *
 * `schedule.stop_on_terminate` / `start_on_boot` / `enable_headless` need no code on Android:
 * WorkManager work survives app termination and reboots. An app that wants stop_on_terminate
 * calls [cancel] itself when it terminates.
 */
object SyncAgentScheduler {
  private const val MAX_BUDGET_SECONDS = 600L  // WorkManager stops a worker after 10 minutes

  /** Enqueues (or keeps) the periodic sync described by the config file at [configPath]. */
  fun schedule(context: Context, configPath: String): Operation {
    val config = JSONObject(File(configPath).readText())
    val schedule = config.optJSONObject("schedule") ?: JSONObject()
    val taskId = schedule.optString("task_id", "syncagent.refresh")
    val request = buildRequest(configPath, schedule)
    return WorkManager.getInstance(context)
      .enqueueUniquePeriodicWork(taskId, ExistingPeriodicWorkPolicy.KEEP, request)
  }

  /** Cancels the periodic sync (background_fetch's stop()). */
  fun cancel(context: Context, taskId: String = "syncagent.refresh"): Operation =
    WorkManager.getInstance(context).cancelUniqueWork(taskId)

  fun buildRequest(configPath: String, schedule: JSONObject): PeriodicWorkRequest {
    val intervalMinutes = maxOf(15L, schedule.optLong("minimum_interval_minutes", 15L))
    val budgetSeconds =
      schedule.optLong("time_budget_seconds", 25L).coerceIn(1L, MAX_BUDGET_SECONDS)
    val taskId = schedule.optString("task_id", "syncagent.refresh")
    return PeriodicWorkRequestBuilder<SyncAgentWorker>(intervalMinutes, TimeUnit.MINUTES)
      .setConstraints(constraintsOf(schedule.optJSONObject("constraints") ?: JSONObject()))
      .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, 30L, TimeUnit.SECONDS)
      .setInputData(
        workDataOf(
          SyncAgentWorker.KEY_CONFIG_PATH to configPath,
          SyncAgentWorker.KEY_TASK_ID to taskId,
          SyncAgentWorker.KEY_BUDGET_MS to budgetSeconds * 1000L,
        )
      )
      .addTag(taskId)
      .build()
  }

  fun constraintsOf(c: JSONObject): Constraints {
    val network = when (c.optString("network", "any")) {
      "none" -> NetworkType.NOT_REQUIRED
      "unmetered" -> NetworkType.UNMETERED
      "not_roaming" -> NetworkType.NOT_ROAMING
      else -> NetworkType.CONNECTED
    }
    val builder = Constraints.Builder()
      .setRequiredNetworkType(network)
      .setRequiresCharging(c.optBoolean("requires_charging", false))
      .setRequiresBatteryNotLow(c.optBoolean("requires_battery_not_low", false))
      .setRequiresStorageNotLow(c.optBoolean("requires_storage_not_low", false))
    if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.M) {
      builder.setRequiresDeviceIdle(c.optBoolean("requires_device_idle", false))
    }
    return builder.build()
  }
}
