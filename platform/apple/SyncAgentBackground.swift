// SyncAgentBackground: syncagent's background sync on iOS, through BGTaskScheduler and the C API
// (CSyncAgent module = include/syncagent/syncagent.h). Not built in this repository (no Apple SDK
// on the build machine); see README.md.
//
//   // AppDelegate.application(_:didFinishLaunchingWithOptions:), before it returns:
//   let background = try SyncAgentBackground(configPath: configURL.path)
//   background.register()              // BGTaskScheduler.register(forTaskWithIdentifier:)
//   // applicationDidEnterBackground / sceneDidEnterBackground:
//   try? background.scheduleNext()     // submits a BGAppRefreshTaskRequest
//
// The launch handler re-submits the next request first, then runs syncagent_run_headless on a
// background queue; the task's expirationHandler calls syncagent_cancel (the cycle stops promptly,
// checkpointed); setTaskCompleted(success:) is true only for SYNCAGENT_TASK_SUCCESS. After a retry
// the next request's earliest begin is the agent's suggested retry delay instead of the interval.
//
// Info.plist: add the config's schedule.task_id to BGTaskSchedulerPermittedIdentifiers and
// "fetch" to UIBackgroundModes.
//
// Thread safety: register() must be called on the main thread during launch (Apple's rule);
// scheduleNext() from any thread. The launch handler runs on a system queue; the sync runs on
// `queue`; the expiration handler may run on any thread (syncagent_cancel is thread-safe).

import BackgroundTasks
import CSyncAgent
import Foundation
import os

public enum SyncAgentError: Error, CustomStringConvertible {
  case config(String)
  case agent(code: Int32, message: String)

  public var description: String {
    switch self {
    case .config(let message): return "syncagent config: \(message)"
    case .agent(let code, let message): return "syncagent error \(code): \(message)"
    }
  }
}

/// The message of a filled syncagent_error (a fixed-size C array, imported as a tuple).
func errorMessage(_ err: inout syncagent_error) -> String {
  return withUnsafePointer(to: &err.message) {
    $0.withMemoryRebound(to: CChar.self, capacity: Int(SYNCAGENT_ERROR_MESSAGE_SIZE)) {
      String(cString: $0)
    }
  }
}

/// Takes ownership of a string returned by the C API (freed with syncagent_free).
func takeString(_ p: UnsafeMutablePointer<CChar>?) -> String? {
  guard let p = p else { return nil }
  defer { syncagent_free(p) }
  return String(cString: p)
}

public final class SyncAgentBackground {
  public let configPath: String
  public let taskId: String
  /// earliestBeginDate offset of every refresh request (schedule.minimum_interval_minutes).
  public let minimumInterval: TimeInterval
  /// What one run may use: schedule.time_budget_seconds, capped below iOS's ~30 s.
  public let budgetMs: Int64

  private static let iosBudgetCapMs: Int64 = 28_000
  private let queue = DispatchQueue(label: "dev.syncagent.background", qos: .utility)
  private let log = Logger(subsystem: "dev.syncagent", category: "background")

  /// Reads schedule.task_id, minimum_interval_minutes and time_budget_seconds from the config
  /// file (the agent itself validates the whole file when it opens it).
  public init(configPath: String) throws {
    self.configPath = configPath
    guard let data = FileManager.default.contents(atPath: configPath),
          let root = try JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { throw SyncAgentError.config("\(configPath): not a JSON object") }
    let schedule = root["schedule"] as? [String: Any] ?? [:]
    taskId = schedule["task_id"] as? String ?? "syncagent.refresh"
    let minutes = (schedule["minimum_interval_minutes"] as? NSNumber)?.doubleValue ?? 15
    minimumInterval = minutes * 60
    let budgetSeconds = (schedule["time_budget_seconds"] as? NSNumber)?.int64Value ?? 25
    budgetMs = min(budgetSeconds * 1000, Self.iosBudgetCapMs)
  }

  /// Registers the launch handler for `taskId`. Call once, during app launch.
  @discardableResult
  public func register() -> Bool {
    return BGTaskScheduler.shared.register(forTaskWithIdentifier: taskId, using: nil) { task in
      guard let refresh = task as? BGAppRefreshTask else {
        task.setTaskCompleted(success: false)
        return
      }
      self.handle(refresh)
    }
  }

  /// Submits the next BGAppRefreshTaskRequest (replacing a pending one: iOS keeps one per id).
  public func scheduleNext(after delay: TimeInterval? = nil) throws {
    let request = BGAppRefreshTaskRequest(identifier: taskId)
    request.earliestBeginDate = Date(timeIntervalSinceNow: delay ?? minimumInterval)
    try BGTaskScheduler.shared.submit(request)
  }

  /// The body of one wake-up.
  private func handle(_ task: BGAppRefreshTask) {
    // Re-submit first, so a run that is killed still leaves the next one scheduled.
    do { try scheduleNext() } catch { log.error("submit failed: \(String(describing: error))") }

    let run = RunState()
    task.expirationHandler = { run.cancel() }  // iOS's ~30 s are up: stop promptly

    queue.async {
      let outcome = self.runHeadless(run)
      switch outcome {
      case .success:
        task.setTaskCompleted(success: true)
      case .retry(let delayMs):
        // Come back after the agent's suggested delay (server Retry-After / backoff) rather than
        // a full interval.
        if let ms = delayMs, ms > 0 {
          try? self.scheduleNext(after: max(TimeInterval(ms) / 1000, 60))
        }
        task.setTaskCompleted(success: false)
      case .failure:
        task.setTaskCompleted(success: false)
      }
    }
  }

  enum Outcome {
    case success
    case retry(delayMs: Int64?)
    case failure
  }

  /// Opens the agent, runs the headless task, closes. Safe against an expiration at any moment.
  func runHeadless(_ run: RunState) -> Outcome {
    var err = syncagent_error()
    var agent: OpaquePointer?
    guard syncagent_open_file(configPath, &agent, &err) == SYNCAGENT_OK, let handle = agent else {
      log.error("open failed: \(errorMessage(&err), privacy: .public)")
      return .failure
    }
    defer {
      run.detach()
      syncagent_close(handle)
    }
    guard run.attach(handle) else { return .retry(delayMs: nil) }  // expired before we started

    var result: Int32 = SYNCAGENT_TASK_FAILURE
    var json: UnsafeMutablePointer<CChar>?
    let rc = syncagent_run_headless(handle, taskId, budgetMs, &result, &json, &err)
    let details = takeString(json) ?? "{}"
    guard rc == SYNCAGENT_OK else {
      log.error("run failed: \(errorMessage(&err), privacy: .public)")
      return .retry(delayMs: nil)
    }
    log.info("headless run: \(details, privacy: .public)")
    switch result {
    case SYNCAGENT_TASK_SUCCESS:
      return .success
    case SYNCAGENT_TASK_RETRY:
      let object = (try? JSONSerialization.jsonObject(with: Data(details.utf8))) as? [String: Any]
      return .retry(delayMs: (object?["retry_delay_ms"] as? NSNumber)?.int64Value)
    default:
      return .failure
    }
  }
}

/// The handle of the running wake-up, shared with the expiration handler (any thread).
final class RunState {
  private let lock = NSLock()
  private var handle: OpaquePointer?
  private var cancelled = false

  /// False when the expiration already fired: do not start.
  func attach(_ h: OpaquePointer) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    if cancelled { return false }
    handle = h
    return true
  }

  func detach() {
    lock.lock()
    handle = nil
    lock.unlock()
  }

  func cancel() {
    lock.lock()
    defer { lock.unlock() }
    cancelled = true
    if let h = handle { _ = syncagent_cancel(h) }
  }
}
