package dev.syncagent;

/**
 * A failure reported by the syncagent C API: {@link #getCode()} is the stable status code
 * (the SYNCAGENT_* numbers of syncagent.h), the message names what is wrong and where (a JSON
 * path, a file). Messages never contain the bearer token.
 */
public class SyncAgentException extends Exception {
  public static final int INVALID_ARGUMENT = 1;
  public static final int NOT_FOUND = 2;
  public static final int ALREADY_EXISTS = 3;
  public static final int FAILED_PRECONDITION = 4;
  public static final int ABORTED = 5;
  public static final int UNAVAILABLE = 6;
  public static final int DEADLINE_EXCEEDED = 7;
  public static final int CANCELLED = 8;
  public static final int PERMISSION_DENIED = 9;
  public static final int UNAUTHENTICATED = 10;
  public static final int RESOURCE_EXHAUSTED = 11;
  public static final int DATA_LOSS = 12;
  public static final int INTERNAL = 13;
  public static final int IO_ERROR = 14;

  private static final long serialVersionUID = 1L;

  private final int code;

  public SyncAgentException(int code, String message) {
    super(message);
    this.code = code;
  }

  /** The SYNCAGENT_* status code (never 0). */
  public int getCode() {
    return code;
  }

  @Override
  public String toString() {
    return "SyncAgentException(" + code + "): " + getMessage();
  }
}
