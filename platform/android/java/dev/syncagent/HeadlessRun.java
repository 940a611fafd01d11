package dev.syncagent;

/**
 * The outcome of {@link SyncAgentNative#runHeadless}: what to tell the OS ({@link #result}: map
 * SUCCESS to Result.success(), RETRY to Result.retry(), FAILURE to Result.failure()) and the
 * details as JSON ({"result","skipped","reason","attempt","retry_delay_ms","cycle":{...}}).
 */
public final class HeadlessRun {
  public static final int SUCCESS = 0;
  public static final int RETRY = 1;
  public static final int FAILURE = 2;

  public final int result;
  public final String json;

  public HeadlessRun(int result, String json) {
    this.result = result;
    this.json = json;
  }

  @Override
  public String toString() {
    return "HeadlessRun(" + result + "): " + json;
  }
}
