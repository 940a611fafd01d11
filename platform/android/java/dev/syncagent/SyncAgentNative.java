package dev.syncagent;

/**
 * The JNI surface of libsyncagent_jni.so, a one-to-one mapping of the C API (syncagent.h).
 *
 * <p>A handle is the C API's opaque pointer as a long; 0 is never a valid handle. Every method
 * except {@link #close} and {@link #cancel} throws {@link SyncAgentException} on failure (a 0 or
 * closed-and-zeroed handle, a null argument and invalid JSON are errors, never crashes). Calling
 * any method with a handle after {@link #close} is undefined: keep the handle in one owner.
 *
 * <p>Thread safety: every method may be called from any thread; {@link #cancel} is meant to be
 * called from WorkManager's onStopped while another thread is inside {@link #runHeadless}. Do not
 * call {@link #close} while another call on the same handle is running.
 */
public final class SyncAgentNative {
  static {
    System.loadLibrary("syncagent_jni");  // loads libsyncagent.so through its DT_NEEDED entry
  }

  private SyncAgentNative() {}

  /** The library version, e.g. "0.1.0". */
  public static native String version();

  /** Opens an agent from a JSON config (docs/config.md); use an absolute storage.path. */
  public static native long open(String configJson) throws SyncAgentException;

  /** Opens an agent from a config file; relative paths resolve against its directory. */
  public static native long openFile(String path) throws SyncAgentException;

  /** Closes the agent. 0 is a no-op. */
  public static native void close(long handle);

  public static native void put(long handle, String collection, String key, String json)
      throws SyncAgentException;

  /** Applies an RFC 7396 merge patch. NOT_FOUND when the document does not exist. */
  public static native void patch(long handle, String collection, String key, String json)
      throws SyncAgentException;

  public static native void delete(long handle, String collection, String key)
      throws SyncAgentException;

  /** The document as JSON, or null when it does not exist (or is deleted). */
  public static native String get(long handle, String collection, String key)
      throws SyncAgentException;

  /** One sync cycle; the report as JSON ({"outcome":"done"|"partial"|"retry"|"failed",...}). */
  public static native String syncNow(long handle, long budgetMs) throws SyncAgentException;

  /**
   * The body of a background task (WorkManager's doWork): single flight, logged, watchdog before
   * budgetMs (<= 0: the config's). taskId null or "": the config's schedule.task_id.
   */
  public static native HeadlessRun runHeadless(long handle, String taskId, long budgetMs)
      throws SyncAgentException;

  /**
   * Cancels the running syncNow / runHeadless calls of this agent (onStopped, expiration).
   * Returns false only for an invalid (0) handle.
   */
  public static native boolean cancel(long handle);

  /** Queue depth, last outcome, schedule health... as JSON. */
  public static native String statusJson(long handle) throws SyncAgentException;

  /** The open conflicts as a JSON array. */
  public static native String conflictsJson(long handle) throws SyncAgentException;

  /** {"action":"take_remote"|"keep_local"|"use"|"delete","data":{...}}. */
  public static native void resolveConflict(long handle, long id, String resolutionJson)
      throws SyncAgentException;
}
